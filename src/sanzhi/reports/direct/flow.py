"""Blocks poured onto A4 pages: page breaks, repeated table headers, the footer of every page.

What it keeps of CSS paged media, as the report stylesheet uses it: adjoining vertical margins
collapse and are dropped at the top of a page; a block marked keep-with-next (a heading) goes
to the next page together with the first line or row of what follows; table rows and groups
are never split; a table's header rows are repeated on every page it runs onto; a forced break
starts a page. The footer (the reproducibility stamp at the left, "第 N 页 / 共 M 页" at the right)
is drawn once the number of pages is known.
"""

from __future__ import annotations

import functools
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
    lay_row_parts,
    num,
    stack,
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


def _first_height(block: Block, width: float) -> float:
    """The height of what must stay with a heading before `block`: its first line or row."""
    scratch = Ink()  # measured only; nothing is drawn from it
    if isinstance(block, Para):
        return lay_para_lines(block, width, scratch)[0].height
    if isinstance(block, Table):
        return sum(lay_row(block, r, scratch).height for r in (*block.header, *block.rows[:1]))
    if isinstance(block, (Group, Drawing)):
        return lay_block(block, width, scratch).height
    return 0.0


def paginate(blocks: Sequence[Block], spec: PageSpec, ink: Ink) -> list[list[str]]:
    """The blocks laid out on pages: for each page, its operators (page coordinates)."""
    pages = _Pages(spec)
    _pour(pages, blocks, ink)
    return pages.pages


def _pour(pages: _Pages, blocks: Sequence[Block], ink: Ink) -> None:
    width = pages.spec.content_width
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
            if isinstance(block, Group) and laid.height > pages.spec.content_height:
                # Taller than a page, so it cannot stay together: its blocks flow like the rest.
                pages.fit(block.margin_top, 0.0)
                _pour(pages, block.blocks, ink)
            else:
                pages.fit(block.margin_top, laid.height + _kept(blocks, i, width))
                pages.place(laid)
        pages.pending = max(pages.pending, block.margin_bottom) if isinstance(block, Group) else block.margin_bottom


def _kept(blocks: Sequence[Block], i: int, width: float) -> float:
    """What must go on the page together with block i, below it: nothing, or for a block kept
    with the next (a heading) the next block's first line or row — all of the next block, and
    what it keeps, when that one is kept with its own next (a heading, an introducing line)."""
    block = blocks[i]
    if not (isinstance(block, Para) and block.keep_with_next) or i + 1 >= len(blocks):
        return 0.0
    after = blocks[i + 1]
    gap = max(block.margin_bottom, _margins_of(after)[0])
    if isinstance(after, Para) and after.keep_with_next:
        return gap + lay_block(after, width, Ink()).height + _kept(blocks, i + 1, width)
    return gap + _first_height(after, width)


def _margins_of(block: Block) -> tuple[float, float]:
    return (0.0, 0.0) if isinstance(block, PageBreak) else (block.margin_top, block.margin_bottom)


def _table(pages: _Pages, table: Table, ink: Ink) -> None:
    header = [lay_row(table, r, ink) for r in table.header]
    head_h = sum(r.height for r in header)
    rows = [lay_row(table, r, ink) for r in table.rows]
    page_room = pages.spec.content_height - head_h  # for body rows on a page of their own
    part: list[Laid] = []

    def flush(last: bool) -> None:
        pages.place(with_rule(table, stack(part), last=last))
        part.clear()

    def next_page() -> None:
        flush(last=False)
        pages.new_page()
        part.extend(header)

    first = rows[0].height if rows else 0.0
    pages.fit(table.margin_top, head_h + min(first, page_room))
    part.extend(header)
    for source, row in zip(table.rows, rows):
        used = sum(p.height for p in part)
        if used + row.height <= pages.room + 0.01:
            part.append(row)
            continue
        if row.height <= page_room + 0.01:  # it fits on the next page
            if len(part) > len(header):
                next_page()
            part.append(row)
            continue
        # Taller than a page: split between lines, starting here if a few lines fit.
        if pages.room - used < _MIN_PIECE and len(part) > len(header):
            next_page()
            used = head_h
        start_room = pages.room - used
        pieces = lay_row_parts(table, source, ink, functools.partial(_room, start_room, page_room))
        for n, piece in enumerate(pieces):
            if n:
                next_page()
            part.append(piece)
    flush(last=True)


def _room(first: float, then: float, k: int) -> float:
    """Height for part k of a split row: what is left of this page, then whole pages."""
    return first if k == 0 else then


# Start a split row on the current page only when at least this much of it fits there (pt).
_MIN_PIECE = 40.0
