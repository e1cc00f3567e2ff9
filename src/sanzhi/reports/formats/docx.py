"""The editable Word format: the same report as the PDF, as a DOCX a township office can annotate.

Why it is shaped like this:

- Built from the same view models as the PDF and with the same words: every heading, table and
  sentence of ``village_report.html.j2`` / ``summary_report.html.j2`` has its counterpart here, in
  the same order (tests compare the extracted text of both). The reproducibility stamp sits on
  the cover and in every page footer with the page number, as in the PDF.
- A4, the bundled font *named* (not embedded: 10 MB): ``Noto Sans SC`` in every style used, as
  the Latin and the East Asian font (``w:eastAsia``), with the theme fonts taken out so Word
  does not substitute its own; language zh-CN. Where the font is not installed Word uses a
  fallback and the document still opens and prints.
- The dimension chart is a PNG bar chart drawn with Pillow (already installed with WeasyPrint)
  in the bundled font: a radar chart's labels do not survive as editable text either way, and
  the bars read the same on paper. The score scale of the PDF is left out: the tier table next
  to it carries the same numbers.
- Reproducible bytes: python-docx stamps the document properties with the current time and the
  zip entries with today's date; both are set to the report date (midnight), so the same input
  gives the same file.
- Village text is data: python-docx writes it as XML text (escaped); nothing becomes a field
  or a link.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sanzhi.reports.charts import fraction
from sanzhi.reports.formats.base import Rendered, ReportFormat, SummaryDoc, VillageDoc

if TYPE_CHECKING:
    from sanzhi.reports.summary import SummaryReport
    from sanzhi.reports.village import ItemRow, VillageReport

__all__ = ["FORMAT", "bar_chart_png"]

FONT = "Noto Sans SC"
_INK = (0x1F, 0x29, 0x33)
_MUTED = (0x7B, 0x87, 0x94)
_FILL = (0x2F, 0x6F, 0xAD)
_TRACK = (0xEE, 0xF2, 0xF6)
_GRID = (0xCB, 0xD2, 0xD9)
_BAD = "A61B1B"
_HEAD_FILL = "F0F4F8"


# --------------------------------------------------------------------------- chart


def bar_chart_png(rows: Sequence[tuple[str, Decimal, Decimal]], scale: int = 3) -> bytes:
    """Horizontal bars, each row's score as a share of its maximum, with "score/points" beside it.

    Drawn at `scale` × 96 dpi for print; the same rows give the same bytes.
    """
    from PIL import Image, ImageDraw, ImageFont

    from sanzhi.common.numbers import fmt
    from sanzhi.reports.fonts import font_dir

    label_w, row_h, bar_w, right = 110 * scale, 26 * scale, 240 * scale, 70 * scale
    width, height = label_w + bar_w + right, row_h * len(rows) + 12 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_dir() / "NotoSansSC-Regular.ttf"), 11 * scale)
    for i, (label, score, points) in enumerate(rows):
        top = 6 * scale + i * row_h
        frac = fraction(score, points)
        mid = top + row_h // 2
        draw.text((label_w - 8 * scale, mid), label, font=font, fill=_INK, anchor="rm")
        box = (label_w, mid - 7 * scale, label_w + bar_w, mid + 7 * scale)
        draw.rectangle(box, fill=_TRACK, outline=_GRID, width=max(1, scale // 2))
        if frac > 0:
            draw.rectangle((label_w, box[1], label_w + round(bar_w * frac), box[3]), fill=_FILL)
        draw.text((label_w + bar_w + 6 * scale, mid), f"{fmt(score)}/{fmt(points)}", font=font, fill=_MUTED, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, dpi=(96 * scale, 96 * scale))
    return out.getvalue()


# --------------------------------------------------------------------------- document plumbing


class _Writer:
    """A python-docx document with the report's page, styles and small helpers."""

    def __init__(self, title: str, day: dt.date) -> None:
        from docx import Document
        from docx.shared import Mm

        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(15), Mm(20)
        section.left_margin = section.right_margin = Mm(14)
        section.footer_distance = Mm(8)
        self.width = section.page_width - section.left_margin - section.right_margin
        for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid", "List Bullet", "Footer"):
            self._style_font(self.doc.styles[name])
        self._style_sizes()
        props = self.doc.core_properties
        stamp = dt.datetime(day.year, day.month, day.day)
        props.title, props.author, props.last_modified_by = title, "sanzhi", "sanzhi"
        props.created = props.modified = props.last_printed = stamp
        props.revision = 1
        props.language = "zh-CN"

    @staticmethod
    def _style_font(style: Any) -> None:
        from docx.oxml.ns import qn
        from docx.shared import RGBColor

        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            from docx.oxml import OxmlElement

            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:eastAsia"), "zh-CN")
        if style.name != "Normal":
            style.font.color.rgb = RGBColor(*_INK)

    def _style_sizes(self) -> None:
        from docx.shared import Pt

        sizes = {"Normal": 9.5, "Title": 20, "Heading 1": 14, "Heading 2": 11.5, "Heading 3": 10.5, "Footer": 6.5}
        for name, size in sizes.items():
            self.doc.styles[name].font.size = Pt(size)
        for name in ("Heading 1", "Heading 2", "Heading 3"):
            self.doc.styles[name].font.bold = True
            self.doc.styles[name].paragraph_format.space_before = Pt(10 if name == "Heading 1" else 6)
            self.doc.styles[name].paragraph_format.space_after = Pt(4)
        self.doc.styles["Normal"].paragraph_format.space_after = Pt(3)

    # ---------------------------------------------------------------- text

    def para(self, *parts: str | tuple[str, str], style: str | None = None, center: bool = False,
             size: float | None = None, color: str | None = None) -> Any:
        """A paragraph of runs: plain strings, or (text, marks) with marks from "b" (bold), "r" (red)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor

        p = self.doc.add_paragraph(style=style)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for part in parts:
            text, marks = (part, "") if isinstance(part, str) else part
            run = p.add_run(text)
            run.bold = "b" in marks or None
            if size is not None:
                run.font.size = Pt(size)
            if "r" in marks or color:
                run.font.color.rgb = RGBColor.from_string(_BAD if "r" in marks else color or "000000")
        return p

    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(text, level)

    def bullets(self, items: Sequence[str], bad: bool = False) -> None:
        for item in items:
            self.para((item, "r" if bad else ""), style="List Bullet")

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # ---------------------------------------------------------------- tables

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]], widths: Sequence[float],
              numeric: Sequence[int] = (), bold_rows: Sequence[int] = ()) -> Any:
        """A bordered table; `widths` in % of the text width, `numeric` columns right-aligned.
        The header row repeats on every page."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        table = self.doc.add_table(rows=0, cols=len(widths))
        table.style = self.doc.styles["Table Grid"]
        table.autofit = False
        all_rows = ([list(header)] if header is not None else []) + [list(r) for r in rows]
        for i, values in enumerate(all_rows):
            cells = table.add_row().cells
            for j, value in enumerate(values):
                cells[j].text = value
                if j in numeric and (header is None or i > 0):
                    cells[j].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            is_head = header is not None and i == 0
            if is_head:
                self._repeat_header(table.rows[0])
            if is_head or (i - (header is not None)) in bold_rows:
                for cell in cells:
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                    if is_head:
                        self.shade(cell)
        self._widths(table, widths)
        self.doc.add_paragraph()
        return table

    def _widths(self, table: Any, widths: Sequence[float]) -> None:
        """Column widths in the table grid (LibreOffice reads these) and in every cell (Word)."""
        emus = [int(self.width * w / 100) for w in widths]
        for column, emu in zip(table.columns, emus, strict=True):
            column.width = emu
        for row in table.rows:
            for cell, emu in zip(row.cells, emus, strict=False):
                cell.width = emu

    @staticmethod
    def merged(first: Any, last: Any, text: str, bold: bool = False) -> Any:
        """Cells first…last of a row as one, holding `text` alone (merging keeps every cell's
        empty paragraph otherwise)."""
        cell = first.merge(last)
        cell.text = text
        if bold:
            for run in cell.paragraphs[0].runs:
                run.bold = True
        return cell

    @staticmethod
    def _repeat_header(row: Any) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        trpr = row._tr.get_or_add_trPr()
        head = OxmlElement("w:tblHeader")
        head.set(qn("w:val"), "true")
        trpr.append(head)

    @staticmethod
    def shade(cell: Any, fill: str = _HEAD_FILL) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shd)

    @staticmethod
    def cell_lines(cell: Any, lines: Sequence[tuple[str, bool]]) -> None:
        """A cell holding one paragraph per line; (text, red)."""
        from docx.shared import RGBColor

        cell.text = ""
        for k, (text, red) in enumerate(lines):
            p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
            run = p.add_run(text)
            if red:
                run.font.color.rgb = RGBColor.from_string(_BAD)

    def image(self, png: bytes, width_mm: float) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm

        self.doc.add_picture(io.BytesIO(png), width=Mm(width_mm))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    # ---------------------------------------------------------------- footer

    def footer(self, stamp_a: str, stamp_b: str) -> None:
        """The stamp on every page but the first, and "第 X 页 / 共 Y 页" (Word fields) on
        every page, as in the PDF: the first page carries the stamp in its text (`stamp`), so
        its footer has only the page number."""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        footer = section.footer
        first = footer.paragraphs[0]
        first.style = self.doc.styles["Footer"]
        first.add_run(stamp_a)
        second = footer.add_paragraph(style="Footer")
        second.add_run(stamp_b)
        self._page_numbers(footer.add_paragraph(style="Footer"))
        cover = section.first_page_footer.paragraphs[0]
        cover.style = self.doc.styles["Footer"]
        self._page_numbers(cover)

    def _page_numbers(self, pages: Any) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for text, field in (("第 ", "PAGE"), (" 页 / 共 ", "NUMPAGES"), (" 页", None)):
            pages.add_run(text)
            if field is not None:
                simple = OxmlElement("w:fldSimple")
                simple.set(qn("w:instr"), field)
                run = OxmlElement("w:r")
                value = OxmlElement("w:t")
                value.text = "1"
                run.append(value)
                simple.append(run)
                pages._p.append(simple)

    def stamp(self, stamp_a: str, stamp_b: str) -> None:
        for line in (stamp_a, stamp_b):
            self.para(line, size=7, color="616E7C")

    def save(self, day: dt.date) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return _fixed_zip(buf.getvalue(), day)


def _fixed_zip(blob: bytes, day: dt.date) -> bytes:
    """The same zip with every entry dated `day` (python-docx dates them now), entries in order."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------- village report


def _village(r: VillageReport, w: _Writer) -> None:
    stamp_a = f"评分标准 {r.rubric_ref} · 标准内容哈希 {r.rubric_hash}"
    stamp_b = f"输入数据哈希 {r.input_hash} · 评分引擎 sanzhi {r.engine_version}"
    w.footer(stamp_a, stamp_b)
    # Cover
    w.para(r.rubric_issuer, center=True, size=10.5, color="3E4C59")
    w.para((
        r.title, "b"), style="Title", center=True)
    w.para((r.village_name, "b"), center=True, size=18)
    w.para(f"{r.place or f'{r.county} · {r.township}'} · 统计用区划代码 {r.village_code}", center=True, size=10.5)
    facts = w.table(None, [
        ["评定年度", f"{r.year}年"],
        ["评分标准", f"{r.rubric_title}（{r.rubric_ref}）"],
        ["核定总分", ""],
        ["评定等级", ""],
        ["报告日期", r.report_date],
    ], (22, 78))
    total_cell, rating_cell = facts.rows[2].cells[1], facts.rows[3].cells[1]
    total_cell.text = ""
    run = total_cell.paragraphs[0].add_run(r.total)
    run.bold = True
    total_cell.paragraphs[0].add_run(f" 分（满分 {r.total_points} 分；自评 {r.self_total} 分；核定层级：{r.operative_level}）")
    w.cell_lines(rating_cell, [(r.rating, not r.rated), *([(r.rating_note, True)] if r.rating_note else [])])
    rating_cell.paragraphs[0].runs[0].bold = True
    for row in facts.rows:
        w.shade(row.cells[0])
    sig = w.table(["评审层级", "评估人（签字）", "日期", "意见"],
                  [[s.level, s.person, s.day, ""] for s in r.signatories] + [[r.seals[0], "", r.seals[1], ""]],
                  (22, 30, 22, 26))
    seal = sig.rows[-1]
    left, right = seal.cells[0], seal.cells[2]
    w.merged(left, seal.cells[1], r.seals[0])
    w.merged(right, seal.cells[3], r.seals[1])
    seal.height = int(w.width * 0.12)
    w.stamp(stamp_a, stamp_b)
    w.page_break()

    # 一、评分概况
    w.heading("一、评分概况", 1)
    w.para("核定总分 ", (r.total, "b"), f" 分（满分 {r.total_points} 分），评定等级：", (r.rating, "b" if r.rated else "br"),
           f"。{r.standing}")
    if r.vetoes:
        w.para(("一票否决：", "br"))
        w.bullets(r.vetoes, bad=True)
    dims = [[d.name + (f" {d.note}" if d.note else ""), d.score, d.points, f"{d.percent}%"] for d in r.dimensions]
    if r.bonus:
        dims.append([r.bonus, "", "", ""])
    dims.append(["合计", r.total, r.total_points, ""])
    table = w.table(["维度", "得分", "满分", "得分率"], dims, (40, 20, 18, 22), numeric=(1, 2, 3), bold_rows=(len(dims) - 1,))
    if r.bonus:
        bonus_row = table.rows[len(dims) - 1]
        w.merged(bonus_row.cells[0], bonus_row.cells[3], r.bonus)
    w.image(bar_chart_png([(d.name, Decimal(d.score), Decimal(d.points)) for d in r.dimensions]), 120)
    w.heading(f"等级分数线与{r.subject}位置", 3)
    w.table(["等级", "总分不低于", "其他条件", f"{r.subject}情况"],
            [[t.name, t.min_score, t.conditions or "—", t.status] for t in r.tiers], (18, 14, 38, 30), numeric=(1,))
    if r.gate:
        w.para(f"申报门槛：{r.gate}", color="616E7C")
    if r.tier_notes:
        w.para("未达到更高等级的原因：", color="616E7C")
        w.bullets(r.tier_notes)
    w.heading("主要失分项", 3)
    if r.losses:
        losses = w.table(["评分项", "失分", "评定标准", "失分原因"],
                         [[f"{x.id} {x.name}", x.lost, x.criterion, ""] for x in r.losses], (21, 7, 34, 38), numeric=(1,))
        for row, x in zip(losses.rows[1:], r.losses, strict=True):
            w.cell_lines(row.cells[3], [(reason, False) for reason in x.reasons])
    else:
        w.para(f"{r.subject}各评分项均未失分。")

    # 二、评分明细
    w.heading("二、评分明细", 1)
    widths = tuple(float(x) for x in r.item_columns)
    rows: list[list[str]] = []
    groups: list[int] = []
    for g in r.groups:
        groups.append(len(rows))
        rows.append([g.title] + [""] * (len(widths) - 1))
        for it in g.rows:
            rows.append([f"{it.id} {it.name}（{it.points} 分）", *it.earlier_scores, it.score, ""])
    items = w.table(["评分项（分值）/ 佐证材料", *r.level_headers, "扣分及评分说明"], rows, widths,
                    numeric=tuple(range(1, len(widths) - 1)), bold_rows=groups)
    from docx.shared import Pt

    in_order: list[ItemRow | None] = [row for g in r.groups for row in (None, *g.rows)]  # None: a group's title row
    for row, item in zip(items.rows[1:], in_order, strict=True):
        if item is None:
            w.shade(w.merged(row.cells[0], row.cells[-1], row.cells[0].text, bold=True), "E4E7EB")
            continue
        body = f"　评分部门：{item.scored_by}" if item.scored_by else ""
        crit = row.cells[0].add_paragraph().add_run(f"要求：{item.evidence_required}　提供：{item.evidence_supplied}{body}")
        crit.font.size = Pt(8)
        if item.lost:
            for run in row.cells[-2].paragraphs[0].runs:
                run.font.color.rgb = _rgb(_BAD)
        w.cell_lines(row.cells[-1], [(reason.text, reason.deduction) for reason in item.reasons] or [("—", False)])

    # 三、改进建议
    w.heading("三、改进建议", 1)
    if r.suggestions:
        w.para("以下按失分多少排列，列出失分最多的评分项及整改方向。", color="616E7C")
        for n, s in enumerate(r.suggestions, start=1):
            w.para((f"{n}. {s.id} {s.name}（失 {s.lost} 分）", "b"))
            w.para(s.advice)
            w.para(f"评定标准：{s.criterion}", color="616E7C")
            if s.reasons:
                w.para(f"失分原因：{'；'.join(s.reasons)}", color="616E7C")
    else:
        w.para(f"{r.subject}各评分项均未失分，请保持。")
    if r.aggregates:  # a township's or county's report: the villages behind each aggregate
        w.heading("四、汇总指标与所涉村（社区）", 1)
        w.para(f"汇总指标由村级批次中本{r.subject[1:]}所辖各村（社区）的填报数据与评分结果计算；下表列出每项指标背后的村。",
               color="616E7C")
        for a in r.aggregates:
            w.heading(a.text, 3)
            for c in a.calls:
                w.para(c.title, color="616E7C")
                if c.rows:
                    w.table(list(c.header), [list(row) for row in c.rows], (30, 35, 35))


def _rgb(hex_color: str) -> Any:
    from docx.shared import RGBColor

    return RGBColor.from_string(hex_color)


# --------------------------------------------------------------------------- summary report


def _summary(s: SummaryReport, w: _Writer) -> None:
    stamp_a = f"评分标准 {s.rubric_ref} · 标准内容哈希 {s.rubric_hash}"
    stamp_b = f"结果数据哈希 {s.results_hash} · 评分引擎 sanzhi {s.engine_version}"
    w.footer(stamp_a, stamp_b)
    w.para(f"{s.rubric_title}（{s.rubric_ref}）", center=True, size=10.5, color="3E4C59")
    w.para((s.title, "b"), style="Title", center=True)
    w.para(f"{s.scope} · {s.year} · 报告日期 {s.report_date}", center=True, size=10.5)
    w.stamp(stamp_a, stamp_b)

    w.heading("一、总体情况", 1)
    w.table(None, [[label, value] for label, value in s.stats], (30, 70))
    w.heading("核定总分分布", 3)
    w.table(["分数段", "村数", "占比"], [[c.name, str(c.villages), f"{c.percent}%"] for c in s.score_counts], (40, 30, 30),
            numeric=(1, 2))
    w.heading("等级分布", 3)
    w.table(["等级", "村数", "占比"], [[c.name, str(c.villages), f"{c.percent}%"] for c in s.rating_counts], (50, 25, 25),
            numeric=(1, 2))
    w.heading("各维度平均得分", 3)
    w.table(["维度", "满分", "平均分", "平均得分率", "最低", "最高"],
            [[d.name, d.points, d.average, f"{d.percent}%", d.low, d.high] for d in s.dim_averages],
            (24, 14, 16, 16, 15, 15), numeric=(1, 2, 3, 4, 5))
    w.image(bar_chart_png([(d.name, Decimal(d.average), Decimal(d.points)) for d in s.dim_averages]), 120)

    w.heading("二、排名", 1)
    w.para("按核定总分从高到低排列，总分相同者并列；被一票否决或未达申报门槛的村（社区）按总分参与排名，等级栏注明“不予评定”。",
           color="616E7C")
    w.table(["名次", "村（社区）", "乡镇（街道）", "自评分", "核定分", *s.dim_names, "等级"],
            [[str(row.rank), row.name, row.township, row.self_total, row.total, *row.dims, row.rating] for row in s.ranking],
            tuple(float(x) for x in s.ranking_columns), numeric=tuple(range(3, 5 + len(s.dim_names))))

    w.heading("三、一票否决与不予评定", 1)
    if s.vetoed:
        w.heading("一票否决的村（社区）", 3)
        _blocked(w, s.vetoed, "否决事项")
    else:
        w.para("本次评定没有被一票否决的村（社区）。")
    if s.gate_blocked:
        w.heading("未达申报门槛的村（社区）", 3)
        _blocked(w, s.gate_blocked, "原因")
    if s.skipped:
        w.heading("数据有误、未评分的村（社区）", 3)
        w.table(["数据来源", "问题"], [[x.source, x.message] for x in s.skipped], (40, 60))


def _blocked(w: _Writer, rows: Sequence[Any], last: str) -> None:
    table = w.table(["村（社区）", "乡镇（街道）", last], [[v.name, v.township, ""] for v in rows], (22, 20, 58))
    for row, v in zip(table.rows[1:], rows, strict=True):
        w.cell_lines(row.cells[2], [(reason, False) for reason in v.reasons])


# --------------------------------------------------------------------------- the format


def village(doc: VillageDoc) -> Rendered:
    w = _Writer(f"{doc.view.village_name} · {doc.view.year}年度三治融合评定报告", doc.report_date)
    _village(doc.view, w)
    return Rendered(w.save(doc.report_date))


def summary(doc: SummaryDoc) -> Rendered:
    w = _Writer(f"{doc.view.scope} · {doc.view.year} · {doc.view.title}", doc.report_date)
    _summary(doc.view, w)
    return Rendered(w.save(doc.report_date))


FORMAT = ReportFormat(
    name="docx",
    suffix=".docx",
    score_help="在此文件夹生成每个村的可编辑 Word（DOCX）评定报告和汇总报告",
    batch_help="同时生成每村 Word（DOCX）报告与汇总",
    village=village,
    summary=summary,
)
