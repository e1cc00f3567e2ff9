"""A village (or township/county) report or a run summary view model → PDF bytes, with no
browser engine.

Why this exists: WeasyPrint lays out any HTML and CSS, and a village report spent three
quarters of its time there (general table layout, cascade, boxes for every cell). The report
is always the same few kinds of blocks, so they are measured and drawn directly
(:mod:`.layout`, :mod:`.flow`) and written as a small PDF (:mod:`.pdfwrite`): the same look,
several times faster, the same bytes on every machine (no system library is consulted).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from sanzhi.reports.direct import summary
from sanzhi.reports.direct.flow import PageSpec, paginate
from sanzhi.reports.direct.layout import Block, Ink, Para, Span, Style, lay_para_lines, num
from sanzhi.reports.direct.pdfwrite import FontFace, FontUse, Page, write_pdf
from sanzhi.reports.direct.styles import MUTED, PLACE, SPEC
from sanzhi.reports.direct.text import Face
from sanzhi.reports.direct.village import footer_lines, village_blocks
from sanzhi.reports.summary import SummaryReport
from sanzhi.reports.village import VillageReport

__all__ = ["render_summary_report", "render_village_report"]

_STAMP = Style(6.2, color=MUTED, line_height=1.45)  # @bottom-left
_PAGE_NO = Style(8, color=PLACE)  # @bottom-right
_MM = 72 / 25.4


def _footer(spec: PageSpec, n: int, count: int, stamp: tuple[str, str] | None, ink: Ink) -> str:
    top = spec.bottom - 3 * _MM  # the margin boxes' padding-top: 3mm
    ops = []
    width = spec.content_width
    right_w = width * 0.22
    if stamp is not None:  # drawn first: text extraction then reads the footer as the HTML has it
        y = top
        for text in stamp:
            for line in lay_para_lines(Para((Span(text),), _STAMP), width * 0.78, ink):
                ops.append(f"q 1 0 0 1 {num(spec.left)} {num(y)} cm {line.ops} Q")
                y -= line.height
    number = lay_para_lines(Para((Span(f"第 {n} 页 / 共 {count} 页"),), _PAGE_NO, align="right"), right_w, ink)
    ops.append(f"q 1 0 0 1 {num(spec.left + width - right_w)} {num(top)} cm {number[0].ops} Q")
    return " ".join(ops)


def _font_face(f: Face, resource: str) -> FontFace:
    return FontFace(resource=resource, base_name=f.name, data=f.data, units_per_em=f.upem, ascent=f.ascent,
                    descent=f.descent, cap_height=f.cap_height, bbox=f.bbox, bold=f.bold)


def _render(blocks: Sequence[Block], stamp: tuple[str, str], title: str,
            attachments: Sequence[tuple[str, bytes, str]], attached_on: datetime.date | None) -> tuple[bytes, tuple[str, ...]]:
    """Blocks on A4 pages, every page footed with its number and every page but the first (whose
    body prints the stamp: the village cover, the summary head) with the stamp too."""
    ink = Ink()
    pages = paginate(blocks, SPEC, ink)
    contents = []
    for n, ops in enumerate(pages, 1):
        ops.append(_footer(SPEC, n, len(pages), stamp if n > 1 else None, ink))
        contents.append(Page(" ".join(ops).encode("ascii"), SPEC.width, SPEC.height))
    fonts = [
        FontUse(_font_face(f, name), glyphs=ink.glyphs[f], advances={g: f.advance(g) for g in ink.glyphs[f]})
        for f, name in ink.fonts.items()
    ]
    pdf = write_pdf(contents, fonts, alphas=ink.alphas, title=title, attachments=attachments, attached_on=attached_on,
                    lang="zh-CN")
    return pdf, tuple(dict.fromkeys(ink.missing))


def render_village_report(
    view: VillageReport,
    *,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    attached_on: datetime.date | None = None,
) -> tuple[bytes, tuple[str, ...]]:
    """The report's PDF, and the characters the font has no glyph for (printed as boxes), in
    order of first appearance."""
    title = f"{view.village_name} · {view.year}年度三治融合评定报告"  # the HTML's <title>
    return _render(village_blocks(view), footer_lines(view), title, attachments, attached_on)


def render_summary_report(
    view: SummaryReport,
    *,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    attached_on: datetime.date | None = None,
) -> tuple[bytes, tuple[str, ...]]:
    """The run summary's PDF, and the characters the font has no glyph for, as for a village."""
    return _render(summary.summary_blocks(view), summary.footer_lines(view), summary.summary_title(view),
                   attachments, attached_on)
