"""A parent for test_lock: takes a batch folder's lock, forks a child that does not die with
it (as a worker without PR_SET_PDEATHSIG would), prints the child's pid, waits to be killed."""

import os
import sys
import time
from pathlib import Path

from sanzhi.batch.runner import _folder_lock

if __name__ == "__main__":
    with _folder_lock(Path(sys.argv[1])):
        child = os.fork()
        if child == 0:
            time.sleep(60)
            os._exit(0)
        print(child, flush=True)
        time.sleep(600)
