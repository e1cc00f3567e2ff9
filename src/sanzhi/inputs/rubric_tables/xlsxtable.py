"""Excel → one Grid per worksheet, merged ranges resolved, and the machine sheet if present.

openpyxl is used in full (not read-only) mode because only that mode knows merged ranges;
評分标准 tables are a few hundred rows. Numbers are read to Excel's 15 significant digits
(`sanzhi.inputs.cells.excel_number`), so 0.1 stays 0.1 and 4.0 is shown as 4, as in Excel.
"""

import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sanzhi.common.errors import Diagnostic, Location, UserError
from sanzhi.common.numbers import fmt
from sanzhi.inputs.cells import excel_number
from sanzhi.standard.tables.grid import Grid, GridCell, MachineRow, TableFile
from sanzhi.standard.tables.machine import MACHINE_MARK
from sanzhi.standard.values import Unusable

_MAX_ROWS = 5000  # far more than any 评分标准; a sheet claiming more is read up to here
_MAX_COLS = 60


def _shown(v: object, number_format: str) -> tuple[str, Decimal | None]:
    if v is None:
        return "", None
    if isinstance(v, bool):
        return ("TRUE" if v else "FALSE"), None
    if isinstance(v, (int, float)):
        number = excel_number(v)
        if isinstance(number, Unusable):
            return str(v), None
        value = Decimal(number)
        if "%" in number_format:
            return fmt(value * 100) + "%", None
        return fmt(value), value
    if isinstance(v, datetime):
        return (v.date().isoformat() if v.time() == time() else v.isoformat(sep=" ")), None
    if isinstance(v, (date, time)):
        return v.isoformat(), None
    return str(v), None


def _grid(ws: Any, name: str, index: int) -> Grid:
    height = min(ws.max_row or 0, _MAX_ROWS)
    width = min(ws.max_column or 0, _MAX_COLS)
    cells: list[list[GridCell]] = []
    for row in ws.iter_rows(min_row=1, max_row=height, max_col=width):
        line = []
        for c in row:
            text, number = _shown(getattr(c, "value", None), getattr(c, "number_format", "General") or "General")
            line.append(GridCell(text, number))
        line += [GridCell("")] * (width - len(line))
        cells.append(line)
    for rng in ws.merged_cells.ranges:
        r0, c0 = rng.min_row - 1, rng.min_col - 1
        if r0 >= height or c0 >= width:
            continue
        first = cells[r0][c0]
        for r in range(r0, min(rng.max_row, height)):
            for c in range(c0, min(rng.max_col, width)):
                cells[r][c] = GridCell(first.text, first.number, (r0, c0))
    # Trailing blank rows (a formatted but empty sheet bottom) carry nothing.
    while cells and all(c.blank for c in cells[-1]):
        cells.pop()
    return Grid(name, "xlsx", tuple(tuple(r) for r in cells), sheet=ws.title, sheet_index=index)


def _machine(ws: Any) -> tuple[MachineRow, ...]:
    out = []
    for n, row in enumerate(ws.iter_rows(min_row=3, max_col=4, values_only=True), start=3):
        kind, key, data, fp = (("" if v is None else str(v)) for v in (*row, None, None, None, None)[:4])
        if kind or key or data:
            out.append(MachineRow(n, kind, key, data, fp))
    return tuple(out)


def read_xlsx_tables(path: Path, name: str) -> TableFile:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise UserError([Diagnostic("T100", "无法读取该 Excel 文件：不是有效的 .xlsx 工作簿", Location(name),
                                    hint="请在 Excel 或 WPS 中打开后“另存为” Excel 工作簿（*.xlsx）；设置了打开密码的文件请先取消密码")]) from None
    try:
        grids = []
        machine: tuple[MachineRow, ...] | None = None
        machine_sheet = None
        for index, ws in enumerate(wb.worksheets):
            if ws["A1"].value == MACHINE_MARK:
                machine, machine_sheet = _machine(ws), ws.title
            else:
                grids.append(_grid(ws, name, index))
    finally:
        wb.close()
    return TableFile(name, "xlsx", tuple(grids), machine, machine_sheet)
