"""One sheet of a workbook, read so that nothing in it is lost without a word.

- `choose`: the sheet to read must be visible and have no copy beside it (“村汇总 (2)”): a
  hidden 村汇总 was read while the clerk filled in the visible copy, which was ignored.
- `read_rows`: the rows as cell values, within Excel's limits (openpyxl pads rows, so a cell
  at row 1,000,000,000 or in column ZZZ would otherwise be padded out), with corrupt XML (a
  shared-string index out of range, a bad `t="d"` date, `<v>NaN</v>`, a cell ref `ZZZZZ3`, a
  truncated part) turned into `SheetUnreadable` at the row where reading stopped, and a
  formula without a cached value (a file written by a program and never calculated) an
  `Unusable` value instead of a blank.
- `Merged`: merged ranges; only the top-left cell of a merge holds a value, so a cell merged
  over three village rows left two of them "缺少填报数据" — each covered cell is reported.

Codes: D100 unreadable sheet; D128 a value cell inside a merged range; D129 the sheet hidden
or copied.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sanzhi.common.errors import Diagnostic, Location
from sanzhi.inputs.cellmap import column_letter
from sanzhi.inputs.cells import cell_value
from sanzhi.inputs.xlsx_guard import WorkbookRefused
from sanzhi.standard.values import Unusable

MAX_ROWS = 1_048_576  # Excel's own limits
MAX_COLUMNS = 16_384
MAX_CELLS = 20_000_000  # cells handed out, padding included (2,000 villages × 145 columns: 290,000)

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?"')
_FORMULA = re.compile(rb"<f[\s>/]")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})$")
_COPY = r"\s*(?:\(\s*\d+\s*\)|[-_]?\s*\d+|[-_]?\s*副本\s*\d*|的副本)"
_NO_VALUE = Unusable("公式没有计算结果（文件由程序生成、未经 Excel 计算；请在 Excel 或 WPS 中打开并保存后再读取）")


class SheetUnreadable(Exception):
    """The sheet's XML is broken from `row` on (the rows before it were read)."""

    def __init__(self, sheet: str, row: int, reason: str, *, too_large: bool = False) -> None:
        super().__init__(reason)
        self.sheet, self.row, self.reason, self.too_large = sheet, row, reason, too_large


def unreadable_diagnostic(file: str, exc: SheetUnreadable | WorkbookRefused, sheet: str | None = None) -> Diagnostic:
    if isinstance(exc, WorkbookRefused):
        return Diagnostic("D100", "无法读取该 Excel 文件", Location(file, sheet=sheet), found=exc.reason,
                          hint="请在 Excel 或 WPS 中打开后“另存为” Excel 工作簿（*.xlsx）")
    before = f"；第 {exc.row - 1} 行及以前的内容已读取" if exc.row > 3 else ""
    what = "工作表超出 Excel 的范围" if exc.too_large else "Excel 文件已损坏"
    return Diagnostic("D100", f"{what}：工作表 “{exc.sheet}” 从第 {exc.row} 行起无法读取{before}",
                      Location(file, sheet=exc.sheet, row=exc.row), found=exc.reason,
                      hint="请在 Excel 或 WPS 中打开、检查后重新保存；仍不行请重新生成表格并把内容复制过去")


# ------------------------------------------------------------------------------ which sheet


def copies_of(title: str, names: list[str]) -> list[str]:
    """Sheets named like a copy of `title`: “村汇总 (2)”, “村汇总（2）”, “村汇总 副本”."""
    pattern = re.compile(re.escape(title) + _COPY + "$")
    return [n for n in names if n != title and pattern.match(unicodedata.normalize("NFKC", n).strip())]


def choose(wb: Any, title: str, file: str) -> list[Diagnostic]:
    """D129 when the sheet `title` is hidden or has a copy: which one the clerk meant is unknown."""
    names = list(wb.sheetnames)
    copies = copies_of(title, names)
    shown = "、".join(f"“{n}”" for n in copies)
    problems = []
    if getattr(wb[title], "sheet_state", "visible") != "visible":
        visible = [n for n in copies if getattr(wb[n], "sheet_state", "visible") == "visible"]
        problems.append(Diagnostic(
            "D129", f"“{title}” 工作表被隐藏了" + (f"，而可见的是 {'、'.join(f'“{n}”' for n in visible)}" if visible else ""),
            Location(file, sheet=title), hint=f"只会读取名为 “{title}” 的工作表：请取消隐藏并确认它就是要评分的表，删除其他副本"))
    if copies:
        problems.append(Diagnostic(
            "D129", f"工作簿中除 “{title}” 外还有 {shown}：只读取 “{title}”，副本中的内容不会被评分", Location(file, sheet=title),
            found=shown, hint=f"请把要评分的内容放在 “{title}” 工作表中，删除或重命名副本"))
    return problems


# ------------------------------------------------------------------------------ merged cells


@dataclass
class Merged:
    """Merged ranges of a sheet as (first row, last row, first column, last column), 1-based."""

    ranges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def covered(self, row: int, columns: Mapping[int, str], file: str, sheet: str) -> list[Diagnostic]:
        """D128 for each cell of `row` in `columns` (0-based index → label) that a merge covers,
        other than the merge's top-left cell."""
        out = []
        for r1, r2, c1, c2 in self.ranges:
            if not r1 <= row <= r2:
                continue
            anchor = f"{column_letter(c1 - 1)}{r1}"
            whole = f"{anchor}:{column_letter(c2 - 1)}{r2}"
            for index, label in columns.items():
                if c1 <= index + 1 <= c2 and (row, index + 1) != (r1, c1):
                    out.append(Diagnostic(
                        "D128", f"单元格位于合并区域 {whole} 中：合并后只有左上角的 {anchor} 有值，这一格按空白读取",
                        Location(file, sheet=sheet, row=row, cell_column=f"{column_letter(index)}（{label}）"),
                        hint="请取消合并单元格，在每一行（每一格）分别填写"))
        return out


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


# ------------------------------------------------------------------------------ rows


@dataclass
class Sheet:
    rows: Iterator[list[object]]
    merged: Merged


def read_rows(wb: Any, ws: Any) -> Sheet:
    """The sheet's rows from row 1 as cell values, and its merged ranges (see module docstring)."""
    merged, formulas = _scan_part(wb, ws)
    return Sheet(_rows(ws, formulas), merged)


def _rows(ws: Any, formulas: set[tuple[int, int]]) -> Iterator[list[object]]:
    ws.reset_dimensions()  # other programs write wrong sheet sizes
    it = ws.iter_rows()
    number = 0
    cells = 0
    while True:
        try:
            row = next(it)
        except StopIteration:
            return
        except WorkbookRefused:
            raise
        except Exception as exc:  # noqa: BLE001 - whatever openpyxl raises on broken XML is about the file
            raise SheetUnreadable(ws.title, number + 1, _why(exc)) from None
        number += 1
        cells += len(row)
        if number > MAX_ROWS or len(row) > MAX_COLUMNS or cells > MAX_CELLS:
            reason = (f"超过 Excel 的行数上限 {MAX_ROWS:,}" if number > MAX_ROWS else
                      f"超过 Excel 的列数上限 {MAX_COLUMNS:,}（XFD 列）" if len(row) > MAX_COLUMNS else
                      f"单元格总数超过 {MAX_CELLS:,}")
            raise SheetUnreadable(ws.title, number, reason, too_large=True)
        values = [cell_value(c) for c in row]
        if formulas:
            for col in range(1, len(values) + 1):
                if (number, col) in formulas and values[col - 1] is None:
                    values[col - 1] = _NO_VALUE
        yield values


def _why(exc: Exception) -> str:
    """What broke, in the clerk's terms, from what openpyxl or the XML parser raised."""
    text = str(exc)
    if isinstance(exc, ET.ParseError):
        return "XML 内容不完整或格式错误（文件可能被截断）"
    if isinstance(exc, IndexError):
        return "单元格引用的共享字符串不存在（编号超出范围）"
    if "column name" in text or "cell coordinates" in text or "coordinate" in text:
        return "单元格位置（如 A1）写法无效"
    if "month" in text or "day" in text or "date" in text.lower() or "isoformat" in text.lower():
        return "日期单元格的值无效"
    if "invalid literal" in text or "could not convert" in text:
        return "数值单元格的值不是数字"
    return f"单元格内容无效（{type(exc).__name__}）"


def _scan_part(wb: Any, ws: Any) -> tuple[Merged, set[tuple[int, int]]]:
    """Merged ranges from the raw sheet XML (openpyxl's read-only mode ignores them), and the
    cells holding a formula without a value (a second pass, only when a formula is present)."""
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    merged = Merged()
    if path is None or archive is None:
        return merged, set()
    found: set[tuple[int, int, int, int]] = set()
    has_formula = False
    carry = b""
    with archive.open(path) as src:
        while True:
            chunk = src.read(1 << 20)
            if not chunk:
                break
            data = carry + chunk
            # `in` first: a regex tried at each of a sheet's million "<" cost 30 ms a megabyte.
            if b"mergeCell" in data:
                for m in _MERGE.finditer(data):
                    c1, r1 = _column(m[1]), int(m[2])
                    c2, r2 = (_column(m[3]), int(m[4])) if m[3] else (c1, r1)
                    if (r1, c1) != (r2, c2):
                        found.add((min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)))
            if not has_formula and b"<f" in data:  # a main-namespace <f>: Excel and WPS use no prefix
                has_formula = _FORMULA.search(data) is not None
            carry = data[-300:]  # a mergeCell element or an <f> cut between two chunks
    merged.ranges = sorted(found)
    return merged, (_formulas_without_value(archive, path) if has_formula else set())


def _formulas_without_value(archive: Any, path: str) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    try:
        with archive.open(path) as src:
            for _, elem in ET.iterparse(src, events=("end",)):
                tag = elem.tag.rpartition("}")[2]
                if tag == "c":
                    children = {child.tag.rpartition("}")[2]: child for child in elem}
                    value = children.get("v")
                    if "f" in children and (value is None or not (value.text or "").strip()):
                        m = _CELL_REF.match(elem.get("r") or "")
                        if m:
                            out.add((int(m[2]), _column(m[1].encode())))
                elif tag == "row":
                    elem.clear()
    except ET.ParseError:
        pass  # reading the rows reports the broken XML, with its row
    return out
