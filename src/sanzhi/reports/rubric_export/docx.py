"""The 评分标准 as a Word document: the same table as the workbook, editable in Word or WPS.

A4 landscape; title block above the table; the header row marked to repeat on every page
(w:tblHeader); 项目 and 指标 cells merged down their rows; a 小计 row per category; the rating
rules as paragraphs below; page numbers in the footer. python-docx stamps the current time in
the package's zip entries and core properties, so both are fixed: the same rubric gives the
same bytes.
"""

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sanzhi.common.numbers import fmt
from sanzhi.reports.rubric_export.common import FIXED_TIME, shares
from sanzhi.standard.models import Rubric
from sanzhi.standard.tables.layout import LayoutDimension, TableLayout

_FONT = "宋体"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _font(run_or_style: Any, size: float | None = None, bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = run_or_style.font
    font.name = _FONT
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), _FONT)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold


def _paragraph(doc: Any, text: str, *, size: float, bold: bool = False, center: bool = False, after: float = 2) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(after)
    run = p.add_run(text)
    _font(run, size, bold)


def _set(cell: Any, text: str, *, bold: bool = False, center: bool = False, shade: str | None = None) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    cell.text = ""
    p = cell.paragraphs[0]
    run = p.add_run(text)
    if bold:
        run.font.bold = True
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if shade:
        tcpr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), shade)
        tcpr.append(shd)


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    trpr.append(mark)


def _page_numbers(section: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("第 ", "PAGE"), (" 页，共 ", "NUMPAGES"), (" 页", None)):
        _font(p.add_run(text), 9)
        if field:
            fld = OxmlElement("w:fldSimple")
            fld.set(qn("w:instr"), field)
            run = OxmlElement("w:r")
            t = OxmlElement("w:t")
            t.text = "1"
            run.append(t)
            fld.append(run)
            p._p.append(fld)


def _fixed_zip(blob: bytes) -> bytes:
    """The package re-zipped with fixed entry times (python-docx stamps the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def write_docx(rubric: Rubric, layout: TableLayout) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(14)
    section.top_margin, section.bottom_margin = Mm(14), Mm(16)
    _font(doc.styles["Normal"], 9)
    doc.styles["Normal"].paragraph_format.space_after = 0

    _paragraph(doc, layout.title, size=16, bold=True, center=True, after=4)
    _paragraph(doc, layout.info_line, size=10, center=True, after=2)
    _paragraph(doc, f"说明：{layout.note}", size=8, after=6)

    cols = layout.columns
    col = {name: i for i, name in enumerate(cols)}
    points_col = col["分值"]
    table = doc.add_table(rows=1 + layout.rows(), cols=len(cols))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    usable = section.page_width - section.left_margin - section.right_margin
    widths = [int(usable * s / 100) for s in shares(cols)]
    for i, column in enumerate(table.columns):
        column.width = widths[i]  # the grid: what LibreOffice and WPS lay out by
    # python-docx walks the whole table for every row.cells / table.cell(): take the grid once
    # (before any merge changes it) and index into it.
    grid = table._cells
    width = len(cols)

    def at(r: int, c: int) -> Any:
        return grid[r * width + c]

    for n, cell in enumerate(grid):
        cell.width = widths[n % width]  # the cells: what Word lays out by
    for i, name in enumerate(cols):
        _set(at(0, i), name, bold=True, center=True, shade="D9E2F3")
    _repeat_header(table.rows[0])

    r = 1
    merges: list[tuple[int, int, int, int]] = []

    def group(dim: LayoutDimension, r: int) -> int:
        first = r
        for ind in dim.indicators:
            ind_first = r
            for it in ind.items:
                for name, text in (("序号", it.id), ("评分项", it.name), ("评定标准", it.criterion), ("分值", fmt(it.points)),
                                   ("评分细则", it.rules), ("考核方法", it.methods), ("评分单位", it.scored_by)):
                    if name in col:
                        _set(at(r, col[name]), text, center=name in ("序号", "分值"))
                r += 1
            if layout.show_indicator and not dim.bonus:
                _set(at(ind_first, col["指标"]), ind.label, bold=True, center=True)
                merges.append((ind_first, col["指标"], r - 1, col["指标"]))
        right = col["指标"] if layout.show_indicator and dim.bonus else 0
        _set(at(first, 0), dim.label, bold=True, center=True)
        merges.append((first, 0, r - 1, right))
        return r

    for dim in layout.main:
        r = group(dim, r)
        _subtotal(at, r, points_col, len(cols), "小计", dim.points, merges)
        r += 1
    _subtotal(at, r, points_col, len(cols), "合计", layout.total, merges)
    r += 1
    if layout.bonus is not None:
        group(layout.bonus, r)
    for r0, c0, r1, c1 in merges:
        if (r0, c0) != (r1, c1):
            at(r0, c0).merge(at(r1, c1))

    doc.add_paragraph()
    for line in layout.rules:
        _paragraph(doc, line.line, size=9, after=3)
    _page_numbers(section)

    props = doc.core_properties
    props.author = props.last_modified_by = "sanzhi"
    props.title = layout.title
    props.subject = "评分标准"
    props.comments = f"sanzhi rubric export {layout.ref}"
    props.created = props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue())


def _subtotal(at: Callable[[int, int], Any], r: int, points_col: int, width: int, label: str, points: Decimal,
              merges: list[tuple[int, int, int, int]]) -> None:
    _set(at(r, 0), label, bold=True, center=True, shade="F2F2F2")
    _set(at(r, points_col), fmt(points), bold=True, center=True, shade="F2F2F2")
    merges.append((r, 0, r, points_col - 1))
    if points_col < width - 1:
        _set(at(r, points_col + 1), "", shade="F2F2F2")
        merges.append((r, points_col + 1, r, width - 1))


__all__ = ["write_docx"]
