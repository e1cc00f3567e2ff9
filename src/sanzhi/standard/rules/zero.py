"""zero — the item scores nothing when a condition holds: "班子不团结…不得分".

A triggered zero rule overrides every award and deduction of its item.
"""

from decimal import Decimal
from typing import Literal

from sanzhi.standard.base import Expr, Text
from sanzhi.standard.expr import ValueType
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.explain import inputs_of
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import CompiledRule, Display, Judged, RuleContext, RuleKind, Values
from sanzhi.standard.rules.model import RuleModel


class Zero(RuleModel):
    """The item scores nothing when the condition holds; overrides partial deductions."""

    kind: Literal["zero"]
    when: Expr
    reason: Text


def _prepare(rule: Zero) -> str:
    return f"{rule.reason}，该项不得分"


def _check(rule: Zero, ctx: RuleContext) -> list[Problem]:
    return []  # nothing beyond its expression, which compiling checks


def _describe(rule: Zero, points: Decimal) -> str:
    return f"{rule.reason}不得分"


def _outline(rule: Zero) -> str:
    return f"{rule.when} 时不得分（{rule.reason}）"


def _score(cr: CompiledRule[Zero, str], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    if not cr.exprs["when"].evaluate(values):
        return None
    return Finding("zero", cr.index, -points, cr.prepared, None, None, False, inputs_of(cr, values))


KIND = RuleKind(
    model=Zero,
    role="zero",
    slots=(("when", ValueType.BOOL),),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)
