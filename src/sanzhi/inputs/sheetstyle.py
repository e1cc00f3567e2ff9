"""How the self-assessment workbooks look: fonts, fills, borders, print setup, protection,
and the Excel data validation built from field declarations.

Split from `forms` so that module reads as the forms' content; nothing here knows a rubric.
"""

from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from sanzhi.common.diagnostics import display_width
from sanzhi.common.numbers import fmt
from sanzhi.inputs.cellmap import column_letter
from sanzhi.inputs.layout import SHEET_CHOICES, Column
from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.values import expected_text

FONT = "宋体"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FILLS = {
    "header": PatternFill("solid", fgColor="D9E1F2"),
    "group1": PatternFill("solid", fgColor="B4C6E7"),
    "group2": PatternFill("solid", fgColor="DDEBF7"),
    "self": PatternFill("solid", fgColor="FFF2CC"),  # the village fills these in
    "review": PatternFill("solid", fgColor="E2EFDA"),  # reviewers fill these in
    "off": PatternFill("solid", fgColor="EDEDED"),  # not applicable, locked
    "fixed": PatternFill("solid", fgColor="F2F2F2"),
}
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)
DATE_FORMAT = "yyyy-mm-dd"


# ---- data validation ---------------------------------------------------------------------------


class Dropdowns:
    """Dropdown lists: inline when Excel allows it (≤ 255 characters, no commas or quotes),
    else a range on the hidden 选项 sheet, one column per distinct list."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.sheet: Any = None
        self.ranges: dict[tuple[str, ...], str] = {}

    def rule(self, choices: list[str]) -> DataValidation:
        if len(",".join(choices)) <= 250 and not any("," in c or '"' in c for c in choices):
            return list_rule(choices)
        key = tuple(choices)
        if key not in self.ranges:
            if self.sheet is None:
                self.sheet = self.wb.create_sheet(SHEET_CHOICES)
                self.sheet.sheet_state = "hidden"
            col = len(self.ranges) + 1
            for n, choice in enumerate(choices, start=1):
                self.sheet.cell(n, col, choice)
            letter = column_letter(col - 1)
            self.ranges[key] = f"'{SHEET_CHOICES}'!${letter}$1:${letter}${len(choices)}"
        return DataValidation(type="list", formula1=self.ranges[key], allow_blank=True)


def rule_for(spec: FieldSpec, lists: Dropdowns) -> DataValidation:
    """Strict Excel data validation for one answer (also used by the many-villages sheet)."""
    if spec.type == "bool":
        return list_rule(["是", "否"])
    if spec.type == "choice":
        return lists.rule(list(spec.choices or ()))
    if spec.type in ("integer", "decimal"):
        kind = "whole" if spec.type == "integer" else "decimal"
        low = fmt(spec.min) if spec.min is not None else "-1000000000"
        high = fmt(spec.max) if spec.max is not None else "1000000000000"
        return DataValidation(type=kind, operator="between", formula1=low, formula2=high, allow_blank=True)
    if spec.type == "date":
        first = spec.earliest or date(1990, 1, 1)
        return DataValidation(type="date", operator="between", formula1=f"DATE({first.year},{first.month},{first.day})",
                              formula2="DATE(2100,12,31)", allow_blank=True)
    if spec.id == "code":
        return DataValidation(type="textLength", operator="equal", formula1="12", allow_blank=True)
    return DataValidation(allow_blank=True)


def list_rule(choices: list[str]) -> DataValidation:
    return DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)


def attach_validation(ws: Worksheet, target: Any, dv: DataValidation, spec: FieldSpec | None,
                      prompt: str | None, title: str | None = None) -> None:
    """Attach `dv` to a cell or a range, with the expected value as its error and a prompt."""
    if spec is not None:
        dv.error = clip(f"期望：{expected_text(spec)}", 255)
        dv.errorTitle = "填写有误"
        dv.showErrorMessage = dv.type is not None
        prompt = prompt or (spec.help or expected_in_words(spec))
        dv.promptTitle = clip(title or spec.label, 32)
    if prompt:
        dv.prompt = clip(prompt, 255)
        dv.showInputMessage = True
    ws.add_data_validation(dv)
    dv.add(target)


def expected_in_words(spec: FieldSpec) -> str:
    """The 填写要求 column: the parser's expectation, in words for the form."""
    if spec.id == "code":
        return "12 位数字"
    text = expected_text(spec)
    if spec.type == "bool":
        return "是 或 否（下拉选择，也可填 √ / ×）"
    if spec.type == "choice":
        return text + "（下拉选择）"
    if spec.type == "tags":
        return text.replace("以下选项中的若干项：", "可多选，用“、”分隔：")
    return text


# ---- cell and sheet formatting -----------------------------------------------------------------


def styled_cell(ws: Worksheet, row: int, col: int, value: object) -> Any:
    c = ws.cell(row, col, value)
    c.font = Font(name=FONT, size=10)
    c.border = BORDER
    c.alignment = WRAP
    return c


def sheet_title(ws: Worksheet, width: int, title: str, subtitle: str) -> None:
    t = ws.cell(1, 1, title)
    t.font = Font(name=FONT, bold=True, size=14)
    t.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 28
    s = ws.cell(2, 1, subtitle)
    s.font = Font(name=FONT, size=10)
    s.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.row_dimensions[2].height = 20


def header_row(ws: Worksheet, row: int, cols: tuple[Column, ...]) -> None:
    for i, col in enumerate(cols, start=1):
        c = styled_cell(ws, row, i, col.header)
        c.font = Font(name=FONT, bold=True, size=10)
        c.fill = FILLS["header"]
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[column_letter(i - 1)].width = col.width
    ws.row_dimensions[row].height = 30


def group_row(ws: Worksheet, row: int, width: int, level: int, title: str) -> None:
    """A dimension or indicator title row; it starts in column B because column A (编号)
    holds only row keys, which is how the readers tell data rows from everything else."""
    c = styled_cell(ws, row, 2, title)
    c.font = Font(name=FONT, bold=True, size=11 if level == 1 else 10)
    c.alignment = Alignment(vertical="center")
    for i in range(1, width + 1):
        cell = ws.cell(row, i)
        cell.fill = FILLS[f"group{level}"]
        cell.border = BORDER
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 20


def fit_height(ws: Worksheet, row: int, cols: tuple[Column, ...]) -> None:
    """Excel does not grow rows for wrapped text it did not lay out itself: estimate the lines."""
    lines = 1
    for i, col in enumerate(cols, start=1):
        value = ws.cell(row, i).value
        if value is None:
            continue
        per_line = max(1, int(col.width) - 1)
        n = sum(max(1, -(-display_width(part) // per_line)) for part in str(value).split("\n"))
        lines = max(lines, n)
    ws.row_dimensions[row].height = 4 + 13.5 * lines


def finish_sheet(ws: Worksheet, freeze: str, title_rows: str) -> None:
    ws.freeze_panes = freeze
    protect(ws)
    print_setup(ws, title_rows, fit_width=True)


def protect(ws: Worksheet) -> None:
    p = ws.protection
    p.sheet = True
    p.formatColumns = p.formatRows = p.formatCells = False  # widths, heights and fonts stay adjustable
    p.insertRows = p.deleteRows = p.sort = p.autoFilter = False


def print_setup(ws: Worksheet, title_rows: str, *, fit_width: bool) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddHeader.right.text = "&A"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
