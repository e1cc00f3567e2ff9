"""linear — points proportional to achievement, capped: "达到10%得满分，不足的按比例得分"."""

from decimal import Decimal
from typing import Literal, cast

from sanzhi.common.numbers import EXACT, fmt, round_to
from sanzhi.standard.base import Expr, PositivePoints, Text
from sanzhi.standard.expr import ValueType
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.bounds import HINT_DEFAULT, not_above
from sanzhi.standard.rules.explain import ZERO, inputs_of, value_text
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import CompiledRule, Display, Judged, RuleContext, RuleKind, Values
from sanzhi.standard.rules.model import RuleModel


class Linear(RuleModel):
    """Points proportional to achievement, capped: min(points, points × value ÷ target)."""

    kind: Literal["linear"]
    value: Expr
    target: PositivePoints
    points: PositivePoints | None = None  # defaults to the item's points
    reason: Text


def _prepare(rule: Linear) -> None:
    return None


def _check(rule: Linear, ctx: RuleContext) -> list[Problem]:
    return not_above((*ctx.path, "points"), rule.points, ctx.points, "满分", HINT_DEFAULT)


def _describe(rule: Linear, points: Decimal) -> str:
    full = "满分" if rule.points is None or rule.points == points else f"{fmt(rule.points)}分"
    return f"{rule.reason}达到{fmt(rule.target)}得{full}，不足的按比例得分"


def _outline(rule: Linear) -> str:
    full = fmt(rule.points) if rule.points is not None else "本项分值"
    return f"{full} × {rule.value} ÷ {fmt(rule.target)}，封顶（{rule.reason}）"


def _score(cr: CompiledRule[Linear, None], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    rule = cr.rule
    value = cr.exprs["value"].evaluate(values)
    full = rule.points if rule.points is not None else points
    award = min(full, max(ZERO, EXACT.divide(EXACT.multiply(full, cast(Decimal, value)), rule.target)))
    # The exact award feeds the item score (rounded once there); the text shows it rounded.
    shown = fmt(round_to(award, cr.precision))
    text = f"{rule.reason}：{value_text(cr.exprs['value'], value, display)}，目标 {fmt(rule.target)}，按比例得 {shown} 分"
    return Finding("linear", cr.index, award, text, None, full, award == full, inputs_of(cr, values))


KIND = RuleKind(
    model=Linear,
    role="award",
    slots=(("value", ValueType.NUMBER),),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)
