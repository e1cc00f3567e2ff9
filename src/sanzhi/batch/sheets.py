"""The files published lists are written as: XLSX workbooks and CSV files, byte-for-byte
reproducible, and the file, folder and sheet names they go under.

XLSX is written with fixed timestamps in the zip and in the document properties; CSV as
UTF-8 with BOM (what Excel in Chinese locales opens correctly). Text from village files stays
text in both (never a formula). Used by the village lists (sanzhi.batch.publish) and the unit
lists (sanzhi.batch.publish_units).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sanzhi.batch.files import atomic_write
from sanzhi.common.csvtext import csv_text
from sanzhi.common.numbers import fmt

_FIXED_TIME = datetime.datetime(2000, 1, 1)
_BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
NAME_BYTES = 100  # a name's share of a file name: `<县>-<等级>名单.csv` must stay under 255 bytes
_HASH_CHARS = 10
_HASHED = re.compile(rf"-[0-9a-f]{{{_HASH_CHARS}}}$")
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})


def safe_name(text: str) -> str:
    """A file or folder name for `text` (a county, a rating name): the text itself where it
    can be one, else a cleaned and shortened form followed by a hash of the text.

    Different texts never share a name: a name used as it is is the text, and every other
    name ends in the hash of its own text (a text that itself ends like one is hashed too). So
    counties `.`, `..` and ` ../ `, or `甲/乙` and `甲_乙`, get folders of their own, and an
    84-character county name (252 bytes of UTF-8) still makes valid file names. Windows'
    device names (CON, NUL, …) and edge dots and spaces, which Windows drops, count as unusable.
    """
    cleaned = _BAD_NAME.sub("_", text).strip(" .\t")
    if (cleaned == text and len(text.encode("utf-8")) <= NAME_BYTES and not _HASHED.search(text)
            and text.split(".")[0].upper() not in _RESERVED):
        return text
    tag = hashlib.sha256(text.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    room = NAME_BYTES - _HASH_CHARS - 1
    base = cleaned.encode("utf-8")[:room].decode("utf-8", errors="ignore").rstrip(" .") or "_"
    return f"{base}-{tag}"


_BAD_TITLE = re.compile(r"[\\/:*?\[\]\x00-\x1f]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\, no edge apostrophe), distinct
    (ignoring case) from those in `taken`, which it joins."""
    base = _BAD_TITLE.sub("_", name).strip("'")[:31] or "_"
    title, n = base, 1
    while title.casefold() in taken:
        n += 1
        suffix = f"({n})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


class Workbook:
    """An XLSX workbook built in memory and saved reproducibly; sheets are appended to row by row.

    XlsxWriter, not openpyxl: a county's thirteen small workbooks cost 1.5 ms each instead of
    5–7 ms (openpyxl's write-only sheets go through temporary files). XlsxWriter stamps zip
    entries with a fixed date when writing in memory; the document date is fixed here.
    Decimals are written as their exact decimal text.
    """

    def __init__(self) -> None:
        import xlsxwriter

        self._buf = io.BytesIO()
        # Names come from village files: text stays text ("=…" is not a formula, no links).
        self._wb = xlsxwriter.Workbook(self._buf, {"in_memory": True, "strings_to_formulas": False,
                                                   "strings_to_urls": False, "strings_to_numbers": False})
        self._wb.set_properties({"created": _FIXED_TIME, "author": "sanzhi"})
        self._header = self._wb.add_format({"bold": True})
        self._sheets: dict[str, _Sheet] = {}
        self._titles: set[str] = set()

    def sheet(self, title: str, header: Sequence[str]) -> _Sheet:
        ws = self._sheets.get(title)
        if ws is None:
            ws = _Sheet(self._wb.add_worksheet(sheet_title(title, self._titles)))
            ws.sheet.write_row(0, 0, list(header), self._header)
            ws.sheet.freeze_panes(1, 0)
            self._sheets[title] = ws
        return ws

    def save(self, path: Path) -> None:
        self._wb.close()
        atomic_write(path, self._buf.getvalue())


class _Sheet:
    __slots__ = ("row", "sheet")

    def __init__(self, sheet: Any) -> None:
        self.sheet, self.row = sheet, 1

    def append(self, values: Sequence[object]) -> None:
        """One row; None leaves the cell empty."""
        ws, row = self.sheet, self.row
        for col, v in enumerate(values):
            t = type(v)
            # The typed writers skip write()'s type dispatch: ~10 % of publishing.
            if t is str:
                ws.write_string(row, col, v)
            elif t is int or t is Decimal:
                ws.write_number(row, col, v)
            elif v is not None:
                ws.write(row, col, v)
        self.row += 1


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """UTF-8 with BOM, CRLF; text a spreadsheet would run as a formula is neutralised (csv_text)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_text(h) for h in header])
    for r in rows:
        w.writerow(["" if v is None else csv_text(v) for v in r])
    atomic_write(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))


def cell_number(d: Decimal | None) -> Decimal | None:
    """Decimals in their shortest exact form (87.50 → 87.5) for cells."""
    return None if d is None else Decimal(fmt(d))


__all__ = ["NAME_BYTES", "Workbook", "cell_number", "safe_name", "sheet_title", "write_csv"]
