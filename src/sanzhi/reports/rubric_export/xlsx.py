"""The 评分标准 as an Excel workbook: an editable table, and the machine sheet behind it.

Sheet 评分标准: title block, the header row (repeated on every printed page), one row per
item with its 项目 and 指标 cells merged over their rows, a 小计 row per category, the bonus
section, 合计, then the rating rules; A4 landscape, one page wide. Sheet 机读数据: the rubric
itself row by row (`sanzhi.standard.tables.machine`), protected, so `sanzhi rubric import`
gives it back exactly. Every text is written with write_string: nothing from a rubric becomes
a formula or a link.
"""

import io
from decimal import Decimal
from typing import Any

from sanzhi.reports.rubric_export.common import FIXED_TIME, WIDTHS, lines_needed
from sanzhi.standard.compile import content_hash
from sanzhi.standard.models import Rubric
from sanzhi.standard.tables.layout import LayoutDimension, TableLayout
from sanzhi.standard.tables.machine import (
    FORMAT,
    HEADINGS,
    MACHINE_MARK,
    MACHINE_SHEET,
    machine_rows,
)

SHEET = "评分标准"
_LINE_PT = 14  # row height per line of 10 pt text
_FONT = "宋体"  # what offices have; LibreOffice and WPS substitute their own CJK font


def _height(texts: list[tuple[str, float]]) -> float:
    return max(lines_needed(t, w) for t, w in texts) * _LINE_PT + 3


def write_xlsx(rubric: Rubric, layout: TableLayout) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    # The default font sets the width unit of columns: the body font, so widths mean characters.
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False,
                                   "default_format_properties": {"font_name": _FONT, "font_size": 10}})
    wb.set_properties({"created": FIXED_TIME, "author": "sanzhi", "title": layout.title, "subject": "评分标准",
                       "comments": f"sanzhi rubric export {layout.ref}"})
    base: dict[str, Any] = {"font_name": _FONT, "font_size": 10, "text_wrap": True, "valign": "vcenter"}
    f_title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    f_info = wb.add_format({**base, "align": "center"})
    f_note = wb.add_format({**base, "font_size": 9, "align": "left", "valign": "top"})
    f_head = wb.add_format({**base, "bold": True, "align": "center", "border": 1, "bg_color": "#D9E2F3"})
    f_cell = wb.add_format({**base, "border": 1, "valign": "top"})
    f_center = wb.add_format({**base, "border": 1, "align": "center"})
    # Top, not centred: a category merged over rows on several pages shows its name on the first.
    f_group = wb.add_format({**base, "border": 1, "align": "center", "valign": "top", "bold": True})
    f_points = wb.add_format({**base, "border": 1, "align": "center", "num_format": "0.##"})
    f_sub = wb.add_format({**base, "border": 1, "align": "center", "bold": True, "bg_color": "#F2F2F2"})
    f_sub_points = wb.add_format({**base, "border": 1, "align": "center", "bold": True, "bg_color": "#F2F2F2", "num_format": "0.##"})
    f_rule = wb.add_format({**base, "align": "left", "valign": "top"})

    ws = wb.add_worksheet(SHEET)
    cols = layout.columns
    col = {name: i for i, name in enumerate(cols)}
    last = len(cols) - 1
    page_width = sum(WIDTHS[c] for c in cols)
    for i, name in enumerate(cols):
        ws.set_column(i, i, WIDTHS[name])

    ws.merge_range(0, 0, 0, last, layout.title, f_title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last, layout.info_line, f_info)
    ws.set_row(1, _height([(layout.info_line, page_width)]))
    note = f"说明：{layout.note}"
    ws.merge_range(2, 0, 2, last, note, f_note)
    ws.set_row(2, _height([(note, page_width)]))
    header = 3
    for i, name in enumerate(cols):
        ws.write_string(header, i, name, f_head)
    ws.set_row(header, 20)

    points_col = col["分值"]
    # Row heights are written out: neither Excel nor LibreOffice fits wrapped rows when opening a
    # file. They are estimated for Excel's metrics (a 10 pt Chinese character is about two
    # width units); LibreOffice sets text a little narrower and shows some room to spare.
    estimated: dict[int, float] = {}
    fixed: dict[int, float] = {}

    def sum_row(r: int, label: str, points: Decimal) -> None:
        ws.merge_range(r, 0, r, points_col - 1, label, f_sub)
        ws.write_number(r, points_col, float(points), f_sub_points)
        if points_col < last:
            ws.merge_range(r, points_col + 1, r, last, "", f_sub)
        fixed[r] = 18

    def group(dim: LayoutDimension, r: int) -> int:
        first = r
        for ind in dim.indicators:
            ind_first = r
            for it in ind.items:
                cells = {"序号": it.id, "评分项": it.name, "评定标准": it.criterion, "评分细则": it.rules, "考核方法": it.methods,
                         "评分单位": it.scored_by}
                for name, text in cells.items():
                    if name in col:
                        ws.write_string(r, col[name], text, f_center if name == "序号" else f_cell)
                ws.write_number(r, points_col, float(it.points), f_points)
                estimated[r] = fixed[r] = _height([(t, WIDTHS[n]) for n, t in cells.items() if n in col])
                r += 1
            if layout.show_indicator and not dim.bonus:
                _merge(ws, ind_first, col["指标"], r - 1, col["指标"], ind.label, f_group)
                _fit(estimated, fixed, ind_first, r - 1, _height([(ind.label, WIDTHS["指标"])]))
        right = col["指标"] if layout.show_indicator and dim.bonus else 0
        _merge(ws, first, 0, r - 1, right, dim.label, f_group)
        _fit(estimated, fixed, first, r - 1, _height([(dim.label, sum(WIDTHS[c] for c in cols[: right + 1]))]))
        return r

    r = header + 1
    for dim in layout.main:
        r = group(dim, r)
        sum_row(r, "小计", dim.points)
        r += 1
    sum_row(r, "合计", layout.total)
    r += 1
    if layout.bonus is not None:
        r = group(layout.bonus, r)
    for row, height in fixed.items():
        ws.set_row(row, height)
    r += 1
    for line in layout.rules:
        ws.merge_range(r, 0, r, last, line.line, f_rule)
        ws.set_row(r, _height([(line.line, page_width)]))
        r += 1

    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.55, bottom=0.6)
    ws.repeat_rows(header)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.print_area(0, 0, r - 1, last)
    ws.activate()

    _machine_sheet(wb, rubric, layout)
    wb.close()
    return buf.getvalue()


def _merge(ws: Any, r0: int, c0: int, r1: int, c1: int, text: str, fmt_: Any) -> None:
    if (r0, c0) == (r1, c1):
        ws.write_string(r0, c0, text, fmt_)
    else:
        ws.merge_range(r0, c0, r1, c1, text, fmt_)


def _fit(estimated: dict[int, float], fixed: dict[int, float], r0: int, r1: int, needed: float) -> None:
    """A merged label taller than its rows (a one-item category) makes its last row taller."""
    have = sum(estimated[r] for r in range(r0, r1 + 1))
    if needed > have:
        estimated[r1] += needed - have
        fixed[r1] = estimated[r1]


def _machine_sheet(wb: Any, rubric: Rubric, layout: TableLayout) -> None:
    ws = wb.add_worksheet(MACHINE_SHEET)
    plain = wb.add_format({"font_size": 9})
    bold = wb.add_format({"font_size": 9, "bold": True})
    ws.write_string(0, 0, MACHINE_MARK, bold)
    ws.write_string(0, 1, FORMAT, plain)
    ws.write_string(0, 2, layout.ref, plain)
    ws.write_string(0, 3, content_hash(rubric), plain)
    ws.write_string(0, 4, "本工作表供 sanzhi rubric import 还原评分标准，请勿修改；修改请在 “评分标准” 工作表中进行。", plain)
    for i, h in enumerate(HEADINGS):
        ws.write_string(1, i, h, bold)
    for n, (kind, key, data, fp) in enumerate(machine_rows(rubric, layout), start=2):
        ws.write_string(n, 0, kind, plain)
        ws.write_string(n, 1, key, plain)
        ws.write_string(n, 2, data, plain)
        ws.write_string(n, 3, fp, plain)
    ws.set_column(0, 1, 10)
    ws.set_column(2, 2, 80)
    ws.set_column(3, 3, 18)
    ws.protect()


__all__ = ["SHEET", "write_xlsx"]
