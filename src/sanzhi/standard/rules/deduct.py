"""deduct — a fixed deduction when a condition holds: "未制定计划扣1分；未落实专人负责扣2分".

Several in one item add up; the engine clamps the item at 0 (扣完为止).
"""

from decimal import Decimal
from typing import Literal

from sanzhi.common.numbers import fmt
from sanzhi.standard.base import Expr, PositivePoints, Text
from sanzhi.standard.expr import ValueType
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.bounds import HINT_ZERO, not_above
from sanzhi.standard.rules.explain import inputs_of
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import CompiledRule, Display, Judged, RuleContext, RuleKind, Values
from sanzhi.standard.rules.model import RuleModel


class Deduct(RuleModel):
    """Fixed deduction when a condition holds: "工作制度不健全的扣2分"."""

    kind: Literal["deduct"]
    when: Expr
    points: PositivePoints
    reason: Text


def _prepare(rule: Deduct) -> str:
    # The finding's sentence depends on the rule alone: built once, shared by every village.
    return f"{rule.reason}，扣 {fmt(rule.points)} 分"


def _check(rule: Deduct, ctx: RuleContext) -> list[Problem]:
    return not_above((*ctx.path, "points"), rule.points, ctx.points, "扣分", HINT_ZERO)


def _describe(rule: Deduct, points: Decimal) -> str:
    return f"{rule.reason}扣{fmt(rule.points)}分"


def _outline(rule: Deduct) -> str:
    return f"{rule.when} 时扣 {fmt(rule.points)} 分（{rule.reason}）"


def _score(cr: CompiledRule[Deduct, str], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    if not cr.exprs["when"].evaluate(values):
        return None
    return Finding("deduct", cr.index, -cr.rule.points, cr.prepared, None, None, False, inputs_of(cr, values))


KIND = RuleKind(
    model=Deduct,
    role="deduction",
    slots=(("when", ValueType.BOOL),),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)
