"""Rows → dimensions, indicators and items, with every table mistake located (issue 16, part 2).

The header row says which column holds what (`columns.find_header`); below it each row is one
of: a category row ("一、党建引领坚强有力（16分）", a dimension with its stated total, or
"（一）…" one level down), an item row, a continuation of the item above (a 评分细则 written
over two rows), a 小计/合计 row (checked against the items), or a note ("注：…", rating and veto
rules; read later by `recognize_note`). A category also arrives in a 项目 column, merged over
its rows or filled in once and left blank below (a CSV of a merged table). Rows above the
header are the title block.

Mistakes a person can act on are collected, never raised one by one: no header row, a 分值
that is not a number, item points that do not add up to a stated total, a duplicate 序号.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal

from sanzhi.common.errors import Diagnostic, Location
from sanzhi.common.numbers import fmt
from sanzhi.standard.tables.columns import (
    EXACT,
    HEADER_SEARCH,
    ROLE_ZH,
    Header,
    Role,
    find_header,
    seen_texts,
)
from sanzhi.standard.tables.grid import Grid, GridCell

_CN = "零〇一二三四五六七八九十百"
_FULL = str.maketrans("０１２３４５６７８９．（）：", "0123456789.():")
# "（16分）", "(共16分)", "（满分16分）" at the end of a label; "16分" after a space.
_STATED = re.compile(r"\s*[（(]\s*(?:共|计|满分|合计|小计)?\s*(\d+(?:\.\d+)?)\s*分\s*[）)]\s*$|\s+(\d+(?:\.\d+)?)\s*分\s*$")
_CAP = re.compile(r"(?:封顶|最高加?|最多加?|不超过|上限)\s*(\d+(?:\.\d+)?)\s*分")
_PAREN_ID = re.compile(rf"^[（(]\s*([{_CN}\d]+)\s*[）)]\s*(.+)$")
_LABEL_ID = re.compile(rf"^([{_CN}]+|[0-9A-Za-z]+(?:[.\-][0-9A-Za-z]+)*)\s*(?:、|[.．](?!\d)|\s+)\s*(.+)$")
_SECTION = re.compile(rf"^第([{_CN}\d]+)(?:部分|类|章|项|节)\s*[、:：.．]?\s*(.+)$")
_SUBTOTAL = re.compile(r"^(小计|合计|总计|总分|分值合计|合\s*计|总\s*计)")
_NOTE = re.compile(r"^(注|说明|备注|附|附注|填表说明)\s*[0-9一二三四五六七八九十]*\s*[:：、.]|^(等级评定|评定等级|等级|申报条件|一票否决|否决项|免检|加分项|排名等级|排名|红黑榜|计分|计分说明|评分说明)\s*[:：]")
_NOTE_WORDS = re.compile(r"一票否决|取消.*资格|不得参与|不予评定|分以上|以上为|以上的为|方可申报|才能申报")
# A section of its own: the vetoes ("一票否决") or the bonus items ("加分项（最高加5分）").
_SPECIAL_HEAD = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]\s*)?(?:一票否决(?:项|事项|情形)?|否决项|加分项?|附加分)(?:\s*[（(][^）)]*[）)])?$")
_EXPORTED_BONUS = re.compile(r"（最高加\d+(?:\.\d+)?分）$")  # how the export labels the bonus section
_BONUS_NOTE = re.compile(r"\s*[（(][^）)]*(?:加|封顶|最高|最多|上限)[^）)]*[）)]\s*$")
_SEQ_CLEAN = re.compile(r"^[（(]\s*|\s*[）)、.．]\s*$")
_CIRCLED = {chr(0x2460 + i): str(i + 1) for i in range(20)}
ID_CHARS = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._\-]*$")

Kind = Literal["normal", "bonus", "veto"]


@dataclass
class SkItem:
    row: int  # 0-based grid row
    seq: str | None
    name: str
    criterion: str
    points: Decimal | None
    rules: str
    method: str
    scored_by: str | None
    loc: Location  # the row
    rules_loc: Location
    method_loc: Location
    texts: tuple[str, ...]  # the row's cells by role (name, criterion, points, rules, method, scored_by): its fingerprint
    id: str = ""
    points_from_text: bool = False


@dataclass
class SkIndicator:
    id: str
    name: str
    stated: Decimal | None
    loc: Location
    text: str
    items: list[SkItem] = field(default_factory=list)
    implicit: bool = False  # no indicator column or heading: one indicator for the dimension


@dataclass
class SkDimension:
    id: str
    name: str
    stated: Decimal | None
    loc: Location
    text: str
    kind: Kind = "normal"
    cap: Decimal | None = None
    indicators: list[SkIndicator] = field(default_factory=list)
    veto_rows: list[tuple[str, Location]] = field(default_factory=list)

    @property
    def items(self) -> list[SkItem]:
        return [it for ind in self.indicators for it in ind.items]


@dataclass
class Skeleton:
    grid: Grid
    header: Header
    title: str | None
    block: dict[str, tuple[str, Location]]  # title-block fields: 发布单位, 版本, 施行日期, 说明
    dimensions: list[SkDimension]
    notes: list[tuple[str, Location]]
    errors: list[Diagnostic]
    warnings: list[Diagnostic]
    total: tuple[Decimal, Location] | None = None  # a 合计 row
    above: tuple[str, ...] = ()  # the texts above the header, as written (the title block)

    @property
    def items(self) -> list[SkItem]:
        return [it for d in self.dimensions for it in d.items]


# --------------------------------------------------------------------------- small parsers


def parse_points(text: str) -> Decimal | None:
    """"4", "4分", "４", "0.5" → Decimal; anything else None (the caller reports it)."""
    t = text.translate(_FULL).strip().replace(" ", "")
    t = t.removesuffix("分").replace("－", "-").replace("—", "-")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - the regex admits only plain decimals
        return None


def stated_points(text: str) -> tuple[str, Decimal | None]:
    """("党建引领坚强有力", 16) from "党建引领坚强有力（16分）"; the text unchanged when none."""
    m = _STATED.search(text.translate(_FULL))
    if not m:
        return text.strip(), None
    return text[: m.start()].strip(), Decimal(m.group(1) or m.group(2))


def parse_label(text: str) -> tuple[str | None, str, Decimal | None, str]:
    """A category label → (id or None, name, stated points, numbering style).

    "一、党建引领坚强有力（16分）" → ("一", "党建引领坚强有力", 16, "cn"); "（一）组织建设" →
    ("一", "组织建设", None, "paren"); "1.1 党组织建设（10分）" → ("1.1", …, "num"); a label
    without numbering → (None, text, …, "none").
    """
    body = " ".join(text.split())
    body, points = stated_points(body)
    t = body.translate(_FULL)
    for pattern, style in ((_PAREN_ID, "paren"), (_SECTION, "section"), (_LABEL_ID, "label")):
        m = pattern.match(t)
        if m and m.group(2).strip():
            ident = m.group(1)
            if style == "label":
                style = "cn" if ident[0] in _CN else "num"
            return ident, body[len(t) - len(m.group(2)):].strip() if len(t) == len(body) else m.group(2).strip(), points, style
    return None, body, points, "none"


def clean_seq(text: str) -> str:
    t = text.translate(_FULL).strip()
    t = "".join(_CIRCLED.get(c, c) for c in t)
    prev = None
    while prev != t:
        prev = t
        t = _SEQ_CLEAN.sub("", t).strip()
    return t


def short_name(text: str, limit: int = 24) -> str:
    """An item name from its requirement: the first clause, at most `limit` characters."""
    first = re.split(r"[，,；;。:：\n]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    return first if len(first) <= limit else first[:limit] + "…"


# --------------------------------------------------------------------------- the reader


class _Reader:
    def __init__(self, grid: Grid, header: Header, exported: bool = False) -> None:
        self.grid = grid
        self.h = header
        # A table sanzhi exported reads by its own layout, not by the words in it: a category
        # named "…加分…" is not the bonus section, a name ending in "（3分）" states no points.
        self.exported = exported
        self.dims: list[SkDimension] = []
        self.notes: list[tuple[str, Location]] = []
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.total: tuple[Decimal, Location] | None = None
        self.dim_style: str | None = None
        self.ind_style: str | None = None
        self.pending: list[tuple[str, Location]] = []  # un-numbered headings: categories if items follow, else notes
        self.last: SkItem | None = None
        self.subtotals: list[tuple[SkDimension | SkIndicator, Decimal, Location]] = []

    # ---- cells ----

    def cell(self, row: Sequence[GridCell], role: Role) -> GridCell | None:
        col = self.h.columns.get(role)
        return row[col] if col is not None and col < len(row) else None

    def text(self, row: Sequence[GridCell], role: Role) -> str:
        c = self.cell(row, role)
        return c.text.strip() if c is not None else ""

    def at(self, r: int, role: Role | None = None) -> Location:
        if role is None or role not in self.h.columns:
            return self.grid.at(r)
        return self.grid.at(r, self.h.columns[role], self.h.label(role))

    # ---- structure ----

    def open_dimension(self, text: str, loc: Location) -> SkDimension:
        ident, name, points, style = parse_label(text)
        self.dim_style = self.dim_style or style
        if self.exported:
            kind: Kind = "bonus" if _EXPORTED_BONUS.search(text) else "normal"
        else:
            kind = "bonus" if "加分" in name else "veto" if "否决" in name else "normal"
        cap_match = _CAP.search(text.translate(_FULL))
        cap = Decimal(cap_match.group(1)) if cap_match else points if kind == "bonus" else None
        if kind == "bonus":
            name = _BONUS_NOTE.sub("", name) or name
        default_id = "B" if kind == "bonus" else "V" if kind == "veto" else str(sum(1 for d in self.dims if d.kind == "normal") + 1)
        dim = SkDimension(ident if ident and kind == "normal" else default_id, name or text.strip(),
                          points if kind != "bonus" else None, loc, text, kind, cap)
        self.dims.append(dim)
        return dim

    def current_dimension(self, loc: Location) -> SkDimension:
        if not self.dims:
            # Items before any category: one dimension holds them (a table without categories).
            dim = SkDimension("1", "评分项目", None, loc, "", "normal")
            self.dims.append(dim)
        return self.dims[-1]

    def open_indicator(self, text: str, loc: Location) -> SkIndicator:
        dim = self.current_dimension(loc)
        ident, name, points, style = parse_label(text)
        self.ind_style = self.ind_style or style
        n = len(dim.indicators) + 1
        ind = SkIndicator(ident if ident and style not in ("paren",) else f"{dim.id}.{ident or n}" if style == "paren" and ident else f"{dim.id}.{n}",
                          name or text.strip(), points, loc, text)
        dim.indicators.append(ind)
        return ind

    def current_indicator(self, loc: Location) -> SkIndicator:
        dim = self.current_dimension(loc)
        if not dim.indicators:
            dim.indicators.append(SkIndicator(f"{dim.id}.1", dim.name, dim.stated, loc, "", implicit=True))
        return dim.indicators[-1]

    def heading(self, text: str, loc: Location) -> None:
        _, _, _, style = parse_label(text)
        if style == "none" and not _STATED.search(text.translate(_FULL)):
            self.pending.append((text, loc))
            return
        self.flush_pending(as_category=True)
        if self.dim_style is None or style == self.dim_style or not self.dims:
            self.open_dimension(text, loc)
        else:
            self.open_indicator(text, loc)
        self.last = None

    def flush_pending(self, *, as_category: bool) -> None:
        for text, loc in self.pending:
            if as_category:
                self.open_dimension(text, loc)
            else:
                self.notes.append((text, loc))
        self.pending = []

    # ---- rows ----

    def distinct(self, row: Sequence[GridCell]) -> list[tuple[int, GridCell]]:
        out: list[tuple[int, GridCell]] = []
        origins: set[tuple[int, int]] = set()
        for col, c in enumerate(row):
            if c.blank:
                continue
            if c.origin is not None:
                if c.origin in origins:
                    continue
                origins.add(c.origin)
            out.append((col, c))
        return out

    def read(self) -> None:
        rows = self.grid.rows
        for r in range(self.h.row + 1, len(rows)):
            self.row(r, rows[r])
        self.flush_pending(as_category=False)

    def row(self, r: int, row: Sequence[GridCell]) -> None:
        cells = self.distinct(row)
        if not cells:
            return
        points_col = self.h.columns.get("points")
        first_text = next((c.text.strip() for col, c in cells if col != points_col), "")
        # A row numbering an item is that item's row, whatever its category is called (a bonus
        # section named "小计…" is a category, not a subtotal); a 小计 cell merged over the
        # number column numbers nothing.
        seq = self.text(row, "seq")
        if _SUBTOTAL.match(first_text.replace(" ", "")) and (not seq or seq == first_text):
            self.subtotal(r, row, first_text)
            return
        points_cell = self.cell(row, "points")
        points_blank = points_cell is None or points_cell.blank or (points_cell.origin is not None and points_cell.origin == cells[0][1].origin)
        if points_blank and len({c.text.strip() for _, c in cells}) == 1:
            col, c = cells[0]
            structural = {self.h.columns[k] for k in ("category", "indicator") if k in self.h.columns}
            content = [self.h.columns[k] for k in ("name", "criterion", "rules") if k in self.h.columns]
            spans = c.origin is not None and sum(1 for x in row if x.origin == c.origin) > 1
            if spans or (col not in structural and col < min(content, default=0)):
                # A row of its own: a category heading, or a note (rating rules, vetoes, 注：…).
                text = c.text.strip()
                loc = self.grid.at(r, col, self.h.names.get(col))
                dim = self.dims[-1] if self.dims else None
                if _SPECIAL_HEAD.match(text):
                    self.flush_pending(as_category=True)
                    self.open_dimension(text, loc)
                    self.last = None
                elif dim is not None and dim.kind == "veto" and not _NOTE.match(text) and parse_label(text)[3] == "none":
                    dim.veto_rows.append((text, loc))
                elif _NOTE.match(text) or (_NOTE_WORDS.search(text) and not _STATED.search(text.translate(_FULL))):
                    self.flush_pending(as_category=False)
                    self.notes.append((text, loc))
                else:
                    self.heading(text, loc)
                return
        self.item_row(r, row)

    def subtotal(self, r: int, row: Sequence[GridCell], label: str) -> None:
        points_text = self.text(row, "points")
        value = parse_points(points_text) if points_text else stated_points(label)[1]
        loc = self.at(r, "points") if points_text else self.grid.at(r)
        if value is None:
            if points_text:
                self.errors.append(Diagnostic("T111", "小计/合计行的分值不是数字", loc, expected="数字，如 16 或 16分", found=f"“{points_text}”"))
            return
        kind = label.replace(" ", "")
        if kind.startswith(("合计", "总计", "总分")) or not self.dims:
            self.total = (value, loc)
        else:
            target: SkDimension | SkIndicator = self.dims[-1]
            if self.dims[-1].kind == "normal" and self.ind_style is not None and self.dims[-1].indicators and not self.dims[-1].indicators[-1].implicit and "指标" in kind:
                target = self.dims[-1].indicators[-1]
            self.subtotals.append((target, value, loc))
        self.last = None

    def item_row(self, r: int, row: Sequence[GridCell]) -> None:
        cat = self.cell(row, "category")
        if cat is not None and not cat.blank and self.starts(cat, self.dims[-1] if self.dims else None):
            self.flush_pending(as_category=True)
            self.open_dimension(cat.text.strip(), self.at(cat.origin[0] if cat.origin else r, "category"))
            self.last = None
        ind_cell = self.cell(row, "indicator")
        if ind_cell is not None and not ind_cell.blank and self.dims and self.dims[-1].kind == "normal":
            dim = self.dims[-1]
            cur = dim.indicators[-1] if dim.indicators else None
            if cur is None or cur.implicit or self.starts(ind_cell, cur):
                if cur is not None and cur.implicit and not cur.items:
                    dim.indicators.pop()
                self.open_indicator(ind_cell.text.strip(), self.at(ind_cell.origin[0] if ind_cell.origin else r, "indicator"))
                self.last = None
        self.flush_pending(as_category=True)
        seq = self.text(row, "seq")
        name = self.text(row, "name")
        crit = self.text(row, "criterion")
        points_text = self.text(row, "points")
        rules = self.cell(row, "rules")
        rules_text = rules.text if rules is not None else ""
        method = self.text(row, "method")
        body = self.text(row, "scored_by")
        raw = (name, crit, points_text, rules_text, method, body)  # as written: the row's fingerprint
        dim = self.current_dimension(self.grid.at(r))
        if dim.kind == "veto":
            text = "；".join(t for t in (name, crit, rules_text.strip()) if t and t != dim.text)
            if text:
                dim.veto_rows.append((text, self.grid.at(r)))
            return
        # The same merged item over several rows, or a row that only carries more 评分细则.
        if self.last is not None and self.continues(row, seq, name, crit, points_text):
            if rules is not None and not rules.blank and (rules.origin is None or rules.origin[0] != self.last.row):
                self.last.rules = f"{self.last.rules}\n{rules_text}" if self.last.rules.strip() else rules_text
                self.last.texts = (*self.last.texts[:3], self.last.rules, *self.last.texts[4:])
            m = self.cell(row, "method")
            if method and (m is None or m.origin is None or m.origin[0] != self.last.row):
                self.last.method = f"{self.last.method}\n{method}" if self.last.method else method
            return
        if not (seq or name or crit or points_text or rules_text.strip()):
            return  # only score or remark cells: a filled-in copy of the table
        points: Decimal | None = None
        from_text = False
        if points_text:
            points = parse_points(points_text)
            if points is None or points <= 0:
                self.errors.append(Diagnostic("T111", "分值不是数字" if points is None else "分值必须大于 0", self.at(r, "points"),
                                              expected="大于 0 的数字，如 4、0.5 或 4分", found=f"“{points_text}”"))
                points = None
        for role, value in () if self.exported else (("name", name), ("criterion", crit)):
            stripped, inside = stated_points(value)
            if inside is not None and role in self.h.columns:
                if points is None and not points_text:
                    points, from_text = inside, True
                elif points is not None and inside != points:
                    self.errors.append(Diagnostic("T112", f"分值 {fmt(points)} 与{ROLE_ZH[role]}中写明的 “{fmt(inside)}分” 不一致", self.at(r, "points"),
                                                  expected=f"{fmt(inside)}（{ROLE_ZH[role]}中写明）", found=fmt(points)))
                if role == "name":
                    name = stripped
        if points is None and not points_text:
            self.errors.append(Diagnostic("T112", "评分项缺少分值", self.at(r, "points") if "points" in self.h.columns else self.grid.at(r),
                                          expected="本项分值（数字），或在评分项文字中写明 “（N分）”",
                                          found=f"评分项 “{short_name(name or crit or rules_text)}” 的分值为空"))
        ind = self.current_indicator(self.grid.at(r))
        item = SkItem(
            row=r, seq=clean_seq(seq) if seq else None, name=name, criterion=crit, points=points, rules=rules_text,
            method=method, scored_by=body or None, loc=self.grid.at(r), rules_loc=self.at(r, "rules"),
            method_loc=self.at(r, "method"), texts=raw, points_from_text=from_text,
        )
        ind.items.append(item)
        self.last = item

    def starts(self, cell: GridCell, current: "SkDimension | SkIndicator | None") -> bool:
        """A category (or indicator) cell that opens a new one: another merged cell, or other text
        (a CSV of a merged table repeats nothing, so equal text in a plain cell continues)."""
        if current is None:
            return True
        if cell.origin is not None:
            return current.loc.row != cell.origin[0] + 1
        return cell.text.strip() != current.text

    def continues(self, row: Sequence[GridCell], seq: str, name: str, crit: str, points_text: str) -> bool:
        """This row belongs to the item above: its 序号/评分项/评定标准/分值 cells are blank, or
        each is a merged cell that began at or above that item's row."""
        last = self.last
        assert last is not None
        roles: tuple[Role, ...] = ("seq", "name", "criterion", "points")
        ident = [self.cell(row, role) for role in roles]
        shown = [c for c in ident if c is not None and not c.blank]
        if not shown:
            return True
        return all(c.origin is not None and c.origin[0] <= last.row for c in shown)


# --------------------------------------------------------------------------- checks


def _assign_ids(sk: Skeleton) -> None:
    items = sk.items
    has_seq = any(it.seq for it in items)
    by_dim: dict[str, set[str]] = {}
    seen: dict[str, SkItem] = {}
    restart = False
    for it in items:
        if it.seq:
            for d in sk.dimensions:
                if it in d.items:
                    ids = by_dim.setdefault(d.id, set())
                    if it.seq in ids:
                        first = next(x for x in d.items if x.seq == it.seq)
                        sk.errors.append(Diagnostic("T115", f"序号 “{it.seq}” 重复", _seq_loc(sk, it), hint="每个评分项的序号在表中只能出现一次",
                                                    found=f"与第 {first.loc.row} 行相同"))
                    ids.add(it.seq)
            if it.seq in seen and not restart:
                restart = True
            seen.setdefault(it.seq, it)
    # Numbering that restarts in every category (1, 2, 3 … 1, 2 …): ids become "类别.序号".
    qualify = restart and not any(e.code == "T115" for e in sk.errors)
    n = 0
    used: set[str] = set()
    for d in sk.dimensions:
        for ind in d.indicators:
            for it in ind.items:
                n += 1
                _item_id(sk, d, ind, it, n, qualify, has_seq)
                while it.id in used:
                    it.id += "_"
                used.add(it.id)
    if qualify:
        sk.warnings.append(Diagnostic("T216", "各类别的序号各自从头编起，评分项编号已在序号前加上所属指标编号（如 “一.1.1”）",
                                      sk.grid.at(sk.header.row), severity="warning"))


def _item_id(sk: Skeleton, d: SkDimension, ind: SkIndicator, it: SkItem, n: int, qualify: bool, has_seq: bool) -> None:
    # A bonus section has no indicators of its own: its items are numbered under it ("B.1").
    parent = d.id if d.kind == "bonus" else ind.id
    if it.seq and ID_CHARS.match(it.seq) and len(it.seq) <= 40:
        it.id = f"{parent}.{it.seq}" if qualify else it.seq
    else:
        it.id = f"{parent}.{n}" if qualify else str(n)
        if it.seq or has_seq:
            shown = f"“{it.seq}”" if it.seq else "为空"
            sk.warnings.append(Diagnostic("T217", f"序号{shown}，不能用作评分项编号，已编为 “{it.id}”", _seq_loc(sk, it), severity="warning"))


def _seq_loc(sk: Skeleton, it: SkItem) -> Location:
    if "seq" in sk.header.columns:
        return sk.grid.at(it.row, sk.header.columns["seq"], sk.header.label("seq"))
    return it.loc


def _sum(items: Sequence[SkItem]) -> Decimal:
    return sum((it.points for it in items if it.points is not None), Decimal(0))


def _check_sums(sk: Skeleton, subtotals: list[tuple[SkDimension | SkIndicator, Decimal, Location]]) -> None:
    def complete(items: Sequence[SkItem]) -> bool:
        return all(it.points is not None for it in items)  # a missing 分值 is reported already

    for d in sk.dimensions:
        if d.kind == "veto" or not complete(d.items):
            continue
        total = _sum(d.items)
        if d.stated is not None and d.stated != total and d.items:
            sk.errors.append(Diagnostic("T113", f"“{d.name}” 各评分项分值之和与写明的类别分值不符", d.loc,
                                        expected=f"{fmt(d.stated)}（类别写明）", found=f"{fmt(total)}（各评分项分值之和）"))
        for ind in d.indicators:
            if ind.stated is not None and not ind.implicit and ind.items and ind.stated != _sum(ind.items):
                sk.errors.append(Diagnostic("T114", f"指标 “{ind.name}” 各评分项分值之和与写明的指标分值不符", ind.loc,
                                            expected=f"{fmt(ind.stated)}（指标写明）", found=f"{fmt(_sum(ind.items))}（各评分项分值之和）"))
    for target, value, loc in subtotals:
        if not complete(target.items):
            continue
        total = _sum(target.items)
        if value != total:
            what = "小计" if isinstance(target, SkDimension) else "指标小计"
            sk.errors.append(Diagnostic("T116", f"“{target.name}” 的{what}与各评分项分值之和不符", loc,
                                        expected=f"{fmt(total)}（各评分项分值之和）", found=fmt(value)))
    if sk.total is not None and complete(sk.items):
        value, loc = sk.total
        total = sum((_sum(d.items) for d in sk.dimensions if d.kind == "normal"), Decimal(0))
        with_bonus = total + sum((_sum(d.items) for d in sk.dimensions if d.kind == "bonus"), Decimal(0))
        if value not in (total, with_bonus):
            sk.errors.append(Diagnostic("T116", "合计分值与各评分项分值之和不符", loc,
                                        expected=f"{fmt(total)}（各评分项分值之和，不含加分项）", found=fmt(value)))


_BLOCK_KEYS = {
    "issuer": ("发布单位", "发布机关", "制定单位", "印发单位", "发布部门", "制定部门", "编制单位"),
    "version": ("版本", "版本号"),
    "effective": ("施行日期", "实施日期", "生效日期", "执行日期"),
    "note": ("说明", "出处说明", "来源说明"),
    "total": ("满分", "总分"),
}
_KV = re.compile(r"([\u4e00-\u9fff]{2,5})\s*[:：]\s*")


def _title_block(texts: list[tuple[str, Location]]) -> tuple[str | None, dict[str, tuple[str, Location]]]:
    title: str | None = None
    block: dict[str, tuple[str, Location]] = {}
    for text, loc in texts:
        stripped = text.strip()
        found_key = False
        marks = list(_KV.finditer(stripped))
        for k, m in enumerate(marks):
            key = next((name for name, words in _BLOCK_KEYS.items() if m.group(1) in words), None)
            if key is None:
                continue
            end = marks[k + 1].start() if k + 1 < len(marks) else len(stripped)
            value = stripped[m.end():end].strip(" \u3000;；,，")
            if value and key not in block:
                block[key] = (value, loc)
                found_key = True
        if not found_key and title is None and not marks:
            title = " ".join(stripped.split())
    return title, block


def read_skeleton(grid: Grid, *, exported: bool = False) -> Skeleton | Diagnostic:
    """The hierarchy of one table, or the T110 error when it has no header row. `exported`: the
    table is one sanzhi wrote (it has a machine sheet), so its own layout is trusted."""
    header = find_header(grid)
    if header is None:
        seen = seen_texts(grid)
        return Diagnostic(
            "T110", f"找不到表头行：前 {HEADER_SEARCH} 行中没有一行同时写有评分项内容与分值（或评分细则）的列名",
            grid.at(), expected="表头含 “分值/分数” 和 “评定标准/评分项/考评内容”，或 “评分细则/评分标准/扣分说明” 和 “项目/评定标准” 等列名",
            found="；".join(f"“{t}”" for t in seen) if seen else "表格为空",
            hint="请在表格第一行写上列名，如：项目 | 评定标准 | 分值 | 评分细则 | 考核方法")
    reader = _Reader(grid, header, exported)
    reader.read()
    above: list[tuple[str, Location]] = [(t, grid.at()) for t in grid.before]
    origins: set[tuple[int, int]] = set()
    for r in range(header.row):
        for col, c in enumerate(grid.rows[r]):
            if c.blank or (c.origin is not None and c.origin in origins):
                continue
            if c.origin is not None:
                origins.add(c.origin)
            above.append((c.text, grid.at(r, col)))
    title, block = _title_block(above)
    notes = reader.notes + [(t, grid.at()) for t in grid.after]
    sk = Skeleton(grid, header, title, block, [d for d in reader.dims if d.items or d.veto_rows or d.kind != "normal"],
                  notes, reader.errors, reader.warnings, reader.total, tuple(t for t, _ in above))
    for role, col in header.repeated:
        sk.warnings.append(Diagnostic("T218", f"表头中 “{ROLE_ZH[role]}” 列出现不止一次，只读取第一列", grid.at(header.row, col, header.names.get(col)),
                                      severity="warning"))
    if not sk.items and not any(d.veto_rows for d in sk.dimensions):
        sk.errors.append(Diagnostic("T118", "表头下没有评分项", grid.at(header.row), found="表头之后没有写有分值或评分细则的行"))
        return sk
    _assign_ids(sk)
    _check_sums(sk, reader.subtotals)
    return sk


__all__ = ["EXACT", "SkDimension", "SkIndicator", "SkItem", "Skeleton", "parse_label", "parse_points", "read_skeleton", "stated_points"]
