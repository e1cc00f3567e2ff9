"""threshold — a value against a target that may depend on an attribute:
"经营性收入≥20万元（加快发展县10万元），未达到扣1分"."""

import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal, NamedTuple

from sanzhi.common.numbers import fmt
from sanzhi.common.show import show
from sanzhi.standard.base import Expr, PositivePoints, Text
from sanzhi.standard.expr import ValueType
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.bounds import HINT_ZERO, not_above
from sanzhi.standard.rules.explain import inputs_of, value_text
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import CompiledRule, Display, Judged, RuleContext, RuleKind, Values
from sanzhi.standard.rules.model import RuleModel


class Threshold(RuleModel):
    """A measured value against a target that may depend on a village attribute.

    Deducts `points` when `value op target` does not hold:
    "年经营性收入达到20万元以上（加快发展县10万元），没有达到的扣1分".
    """

    kind: Literal["threshold"]
    value: Expr
    op: Literal[">=", ">", "<=", "<"] = ">="
    target: Expr
    points: PositivePoints
    reason: Text


_OPS: dict[str, Callable[[Any, Any], bool]] = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_FAIL_TEXT = {">=": "未达到", ">": "未超过", "<=": "超过", "<": "未低于"}  # what not meeting `op` reads as


class _Compiled(NamedTuple):
    holds: Callable[[Any, Any], bool]  # `value op target`
    fails: str  # how not meeting it reads


def _prepare(rule: Threshold) -> _Compiled:
    return _Compiled(_OPS[rule.op], _FAIL_TEXT[rule.op])


def _check(rule: Threshold, ctx: RuleContext) -> list[Problem]:
    return not_above((*ctx.path, "points"), rule.points, ctx.points, "扣分", HINT_ZERO)


def _describe(rule: Threshold, points: Decimal) -> str:
    return f"{rule.reason}扣{fmt(rule.points)}分"


def _outline(rule: Threshold) -> str:
    return f"{rule.value} {rule.op} {rule.target}，未达到扣 {fmt(rule.points)} 分（{rule.reason}）"


def _score(cr: CompiledRule[Threshold, _Compiled], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    rule = cr.rule
    e = cr.exprs
    value = e["value"].evaluate(values)
    target = e["target"].evaluate(values)
    if cr.prepared.holds(value, target):
        return None
    unit = display.get(e["value"].text.strip(), ("", None))[1]
    text = (
        f"{rule.reason}：{value_text(e['value'], value, display)}，"
        f"{cr.prepared.fails} {show(target, unit)}，扣 {fmt(rule.points)} 分"
    )
    return Finding("threshold", cr.index, -rule.points, text, None, None, False, inputs_of(cr, values))


KIND = RuleKind(
    model=Threshold,
    role="deduction",
    slots=(("value", ValueType.NUMBER), ("target", ValueType.NUMBER)),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)
