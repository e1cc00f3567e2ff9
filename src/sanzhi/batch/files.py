"""The files a batch writes: where a village's go, written atomically, and their hashes.

Output files sit at `villages/<county code>/<township code>/<code>` + the suffix: `.json` for
the result, the format's suffix (`.pdf`, …) for each report. Every file of a run (results,
reports, published lists, the state file) is written by `atomic_write`, and recorded by its
`sha256_tag`, which a resume checks again (`file_matches`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

from sanzhi.reports.formats import get_format

VILLAGES_DIR = "villages"


def result_path(out_dir: str | Path, code: str) -> Path:
    """villages/<county code>/<township code>/<code>.json: the 12-digit 区划代码 nests itself."""
    return Path(village_stem(out_dir, code) + ".json")


def report_path(out_dir: str | Path, code: str, fmt: str) -> Path:
    """The village's report in format `fmt`, beside its result file (`<code>.pdf`, …)."""
    return Path(village_stem(out_dir, code) + get_format(fmt).suffix)


def village_stem(out_dir: str | Path, code: str) -> str:
    """The village's output path without its suffix, as a str (the per-village write path)."""
    return os.path.join(out_dir, VILLAGES_DIR, code[:6], code[:9], code)


_MADE_DIRS: set[str] = set()  # folders atomic_write made or found in this process
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def atomic_write(path: str | Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename over it: never a torn file.

    Plain os calls on str paths: this runs once per village of a national run.
    """
    path = os.fspath(path)
    parent = os.path.dirname(path)
    if parent not in _MADE_DIRS:
        os.makedirs(parent, exist_ok=True)
        _MADE_DIRS.add(parent)
    tmp = f"{parent}/.{os.path.basename(path)}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, _WRITE_FLAGS, 0o666)
    except FileNotFoundError:  # the folder was removed under us (a sweep): make it again
        os.makedirs(parent, exist_ok=True)
        fd = os.open(tmp, _WRITE_FLAGS, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as e:  # a full disk: say which file, and leave no half-written one
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if e.filename is None:
            e.filename = tmp
        raise
    os.close(fd)
    os.replace(tmp, path)


def forget_made_folders() -> None:
    """Forget the folders made so far: a pool worker starts with none (folders a parent made
    may have been swept since)."""
    _MADE_DIRS.clear()


def sha256_tag(data: bytes) -> str:
    """The hash the run records for a file's bytes (`sha256:<hex>`)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_matches(path: Path, expected: str | None) -> bool:
    """The file is there and hashes as recorded (`expected`: a `sha256_tag`; None: nothing recorded)."""
    if expected is None:
        return False
    try:
        return sha256_tag(path.read_bytes()) == expected
    except OSError:
        return False


__all__ = ["VILLAGES_DIR", "atomic_write", "file_matches", "forget_made_folders", "report_path", "result_path",
           "sha256_tag", "village_stem"]
