"""Blocks (paragraphs, tables, drawings) measured at a width and turned into PDF operators.

The model is the handful of things a sanzhi report is made of, not a general CSS engine: a
paragraph of styled spans; a table with fixed column widths (in pt) whose cells hold blocks;
an SVG chart from :mod:`sanzhi.reports.charts`; a group kept on one page; a forced page break.
Sizes, colours and spacing come from the builder (:mod:`sanzhi.reports.direct.village`), which
carries the values of ``assets/css/report.css``.

A laid-out block is its height and its operators in local coordinates: origin at its top-left
corner, y up (so everything inside has y ≤ 0). Placing it is one ``cm`` translation, and a
block's operators never depend on where it lands, which keeps measuring and placing apart.
Glyphs drawn are recorded in a :class:`Ink` (for the fonts' subsets and ToUnicode maps).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sanzhi.reports.direct.text import Color, Face, Piece, Style, break_pieces, face

__all__ = [
    "Block", "Cell", "Drawing", "Group", "Ink", "Laid", "PageBreak", "Para", "Row", "Span", "Style",
    "Table", "lay_block", "lay_para_lines", "lay_row", "lay_row_parts", "num", "stack", "strut",
]

def hex_color(value: str) -> Color:
    value = value.lstrip("#")
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def num(x: float) -> str:
    """A coordinate for the content stream: at most two decimals, no trailing zeros, no -0."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _color_op(c: Color, op: str) -> str:
    return f"{num(c[0])} {num(c[1])} {num(c[2])} {op}"


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    style: Style | None = None  # None: the paragraph's style


@dataclass(frozen=True, slots=True)
class Para:
    spans: tuple[Span, ...]
    style: Style
    align: str = "left"  # left | center | right
    margin_top: float = 0.0
    margin_bottom: float = 0.0
    keep_with_next: bool = False  # CSS break-after: avoid
    rule: tuple[float, Color, float] | None = None  # border-bottom (width, colour) after a gap (padding)


@dataclass(frozen=True, slots=True)
class Cell:
    blocks: tuple[Block, ...]
    colspan: int = 1
    padding: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # top right bottom left
    valign: str = "top"  # top | middle
    background: Color | None = None
    border: tuple[float, Color] | None = None  # a box around the cell (collapsed borders)
    border_bottom: tuple[float, Color] | None = None
    border_top: tuple[float, Color] | None = None
    min_height: float = 0.0  # content height at least (CSS height on a cell, content-box)


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    background: Color | None = None


@dataclass(frozen=True, slots=True)
class Table:
    widths: tuple[float, ...]  # column widths, pt
    rows: tuple[Row, ...]
    header: tuple[Row, ...] = ()  # repeated at the top of every page the table runs onto
    margin_top: float = 0.0
    margin_bottom: float = 0.0
    rule_bottom: tuple[float, Color] | None = None  # the table's bottom border
    indent: float = 0.0  # left offset inside the available width (centred tables)
    row_gap: float = 0.0  # space under every row (list items' margins)


@dataclass(frozen=True, slots=True)
class Drawing:
    svg: str
    margin_top: float = 0.0
    margin_bottom: float = 0.0


@dataclass(frozen=True, slots=True)
class Group:
    """Blocks kept on one page when they fit on one (CSS break-inside: avoid)."""

    blocks: tuple[Block, ...]
    margin_top: float = 0.0
    margin_bottom: float = 0.0


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Block = Para | Table | Drawing | Group | PageBreak


@dataclass
class Ink:
    """What a document's operators draw with: the resource name of each face, the glyphs
    used (glyph id → character, for the subsets and ToUnicode), missing characters, and the
    opacities the charts need."""

    fonts: dict[Face, str] = field(default_factory=dict)
    glyphs: dict[Face, dict[int, str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    alphas: dict[str, float] = field(default_factory=dict)
    _runs: dict[tuple[int, str], str] = field(default_factory=dict)

    def resource(self, f: Face) -> str:
        name = self.fonts.get(f)
        if name is None:
            name = self.fonts[f] = f"F{len(self.fonts) + 1}"
            self.glyphs[f] = {}
        return name

    def hex_run(self, f: Face, text: str) -> str:
        """`text` as the hex glyph string of a Tj operator, its glyphs recorded."""
        self.resource(f)
        used = self.glyphs[f]
        out = []
        glyph = f.glyph
        for ch in text:
            gid = glyph(ch)[0]
            if gid == 0 and not ch.isspace():
                self.missing.append(ch)
            used.setdefault(gid, ch)
            out.append(f"{gid:04x}")
        return "".join(out)

    def alpha(self, value: float) -> str:
        name = f"GA{num(value * 100)}".replace(".", "_")
        self.alphas[name] = value
        return name


@dataclass(frozen=True, slots=True)
class Laid:
    height: float
    ops: str  # local coordinates: origin top-left, y up


_SPACES = re.compile(r"[ \t\n\r\f]+")  # CSS white space: not U+3000, the ideographic space


def _pieces(para: Para) -> list[Piece]:
    pieces = []
    for span in para.spans:
        st = span.style or para.style
        text = _SPACES.sub(" ", span.text)
        if text:
            pieces.append(Piece(text, face(st.bold), st))
    if pieces:  # leading and trailing white space of the block collapse away (CSS)
        first, last = pieces[0], pieces[-1]
        pieces[0] = Piece(first.text.lstrip(" "), first.face, first.style)
        last = pieces[-1]
        pieces[-1] = Piece(last.text.rstrip(" "), last.face, last.style)
    return [p for p in pieces if p.text]


def strut(st: Style) -> tuple[float, float]:
    """(top of the line box to the baseline, baseline to its bottom) for one style (CSS
    half-leading: the line height less the font's ascent+descent, split evenly)."""
    f = face(st.bold)
    asc, desc = f.ascent / f.upem * st.size, -f.descent / f.upem * st.size
    half = (st.line_height * st.size - asc - desc) / 2
    return half + asc, half + desc


def lay_para_lines(para: Para, width: float, ink: Ink) -> list[Laid]:
    """A paragraph's lines, each laid out on its own (the page flow may break between them)."""
    pieces = _pieces(para)
    base = strut(para.style)
    if not pieces:
        return [Laid(base[0] + base[1], "")]
    out = []
    for segs, line_w in break_pieces(pieces, width):
        above, below = base
        for index, _, _ in segs:
            a, b = strut(pieces[index].style)
            above, below = max(above, a), max(below, b)
        dx = (width - line_w) if para.align == "right" else (width - line_w) / 2 if para.align == "center" else 0.0
        parts = ["BT"]
        color: Color | None = None
        for index, text, x in segs:
            piece = pieces[index]
            st = piece.style
            if st.color != color:
                parts.append(_color_op(st.color, "rg"))
                color = st.color
            if text == " ":
                continue
            parts.append(f"/{ink.resource(piece.face)} {num(st.size)} Tf")
            if st.spacing:
                parts.append(f"{num(st.spacing)} Tc")
            parts.append(f"1 0 0 1 {num(dx + x)} {num(-above)} Tm <{ink.hex_run(piece.face, text)}> Tj")
            if st.spacing:
                parts.append("0 Tc")
        parts.append("ET")
        out.append(Laid(above + below, " ".join(parts)))
    return out


def stack(parts: Sequence[Laid]) -> Laid:
    """Laid blocks one below the other (no gaps)."""
    ops, y = [], 0.0
    for part in parts:
        if part.ops:
            ops.append(part.ops if y == 0 else f"q 1 0 0 1 0 {num(-y)} cm {part.ops} Q")
        y += part.height
    return Laid(y, " ".join(ops))


def _margins(block: Block) -> tuple[float, float]:
    if isinstance(block, PageBreak):
        return 0.0, 0.0
    return block.margin_top, block.margin_bottom


def lay_blocks(blocks: Sequence[Block], width: float, ink: Ink) -> Laid:
    """Blocks inside a cell or a group: one after another, adjoining margins collapsed."""
    return stack(_units(blocks, width, ink, lines=False))


def _units(blocks: Sequence[Block], width: float, ink: Ink, *, lines: bool) -> list[Laid]:
    """Blocks laid out one after another, the (collapsed) margins between them as empty pieces;
    with `lines`, each line of a paragraph is a piece of its own (where a row may be split)."""
    units: list[Laid] = []
    pending = 0.0
    for i, block in enumerate(blocks):
        top, bottom = _margins(block)
        gap = max(pending, top) if i else top
        if gap:
            units.append(Laid(gap, ""))
        if lines and isinstance(block, Para) and block.rule is None:
            units += lay_para_lines(block, width, ink)
        else:
            units.append(lay_block(block, width, ink))
        pending = bottom
    if pending:
        units.append(Laid(pending, ""))
    return units


def lay_block(block: Block, width: float, ink: Ink) -> Laid:
    """One block at `width`, without its own margins."""
    if isinstance(block, Para):
        laid = stack(lay_para_lines(block, width, ink))
        if block.rule is not None:
            w, color, gap = block.rule
            y = -(laid.height + gap + w / 2)
            rule = f"q {num(w)} w {_color_op(color, 'RG')} 0 {num(y)} m {num(width)} {num(y)} l S Q"
            return Laid(laid.height + gap + w, f"{laid.ops} {rule}")
        return laid
    if isinstance(block, Table):
        rows = [lay_row(block, row, ink) for row in (*block.header, *block.rows)]
        laid = stack(rows)
        return with_rule(block, laid)
    if isinstance(block, Group):
        return lay_blocks(block.blocks, width, ink)
    if isinstance(block, Drawing):
        return lay_drawing(block, ink)
    return Laid(0.0, "")


def with_rule(table: Table, laid: Laid, *, last: bool = True) -> Laid:
    """Rows of `table` as placed: its indent applied and, under its `last` part, its bottom
    border."""
    ops = laid.ops
    height = laid.height
    if last and table.rule_bottom is not None:
        w, color = table.rule_bottom
        y = -(height + w / 2)
        ops += f" q {num(w)} w {_color_op(color, 'RG')} 0 {num(y)} m {num(sum(table.widths))} {num(y)} l S Q"
        height += w
    if table.indent and ops:
        ops = f"q 1 0 0 1 {num(table.indent)} 0 cm {ops} Q"
    return Laid(height, ops)


def lay_row(table: Table, row: Row, ink: Ink) -> Laid:
    """One table row: cells laid out, the row as tall as its tallest cell."""
    return lay_row_parts(table, row, ink, lambda _: float("inf"))[0]


def lay_row_parts(table: Table, row: Row, ink: Ink, room: Callable[[int], float]) -> list[Laid]:
    """A table row, split into parts when it is taller than `room(k)` (the height part k may
    take: what is left of the page, then whole pages). Rows are kept whole by the page flow;
    only a row taller than a page is split, between lines, so that nothing runs off the page."""
    cells: list[tuple[float, float, Cell, list[Laid], float]] = []  # (x, width, cell, units, edges)
    x = 0.0
    col = 0
    for cell in row.cells:
        w = sum(table.widths[col: col + cell.colspan])
        pt, pr, pb, pl = cell.padding
        bw = cell.border[0] if cell.border else 0.0
        bb = cell.border_bottom[0] if cell.border_bottom else 0.0
        bt = cell.border_top[0] if cell.border_top else 0.0
        edges = pt + pb + max(bw, bt) + max(bw, bb)
        cells.append((x, w, cell, _units(cell.blocks, max(1.0, w - pl - pr), ink, lines=True), edges))
        x += w
        col += cell.colspan
    parts: list[Laid] = []
    taken = [0] * len(cells)
    while True:
        limit = room(len(parts))
        contents: list[list[Laid]] = []
        for i, (_, _, _, units, edges) in enumerate(cells):
            used, mine = 0.0, []
            while taken[i] < len(units) and used + units[taken[i]].height <= limit - edges + 0.01:
                used += units[taken[i]].height
                mine.append(units[taken[i]])
                taken[i] += 1
            contents.append(mine)
        if not any(contents):  # nothing fits: one piece of each cell anyway, so the row moves on
            for i, (_, _, _, units, _) in enumerate(cells):
                if taken[i] < len(units):
                    contents[i].append(units[taken[i]])
                    taken[i] += 1
        done = all(taken[i] == len(c[3]) for i, c in enumerate(cells))
        single = done and not parts
        height = max(
            (max(sum(u.height for u in mine), c[2].min_height if single else 0.0) + c[4]
             for c, mine in zip(cells, contents)),
            default=0.0,
        )
        if not done:
            height = max(height, limit)
        parts.append(_draw_row(table, row, [(c[0], c[1], c[2], stack(mine)) for c, mine in zip(cells, contents)],
                               height, x, middle=single))
        if done:
            return parts


def _draw_row(table: Table, row: Row, cells: Sequence[tuple[float, float, Cell, Laid]], height: float,
              width: float, *, middle: bool) -> Laid:
    ops: list[str] = []
    if row.background is not None:
        ops.append(f"{_color_op(row.background, 'rg')} 0 {num(-height)} {num(width)} {num(height)} re f")
    for cx, w, cell, content in cells:
        if cell.background is not None:
            ops.append(f"{_color_op(cell.background, 'rg')} {num(cx)} {num(-height)} {num(w)} {num(height)} re f")
    for cx, w, cell, content in cells:
        pt, _, pb, pl = cell.padding
        bw = cell.border[0] if cell.border else 0.0
        dy = pt + max(bw, cell.border_top[0] if cell.border_top else 0.0)
        if middle and cell.valign == "middle":
            dy += (height - pt - pb - 2 * bw - content.height) / 2
        if content.ops:
            ops.append(f"q 1 0 0 1 {num(cx + pl + bw)} {num(-dy)} cm {content.ops} Q")
        if cell.border is not None:
            bw_, color = cell.border
            ops.append(f"q {num(bw_)} w {_color_op(color, 'RG')} {num(cx)} {num(-height)} {num(w)} {num(height)} re S Q")
        for edge, y_of in ((cell.border_bottom, lambda bw_: -height + bw_ / 2), (cell.border_top, lambda bw_: -bw_ / 2)):
            if edge is not None:
                bw_, color = edge
                y = y_of(bw_)
                ops.append(f"q {num(bw_)} w {_color_op(color, 'RG')} {num(cx)} {num(y)} m {num(cx + w)} {num(y)} l S Q")
    return Laid(height + table.row_gap, " ".join(ops))


def lay_drawing(block: Drawing, ink: Ink) -> Laid:
    from sanzhi.reports.direct.charts import lay_svg

    return lay_svg(block.svg, ink)
