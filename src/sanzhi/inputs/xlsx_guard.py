"""Opening an .xlsx file that may be broken or hostile: bounded size, bounded time, no DTDs.

Why: an .xlsx is a zip of XML parts, and openpyxl parses whatever is inside. A 433 KB file
held 400 MB of XML and took over 300 s; expat 2.5 re-scans an unfinished token on every 16 KB
it is fed, so one long comment (or tag, or processing instruction) makes parsing quadratic
(16 MB: 16 s); a DOCTYPE may declare entities. So, before and while openpyxl reads:

- the zip directory is checked first (zipfile enforces the sizes it declares): at most
  MAX_PARTS parts, MAX_TOTAL bytes unpacked, and no part over MAX_RATIO × its packed size
  once it is larger than RATIO_FROM (a sheet packs 10–30×; a bomb 1000×);
- every part openpyxl opens is read through `_Scanned`, which refuses a part that does not
  start with "<", any "<!" that is not a comment or CDATA (a DOCTYPE, an ENTITY), and any
  stretch of more than MAX_TOKEN bytes without a "<", or comment, processing instruction or
  CDATA section longer than that. Excel holds at most 32,767 characters in a cell, so no real
  part comes near; with every token short, expat's re-scanning costs at most MAX_TOKEN per
  byte fed, and parsing time grows with the (capped) size instead of its square.

Time is bounded by size this way rather than by a clock: villages are scored (and reports
rendered) while a sheet is still being read, so wall time says nothing about the file.
The scanner costs one regex search and a find/rfind per 16 KB chunk.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import IO, Any

from sanzhi.common.regular_file import describe_size

MiB = 1 << 20
MAX_PARTS = 10_000
MAX_TOTAL = 256 * MiB
RATIO_FROM = 16 * MiB
MAX_RATIO = 200
MAX_TOKEN = 512 * 1024

_SPECIAL = re.compile(rb"<[!?]")
_CLOSERS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))
_OPENER_MAX = 9  # len(b"<![CDATA[")
_BOM = b"\xef\xbb\xbf"


class WorkbookRefused(Exception):
    """The file is not a workbook sanzhi will read; `reason` says why, in Chinese."""

    def __init__(self, reason: str, part: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.part = part


def _mb(size: int) -> str:
    return describe_size(size)


def check_directory(archive: zipfile.ZipFile) -> None:
    """Refuse a zip whose directory declares too many parts or too many bytes."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS:
        raise WorkbookRefused(f"压缩包内有 {len(infos):,} 个部件，超过上限 {MAX_PARTS:,}")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL:
        raise WorkbookRefused(f"解压后共 {_mb(total)}，超过上限 {_mb(MAX_TOTAL)}（请按乡镇或县拆分成多个工作簿）")
    for info in infos:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookRefused(
                f"部件 {info.filename} 压缩 {_mb(info.compress_size)}、解压后 {_mb(info.file_size)}，"
                f"压缩比超过 {MAX_RATIO} 倍，不是正常的工作表（可能是“压缩炸弹”）", info.filename)


def _long_gap(data: bytes, first: int) -> bool:
    """Whether `data` (from its first "<" on) has more than MAX_TOKEN bytes between two "<".
    Such a gap holds a whole window of half that size aligned on the half; only windows without
    a "<" are measured exactly (a regex tried at every "<" of a sheet cost 30 ms a megabyte)."""
    half = MAX_TOKEN // 2
    for start in range(first, len(data), half):
        if data.find(b"<", start, start + half) < 0:
            after = data.find(b"<", start + half)
            if after >= 0 and after - data.rfind(b"<", 0, start) > MAX_TOKEN:
                return True
    return False


class GuardedZip(zipfile.ZipFile):
    """A ZipFile whose members are read through `_Scanned` (ZipFile.read goes through open)."""

    def open(self, name: Any, mode: str = "r", pwd: bytes | None = None, *, force_zip64: bool = False) -> Any:
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        if mode != "r":
            return stream
        return _Scanned(stream, name if isinstance(name, str) else name.filename)


class _Scanned(io.RawIOBase):
    """A member's bytes, checked as they pass (see the module docstring)."""

    def __init__(self, raw: IO[bytes], part: str) -> None:
        super().__init__()
        self._raw = raw
        self._part = part
        self._pos = 0  # bytes passed on so far
        self._last_lt = 0  # where the last "<" was
        self._started = False
        self._head = b""  # the first bytes, until they show whether the part starts with "<"
        self._tail = b""  # the end of the last chunk, where an opener may have been cut
        self._tail_at = 0
        self._closer: bytes | None = None  # inside a comment, CDATA or PI: what ends it
        self._opened_at = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._raw.read(-1 if size is None else size)
        if data:
            self._scan(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()

    def _refuse(self, reason: str) -> None:
        raise WorkbookRefused(reason, self._part)

    def _scan(self, data: bytes) -> None:
        base = self._pos
        self._pos += len(data)
        if not self._started:
            self._head += data[:8]
            head = self._head.lstrip(b" \t\r\n")
            if head.startswith(_BOM):
                head = head[len(_BOM):].lstrip(b" \t\r\n")
            if head and not _BOM.startswith(head):  # else: only blanks, or a BOM cut short, so far
                self._started = True
                if head[:1] != b"<":
                    self._refuse(f"部件 {self._part} 不是 UTF-8 的 XML")
        # A long stretch without "<": a tag, an attribute or a text longer than any cell.
        first = data.find(b"<")
        if first < 0:
            if self._pos - self._last_lt > MAX_TOKEN:
                self._too_long()
        else:
            last = data.rfind(b"<")
            if base + first - self._last_lt > MAX_TOKEN or (
                len(data) > MAX_TOKEN and (_long_gap(data, first) or len(data) - last > MAX_TOKEN)
            ):
                self._too_long()
            self._last_lt = base + last
        self._specials(data, base)

    def _specials(self, data: bytes, base: int) -> None:
        buf = self._tail + data
        start = self._tail_at  # absolute position of buf[0]
        i = 0
        while True:
            if self._closer is not None:
                j = buf.find(self._closer, i)
                if (start + len(buf) if j < 0 else start + j) - self._opened_at > MAX_TOKEN:
                    self._refuse(f"部件 {self._part} 中的注释或处理指令过长（超过 {MAX_TOKEN // 1024} KB）")
                if j < 0:
                    keep = len(self._closer) - 1
                    break
                i = j + len(self._closer)
                self._closer = None
                continue
            # "!" and "?" are rare bytes in a sheet (UTF-8 text never holds them in a multi-byte
            # character): memchr for them first, the regex only where one occurs.
            m = _SPECIAL.search(buf, i) if (b"!" in buf or b"?" in buf) else None
            if m is None:
                keep = 1 if buf.endswith(b"<") else 0
                break
            j = m.start()
            if len(buf) - j < _OPENER_MAX and not buf.startswith((b"<!--", b"<?"), j):
                keep = len(buf) - j  # cut short: decide with the next chunk
                break
            for opener, closer in _CLOSERS:
                if buf.startswith(opener, j):
                    self._closer, self._opened_at = closer, start + j
                    i = j + len(opener)
                    break
            else:
                self._refuse(f"部件 {self._part} 含有 DTD 或实体声明（<!DOCTYPE …>），工作簿不会含有这些内容")
        keep = min(keep, len(buf))
        self._tail = buf[len(buf) - keep:] if keep else b""
        self._tail_at = start + len(buf) - keep

    def _too_long(self) -> None:
        self._refuse(f"部件 {self._part} 中有超过 {MAX_TOKEN // 1024} KB 的连续内容没有任何标记，不是正常的工作表")
