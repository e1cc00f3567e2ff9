"""Blocks poured onto A4 pages: page breaks, repeated table headers, the footer of every page.

What it keeps of CSS paged media, as the report stylesheet uses it: adjoining vertical margins
collapse and are dropped at the top of a page; a block marked keep-with-next (a heading) goes
to the next page together with the first line or row of what follows; table rows and groups
are never split; a table's header rows are repeated on every page it runs onto; a forced break
starts a page. The footer (the reproducibility stamp at the left, "第 N 页 / 共 M 页" at the right)
is drawn once the number of pages is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sanzhi.reports.direct.layout import (
    Block,
    Drawing,
    Group,
    Ink,
    Laid,
    PageBreak,
    Para,
    Table,
    lay_block,
    lay_para_lines,
    lay_row,
    num,
    with_rule,
)

__all__ = ["MM", "PageSpec", "paginate"]

MM = 72 / 25.4


@dataclass(frozen=True, slots=True)
class PageSpec:
    width: float = 210 * MM
    height: float = 297 * MM
    top: float = 15 * MM
    right: float = 14 * MM
    bottom: float = 20 * MM
    left: float = 14 * MM

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def content_height(self) -> float:
        return self.height - self.top - self.bottom


class _Pages:
    def __init__(self, spec: PageSpec) -> None:
        self.spec = spec
        self.pages: list[list[str]] = [[]]
        self.y = 0.0  # from the top of the content area, downwards
        self.pending = 0.0  # bottom margin of the last block, not yet spent
        # CSS keeps a block's top margin at the top of the first page and after a forced
        # break, and truncates it after a break the flow made (css-break-3 §5.2).
        self.forced = True

    @property
    def room(self) -> float:
        return self.spec.content_height - self.y

    @property
    def at_top(self) -> bool:
        return self.y == 0.0

    def new_page(self, forced: bool = False) -> None:
        self.pages.append([])
        self.y = 0.0
        self.pending = 0.0
        self.forced = forced

    def gap(self, top: float) -> float:
        """The space before a block whose top margin is `top` (collapsed; at a page top only
        after a forced break)."""
        if self.at_top:
            return top if self.forced else 0.0
        return max(self.pending, top)

    def place(self, laid: Laid, dx: float = 0.0) -> None:
        if laid.ops:
            x = self.spec.left + dx
            y = self.spec.height - self.spec.top - self.y
            self.pages[-1].append(f"q 1 0 0 1 {num(x)} {num(y)} cm {laid.ops} Q")
        self.y += laid.height

    def fit(self, top: float, height: float) -> None:
        """Move to a new page unless a block `height` tall (after its margin) fits here."""
        if not self.at_top and self.gap(top) + height > self.room + 0.01:
            self.new_page()
        self.y += self.gap(top)
        self.pending = 0.0
        self.forced = False


def _first_height(block: Block, width: float, ink: Ink) -> float:
    """The height of what must stay with a heading before `block`: its first line or row."""
    if isinstance(block, Para):
        return block.margin_top + lay_para_lines(block, width, Ink())[0].height
    if isinstance(block, Table):
        rows = (*block.header, *block.rows[:1])
        return block.margin_top + sum(lay_row(block, r, Ink()).height for r in rows)
    if isinstance(block, (Group, Drawing)):
        return block.margin_top + lay_block(block, width, Ink()).height
    return 0.0


def paginate(blocks: Sequence[Block], spec: PageSpec, ink: Ink) -> list[list[str]]:
    """The blocks laid out on pages: for each page, its operators (page coordinates)."""
    pages = _Pages(spec)
    width = spec.content_width
    for i, block in enumerate(blocks):
        if isinstance(block, PageBreak):
            if not pages.at_top or pages.pages[-1]:
                pages.new_page(forced=True)
            continue
        if isinstance(block, Table):
            _table(pages, block, ink)
        elif isinstance(block, Para) and not (block.keep_with_next or block.rule):
            for n, line in enumerate(lay_para_lines(block, width, ink)):
                pages.fit(block.margin_top if n == 0 else 0.0, line.height)
                pages.place(line)
        else:
            laid = lay_block(block, width, ink)
            follow = 0.0
            if isinstance(block, Para) and block.keep_with_next and i + 1 < len(blocks):
                follow = _first_height(blocks[i + 1], width, ink)
                follow = max(follow - block.margin_bottom, 0.0) + block.margin_bottom
            pages.fit(block.margin_top, laid.height + follow)
            pages.place(laid)
        pages.pending = block.margin_bottom
    return pages.pages


def _table(pages: _Pages, table: Table, ink: Ink) -> None:
    header = [lay_row(table, r, ink) for r in table.header]
    head_h = sum(r.height for r in header)
    rows = [lay_row(table, r, ink) for r in table.rows]
    part: list[Laid] = []

    def start(top: float) -> None:
        first = rows[0].height if rows else 0.0
        pages.fit(top, head_h + first)
        part.extend(header)

    def flush(last: bool) -> None:
        ops, y = [], 0.0
        for laid in part:
            if laid.ops:
                ops.append(f"q 1 0 0 1 0 {num(-y)} cm {laid.ops} Q" if y else laid.ops)
            y += laid.height
        block = Laid(y, " ".join(ops))
        pages.place(with_rule(table, block) if last else _indented(table, block))
        part.clear()

    start(table.margin_top)
    for row in rows:
        used = sum(p.height for p in part)
        if used + row.height > pages.room + 0.01 and len(part) > len(header):
            flush(last=False)
            pages.new_page()
            part.extend(header)
        part.append(row)
    flush(last=True)


def _indented(table: Table, laid: Laid) -> Laid:
    if not table.indent or not laid.ops:
        return laid
    return Laid(laid.height, f"q 1 0 0 1 {num(table.indent)} 0 cm {laid.ops} Q")
