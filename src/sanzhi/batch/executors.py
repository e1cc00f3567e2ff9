"""Where shards run: in this process, in a local process pool, or on a Dask cluster.

All three take the same `WorkContext` once and then shards, and hand results back through
handles the runner resolves **in submission order**, so the database is written in plan
order whichever worker finished first: a run's outcome never depends on timing.

- `inline` (`--jobs 1`): no pool; easiest to debug.
- `local`: a `sanzhi.common.pool.WorkerPool` (fork start, one worker per core by default,
  set up once with the context, settled, dying with the parent). Workers read inputs and
  write outputs themselves. A worker that dies (a crash in a C extension, the OOM killer)
  breaks the whole pool and fails every task in flight; the executor then starts a fresh
  pool and redoes those tasks one at a time, and a task that breaks the pool again village by
  village, so that only the village under which a worker died is recorded as failed (S901).
- `dask`: `distributed.Client(scheduler)`. The context is scattered to every worker once;
  each shard is one task. Input bytes travel with the task and output bytes come back, so
  workers on other machines need no shared file system. Dask is an optional extra
  (`pip install "sanzhi[distributed]"`).
"""

from __future__ import annotations

import os
import signal
import time
from concurrent import futures
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from sanzhi.batch.work import (
    Shard,
    ShardResult,
    VillageOutcome,
    WorkContext,
    crashed,
    run_shard,
    setup_worker,
)
from sanzhi.common.errors import Diagnostic, UserError
from sanzhi.common.pool import WorkerPool


class Executor(Protocol):
    name: str
    remote: bool  # inputs travel with tasks and outputs come back as bytes
    workers: int

    def start(self, ctx: WorkContext) -> None: ...

    def submit(self, shard: Shard) -> Any: ...

    def result(self, handle: Any) -> ShardResult: ...

    def wait(self, handle: Any, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the handle's result; True when it is there (or failed)."""
        ...

    def close(self, cancel: bool = False) -> None: ...


class InlineExecutor:
    name = "inline"
    remote = False
    workers = 1

    def start(self, ctx: WorkContext) -> None:
        self.ctx = ctx

    def submit(self, shard: Shard) -> ShardResult:
        return run_shard(self.ctx, shard)

    def result(self, handle: ShardResult) -> ShardResult:
        return handle

    def wait(self, handle: ShardResult, timeout: float) -> bool:
        return True

    def close(self, cancel: bool = False) -> None:
        pass


@dataclass(eq=False)
class _Task:
    """A shard submitted to the local pool; `value` is set once known (from the future, or redone)."""

    shard: Shard
    future: Future[ShardResult]
    value: ShardResult | None = None


class LocalPoolExecutor:
    name = "local"
    remote = False

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: WorkerPool[WorkContext] | None = None
        self._ctx: WorkContext | None = None
        self._outstanding: list[_Task] = []  # submitted, not yet handed back, in submission order
        self.restarts = 0

    def start(self, ctx: WorkContext) -> None:
        self._ctx = ctx
        self.pool = WorkerPool(self.workers, ctx, setup=setup_worker)
        # Start every worker now, before any progress-bar thread exists (fork and threads mix badly).
        self.pool.start()

    def submit(self, shard: Shard) -> _Task:
        assert self.pool is not None
        try:
            future = self.pool.submit(run_shard, shard)
        except BrokenProcessPool as e:  # broke since the last result: redone with the others in flight
            future = Future()
            future.set_exception(e)
        task = _Task(shard, future)
        self._outstanding.append(task)
        return task

    def result(self, handle: _Task) -> ShardResult:
        if handle.value is None:
            try:
                handle.value = handle.future.result()
            except BrokenProcessPool:
                self._recover()
        self._outstanding.remove(handle)
        assert handle.value is not None
        return handle.value

    def wait(self, handle: _Task, timeout: float) -> bool:
        if handle.value is None:
            futures.wait([handle.future], timeout=timeout)
            return handle.future.done()
        return True

    def close(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.close(cancel=cancel, wait=not cancel)
            self.pool = None
        self._outstanding.clear()

    # ------------------------------------------------------------ a worker died

    def _recover(self) -> None:
        """The pool broke: keep what finished before, redo the rest in a fresh pool, alone."""
        how = self._how_it_broke()
        suspects = [t for t in self._outstanding if t.value is None]
        for t in suspects:
            f = t.future
            if f.done() and not f.cancelled() and f.exception() is None:
                t.value = f.result()
        self._restart()
        for t in suspects:
            if t.value is None:
                t.value = self._alone(t.shard, how)

    def _alone(self, shard: Shard, how: str) -> ShardResult:
        """The shard with nothing else in flight; if it breaks the pool, village by village."""
        try:
            return self._run_alone(shard)
        except BrokenProcessPool:
            how = self._how_it_broke() or how
            self._restart()
        outcomes: list[VillageOutcome] = []
        for ref in shard.refs:
            known = {ref.key: shard.known[ref.key]} if ref.key in shard.known else {}
            try:
                outcomes.extend(self._run_alone(shard._replace(refs=(ref,), known=known)).outcomes)
            except BrokenProcessPool:
                outcomes.append(crashed(ref, self._how_it_broke() or how))
                self._restart()
        return ShardResult(shard.seq, tuple(outcomes), 0.0)

    def _run_alone(self, shard: Shard) -> ShardResult:
        assert self.pool is not None
        return self.pool.submit(run_shard, shard).result()

    def _restart(self) -> None:
        assert self._ctx is not None
        if self.pool is not None:
            self.pool.close(cancel=True)
        self.restarts += 1
        self.start(self._ctx)

    def _how_it_broke(self) -> str:
        """How the worker that broke the pool ended, in words (the others were stopped with SIGTERM)."""
        deadline = time.monotonic() + 2  # a crashed worker may take a moment to be gone (a core dump)
        while True:
            every = self.pool.worker_exit_codes() if self.pool is not None else []
            codes = [c for c in every if c is not None and c != 0 and c != -signal.SIGTERM]
            if codes or None not in every or time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if not codes:
            return "原因不明"
        code = codes[0]
        if code > 0:
            return f"退出码 {code}"
        sig = signal.Signals(-code)
        if sig == signal.SIGKILL:
            return "被系统强制终止（SIGKILL），可能是内存不足"
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE):
            return f"程序崩溃（{sig.name}）"
        return f"收到信号 {sig.name}"


class DaskExecutor:
    name = "dask"
    remote = True

    def __init__(self, scheduler: str, connect_timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UserError([Diagnostic("O120", "--executor dask 需要安装 Dask distributed",
                                        hint='pip install "sanzhi[distributed]"')]) from None
        try:
            self.client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as e:
            raise UserError([Diagnostic("O121", f"无法连接 Dask 调度器 {scheduler}：{e}",
                                        hint="请先启动 `dask scheduler` 与 `dask worker`，或改用 --executor local")]) from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        self._ctx: Any = None

    def start(self, ctx: WorkContext) -> None:
        self._ctx = self.client.scatter(ctx, broadcast=True, hash=False)

    def submit(self, shard: Shard) -> Any:
        return self.client.submit(run_shard, self._ctx, shard, pure=False, key=f"sanzhi-shard-{shard.seq}-{os.getpid()}-{id(self)}")

    def result(self, handle: Any) -> ShardResult:
        res: ShardResult = handle.result()
        handle.release()
        return res

    def wait(self, handle: Any, timeout: float) -> bool:
        # Polled: distributed.wait needs a default client (this one is not), and result()
        # would fetch the data twice.
        deadline = time.monotonic() + timeout
        while not handle.done() and time.monotonic() < deadline:
            time.sleep(0.005)
        return bool(handle.done())

    def close(self, cancel: bool = False) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001, S110 - closing a client that lost its scheduler must not mask the real error
            pass


def make_executor(kind: str, jobs: int | None, scheduler: str | None) -> Executor:
    if kind == "dask":
        if not scheduler:
            raise UserError([Diagnostic("O122", "--executor dask 需要 --scheduler tcp://主机:8786")])
        return DaskExecutor(scheduler)
    workers = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    if workers == 1:
        return InlineExecutor()
    return LocalPoolExecutor(workers)


__all__ = ["DaskExecutor", "Executor", "InlineExecutor", "LocalPoolExecutor", "make_executor"]
