"""Excel cells → raw values the shared value parser understands, refusing what is ambiguous.

Excel hands us binary floats, numbers that are dates only by their display format, percent
cells (85% is stored as 0.85), formula errors and dates missing a year or a day. Each is
turned into what the clerk saw, or into an `Unusable` value naming the problem, so the
shared parser reports it with the field's expected value. Nothing is guessed:

- floats are read to Excel's own 15 significant digits (0.1 stays 0.1, 12.0 becomes 12);
- numbers formatted as dates are dates (openpyxl knows the international date formats; the
  Chinese built-in ones, ids 27–36 and 50–58, are added here);
- a date cell whose format hides the year or the day (“3月1日”, “2025年3月”) is refused:
  Excel filled in the missing part itself;
- a percent cell is 85 for a field whose unit is “%”, and refused for any other number.
"""

import functools
import io
import math
import re
import warnings
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sanzhi.common.numbers import fmt
from sanzhi.inputs.xlsx_guard import GuardedZip, check_directory
from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.values import Unusable, normalize_text

# openpyxl warns (in English, on stderr) about what it drops or repairs; sanzhi reports the
# problems it cares about itself, in Chinese, with the cell.
warnings.filterwarnings("ignore", module=r"openpyxl(\.|$)")

# Chinese (zh-CN) locale built-in number formats openpyxl does not know.
CJK_FORMATS = {
    27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: "m-d-yy", 31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午h"时"mm"分"', 35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"',
    54: 'm"月"d"日"', 55: '上午/下午h"时"mm"分"', 56: '上午/下午h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}
_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


class Percent:
    """A number shown with a percent format: `value` is what Excel stores (0.85 for 85%)."""

    __slots__ = ("value",)

    def __init__(self, value: Decimal) -> None:
        self.value = value

    def shown(self) -> str:
        return fmt(self.value * 100) + "%"

    __str__ = shown  # what the clerk saw; also keeps a row's input hash stable


def open_workbook(blob: bytes) -> Any:
    """openpyxl in read-only mode with cached formula values, Chinese date formats known, every
    part read through the guards of `sanzhi.inputs.xlsx_guard` (WorkbookRefused)."""
    from openpyxl.reader.excel import ExcelReader

    archive = GuardedZip(io.BytesIO(blob))
    check_directory(archive)
    reader = ExcelReader(io.BytesIO(blob), read_only=True, data_only=True)  # what load_workbook does,
    reader.archive.close()  # with the guarded archive in place of the plain one
    reader.archive, reader.valid_files = archive, archive.namelist()
    reader.read()
    wb = reader.wb
    date_styles = getattr(wb, "_date_formats", None)
    for idx, style in enumerate(getattr(wb, "_cell_styles", ())):
        if isinstance(date_styles, set) and style.numFmtId in CJK_FORMATS:
            date_styles.add(idx)
    return wb


def number_format(cell: Any) -> str:
    style = cell.parent.parent._cell_styles[cell._style_id]
    return CJK_FORMATS.get(style.numFmtId) or cell.number_format or "General"


@functools.lru_cache(maxsize=256)
def _is_percent(number_format: str) -> bool:
    return "%" in _LITERALS.sub("", number_format)


@functools.lru_cache(maxsize=256)
def _date_parts(number_format: str) -> frozenset[str]:
    """Which of y, m, d a number format shows (m next to h or s is minutes)."""
    code = _LITERALS.sub("", number_format.split(";")[0]).lower()
    parts = set()
    if "y" in code or "e" in code:
        parts.add("y")
    if "d" in code:
        parts.add("d")
    if re.search(r"m", re.sub(r"(h+[^a-z]*m+|m+[^a-z]*s)", "", code)):
        parts.add("m")
    return frozenset(parts)


def cell_value(cell: Any) -> object:
    """What a read-only openpyxl cell holds, as a raw value for `raw_for`."""
    v = cell.value
    if v is None:
        return v
    if cell.data_type == "e":  # #N/A, #DIV/0!… arrive as text: never take them for a value
        return Unusable(f"公式错误 {v}")
    if type(v) is str:
        return v
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        number = excel_number(v)
        if isinstance(number, Unusable):
            return number
        if _is_percent(number_format(cell)):
            return Percent(Decimal(number))
        return number
    if isinstance(v, datetime):
        parts = _date_parts(number_format(cell))
        if {"y", "m", "d"} <= parts:
            return v
        if v.date() == date(1899, 12, 30) or not parts & {"y", "d"}:
            return Unusable(f"时间 {v:%H:%M}（不是日期）")
        if "d" not in parts:
            return Unusable(f"{v.year}年{v.month}月（单元格只显示年月，缺少日）")
        return Unusable(f"{v.month}月{v.day}日（单元格不显示年份，{v.year} 年是 Excel 自动补上的）")
    if isinstance(v, time):
        return Unusable(f"时间 {v:%H:%M}（不是日期）")
    if isinstance(v, timedelta):
        return Unusable(f"时长 {v}（不是日期）")
    return Unusable(str(v))  # pragma: no cover - openpyxl yields no other types


def excel_number(v: float) -> int | Decimal | Unusable:
    """Excel's numbers are doubles shown to 15 significant digits: read them the same way."""
    if isinstance(v, int):
        return v
    if not math.isfinite(v):  # NaN, ±inf
        return Unusable(str(v))
    d = Decimal(format(v, ".15g"))
    return int(d) if d == d.to_integral_value() else d


def raw_for(spec: FieldSpec, v: object) -> object:
    """A cell value made ready for parse_value(spec, …): dates, percents and numbers resolved."""
    if v is None or isinstance(v, (str, int, Decimal, Unusable)):
        return v
    if isinstance(v, Percent):
        if spec.type in ("integer", "decimal") and spec.unit is not None and normalize_text(spec.unit) == "%":
            return v.value * 100
        if spec.type == "text":
            return v.shown()
        return Unusable(f"{v.shown()}（单元格为百分比格式，存储值为 {fmt(v.value)}）")
    if isinstance(v, datetime):
        if spec.type == "date":
            return v
        day = f"{v:%Y-%m-%d}" if v.time() == time() else f"{v:%Y-%m-%d %H:%M}"
        if spec.type == "text":
            return day
        return Unusable(f"{day}（单元格为日期格式，Excel 把所填内容当成了日期）")
    return v
