"""The village report as finished data (a view model): every string the templates print.

Why a separate view model: templates must not do arithmetic or make decisions (style guide
§3.7), so percentages, gaps to the next tier, which findings count as deductions and what
each review level changed are all worked out here, in Python, where tests can reach them.
Nothing here recomputes a score: every number comes from the engine's VillageResult.

`RubricInfo` is the slice of a rubric the reports need (titles, item texts, tiers). It is
built once per run and is small, plain and picklable, so worker processes get it once
instead of the whole CompiledRubric.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from markupsafe import Markup

from sanzhi.common.numbers import fmt
from sanzhi.reports import charts
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.results import CorrectionNote, Finding, ItemResult, LevelScore, VillageResult
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.models import Item

__all__ = [
    "AggregateSection",
    "CallSection",
    "ItemInfo",
    "RubricInfo",
    "Signatory",
    "VillageReport",
    "build_village_report",
    "cn_date",
    "percent",
    "rubric_info",
    "signatories",
]

_HUNDRED = Decimal(100)
_PCT = Decimal("0.1")
#: How many items the improvement suggestions cover at most (largest losses first).
MAX_SUGGESTIONS = 6
#: How many items 主要失分项 lists.
MAX_LOSSES = 5
NOT_PRESENT = "—"
NOT_APPLICABLE = "不适用"  # an item that does not apply at a level (`applies_when`)


# --------------------------------------------------------------------------- rubric slice


class ItemInfo(NamedTuple):
    criterion: str
    clause: str
    evidence: str  # 佐证要求: the documents asked for, else the methods; "" when the rubric names none
    advice: str | None


class TierInfo(NamedTuple):
    id: str
    name: str
    min_score: Decimal
    conditions: tuple[str, ...]  # dimension minimums and prerequisites, in words


class RubricInfo(NamedTuple):
    id: str
    version: str
    title: str
    issuer: str
    content_hash: str
    total_points: Decimal
    levels: tuple[tuple[str, str], ...]  # (id, name) of every review level, lowest first
    dimensions: tuple[tuple[str, str, Decimal], ...]  # (id, name, points)
    indicators: Mapping[str, str]  # indicator id → name
    items: Mapping[str, ItemInfo]
    tiers: tuple[TierInfo, ...]  # best first
    gate: Decimal | None  # 申报门槛 on the self-assessment total
    below_all: str
    bonus_name: str | None
    bonus_cap: Decimal | None

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


def _evidence_text(item: Item) -> str:
    """The documents the rubric asks for; the verification methods when it names none."""
    if item.evidence is None:
        return ""
    if item.evidence.documents:
        return "；".join(item.evidence.documents)
    return "、".join(item.evidence.methods)


def rubric_info(compiled: CompiledRubric) -> RubricInfo:
    """The parts of a compiled rubric that reports print."""
    r = compiled.rubric
    dim_names = {d.id: d.name for d in r.dimensions}
    tiers = []
    for tier in r.rating.tiers:
        conditions = [f"{dim_names.get(d, d)}不低于 {fmt(m)} 分" for d, m in tier.dimension_minimums.items()]
        if tier.requires is not None:
            conditions.append(f"前提：{tier.requires_text or tier.requires}")
        tiers.append(TierInfo(tier.id, tier.name, tier.min_score, tuple(conditions)))
    return RubricInfo(
        id=r.id,
        version=r.version,
        title=r.title,
        issuer=r.issuer,
        content_hash=compiled.content_hash,
        total_points=r.total_points,
        levels=tuple((lv.id, lv.name) for lv in r.review_levels),
        dimensions=tuple((d.id, d.name, d.points) for d in r.dimensions),
        indicators={ind.id: ind.name for d in r.dimensions for ind in d.indicators},
        items={
            ci.item.id: ItemInfo(ci.item.criterion, ci.item.clause, _evidence_text(ci.item), ci.item.advice)
            for ci in compiled.items
        },
        tiers=tuple(tiers),
        gate=r.rating.apply_gate.min_self_score if r.rating.apply_gate else None,
        below_all=r.rating.below_all,
        bonus_name=r.bonus.name if r.bonus else None,
        bonus_cap=r.bonus.cap if r.bonus else None,
    )


# --------------------------------------------------------------------------- formatting


def percent(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole as a percentage rounded half-up to 0.1 (0 when whole is 0)."""
    if not whole:
        return Decimal(0)
    return (part * _HUNDRED / whole).quantize(_PCT, ROUND_HALF_UP)


def cn_date(day: date) -> str:
    """2025-12-31 → 2025年12月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


# --------------------------------------------------------------------------- people


class Signatory(NamedTuple):
    """One signature line on the cover: a review level, who did it and when (blank to fill)."""

    level: str
    person: str
    day: str


def signatories(info: RubricInfo, assessment: Assessment | None) -> tuple[Signatory, ...]:
    """A line per review level of the rubric, pre-filled from the village data where known."""
    people: dict[str, tuple[str, str]] = {}
    if assessment is not None:
        first = info.levels[0][0]
        people[first] = (assessment.assessor or "", "")
        for review in assessment.reviews:
            people[review.level] = (review.reviewer, cn_date(review.reviewed_on) if review.reviewed_on else "")
    return tuple(Signatory(name, *people.get(lid, ("", ""))) for lid, name in info.levels)


# --------------------------------------------------------------------------- view model


class DimensionRow(NamedTuple):
    name: str
    score: str
    points: str
    percent: str
    note: str  # "已按适用项折算" when a dimension was rescaled


class TierRow(NamedTuple):
    name: str
    min_score: str
    conditions: str
    status: str  # 本村等级 / 未达到（差 x 分）/ 已超过 / 不予评定
    current: bool


class LossRow(NamedTuple):
    id: str
    name: str
    lost: str
    criterion: str
    reasons: tuple[str, ...]


class Reason(NamedTuple):
    text: str
    deduction: bool  # printed as a deduction (red-ish) rather than a neutral note


class ItemRow(NamedTuple):
    id: str
    name: str
    points: str
    level_scores: tuple[str, ...]  # one per review level the village went through
    earlier_scores: tuple[str, ...]  # the levels below the operative one (their own columns)
    score: str  # at the operative level (the last column, 核定); 不适用 for an item that is not
    reasons: tuple[Reason, ...]
    evidence_required: str
    evidence_supplied: str
    lost: bool
    applicable: bool
    scored_by: str = ""  # 评分部门, when the rubric names the body that scores the item


class ItemGroup(NamedTuple):
    title: str  # "1 自治（得分 20 / 25 分）"
    rows: tuple[ItemRow, ...]


class Suggestion(NamedTuple):
    id: str
    name: str
    lost: str
    advice: str
    criterion: str
    reasons: tuple[str, ...]


class VillageReport(NamedTuple):
    """Everything the village report templates print, already formatted."""

    village_code: str
    village_name: str
    township: str
    county: str
    year: int
    rubric_title: str
    rubric_ref: str
    rubric_issuer: str
    rubric_hash: str
    input_hash: str
    engine_version: str
    report_date: str
    total: str
    total_points: str
    self_total: str
    operative_level: str
    rating: str
    rated: bool
    rating_notes: tuple[str, ...]  # why not rated / why not a higher tier
    rating_note: str  # one line for the cover when not rated: the blocking vetoes or the gate
    tier_notes: tuple[str, ...]  # why not a higher tier (empty when not rated at all)
    vetoes: tuple[str, ...]
    signatories: tuple[Signatory, ...]
    review_notes: tuple[str, ...]
    dimensions: tuple[DimensionRow, ...]
    bonus: str | None  # "加分项 1 分（封顶 3 分）"
    chart: Markup
    scale: Markup
    standing: str  # one sentence: where the village stands against the tiers
    tiers: tuple[TierRow, ...]
    gate: str | None
    losses: tuple[LossRow, ...]
    # The review levels this village went through (自评, 乡镇评分, …): one score column each.
    # Levels still to come get no empty column; the cover lists every level for signatures.
    level_names: tuple[str, ...]
    level_headers: tuple[str, ...]  # the same, the operative (last) one marked 核定
    item_columns: tuple[str, ...]  # width of each item-table column, in % of the table
    groups: tuple[ItemGroup, ...]
    suggestions: tuple[Suggestion, ...]
    # A township's or county's report (sanzhi.reports.unit) says so; a village's keeps these defaults.
    title: str = "三治融合村（社区）评定报告"
    subject: str = "本村"  # 本村情况, 本村各评分项均未失分 …
    place: str = ""  # the cover's place line; '' → "<县> · <乡镇>"
    seals: tuple[str, str] = ("村（社区）盖章", "乡镇（街道）/ 县（市、区）审核盖章")
    aggregates: tuple["AggregateSection", ...] = ()  # 四、汇总指标: the villages behind each aggregate


class CallSection(NamedTuple):
    """One aggregate call in a unit report: what it counted, and the villages behind the figure."""

    title: str  # "share(legal_adviser_assigned)：345 个村中 342 个满足，以下 3 个未满足"
    header: tuple[str, str, str]
    rows: tuple[tuple[str, str, str], ...]  # (code, name, value)


class AggregateSection(NamedTuple):
    text: str  # "法律顾问覆盖率 342/345 = 99.1 %"
    calls: tuple[CallSection, ...]


def _tier_rows(info: RubricInfo, result: VillageResult) -> tuple[tuple[TierRow, ...], str]:
    rating = result.rating
    total = result.total
    blocked = rating.blocked_by_veto or rating.gate_passed is False
    rows = []
    reached = False
    for tier in info.tiers:
        current = rating.tier == tier.id
        if blocked:
            status = "不予评定"
        elif current:
            status, reached = "本村等级", True
        elif reached:
            status = "已超过"
        elif total < tier.min_score:
            status = f"未达到（总分差 {fmt(tier.min_score - total)} 分）"
        else:
            status = "总分已达到，其他条件未满足"
        rows.append(TierRow(tier.name, fmt(tier.min_score), "；".join(tier.conditions), status, current))
    if rating.blocked_by_veto:
        standing = "因一票否决，不予评定等级。"
    elif blocked:
        standing = "自评分未达到申报门槛，不予评定等级。"
    elif rating.tier is None:
        lowest = info.tiers[-1]
        standing = f"未达到任何等级；最低等级“{lowest.name}”要求总分不低于 {fmt(lowest.min_score)} 分。"
    else:
        position = [t.id for t in info.tiers].index(rating.tier)
        if position == 0:
            standing = "已是最高等级。"
        else:
            nxt = info.tiers[position - 1]
            gap = nxt.min_score - total
            standing = (f"距上一等级“{nxt.name}”的分数线还差 {fmt(gap)} 分。" if gap > 0
                        else f"总分已达到上一等级“{nxt.name}”的分数线，但其他条件未满足（见下表）。")
    return tuple(rows), standing


def _rating_note(result: VillageResult) -> str:
    """Why a village is not rated, short enough for the cover (details on the summary page)."""
    rating = result.rating
    if rating.blocked_by_veto:
        return "一票否决：" + "；".join(v.name for v in result.vetoes)
    if rating.gate_passed is False:
        return "；".join(rating.reasons)
    return ""


def _reasons(item: ItemResult, level_names: Mapping[str, str], fixes: Sequence[CorrectionNote] = ()) -> tuple[Reason, ...]:
    """The operative level's findings, then per review level what it corrected (and why) and how
    the score moved: a correction is shown even when the score rounds to the same figure."""
    out: list[Reason] = []
    findings: Sequence[Finding] = item.operative.findings
    for f in findings:
        out.append(Reason(f.text, f.amount < 0 or f.kind == "missing"))
    previous = item.levels[0]
    for ls in item.levels[1:]:
        out.extend(Reason(c.text, False) for c in fixes if c.level == ls.level)
        name = level_names.get(ls.level, ls.level)
        if ls.applicable != previous.applicable:  # a corrected attribute made the item (not) apply
            out.append(Reason(f"{name}：更正后本项适用，得 {fmt(ls.score)} 分" if ls.applicable else f"{name}：更正后本项不适用", False))
        elif ls.changed:
            before, after = fmt(previous.score), fmt(ls.score)
            out.append(Reason(f"{name}：由 {before} 分调整为 {after} 分" if before != after else f"{name}：得分不变（{after} 分）",
                              False))
        previous = ls
    return tuple(out)


def level_cell(ls: LevelScore) -> str:
    """An item's score at one review level as reports print it: the score, or 不适用."""
    return fmt(ls.score) if ls.applicable else NOT_APPLICABLE


def _item_row(info: RubricInfo, item: ItemResult, level_names: Mapping[str, str],
              levels: Sequence[str], fixes: Mapping[str, Sequence[CorrectionNote]]) -> ItemRow:
    meta = _meta(info, item.id)
    # Each level shows its own state: an item that does not apply at a level says so there too.
    by_level = {ls.level: level_cell(ls) for ls in item.levels}
    return ItemRow(
        id=item.id,
        name=item.name,
        points=fmt(item.points),
        level_scores=tuple(by_level.get(lid, NOT_PRESENT) for lid in levels),
        earlier_scores=tuple(by_level.get(lid, NOT_PRESENT) for lid in levels[:-1]),
        score=fmt(item.score) if item.applicable else NOT_APPLICABLE,
        reasons=_reasons(item, level_names, fixes.get(item.id, ())),
        evidence_required=meta.evidence or "—",
        evidence_supplied="；".join(item.evidence) if item.evidence else "未提供",
        lost=item.lost > 0,
        applicable=item.applicable,
        scored_by=item.scored_by or "",
    )


def _item_columns(levels: int) -> tuple[str, ...]:
    """Column widths (%) of the item table: 评分项 (with points and evidence), one per level, 说明.

    Fixed widths (with ``table-layout: fixed``) keep long Chinese text from pushing columns
    around and make layout faster; the explanation column takes what the levels leave.
    Every cell costs WeasyPrint about as much as a paragraph, so the table has no column it
    does not need: the id, the points ("（4 分）", as printed assessment tables write them)
    and the evidence share the item's cell, and the operative score is the last level's
    column (labelled 核定) rather than a copy of it.
    """
    item, level = Decimal(38), Decimal(7)
    reasons = _HUNDRED - item - level * levels
    return tuple(fmt(w) for w in (item, *([level] * levels), reasons))


def _groups(info: RubricInfo, result: VillageResult) -> tuple[ItemGroup, ...]:
    level_names = dict(info.levels)
    fixes: dict[str, list[CorrectionNote]] = {}
    for c in result.corrections:
        for iid in c.items:
            fixes.setdefault(iid, []).append(c)
    by_dim: dict[str | None, list[ItemResult]] = {}
    for it in result.items:
        by_dim.setdefault(it.dimension, []).append(it)
    groups = []
    for d in result.dimensions:
        rows = tuple(_item_row(info, it, level_names, result.levels, fixes) for it in by_dim.get(d.id, ()))
        groups.append(ItemGroup(f"{d.id} {d.name}（得分 {fmt(d.score)} / {fmt(d.points)} 分）", rows))
    if result.bonus_items:
        bonus = result.totals[-1].bonus
        title = f"{info.bonus_name or '加分项'}（得分 {fmt(bonus)} 分，封顶 {fmt(info.bonus_cap or bonus)} 分）"
        groups.append(ItemGroup(title, tuple(_item_row(info, it, level_names, result.levels, fixes)
                                             for it in result.bonus_items)))
    return tuple(groups)


def _meta(info: RubricInfo, item_id: str) -> ItemInfo:
    return info.items.get(item_id, ItemInfo("", "", "", None))


def _largest_losses(items: Sequence[ItemResult], limit: int) -> list[ItemResult]:
    """Items that lost points, largest loss first (rubric order among equal losses).

    Only the main items: a bonus (加分项) not earned is not a shortcoming, so it is neither a
    主要失分项 nor something to improve.
    """
    lost = [it for it in items if it.lost > 0]
    lost.sort(key=lambda it: -it.lost)  # stable
    return lost[:limit]


def _suggestions(info: RubricInfo, result: VillageResult) -> tuple[Suggestion, ...]:
    out = []
    for it in _largest_losses(result.items, MAX_SUGGESTIONS):
        meta = _meta(info, it.id)
        advice = meta.advice or f"对照评定标准整改：{meta.criterion}"
        reasons = tuple(f.text for f in it.operative.findings if f.amount < 0 or f.kind == "missing")
        out.append(Suggestion(it.id, it.name, fmt(it.lost), advice, meta.criterion, reasons))
    return tuple(out)


def build_village_report(
    info: RubricInfo,
    result: VillageResult,
    *,
    input_sha256: str | None,
    report_date: date,
    people: Sequence[Signatory] | None = None,
) -> VillageReport:
    """The view model of one village's report. `report_date` is printed, never read from a clock."""
    rating = result.rating
    dims = tuple(
        DimensionRow(d.name, fmt(d.score), fmt(d.points), fmt(percent(d.score, d.points)),
                     "按适用项折算" if d.rescaled else "")
        for d in result.dimensions
    )
    chart_data = [(d.name, d.score, d.points) for d in result.dimensions]
    chart = charts.radar_chart(chart_data) if len(chart_data) >= 3 else charts.bar_chart(
        [(d.name, d.score, d.points) for d in result.dimensions])
    thresholds = [(t.name, t.min_score) for t in info.tiers]
    tiers, standing = _tier_rows(info, result)
    bonus = None
    if result.bonus_items:
        bonus = f"{info.bonus_name or '加分项'} {fmt(result.totals[-1].bonus)} 分（封顶 {fmt(info.bonus_cap or 0)} 分）"
    losses = tuple(
        LossRow(it.id, it.name, fmt(it.lost), _meta(info, it.id).criterion,
                tuple(f.text for f in it.operative.findings if f.kind != "not_applicable"))
        for it in _largest_losses(result.items, MAX_LOSSES)
    )
    return VillageReport(
        village_code=result.village_code,
        village_name=result.village_name,
        township=result.township,
        county=result.county,
        year=result.year,
        rubric_title=info.title,
        rubric_ref=f"{result.rubric_id}@{result.rubric_version}",
        rubric_issuer=info.issuer,
        rubric_hash=result.rubric_hash,
        input_hash=input_sha256 or "（未记录）",
        engine_version=result.engine_version,
        report_date=cn_date(report_date),
        total=fmt(result.total),
        total_points=fmt(info.total_points),
        self_total=fmt(result.totals[0].total),
        operative_level=result.level_names[-1],
        rating=rating.name,
        rated=rating.tier is not None,
        rating_notes=rating.reasons,
        rating_note=_rating_note(result),
        tier_notes=() if rating.blocked_by_veto or rating.gate_passed is False else rating.reasons,
        vetoes=tuple(v.text for v in result.vetoes),
        signatories=tuple(people) if people is not None else signatories(info, None),
        review_notes=result.review_notes,
        dimensions=dims,
        bonus=bonus,
        chart=chart,
        scale=charts.score_scale(result.total, info.total_points, thresholds),
        standing=standing,
        tiers=tiers,
        gate=f"自评分不低于 {fmt(info.gate)} 分方可申报（本村自评 {fmt(result.totals[0].total)} 分）" if info.gate is not None else None,
        losses=losses,
        level_names=result.level_names,
        level_headers=(*result.level_names[:-1], f"{result.level_names[-1]}（核定）"),
        item_columns=_item_columns(len(result.levels)),
        groups=_groups(info, result),
        suggestions=_suggestions(info, result),
    )
