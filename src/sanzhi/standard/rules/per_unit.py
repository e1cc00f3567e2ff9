"""per_unit — points per unit, with a ceiling: "每建立并执行1个制度得0.5分，最高2分"."""

from decimal import Decimal
from typing import Literal

from sanzhi.common.numbers import fmt
from sanzhi.standard.base import Expr, PositivePoints, Text
from sanzhi.standard.expr import ValueType
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.bounds import HINT_DEFAULT, not_above
from sanzhi.standard.rules.explain import count, inputs_of
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import CompiledRule, Display, Judged, RuleContext, RuleKind, Values
from sanzhi.standard.rules.model import RuleModel


class PerUnit(RuleModel):
    """Positive accrual with a ceiling: "（1个0.5分，共3分）"."""

    kind: Literal["per_unit"]
    count: Expr
    each: PositivePoints
    cap: PositivePoints | None = None  # defaults to the item's points
    reason: Text


def _prepare(rule: PerUnit) -> None:
    return None


def _check(rule: PerUnit, ctx: RuleContext) -> list[Problem]:
    return not_above((*ctx.path, "cap"), rule.cap, ctx.points, "封顶分", HINT_DEFAULT)


def _describe(rule: PerUnit, points: Decimal) -> str:
    cap = rule.cap if rule.cap is not None else points
    return f"{rule.reason}，每个得{fmt(rule.each)}分，最高{fmt(cap)}分"


def _outline(rule: PerUnit) -> str:
    cap = f"封顶 {fmt(rule.cap)} 分" if rule.cap is not None else "以本项分值为限"
    return f"每个（{rule.count}）得 {fmt(rule.each)} 分，{cap}（{rule.reason}）"


def _score(cr: CompiledRule[PerUnit, None], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    rule = cr.rule
    n = count(cr.exprs["count"].evaluate(values))
    cap = rule.cap if rule.cap is not None else points
    raw = rule.each * n
    award = min(raw, cap)
    text = f"{rule.reason} {n} 个，每个 {fmt(rule.each)} 分，得 {fmt(award)} 分"
    if raw > cap:
        text += f"（最高 {fmt(cap)} 分）"
    return Finding("per_unit", cr.index, award, text, n, cap, raw > cap, inputs_of(cr, values))


KIND = RuleKind(
    model=PerUnit,
    role="award",
    slots=(("count", ValueType.NUMBER),),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)
