"""Process pools, one way for every layer: report writing, batch shards, publishing, revision runs.

What a pool here decides, once:

- **Start method.** ``fork`` where the platform has it: workers start in milliseconds and
  share the parent's imported modules and data (a compiled rubric) copy-on-write, and what
  they are given at start (`state`) is inherited, never pickled. The standard library refuses
  ``max_tasks_per_child`` with ``fork``, so worker recycling switches to ``forkserver`` (or
  ``spawn``), whose workers pay the imports once each (`preload` names the modules the fork
  server imports first).
- **Worker state.** A worker process serves exactly one pool, so it keeps exactly one state:
  the pool's `state`, passed through the initializer and, when `setup` is given, replaced by
  ``setup(state)`` (a renderer built, a database connection opened). Every task is called as
  ``fn(state, item)``; task modules keep no globals of their own. With one worker nothing is
  started and tasks run in the calling process on `state` itself (no `setup`, nothing frozen).
- **Garbage collection.** Before forking, the parent freezes what it has (modules, the rubric)
  out of the collector's sight, so that no collection in a worker touches — and so copies —
  those pages; it is unfrozen when the pool closes, unless something had frozen it before.
  Each worker, after its setup, settles (:func:`sanzhi.common.gcpolicy.settle_worker`):
  frozen, with the higher thresholds, for its whole life.
- **Workers die with their parent.** On Linux each worker asks the kernel for SIGKILL when the
  process that started it ends (``PR_SET_PDEATHSIG``), and checks that it has not ended
  already; so a parent killed outright (SIGKILL, the OOM killer) leaves no workers behind
  blocked on a queue nobody will ever write to. Recycled workers' parent is the fork server,
  which then exits with this process (each worker closes its copy of the server's liveness
  pipe, see :func:`_release_fork_server`).
- **Bounded submission** (:meth:`WorkerPool.unordered`): at most a few items per worker are in
  flight, so memory does not grow with the length of the input.
- **Shutdown.** Closing waits for the workers; `cancel` drops what has not started, and an
  exception in a consumer of :meth:`unordered` or :meth:`map` cancels the rest.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from sanzhi.common.gcpolicy import settle_worker

__all__ = ["WorkerPool", "default_workers", "start_context"]

S = TypeVar("S")  # the worker state
T = TypeVar("T")  # one item of work
R = TypeVar("R")  # what a task returns

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# The state of the pool this process works for (see the module docstring). Only pool workers
# set it, in their initializer; the calling process never reads it.
_worker_state: Any = None


def default_workers() -> int:
    """Cores this process may use (its CPU affinity where the OS reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def start_context(recycle: bool = False, preload: Sequence[str] = ()) -> BaseContext:
    """``fork`` where available and no recycling is asked for; else ``forkserver`` or ``spawn``."""
    methods = multiprocessing.get_all_start_methods()
    if not recycle and "fork" in methods:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver" and preload:
        ctx.set_forkserver_preload(list(preload))
    return ctx


def _release_fork_server() -> None:
    """In a fork server's child: close its copy of the server's "parent alive" pipe.

    The server exits when every copy of that pipe's write end is closed, and each of its
    children is handed one; kept, a parent killed outright leaves the server waiting for its
    children and the children (blocked on their queue) for nobody. Closed, the server exits
    with the parent and its children get their PR_SET_PDEATHSIG. A pool worker never starts
    processes through the server itself, so it has no use for the pipe.
    """
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    fd = getattr(server, "_forkserver_alive_fd", None)
    if isinstance(fd, int):
        with contextlib.suppress(OSError):
            os.close(fd)
        setattr(server, "_forkserver_alive_fd", None)  # noqa: B010 - a private attribute of the stdlib


def _die_with_parent(parent: int | None) -> None:
    """Ask for SIGKILL when the parent ends (Linux); exit now if it has ended already.
    `parent` is None under a fork server (the server is the parent)."""
    if parent is None:
        _release_fork_server()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    if parent is not None and os.getppid() != parent:  # it ended before the request took effect
        os._exit(1)


def _initialize(parent: int | None, state: Any, setup: Callable[[Any], Any] | None, settle: bool) -> None:
    global _worker_state
    _die_with_parent(parent)
    _worker_state = setup(state) if setup is not None else state
    if settle:
        settle_worker()


def _call(fn: Callable[[Any, T], R], item: T) -> R:
    return fn(_worker_state, item)


def _pid(_state: object, _item: object) -> int:
    return os.getpid()


class WorkerPool(Generic[S]):
    """A process pool whose tasks are ``fn(state, item)`` (module-level functions, picklable).

    `workers` ≤ 1 runs every task in this process, on `state`. `setup` runs once in each worker
    before its first task and returns the state that worker's tasks get (state and setup must
    pickle when recycling workers, i.e. not under ``fork``). `max_tasks_per_child` recycles
    each worker after that many tasks. `settle` freezes the worker after setup (see
    :mod:`sanzhi.common.gcpolicy`); leave it on unless the tasks build up long-lived state.
    """

    def __init__(
        self,
        workers: int,
        state: S,
        *,
        setup: Callable[[S], S] | None = None,
        max_tasks_per_child: int | None = None,
        preload: Sequence[str] = (),
        settle: bool = True,
    ) -> None:
        self.workers = max(1, workers)
        self.state = state
        self._pool: ProcessPoolExecutor | None = None
        self._unfreeze = False
        if self.workers == 1:
            return
        ctx = start_context(max_tasks_per_child is not None, preload)
        forked = ctx.get_start_method() == "fork"
        if forked:  # see the module docstring: workers then leave the parent's pages alone
            self._unfreeze = gc.get_freeze_count() == 0
            gc.freeze()
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=ctx,
            initializer=_initialize,
            # A fork server's children have the server as parent, not this process.
            initargs=(None if ctx.get_start_method() == "forkserver" else os.getpid(), state, setup, settle),
            max_tasks_per_child=max_tasks_per_child,
        )

    @property
    def inline(self) -> bool:
        return self._pool is None

    def start(self) -> None:
        """Start every worker now (under ``fork``: before any other thread exists)."""
        if self._pool is not None:
            for f in [self._pool.submit(_call, _pid, None) for _ in range(self.workers)]:
                f.result()

    def worker_exit_codes(self) -> list[int | None]:
        """Exit codes of the worker processes (None: still running; negative: the signal that
        ended it), to tell how a broken pool broke. concurrent.futures keeps its processes in
        a private attribute; where that is missing, an empty list."""
        procs = getattr(self._pool, "_processes", None)
        return [p.exitcode for p in list(procs.values())] if isinstance(procs, dict) else []

    def submit(self, fn: Callable[[S, T], R], item: T) -> Future[R]:
        """One task; inline, it runs now and the future is already done."""
        if self._pool is not None:
            return self._pool.submit(_call, fn, item)
        done: Future[R] = Future()
        try:
            done.set_result(fn(self.state, item))
        except Exception as e:  # noqa: BLE001 - handed to the caller through the future, as a pool would
            done.set_exception(e)
        return done

    def map(self, fn: Callable[[S, T], R], items: Iterable[T], chunksize: int = 1) -> Iterator[R]:
        """Results in the order of `items` (all submitted at once, in chunks of `chunksize`)."""
        if self._pool is None:
            for item in items:
                yield fn(self.state, item)
            return
        try:
            yield from self._pool.map(functools.partial(_call, fn), items, chunksize=chunksize)
        except BaseException:
            self.close(cancel=True)
            raise

    def unordered(self, fn: Callable[[S, T], R], items: Iterable[T], in_flight_per_worker: int = 4) -> Iterator[R]:
        """Results as they finish, with at most `in_flight_per_worker` × workers items submitted."""
        if self._pool is None:
            for item in items:
                yield fn(self.state, item)
            return
        pool = self._pool
        pending = iter(items)
        in_flight: set[Future[R]] = set()
        try:
            while True:
                for item in pending:
                    in_flight.add(pool.submit(_call, fn, item))
                    if len(in_flight) >= self.workers * in_flight_per_worker:
                        break
                if not in_flight:
                    return
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BaseException:
            self.close(cancel=True)
            raise

    def close(self, cancel: bool = False, wait: bool = True) -> None:
        """Shut the workers down; `cancel` drops tasks not yet started. Safe to call twice."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=cancel)
        if self._unfreeze:
            self._unfreeze = False
            gc.unfreeze()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close(cancel=exc is not None)
