"""One pure function per rule kind: (compiled rule, item points, values) → Finding or None.

A Finding's amount is signed: negative for a deduction, the points awarded for an award
rule. None means the rule did not fire (a deduction whose condition does not hold).
Precedence and clamping are the engine's job, not the rules'.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal

from sanzhi.scoring.assessment import Scored
from sanzhi.scoring.results import Finding
from sanzhi.scoring.text import fmt, show
from sanzhi.standard.compile import CompiledRule
from sanzhi.standard.expressions import Expression

Display = Mapping[str, tuple[str, str | None]]
_ZERO = Decimal(0)
_OPS: dict[str, Callable[[object, object], bool]] = {
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    "<": lambda a, b: a < b,  # type: ignore[operator]
}
_OP_TEXT = {">=": "达到", ">": "超过", "<=": "不超过", "<": "低于"}


def _inputs(exprs: Mapping[str, Expression], values: Mapping[str, object], display: Display) -> tuple[tuple[str, str], ...]:
    names = sorted({n for e in exprs.values() for n in e.names})
    return tuple((n, show(values[n], display.get(n, (n, None))[1])) for n in names if n in values)


def _value_text(expr: Expression, value: object, display: Display) -> str:
    # A bare field reads as "集体经济经营性收入 15 万元"; a formula as its value alone.
    if expr.text.strip() in display:
        lab, unit = display[expr.text.strip()]
        return f"{lab} {show(value, unit)}"
    return show(value)


def _count(value: object) -> int:
    # Counts come from integer fields or formulas; a fraction of a finding is not a finding.
    return max(0, int(value))  # type: ignore[call-overload]


def apply_rule(
    cr: CompiledRule,
    points: Decimal,
    values: Mapping[str, object],
    display: Display,
    judgment: Scored | None,
) -> Finding | None:
    rule = cr.rule
    e = cr.exprs
    match rule.kind:
        case "deduct":
            if not e["when"].evaluate(values):
                return None
            return Finding("deduct", cr.index, -rule.points, f"{rule.reason}，扣 {fmt(rule.points)} 分", inputs=_inputs(e, values, display))
        case "zero":
            if not e["when"].evaluate(values):
                return None
            return Finding("zero", cr.index, -points, f"{rule.reason}，该项不得分", inputs=_inputs(e, values, display))
        case "per_occurrence":
            n = _count(e["count"].evaluate(values))
            if n == 0:
                return None
            cap = rule.cap if rule.cap is not None else points
            raw = rule.each * n
            capped = raw > cap
            amount = min(raw, cap)
            text = f"{rule.reason} {n} 项，每项扣 {fmt(rule.each)} 分，共扣 {fmt(amount)} 分"
            if capped:
                text += f"（扣分封顶 {fmt(cap)} 分）"
            return Finding("per_occurrence", cr.index, -amount, text, n, cap, capped, _inputs(e, values, display))
        case "threshold":
            value = e["value"].evaluate(values)
            target = e["target"].evaluate(values)
            if _OPS[rule.op](value, target):
                return None
            unit = display.get(e["value"].text.strip(), ("", None))[1]
            text = (
                f"{rule.reason}：{_value_text(e['value'], value, display)}，"
                f"未{_OP_TEXT[rule.op]} {show(target, unit)}，扣 {fmt(rule.points)} 分"
            )
            return Finding("threshold", cr.index, -rule.points, text, inputs=_inputs(e, values, display))
        case "bands":
            value = e["value"].evaluate(values)
            vt = _value_text(e["value"], value, display)
            for interval, band in zip(cr.bands, rule.bands, strict=True):
                if interval.contains(value):  # type: ignore[arg-type]
                    extra = f"（{band.label}）" if band.label else ""
                    text = f"{rule.reason}：{vt}，在 {band.range} 档{extra}，得 {fmt(band.score)} 分"
                    return Finding("bands", cr.index, band.score, text, inputs=_inputs(e, values, display))
            return Finding("bands", cr.index, _ZERO, f"{rule.reason}：{vt}，不在任何分档内，得 0 分", inputs=_inputs(e, values, display))
        case "linear":
            value = e["value"].evaluate(values)
            full = rule.points if rule.points is not None else points
            award = min(full, max(_ZERO, full * value / rule.target))  # type: ignore[operator]
            text = f"{rule.reason}：{_value_text(e['value'], value, display)}，目标 {fmt(rule.target)}，按比例得 {fmt(award)} 分"
            return Finding("linear", cr.index, award, text, cap=full, capped=award == full, inputs=_inputs(e, values, display))
        case "per_unit":
            n = _count(e["count"].evaluate(values))
            cap = rule.cap if rule.cap is not None else points
            raw = rule.each * n
            award = min(raw, cap)
            text = f"{rule.reason} {n} 个，每个 {fmt(rule.each)} 分，得 {fmt(award)} 分"
            if raw > cap:
                text += f"（最高 {fmt(cap)} 分）"
            return Finding("per_unit", cr.index, award, text, n, cap, raw > cap, _inputs(e, values, display))
        case "criteria":
            met = [c for c in rule.criteria if e[c.id].evaluate(values)]
            unmet = [c.label for c in rule.criteria if c not in met]
            grade = next(g for g in rule.grades if len(met) >= g.min_met)
            text = f"{rule.reason}：满足 {len(met)}/{len(rule.criteria)} 项，评为 {grade.grade}，得 {fmt(grade.score)} 分"
            if unmet:
                text += f"；未满足：{'、'.join(unmet)}"
            return Finding("criteria", cr.index, grade.score, text, len(met), inputs=_inputs(e, values, display))
        case "judgment":
            if judgment is None:
                return Finding("missing", cr.index, _ZERO, f"{rule.guidance}：未给出评分，按 0 分计")
            high = rule.max if rule.max is not None else points
            score = min(high, max(rule.min, judgment.score))
            return Finding("judgment", cr.index, score, f"{rule.guidance}：评 {fmt(score)} 分（理由：{judgment.reason}）")
    raise AssertionError(f"unhandled rule kind {rule.kind}")  # pragma: no cover - the union is closed
