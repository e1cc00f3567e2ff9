"""judgment — the assessor's score within a range, reason mandatory: "视情况酌情给分，最高1分".

The village data gives the score and its reason under `judgments`; an item has at most the
one judgment the engine passes to its scorer (`CompiledItem.judgment`).
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal, cast

from sanzhi.common.numbers import fmt
from sanzhi.standard.base import Points, PositivePoints, Text
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.bounds import HINT_DEFAULT, not_above
from sanzhi.standard.rules.explain import ZERO
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import CompiledRule, Display, Judged, RuleContext, RuleKind, Values
from sanzhi.standard.rules.model import RuleModel


class Judgment(RuleModel):
    """Assessor judgment within a range ("0~7", "视情况酌情给分，最高1分").

    The village data gives the score and a mandatory reason under `judgments`.
    """

    kind: Literal["judgment"]
    min: Points = Decimal(0)
    max: PositivePoints | None = None  # defaults to the item's points
    guidance: Text


def _prepare(rule: Judgment) -> None:
    return None


def _check(rule: Judgment, ctx: RuleContext) -> list[Problem]:
    out = not_above((*ctx.path, "max"), rule.max, ctx.points, "最高分", HINT_DEFAULT)
    if rule.max is not None and rule.min > rule.max:
        out.append(Problem("R204", (*ctx.path, "min"), f"最低分 {fmt(rule.min)} 大于最高分 {fmt(rule.max)}"))
    return out


def _describe(rule: Judgment, points: Decimal) -> str:
    high = fmt(rule.max if rule.max is not None else points)
    scale = f"最高{high}分" if rule.min == 0 else f"{fmt(rule.min)}至{high}分"
    return f"{rule.guidance.rstrip('。；，')}，{scale}"


def _outline(rule: Judgment) -> str:
    high = fmt(rule.max) if rule.max is not None else "本项分值"
    return f"酌情评分 {fmt(rule.min)}～{high} 分（{rule.guidance}）"


def _score(cr: CompiledRule[Judgment, None], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    rule = cr.rule
    if judgment is None:
        return Finding("missing", cr.index, ZERO, f"{rule.guidance}：未给出评分，按 0 分计")
    high = rule.max if rule.max is not None else points
    score = min(high, max(rule.min, judgment.score))
    return Finding("judgment", cr.index, score, f"{rule.guidance}：评 {fmt(score)} 分（理由：{judgment.reason}）")


KIND = RuleKind(
    model=Judgment,
    role="award",
    slots=(),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)


def judgment_rule(rules: Sequence[CompiledRule[Any, Any]]) -> CompiledRule[Judgment, None] | None:
    """The item's judgment rule, the one the village's `judgments` entry is for."""
    for cr in rules:
        if cr.kind is KIND:
            return cast(CompiledRule[Judgment, None], cr)
    return None
