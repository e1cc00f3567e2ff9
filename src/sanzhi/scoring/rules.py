"""One pure function per rule kind: (compiled rule, item points, values) → Finding or None.

A Finding's amount is signed: negative for a deduction, the points awarded for an award
rule. None means the rule did not fire (a deduction whose condition does not hold).
Precedence and clamping are the engine's job, not the rules'.

Findings keep the raw input values (formatted only when output is written), and fixed
sentences are built once per rule: this module runs for every item of every village.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal

from sanzhi.common.numbers import EXACT, round_to
from sanzhi.scoring.assessment import Scored
from sanzhi.scoring.results import Finding
from sanzhi.scoring.text import fmt, show
from sanzhi.standard.compile import CompiledRule
from sanzhi.standard.expr import Expression

Display = Mapping[str, tuple[str, str | None]]
Values = Mapping[str, object]
_ZERO = Decimal(0)
_OPS: dict[str, Callable[[object, object], bool]] = {
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    "<": lambda a, b: a < b,  # type: ignore[operator]
}
_FAIL_TEXT = {">=": "未达到", ">": "未超过", "<=": "超过", "<": "未低于"}  # what not meeting `op` reads as
_FIXED: dict[int, tuple[object, str]] = {}


def _fixed_text(cr: CompiledRule, make: Callable[[], str]) -> str:
    # Keyed by id with the rule kept alive beside it, so an id can never be reused.
    hit = _FIXED.get(id(cr.rule))
    if hit is not None and hit[0] is cr.rule:
        return hit[1]
    text = make()
    _FIXED[id(cr.rule)] = (cr.rule, text)
    return text


def _inputs(cr: CompiledRule, values: Values) -> tuple[tuple[str, object], ...]:
    return tuple((n, values[n]) for n in cr.inputs if n in values)


def _value_text(expr: Expression, value: object, display: Display) -> str:
    # A bare field reads as "集体经济经营性收入 15 万元"; a formula as its value alone.
    name = expr.text.strip()
    if name in display:
        lab, unit = display[name]
        return f"{lab} {show(value, unit)}"
    return show(value)


def _count(value: object) -> int:
    # Counts come from integer fields or formulas; a fraction of a finding is not a finding.
    return max(0, int(value))  # type: ignore[call-overload]


def _deduct(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    if not cr.exprs["when"].evaluate(values):
        return None
    rule = cr.rule
    text = _fixed_text(cr, lambda: f"{rule.reason}，扣 {fmt(rule.points)} 分")  # type: ignore[union-attr]
    return Finding("deduct", cr.index, -rule.points, text, None, None, False, _inputs(cr, values))  # type: ignore[union-attr]


def _zero(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    if not cr.exprs["when"].evaluate(values):
        return None
    text = _fixed_text(cr, lambda: f"{cr.rule.reason}，该项不得分")  # type: ignore[union-attr]
    return Finding("zero", cr.index, -points, text, None, None, False, _inputs(cr, values))


def _per_occurrence(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    rule = cr.rule
    n = _count(cr.exprs["count"].evaluate(values))
    if n == 0:
        return None
    cap = rule.cap if rule.cap is not None else points  # type: ignore[union-attr]
    raw = rule.each * n  # type: ignore[union-attr]
    capped = raw > cap
    amount = cap if capped else raw
    text = f"{rule.reason} {n} 项，每项扣 {fmt(rule.each)} 分，共扣 {fmt(amount)} 分"  # type: ignore[union-attr]
    if capped:
        text += f"（扣分封顶 {fmt(cap)} 分）"
    return Finding("per_occurrence", cr.index, -amount, text, n, cap, capped, _inputs(cr, values))


def _threshold(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    rule = cr.rule
    e = cr.exprs
    value = e["value"].evaluate(values)
    target = e["target"].evaluate(values)
    if _OPS[rule.op](value, target):  # type: ignore[union-attr]
        return None
    unit = display.get(e["value"].text.strip(), ("", None))[1]
    text = (
        f"{rule.reason}：{_value_text(e['value'], value, display)}，"  # type: ignore[union-attr]
        f"{_FAIL_TEXT[rule.op]} {show(target, unit)}，扣 {fmt(rule.points)} 分"  # type: ignore[union-attr]
    )
    return Finding("threshold", cr.index, -rule.points, text, None, None, False, _inputs(cr, values))  # type: ignore[union-attr]


def _bands(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    rule = cr.rule
    value = cr.exprs["value"].evaluate(values)
    vt = _value_text(cr.exprs["value"], value, display)
    for interval, band in zip(cr.bands, rule.bands, strict=True):  # type: ignore[union-attr]
        if interval.contains(value):  # type: ignore[arg-type]
            extra = f"（{band.label}）" if band.label else ""
            text = f"{rule.reason}：{vt}，在 {band.range} 档{extra}，得 {fmt(band.score)} 分"  # type: ignore[union-attr]
            return Finding("bands", cr.index, band.score, text, None, None, False, _inputs(cr, values))
    text = f"{rule.reason}：{vt}，不在任何分档内，得 0 分"  # type: ignore[union-attr]
    return Finding("bands", cr.index, _ZERO, text, None, None, False, _inputs(cr, values))


def _linear(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    rule = cr.rule
    value = cr.exprs["value"].evaluate(values)
    full = rule.points if rule.points is not None else points  # type: ignore[union-attr]
    award = min(full, max(_ZERO, EXACT.divide(EXACT.multiply(full, value), rule.target)))  # type: ignore[arg-type, union-attr]
    # The exact award feeds the item score (rounded once there); the text shows it rounded.
    shown = fmt(round_to(award, cr.precision))
    text = f"{rule.reason}：{_value_text(cr.exprs['value'], value, display)}，目标 {fmt(rule.target)}，按比例得 {shown} 分"  # type: ignore[union-attr]
    return Finding("linear", cr.index, award, text, None, full, award == full, _inputs(cr, values))


def _per_unit(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    rule = cr.rule
    n = _count(cr.exprs["count"].evaluate(values))
    cap = rule.cap if rule.cap is not None else points  # type: ignore[union-attr]
    raw = rule.each * n  # type: ignore[union-attr]
    award = min(raw, cap)
    text = f"{rule.reason} {n} 个，每个 {fmt(rule.each)} 分，得 {fmt(award)} 分"  # type: ignore[union-attr]
    if raw > cap:
        text += f"（最高 {fmt(cap)} 分）"
    return Finding("per_unit", cr.index, award, text, n, cap, raw > cap, _inputs(cr, values))


def _criteria(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    rule = cr.rule
    met = [c for c in rule.criteria if cr.exprs[c.id].evaluate(values)]  # type: ignore[union-attr]
    unmet = [c.label for c in rule.criteria if c not in met]  # type: ignore[union-attr]
    grade = next(g for g in rule.grades if len(met) >= g.min_met)  # type: ignore[union-attr]
    text = f"{rule.reason}：满足 {len(met)}/{len(rule.criteria)} 项，评为 {grade.grade}，得 {fmt(grade.score)} 分"  # type: ignore[union-attr]
    if unmet:
        text += f"；未满足：{'、'.join(unmet)}"
    return Finding("criteria", cr.index, grade.score, text, len(met), None, False, _inputs(cr, values))


def _judgment(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    rule = cr.rule
    if judgment is None:
        return Finding("missing", cr.index, _ZERO, f"{rule.guidance}：未给出评分，按 0 分计")  # type: ignore[union-attr]
    high = rule.max if rule.max is not None else points  # type: ignore[union-attr]
    score = min(high, max(rule.min, judgment.score))  # type: ignore[union-attr]
    return Finding("judgment", cr.index, score, f"{rule.guidance}：评 {fmt(score)} 分（理由：{judgment.reason}）")  # type: ignore[union-attr]


APPLY: dict[str, Callable[[CompiledRule, Decimal, Values, Display, Scored | None], Finding | None]] = {
    "deduct": _deduct,
    "zero": _zero,
    "per_occurrence": _per_occurrence,
    "threshold": _threshold,
    "bands": _bands,
    "linear": _linear,
    "per_unit": _per_unit,
    "criteria": _criteria,
    "judgment": _judgment,
}


def apply_rule(cr: CompiledRule, points: Decimal, values: Values, display: Display, judgment: Scored | None) -> Finding | None:
    return APPLY[cr.rule.kind](cr, points, values, display, judgment)
