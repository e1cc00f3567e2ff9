"""A parent for test_lock: takes a batch folder's lock, forks a child that does not die with
it (as a worker without PR_SET_PDEATHSIG would), waits to be killed. The child prints its own
pid: only then has its after-fork handler (which closes its copy of the lock) surely run — the
parent printing it could let the test kill the parent while the child still held the copy."""

import os
import sys
import time
from pathlib import Path

from sanzhi.batch.folder import folder_lock

if __name__ == "__main__":
    with folder_lock(Path(sys.argv[1])):
        child = os.fork()
        if child == 0:
            print(os.getpid(), flush=True)
            time.sleep(60)
            os._exit(0)
        time.sleep(600)
