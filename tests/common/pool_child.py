"""A parent for test_pool: starts a pool whose workers block, prints their pids, waits to be killed."""

import os
import sys
import time

from sanzhi.common.pool import WorkerPool


def _block(_state: object, _item: object) -> int:
    time.sleep(600)
    return 0


def _pid(_state: object, _item: object) -> int:
    return os.getpid()


if __name__ == "__main__":
    recycle = sys.argv[1:] == ["recycle"]
    pool = WorkerPool(2, None, max_tasks_per_child=100 if recycle else None)
    pids = set(pool.map(_pid, range(40)))
    for _ in range(2):
        pool.submit(_block, None)
    print(" ".join(map(str, sorted(pids))), flush=True)
    time.sleep(600)
