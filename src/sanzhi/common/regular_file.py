"""Reading an input file without ever blocking on it or reading without end.

Why: a path given on the command line may name a FIFO (opening it for reading waits for a
writer, forever), a device (/dev/zero never ends) or a file far larger than any rubric or
village file. `read_regular_file` opens with O_NONBLOCK (so a FIFO opens at once), refuses
anything `fstat` does not call a regular file, and reads at most `limit` bytes (a file that
grows while it is read is refused too). Its errors are OSError subclasses that `os_reason`
words in Chinese, so every caller's existing `except OSError` reports them.
"""

import os
import stat
from pathlib import Path

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_CHUNK = 1 << 20

MiB = 1 << 20
TEXT_LIMIT = 16 * MiB  # a rubric or one village's YAML/JSON (the largest bundled rubric is 56 KB)
SHEET_LIMIT = 256 * MiB  # a workbook or CSV of many villages


class NotRegularFileError(OSError):
    """The path is a FIFO, socket, device or folder, not a file."""


class FileTooLargeError(OSError):
    """The file holds more than the reader accepts."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} > {limit}")
        self.size = size
        self.limit = limit


def read_regular_file(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or NotRegularFileError,
    FileTooLargeError or the OSError of opening it (FileNotFoundError, PermissionError…)."""
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(0, "not a regular file", str(path))
        if info.st_size > limit:
            raise FileTooLargeError(info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise FileTooLargeError(total, limit)
    finally:
        os.close(fd)


def describe_size(size: int) -> str:
    """1.5 MB, 300 KB: how a size is shown in messages."""
    if size >= MiB:
        return f"{size / MiB:.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, size // 1024)} KB"
