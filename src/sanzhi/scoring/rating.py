"""Vetoes (一票否决) and the rating tier, from the operative level's scores."""

import calendar
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sanzhi.common.numbers import fmt
from sanzhi.common.show import show
from sanzhi.scoring.results import DimensionResult, RatingResult, VetoHit
from sanzhi.standard.compile import CompiledRubric, CompiledVeto

VETO_BLOCKED = "不予评定"


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the month's end (31 Mar − 1 month = 28/29 Feb)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _veto_hit(cv: CompiledVeto, values: Mapping[str, object], display: Mapping[str, tuple[str, str | None]], assessed_on: date) -> VetoHit | None:
    veto = cv.veto
    inputs = tuple((n, values[n]) for n in sorted(cv.needs) if n in values)
    absent = [n for n in sorted(cv.needs) if n not in values and n != veto.date_field]
    # A veto of some tiers only (`bars`) reads as what it bars, not as 一票否决.
    head, outcome = ("一票否决：", "不予评定") if not veto.bars else ("", f"不能评为{cv.barred}")
    tail = "" if not veto.bars else f"，不能评为{cv.barred}"
    if absent:
        # A veto that cannot be decided holds: the burden of proof is the village's.
        labels = "、".join(display.get(n, (n, None))[0] for n in absent)
        return VetoHit(veto.id, veto.name, f"{veto.name}：缺少数据（{labels}），无法排除，{outcome}", inputs, veto.bars)
    if cv.when is not None and not cv.when.evaluate(values):
        return None
    if veto.date_field is None or veto.lookback_months is None:
        return VetoHit(veto.id, veto.name, f"{head}{veto.name}{tail}", inputs, veto.bars)
    when = values.get(veto.date_field)
    start = months_before(assessed_on, veto.lookback_months)
    if when is None:
        if cv.when is None:
            return None  # no date, no event
        return VetoHit(veto.id, veto.name, f"{head}{veto.name}（未填写发生日期，按近 {veto.lookback_months} 个月内发生处理）{tail}",
                       inputs, veto.bars)
    if when < start:  # type: ignore[operator]
        return None
    return VetoHit(veto.id, veto.name, f"{head}{veto.name}（{show(when)} 发生，在近 {veto.lookback_months} 个月内）{tail}",
                   inputs, veto.bars)


def check_vetoes(compiled: CompiledRubric, values: Mapping[str, object], assessed_on: date) -> tuple[VetoHit, ...]:
    hits = (_veto_hit(cv, values, compiled.display, assessed_on) for cv in compiled.vetoes)
    return tuple(h for h in hits if h is not None)


def rate(
    compiled: CompiledRubric,
    self_total: Decimal,
    total: Decimal,
    dimensions: tuple[DimensionResult, ...],
    vetoes: tuple[VetoHit, ...],
    values: Mapping[str, object],
) -> RatingResult:
    """The best tier whose score, dimension minimums and prerequisites all hold and that no veto bars.

    Order of precedence: a veto of every rating blocks everything; then the apply gate on the
    self-score; then tiers best first, skipping those a veto with `bars` bars. `reasons` say
    why each higher tier was not reached.
    """
    rating = compiled.rubric.rating
    gate = rating.apply_gate
    gate_passed = None if gate is None else self_total >= gate.min_self_score
    if any(not v.bars for v in vetoes):
        return RatingResult(None, VETO_BLOCKED, tuple(v.text for v in vetoes), True, gate_passed)
    barred: dict[str, list[VetoHit]] = {}
    for v in vetoes:
        for tier_id in v.bars:
            barred.setdefault(tier_id, []).append(v)
    if gate is not None and not gate_passed:
        why = f"自评分 {fmt(self_total)} 分，未达到申报门槛 {fmt(gate.min_self_score)} 分"
        return RatingResult(None, VETO_BLOCKED, (why,), False, False)
    by_id = {d.id: d for d in dimensions}
    reasons: list[str] = []
    for ct in compiled.tiers:
        tier = ct.tier
        fails = []
        if total < tier.min_score:
            fails.append(f"总分 {fmt(total)} 分，低于{tier.name}所需 {fmt(tier.min_score)} 分")
        for dim_id, minimum in tier.dimension_minimums.items():
            d = by_id[dim_id]
            if d.score < minimum:
                fails.append(f"{d.name}得分 {fmt(d.score)} 分，低于{tier.name}要求的 {fmt(minimum)} 分")
        if ct.requires is not None:
            need = tier.requires_text or tier.requires
            if any(n not in values for n in ct.requires.names) or not ct.requires.evaluate(values):
                fails.append(f"不满足{tier.name}前提条件：{need}")
        fails.extend(f"{v.name}，不能评为{tier.name}" for v in barred.get(tier.id, ()))
        if not fails:
            return RatingResult(tier.id, tier.name, tuple(reasons), False, gate_passed)
        reasons.extend(fails)
    return RatingResult(None, rating.below_all, tuple(reasons), False, gate_passed)
