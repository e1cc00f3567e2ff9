"""Where shards run: in this process, in a local process pool, or on a Dask cluster.

All three take the same `WorkContext` once and then shards, and hand results back through
handles the runner resolves **in submission order**, so the database is written in plan
order whichever worker finished first: a run's outcome never depends on timing.

- `inline` (`--jobs 1`): no pool; easiest to debug.
- `local`: a `sanzhi.common.pool.WorkerPool` (fork start, one worker per core by default,
  set up once with the context, settled, dying with the parent). Workers read inputs and
  write outputs themselves.
- `dask`: `distributed.Client(scheduler)`. The context is scattered to every worker once;
  each shard is one task. Input bytes travel with the task and output bytes come back, so
  workers on other machines need no shared file system. Dask is an optional extra
  (`pip install "sanzhi[distributed]"`).
"""

from __future__ import annotations

import contextlib
import os
from concurrent import futures
from concurrent.futures import Future
from typing import Any, Protocol

from sanzhi.batch.work import Shard, ShardResult, WorkContext, run_shard, setup_worker
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


class LocalPoolExecutor:
    name = "local"
    remote = False

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: WorkerPool[WorkContext] | None = None

    def start(self, ctx: WorkContext) -> None:
        self.pool = WorkerPool(self.workers, ctx, setup=setup_worker)
        # Start every worker now, before any progress-bar thread exists (fork and threads mix badly).
        self.pool.start()

    def submit(self, shard: Shard) -> Future[ShardResult]:
        assert self.pool is not None
        return self.pool.submit(run_shard, shard)

    def result(self, handle: Future[ShardResult]) -> ShardResult:
        return handle.result()

    def wait(self, handle: Future[ShardResult], timeout: float) -> bool:
        futures.wait([handle], timeout=timeout)
        return handle.done()

    def close(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.close(cancel=cancel, wait=not cancel)
            self.pool = None


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
        from distributed import wait

        with contextlib.suppress(TimeoutError):
            wait(handle, timeout=timeout)
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
