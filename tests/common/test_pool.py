"""The one process-pool helper: tasks get the worker state, order and bounds hold, workers
settle, and workers never outlive a parent killed outright."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sanzhi.common.gcpolicy import MANY_OBJECTS_THRESHOLD
from sanzhi.common.pool import WorkerPool


def _add(state: int, item: int) -> int:
    return state + item


def _setup(state: int) -> int:
    return state * 10  # what each worker's tasks see


def _worker_facts(state: object, _item: object) -> tuple[int, tuple[int, int, int], bool]:
    return os.getpid(), gc.get_threshold(), gc.get_freeze_count() > 0


def _fail(_state: object, item: int) -> int:
    if item == 3:
        raise ValueError("three")
    return item


@pytest.mark.parametrize("workers", [1, 2])
def test_map_keeps_order_and_passes_the_state(workers: int) -> None:
    with WorkerPool(workers, 5) as pool:
        assert list(pool.map(_add, range(20), chunksize=3)) == [5 + i for i in range(20)]
        assert sorted(pool.unordered(_add, range(20), in_flight_per_worker=1)) == [5 + i for i in range(20)]
        assert pool.submit(_add, 1).result() == 6


def test_setup_runs_in_workers_only() -> None:
    with WorkerPool(2, 5, setup=_setup) as pool:
        assert list(pool.map(_add, [1, 2])) == [51, 52]
    with WorkerPool(1, 5, setup=_setup) as inline:  # in-process: the caller's state as given
        assert list(inline.map(_add, [1, 2])) == [6, 7]


def test_workers_are_settled_and_the_parent_unfrozen_afterwards() -> None:
    assert gc.get_freeze_count() == 0
    with WorkerPool(2, None) as pool:
        facts = [pool.submit(_worker_facts, None).result() for _ in range(4)]
        assert gc.get_freeze_count() > 0  # frozen while forked workers share its pages
    assert all(threshold == MANY_OBJECTS_THRESHOLD and frozen for _, threshold, frozen in facts)
    assert all(pid != os.getpid() for pid, _, _ in facts)
    assert gc.get_freeze_count() == 0


def test_a_failing_task_raises_in_the_caller_and_cancels_the_rest() -> None:
    with WorkerPool(2, None) as pool, pytest.raises(ValueError, match="three"):
        list(pool.unordered(_fail, range(100)))
    assert gc.get_freeze_count() == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (killed, not yet reaped by init) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
@pytest.mark.parametrize("mode", ["fork", "recycle"])
def test_workers_die_when_the_parent_is_killed_outright(mode: str) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "tests.common.pool_child", *(["recycle"] if mode == "recycle" else [])],
                            cwd=root, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(root)})
    try:
        assert proc.stdout is not None
        pids = [int(p) for p in proc.stdout.readline().split()]
        assert pids and all(_alive(p) for p in pids)
        os.kill(proc.pid, signal.SIGKILL)  # the parent alone, not its process group
        proc.wait()
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = [p for p in pids if _alive(p)]
    finally:
        proc.kill()
    for p in survivors:
        os.kill(p, signal.SIGKILL)
    assert not survivors, f"workers outlived their parent: {survivors}"
