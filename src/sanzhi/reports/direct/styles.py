"""What the village report and the run summary share of ``assets/css/report.css``: the page,
the colours, the text styles, and the few block shapes both print (headings, paragraphs, lists,
``table.grid``, the reproducibility stamp). Each value names its CSS rule; when the stylesheet
changes, change it here (and in the report module that carries the rule, if only one uses it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from sanzhi.reports.direct.flow import MM, PageSpec
from sanzhi.reports.direct.layout import (
    Block,
    Cell,
    Drawing,
    Group,
    PageBreak,
    Para,
    Row,
    Span,
    Style,
    Table,
    hex_color,
    strut,
)
from sanzhi.reports.direct.text import Color

__all__ = [
    "BAD", "BASE", "BASE_BOLD", "BLUE", "CELL_PAD", "CURRENT_BG", "GRID_RULE", "GROUP_BG", "INK", "ITEMS",
    "ITEMS_TH", "ITEMS_TH_PAD", "LINE", "LOST_BG", "MUTED", "PLACE", "RULE", "SIG_HEAD_BG", "SPEC", "TH_BG",
    "WIDTH", "ZEBRA", "blocks_cell", "bullets", "cell", "chart", "grid", "group", "h2", "h3", "p",
    "restyle", "sections", "stamp_block", "widths",
]

SPEC = PageSpec()  # @page { size: A4; margin: 15mm 14mm 20mm 14mm }
WIDTH = SPEC.content_width

INK = hex_color("#1f2933")  # html { color }
MUTED = hex_color("#616e7c")  # .muted
BAD = hex_color("#a61b1b")  # .bad
PLACE = hex_color("#3e4c59")  # .cover-place
BLUE = hex_color("#2f6fad")  # h2 border-bottom
LINE = hex_color("#cbd2d9")  # .fact-k, .kv-k border-bottom
RULE = hex_color("#9aa5b1")  # table.grid border-bottom
TH_BG = hex_color("#dbe4ee")  # .grid > thead > tr > th
ZEBRA = hex_color("#edf1f5")  # .grid > tbody > tr:nth-child(even)
GROUP_BG = hex_color("#e2e9f1")  # tr.group, tr.total
CURRENT_BG = hex_color("#fdf3e1")  # tr.current
LOST_BG = hex_color("#fdecec")  # .lost
SIG_HEAD_BG = hex_color("#f0f4f8")  # .sig-head

BASE = Style(9.5)  # html { font-size: 9.5pt; line-height: 1.5 }
BASE_BOLD = Style(9.5, bold=True)
CELL_PAD = (1 * MM, 1.3 * MM, 1 * MM, 1.3 * MM)  # td, th { padding: 1mm 1.3mm }
ITEMS = Style(7.6, line_height=1.4)  # .items
ITEMS_TH = Style(7.0, bold=True, line_height=1.4)  # .items > thead > tr > th
ITEMS_TH_PAD = (1 * MM, 0.6 * MM, 1 * MM, 0.6 * MM)
GRID_RULE = (0.8, RULE)  # table.grid { border-bottom: 0.8pt solid #9aa5b1 }


def restyle(style: Style, *, bold: bool | None = None, color: Color | None = None) -> Style:
    """`style` made bold or recoloured (the cascade of a class on a cell)."""
    return dataclasses.replace(style, bold=style.bold if bold is None else bold,
                               color=style.color if color is None else color)


def p(text: str, style: Style = BASE, *, align: str = "left", top: float = 0.0, bottom: float = 2 * MM,
      keep: bool = False) -> Para:
    """p { margin: 0 0 2mm 0 }; `keep` is .keep (break-after: avoid)."""
    return Para((Span(text),), style, align=align, margin_top=top, margin_bottom=bottom, keep_with_next=keep)


def h2(text: str) -> Para:
    """h2 { font-size: 13pt; margin: 0 0 3mm 0; padding-bottom: 1.2mm; border-bottom: 1.2pt solid; break-after: avoid }"""
    return Para((Span(text),), Style(13, bold=True), margin_bottom=3 * MM, keep_with_next=True,
                rule=(1.2, BLUE, 1.2 * MM))


def h3(text: str) -> Para:
    """h3 { font-size: 10.5pt; margin: 4mm 0 2mm 0; break-after: avoid }"""
    return Para((Span(text),), Style(10.5, bold=True), margin_top=4 * MM, margin_bottom=2 * MM, keep_with_next=True)


def bullets(items: Sequence[str], style: Style) -> list[Block]:
    """ul > li: a disc hanging in the 5 mm indent (ul { padding-left: 5mm }, li margin 1 mm)."""
    rows = tuple(Row((Cell((Para((Span("•"),), style),)), Cell((Para((Span(text),), style),)))) for text in items)
    return [Table((5 * MM, WIDTH - 5 * MM), rows, margin_bottom=2 * MM, row_gap=1 * MM)]


def cell(text: str, style: Style, *, align: str = "left", colspan: int = 1, background: Color | None = None) -> Cell:
    """td: one paragraph of text."""
    return Cell((Para((Span(text),), style, align=align),), colspan=colspan, padding=CELL_PAD, background=background)


def blocks_cell(paras: Sequence[Para]) -> Cell:
    """td holding block spans (.reason, .crit, .note): one paragraph each."""
    return Cell(tuple(paras), padding=CELL_PAD)


def widths(percents: Sequence[str | Decimal | float], total: float = WIDTH) -> tuple[float, ...]:
    """<col style="width: N%"> of a table `total` wide."""
    return tuple(total * float(w) / 100 for w in percents)


def grid(col_widths: Sequence[float], headers: Sequence[str], rows: Sequence[Row], *, head_style: Style = BASE_BOLD,
         head_pad: tuple[float, float, float, float] = CELL_PAD) -> Table:
    """table.grid: header cells shaded and centred with a rule under them, zebra body rows."""
    header = Row(tuple(
        Cell((Para((Span(h),), head_style, align="center"),), padding=head_pad, valign="middle",
             background=TH_BG, border_bottom=GRID_RULE)
        for h in headers))
    return Table(tuple(col_widths), _zebra(rows), header=(header,), margin_bottom=3 * MM, rule_bottom=GRID_RULE)


def _zebra(rows: Sequence[Row]) -> tuple[Row, ...]:
    # .grid > tbody > tr:nth-child(even) outranks tr.group / tr.current / tr.total in the CSS.
    return tuple(Row(r.cells, ZEBRA) if i % 2 else r for i, r in enumerate(rows))


def stamp_block(lines: tuple[str, str], *, top: float, bottom: float = 0.0) -> Table:
    """.stamp-block { font-size: 7pt; color: #616e7c; border-top: 0.6pt solid #cbd2d9; padding-top: 1.5mm }
    with .stamp-a and .stamp-b one line each (the report module gives its margins)."""
    style = Style(7, color=MUTED)
    a, b = lines
    return Table((WIDTH,), (Row((Cell((Para((Span(a),), style), Para((Span(b),), style)),
                                      padding=(1.5 * MM, 0, 0, 0), border_top=(0.6, LINE)),)),),
                 margin_top=top, margin_bottom=bottom)


def chart(svg: str) -> Drawing:
    """An inline <svg> on a line of its own (a chart in its div): it sits on the baseline, and
    the line box keeps the strut's part below it (the font's descent and half the leading)."""
    return Drawing(svg, margin_bottom=strut(BASE)[1])


def group(blocks: Sequence[Block]) -> Group:
    """div.block (break-inside: avoid). The div has no border or padding, so its first child's
    top margin and its last child's bottom margin collapse through it: they are the group's."""
    inner = list(blocks)
    top = bottom = 0.0
    first = inner[0]
    if not isinstance(first, PageBreak):
        top = first.margin_top
        inner[0] = dataclasses.replace(first, margin_top=0.0)
    last = inner[-1]
    if not isinstance(last, PageBreak):
        bottom = last.margin_bottom
        inner[-1] = dataclasses.replace(last, margin_bottom=0.0)
    return Group(tuple(inner), margin_top=top, margin_bottom=bottom)


def sections(parts: Sequence[list[Block]]) -> list[Block]:
    """Sections one after another; section { margin-bottom: 5mm } is carried by each section's
    last block (its own bottom margin collapses with the section's)."""
    out: list[Block] = []
    for section in parts:
        last = section[-1]
        if not isinstance(last, PageBreak):
            section = [*section[:-1], dataclasses.replace(last, margin_bottom=max(last.margin_bottom, 5 * MM))]
        out += section
    return out
