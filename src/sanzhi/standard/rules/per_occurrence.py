"""per_occurrence — an amount per finding, capped: "每发现1项扣0.5分，扣完为止"."""

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


class PerOccurrence(RuleModel):
    """Amount per finding, capped: "每发现1项扣0.5分，扣完为止". `cap` defaults to the item."""

    kind: Literal["per_occurrence"]
    count: Expr
    each: PositivePoints
    cap: PositivePoints | None = None
    reason: Text


def _prepare(rule: PerOccurrence) -> None:
    return None


def _check(rule: PerOccurrence, ctx: RuleContext) -> list[Problem]:
    return not_above((*ctx.path, "cap"), rule.cap, ctx.points, "封顶分", HINT_DEFAULT)


def _describe(rule: PerOccurrence, points: Decimal) -> str:
    limit = f"最多扣{fmt(rule.cap)}分" if rule.cap is not None and rule.cap < points else "扣完为止"
    return f"{rule.reason}，每发现1项扣{fmt(rule.each)}分，{limit}"


def _outline(rule: PerOccurrence) -> str:
    cap = f"封顶 {fmt(rule.cap)} 分" if rule.cap is not None else "扣完为止"
    return f"每次（{rule.count}）扣 {fmt(rule.each)} 分，{cap}（{rule.reason}）"


def _score(cr: CompiledRule[PerOccurrence, None], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    rule = cr.rule
    n = count(cr.exprs["count"].evaluate(values))
    if n == 0:
        return None
    cap = rule.cap if rule.cap is not None else points
    raw = rule.each * n
    capped = raw > cap
    amount = cap if capped else raw
    text = f"{rule.reason} {n} 项，每项扣 {fmt(rule.each)} 分，共扣 {fmt(amount)} 分"
    if capped:
        text += f"（扣分封顶 {fmt(cap)} 分）"
    return Finding("per_occurrence", cr.index, -amount, text, n, cap, capped, inputs_of(cr, values))


KIND = RuleKind(
    model=PerOccurrence,
    role="deduction",
    slots=(("count", ValueType.NUMBER),),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)
