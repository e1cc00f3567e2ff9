"""A rubric as the 评分标准 table an office publishes: the one layout every writer prints.

Title block (title, issuing body, version, effective date, provenance note); one row per item
under its dimension and indicator — 序号, 评分项, 评定标准, 分值, 评分细则 (every rule in words,
`phrasing`), 考核方法 (methods and documents) and, where items are scored by different
bodies, 评分单位; a 小计 row per dimension, a 合计 row, the bonus section; then the rating
rules in words (tiers and their conditions, apply gate, vetoes with their look-back windows and
the tiers they bar, 免检, bonus cap, rank tiers with their cohort and gates, 红黑榜). The XLSX, DOCX and PDF writers only place these texts; `sanzhi rubric import`
reads the same columns back, and the machine sheet keeps each row's fingerprint so an edited
row is told apart from an untouched one.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sanzhi.common.numbers import fmt
from sanzhi.standard.fields import DerivedField, FieldSpec
from sanzhi.standard.models import Indicator, Item, RankLimit, RankTier, RedBlack, Rubric, Veto
from sanzhi.standard.tables.methods import methods_text
from sanzhi.standard.tables.phrasing import Display, Shown, expr_words, rules_text

Specs = Mapping[str, FieldSpec | DerivedField]

_CN_NUMERALS = set("一二三四五六七八九十百")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def fingerprint(texts: Sequence[str]) -> str:
    """A row's visible cells, hashed: equal when nobody changed what the row says."""
    joined = "\x1f".join(t.strip() for t in texts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class LayoutItem:
    id: str
    name: str
    criterion: str
    points: Decimal
    rules: str  # 评分细则
    methods: str  # 考核方法
    scored_by: str  # 评分单位, "" when the column is not shown

    @property
    def texts(self) -> tuple[str, str, str, str, str, str]:
        """The cells in the order the importer fingerprints them."""
        return (self.name, self.criterion, fmt(self.points), self.rules, self.methods, self.scored_by)


@dataclass(frozen=True, slots=True)
class LayoutIndicator:
    id: str
    label: str  # "1.1 党组织建设（10分）"
    points: Decimal
    items: tuple[LayoutItem, ...]


@dataclass(frozen=True, slots=True)
class LayoutDimension:
    id: str
    label: str  # "一、党建引领坚强有力（16分）"
    points: Decimal
    indicators: tuple[LayoutIndicator, ...]
    bonus: bool = False

    @property
    def items(self) -> tuple[LayoutItem, ...]:
        return tuple(it for ind in self.indicators for it in ind.items)


@dataclass(frozen=True, slots=True)
class RuleLine:
    heading: str  # "等级评定"
    text: str

    @property
    def line(self) -> str:
        return f"{self.heading}：{self.text}"


@dataclass(frozen=True, slots=True)
class TableLayout:
    title: str
    info: tuple[tuple[str, str], ...]  # (label, value): 发布单位, 版本, 施行日期, 满分, 评分单位
    note: str  # the provenance note
    columns: tuple[str, ...]
    show_indicator: bool
    show_scored_by: bool
    dimensions: tuple[LayoutDimension, ...]  # the bonus section last, when there is one
    total: Decimal
    rules: tuple[RuleLine, ...]
    ref: str  # id@version, for file metadata

    @property
    def main(self) -> tuple[LayoutDimension, ...]:
        return tuple(d for d in self.dimensions if not d.bonus)

    @property
    def bonus(self) -> LayoutDimension | None:
        """The bonus section, printed after the 合计 row (its points are on top of the total)."""
        return next((d for d in self.dimensions if d.bonus), None)

    @property
    def info_line(self) -> str:
        return "\u3000\u3000".join(f"{k}：{v}" for k, v in self.info)

    def rows(self) -> int:
        """Body rows: items, a 小计 per dimension, the 合计."""
        return sum(len(d.items) + (0 if d.bonus else 1) for d in self.dimensions) + 1


def display_of(rubric: Rubric) -> Display:
    out: dict[str, Shown] = {}
    for f in (*rubric.attributes, *rubric.fields):
        low = f.min if f.min is not None else (Decimal(0) if f.type == "integer" else None)
        out[f.id] = Shown(f.label, f.unit, low, f.max)
    for d in rubric.derived:
        out[d.id] = Shown(d.label, d.unit, d.min, d.max)
    return out


def date_zh(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _label(ident: str, name: str, points: Decimal) -> str:
    sep = "、" if ident and all(c in _CN_NUMERALS for c in ident) or (ident.isdigit()) else " "
    return f"{ident}{sep}{name}（{fmt(points)}分）"


def _body(item: Item, indicator: Indicator | None) -> str | None:
    return item.scored_by or (getattr(indicator, "scored_by", None) if indicator is not None else None)


def _item(item: Item, indicator: Indicator | None, display: Display, show_scored_by: bool, specs: Specs) -> LayoutItem:
    text = rules_text(item.rules, item.points, specs)
    if item.applies_when:
        na = {"rescale": "不适用时不计入本类分值，本类按其余项折算", "zero": "不适用时本项计0分"}.get(item.not_applicable or "", "")
        text += f"（适用条件：{expr_words(item.applies_when, display)}{'；' + na if na else ''}）"
    methods = methods_text(item.evidence.methods, item.evidence.documents) if item.evidence else ""
    return LayoutItem(item.id, item.name, item.criterion, item.points, text, methods,
                      (_body(item, indicator) or "") if show_scored_by else "")


def _tier_text(rubric: Rubric, display: Display) -> str:
    """"总分90分以上的为示范村，80分以上的为达标村，其余为未达标。", then each tier's further
    conditions: the wording tables use, and the one `sanzhi rubric import` reads back."""
    names = {d.id: d.name for d in rubric.dimensions}
    tiers = rubric.rating.tiers
    steps = [f"{fmt(t.min_score)}分以上的为{t.name}" for t in tiers]
    text = "总分" + "，".join(steps) + f"，其余为{rubric.rating.below_all}。"
    for tier in tiers:
        cond = []
        if tier.dimension_minimums:
            mins = "、".join(f"{names.get(k, k)}{fmt(v)}分" for k, v in tier.dimension_minimums.items())
            cond.append(f"各类得分分别不低于{mins}")
        if tier.requires:
            cond.append(tier.requires_text or expr_words(tier.requires, display))
        if cond:
            text += f"评为{tier.name}的，还须{'，且'.join(cond)}。"
    return text


def _lookback(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        words = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五"}.get(years, str(years))
        return f"近{words}年内（{months}个月）"
    return f"近{months}个月内"


def _rule_lines(rubric: Rubric, display: Display) -> tuple[RuleLine, ...]:
    lines = [RuleLine("等级评定", _tier_text(rubric, display))]
    gate = rubric.rating.apply_gate
    if gate is not None:
        said = gate.text if gate.text and fmt(gate.min_self_score) in gate.text else None
        lines.append(RuleLine("申报条件", said or f"自评分须达到{fmt(gate.min_self_score)}分以上才能申报。{gate.text or ''}"))
    every = [v for v in rubric.vetoes if not v.bars]
    if every:
        listed = [_veto_words(n, v) for n, v in enumerate(every)]
        lines.append(RuleLine("一票否决", "有下列情形之一的，实行一票否决：" + "；".join(listed) + "。"))
    # A veto of some tiers only, one line per set of tiers barred ("…的，不能评为引领型").
    tier_names = {t.id: t.name for t in rubric.rating.tiers} | {t.id: t.name for t in rubric.rating.rank_tiers if t.id}
    scoped: dict[tuple[str, ...], list[Veto]] = {}
    for v in rubric.vetoes:
        if v.bars:
            scoped.setdefault(v.bars, []).append(v)
    for bars, vetoes in scoped.items():
        listed = [_veto_words(n, v) for n, v in enumerate(vetoes)]
        barred = "、".join(f"“{tier_names.get(b, b)}”" for b in bars)
        lines.append(RuleLine("否决项", f"有下列情形之一的，不能评为{barred}（可评其余等级）：" + "；".join(listed) + "。"))
    if rubric.exemptions:
        where = _item_labels(rubric)
        listed = [f"{e.name}（{expr_words(e.when, display)}）的，{'、'.join(where.get(i, i) for i in e.items)}免检，按满分计"
                  for e in rubric.exemptions]
        lines.append(RuleLine("免检", "；".join(listed) + "。"))
    if rubric.bonus is not None:
        lines.append(RuleLine("加分项", f"{rubric.bonus.name}合计最高加{fmt(rubric.bonus.cap)}分，计入总分。"))
    lines.extend(_rank_lines(rubric))
    if rubric.rating.red_black is not None:
        lines.append(RuleLine("红黑榜", _red_black_words(rubric)))
    lines.append(RuleLine("计分", f"各评分项扣分扣完为止，不计负分；得分保留到{fmt(rubric.precision)}分（四舍五入）；"
                                   f"各类和总分为各项得分之和，满分{fmt(rubric.total_points)}分。"))
    return tuple(lines)


def _veto_words(n: int, v: Veto) -> str:
    mark = _CIRCLED[n] if n < len(_CIRCLED) else f"({n + 1})"
    window = _lookback(v.lookback_months) if v.lookback_months else ""
    return f"{mark}{window}{v.name}"


def _item_labels(rubric: Rubric) -> dict[str, str]:
    """How a table names what an exemption covers: 第一类 → "一、党建引领（16分）" reads as
    "“党建引领”类", an indicator or item by its 序号 ("第3.1项")."""
    out: dict[str, str] = {}
    for dim in rubric.dimensions:
        out[dim.id] = f"“{dim.name}”类全部评分项"
        for ind in dim.indicators:
            out[ind.id] = f"“{ind.name}”全部评分项"
            for it in ind.items:
                out[it.id] = f"第{it.id}项（{it.name}）"
    return out


_COHORT = {"township": "乡镇（街道）", "county": "县（市、区）", None: "乡镇（街道）或县（市、区）"}


def _rank_lines(rubric: Rubric) -> list[RuleLine]:
    """Rank tiers in the words of a 认定通知: "在县（市、区）内按总分排名，前25%的为“引领型”，
    前70%的为“规范型”…；评为引领型的总分还须达到90分"."""
    rating = rubric.rating
    if not rating.rank_tiers:
        return []
    def limit(t: RankTier) -> str:
        return f"{fmt(t.share * 100)}%" if t.share is not None else f"{t.top}名"
    if rating.rank_cumulative:
        steps = "，".join(f"前{limit(t)}的为“{t.name}”" for t in rating.rank_tiers)
        how = "（名额累计，从第一名算起）"
    else:
        steps = "，".join(f"{'前' if n == 0 else '其后'}{limit(t)}的为“{t.name}”" for n, t in enumerate(rating.rank_tiers))
        how = "（各档单独计名额）"
    text = f"在{_COHORT[rating.rank_within]}内按总分排名，{steps}{how}"
    gates = [f"评为“{t.name}”的总分还须达到{fmt(t.min_score)}分" for t in rating.rank_tiers if t.min_score is not None]
    if gates:
        text += "；" + "，".join(gates) + "，未达到的按其达到的下一档认定"
    return [RuleLine("排名", text + "（同分并列，被一票否决的不参与排名）。")]


def _red_black_words(rubric: Rubric) -> str:
    r = rubric.rating.red_black or RedBlack()
    def limit(lim: RankLimit, first: str) -> str:
        return f"{first}{fmt(lim.share * 100)}%" if lim.share is not None else f"{first}{lim.top}名"
    where = _COHORT[r.within]
    return f"在{where}内按总分排名，{limit(r.red, '前')}的列入红榜，{limit(r.black, '后')}的和被一票否决的列入黑榜。"


def table_layout(rubric: Rubric) -> TableLayout:
    display = display_of(rubric)
    specs: Specs = {f.id: f for f in (*rubric.attributes, *rubric.fields)} | {d.id: d for d in rubric.derived}
    placed = [(dim, ind, item) for dim in rubric.dimensions for ind in dim.indicators for item in ind.items]
    bodies = {_body(item, ind) for _, ind, item in placed}
    if rubric.bonus is not None:
        bodies |= {item.scored_by for item in rubric.bonus.items}
    show_scored_by = len(bodies) > 1
    show_indicator = not all(len(d.indicators) == 1 and d.indicators[0].name == d.name for d in rubric.dimensions)
    dims = []
    for dim in rubric.dimensions:
        inds = tuple(
            LayoutIndicator(ind.id, _label(ind.id, ind.name, ind.points), ind.points,
                            tuple(_item(it, ind, display, show_scored_by, specs) for it in ind.items))
            for ind in dim.indicators
        )
        dims.append(LayoutDimension(dim.id, _label(dim.id, dim.name, dim.points), dim.points, inds))
    if rubric.bonus is not None:
        b = rubric.bonus
        name = b.name if "加分" in b.name else f"{b.name}（加分项）"
        items = tuple(_item(it, None, display, show_scored_by, specs) for it in b.items)
        label = f"{name}（最高加{fmt(b.cap)}分）"
        dims.append(LayoutDimension("B", label, b.cap, (LayoutIndicator("", label, b.cap, items),), bonus=True))
    info = [("发布单位", rubric.issuer), ("版本", rubric.version), ("施行日期", date_zh(rubric.effective_date)),
            ("满分", f"{fmt(rubric.total_points)}分")]
    if not show_scored_by and bodies - {None}:
        info.append(("评分单位", str(next(iter(bodies - {None})))))
    columns = ["项目", *(["指标"] if show_indicator else []), "序号", "评分项", "评定标准", "分值", "评分细则", "考核方法",
               *(["评分单位"] if show_scored_by else [])]
    title = rubric.title + ("（征求意见稿）" if rubric.status == "draft" and "征求意见" not in rubric.title else "")
    return TableLayout(title, tuple(info), rubric.provenance_note, tuple(columns), show_indicator, show_scored_by,
                       tuple(dims), rubric.total_points, _rule_lines(rubric, display), f"{rubric.id}@{rubric.version}")


__all__ = ["LayoutDimension", "LayoutIndicator", "LayoutItem", "RuleLine", "TableLayout", "date_zh", "fingerprint", "table_layout"]
