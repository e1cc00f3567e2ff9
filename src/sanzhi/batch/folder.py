"""The output folder's own files (`OUT_DIR/.sanzhi-batch/`): the state file that names the run
and its database (password removed), and the lock that keeps two batches out of one folder.
Village and unit runs alike.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sanzhi.batch.files import atomic_write
from sanzhi.common.errors import Diagnostic, UserError

STATE_DIR = ".sanzhi-batch"
STATE_FILE = "state.json"


def _state_path(out_dir: Path) -> Path:
    return out_dir / STATE_DIR / STATE_FILE


def read_state(out_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads(_state_path(out_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None


def write_state(out_dir: Path, state: Mapping[str, object]) -> None:
    atomic_write(_state_path(out_dir), (json.dumps(state, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


# The folder lock belongs to this process alone. An flock is held by the open file
# description, and forked children (pool workers) share it: a main process killed outright
# (`kill -9`, the OOM killer) would leave the folder locked for as long as any child lived.
# So every forked child closes its copy at once; the kernel then drops the lock the moment
# this process ends, however it ends, and a dead run's lock never blocks `--resume`.
_LOCK_FDS: set[int] = set()


def _close_locks_in_child() -> None:
    for fd in _LOCK_FDS:
        with contextlib.suppress(OSError):
            os.close(fd)
    _LOCK_FDS.clear()


os.register_at_fork(after_in_child=_close_locks_in_child)


@contextlib.contextmanager
def folder_lock(out_dir: Path) -> Iterator[None]:
    path = out_dir / STATE_DIR / "lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    # A raw descriptor, not a file object: a child's copy of a file object could close a
    # descriptor number the child has reused since.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _lock_holder(fd)
            raise UserError([Diagnostic(
                "O130", f"另一个批次{f'（进程 {holder}）' if holder else ''}正在使用输出目录 {out_dir}",
                hint="请等该批次结束后再运行；一个中断的批次用相同命令加 --resume 续跑")]) from None
        _LOCK_FDS.add(fd)
        with contextlib.suppress(OSError):  # who holds it, for the message above (informative only)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            _LOCK_FDS.discard(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _lock_holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
        return int(text) if text.isdigit() else None
    except (OSError, UnicodeDecodeError):
        return None


__all__ = ["STATE_DIR", "STATE_FILE", "folder_lock", "read_state", "write_state"]
