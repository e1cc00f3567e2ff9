"""Scoring one item at one review level: award base, deductions, zero override, clamp, round."""

from collections.abc import Mapping
from decimal import Decimal

from sanzhi.common.numbers import fmt, round_to
from sanzhi.scoring.assessment import Scored
from sanzhi.scoring.results import Finding
from sanzhi.standard.compile import CompiledExemption, CompiledItem
from sanzhi.standard.expr import EvaluationError
from sanzhi.standard.rules.kind import Display

_ZERO = Decimal(0)


def missing_names(ci: CompiledItem, values: Mapping[str, object]) -> tuple[str, ...]:
    if ci.needs <= values.keys():
        return ()
    return tuple(sorted(n for n in ci.needs if n not in values))


def is_applicable(ci: CompiledItem, values: Mapping[str, object]) -> bool:
    # An item whose applicability cannot be decided (its inputs are missing) counts as
    # applicable, so the missing answers show up as lost points rather than vanish.
    cond = ci.applies_when
    if cond is None or not cond.names <= values.keys():
        return True
    return bool(cond.evaluate(values))


def exemption_for(ci: CompiledItem, values: Mapping[str, object]) -> CompiledExemption | None:
    """The first exemption covering the item that holds for these values, or None.

    An exemption whose attributes are not all given does not hold: the village must show it
    is entitled (the opposite of applicability, where missing inputs keep the item in)."""
    for ex in ci.exemptions:
        when = ex.when
        if when.names <= values.keys() and when.evaluate(values):
            return ex
    return None


def score_item(
    ci: CompiledItem,
    values: Mapping[str, object],
    display: Display,
    judgment: Scored | None,
    precision: Decimal,
) -> tuple[Decimal, tuple[Finding, ...], tuple[str, ...]]:
    """Return (score, findings, missing field ids) for one applicable item.

    Semantics (see sanzhi.standard.rules): base = capped sum of award rules, or full points
    without award rules; deductions subtract; a triggered zero rule overrides; the result is
    clamped to [0, points] and rounded once, half up, to the rubric's precision.
    """
    points = ci.item.points
    missing = missing_names(ci, values)
    if missing:
        labels = "、".join(display.get(n, (n, None))[0] for n in missing)
        text = f"缺少填报数据或无法计算：{labels}，该项按 0 分计"
        return _ZERO, (Finding("missing", None, -points, text, inputs=tuple((n, None) for n in missing)),), missing
    findings: list[Finding] = []
    award = _ZERO
    deduction = _ZERO
    zeroed = False
    for cr in ci.rules:
        try:
            f = cr.kind.score(cr, points, values, display, judgment)
        except EvaluationError as e:
            f = Finding("missing", cr.index, -points, f"无法计算（{e.message}），该项按 0 分计")
            zeroed = True
        if f is None:
            continue
        findings.append(f)
        if f.kind == "zero":
            zeroed = True
        elif f.kind == "missing":
            continue
        elif f.amount < 0:
            deduction -= f.amount
        else:
            award += f.amount
    if zeroed:
        raw = _ZERO
    else:
        base = min(award, points) if ci.has_award else points
        raw = base - deduction
        if raw < 0:
            findings.append(Finding("clamp", None, -raw, f"扣分合计 {fmt(deduction)} 分超过可扣分值，按 0 分计（扣完为止）"))
            raw = _ZERO
    score = round_to(min(raw, points), precision)
    return score, tuple(findings), ()
