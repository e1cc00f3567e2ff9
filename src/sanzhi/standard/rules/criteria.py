"""criteria — a count of criteria met gives a grade: "5项为A，4项为B，3项为C"."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from sanzhi.common.numbers import fmt
from sanzhi.standard.base import Expr, Id, Points, StrictModel, Text
from sanzhi.standard.expr import ValueType
from sanzhi.standard.problems import Problem, unique_ids
from sanzhi.standard.rules.bounds import HINT_SCORE, not_above
from sanzhi.standard.rules.explain import inputs_of
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import (
    CompiledRule,
    Display,
    Judged,
    RuleContext,
    RuleKind,
    Slot,
    Values,
)
from sanzhi.standard.rules.model import RuleModel


class Criterion(StrictModel):
    id: Id
    label: Text
    when: Expr


class Grade(StrictModel):
    min_met: int = Field(ge=0)
    grade: Text
    score: Points


class Criteria(RuleModel):
    """Count of criteria met → a grade: 5 met → A, 4 → B, 3 → C, otherwise the last grade."""

    kind: Literal["criteria"]
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    grades: tuple[Grade, ...] = Field(min_length=1)
    reason: Text

    @model_validator(mode="after")
    def _grades_descend(self) -> "Criteria":
        mins = [g.min_met for g in self.grades]
        if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("grades 须按 min_met 从高到低排列且互不相同")
        if mins[-1] != 0:
            raise ValueError("最后一个等级的 min_met 必须为 0，以覆盖所有情形")
        if mins[0] > len(self.criteria):
            raise ValueError(f"最高等级要求满足 {mins[0]} 项，但只有 {len(self.criteria)} 项标准")
        return self


def _nested(rule: Criteria) -> Iterator[Slot]:
    # Each criterion's condition is compiled under the criterion's id.
    for c_i, crit in enumerate(rule.criteria):
        yield Slot(crit.id, ("criteria", c_i, "when"), crit.when, ValueType.BOOL)


def _prepare(rule: Criteria) -> None:
    return None


def _check(rule: Criteria, ctx: RuleContext) -> list[Problem]:
    out = unique_ids([((*ctx.path, "criteria", c), k.id) for c, k in enumerate(rule.criteria)], "标准")
    for g, grade in enumerate(rule.grades):
        out += not_above((*ctx.path, "grades", g, "score"), grade.score, ctx.points, "等级得分", HINT_SCORE)
    return out


def _met_in_words(rule: Criteria, g: int) -> str:
    """How many criteria grade `g` takes, as a table writes it: "4项", "3至4项", "其余"."""
    low = rule.grades[g].min_met
    high = rule.grades[g - 1].min_met - 1 if g > 0 else len(rule.criteria)
    if low == 0:
        return "其余" if g > 0 else "任何情形"
    if low == high:
        return f"满足{low}项"
    return f"满足{low}项及以上" if g == 0 else f"满足{low}至{high}项"


def _describe(rule: Criteria, points: Decimal) -> str:
    labels = "、".join(c.label for c in rule.criteria)
    grades = "，".join(f"{_met_in_words(rule, g)}为{grade.grade}（{fmt(grade.score)}分）" for g, grade in enumerate(rule.grades))
    return f"{rule.reason}（{labels}）：{grades}"


def _outline(rule: Criteria) -> str:
    grades = "；".join(f"满足 ≥{g.min_met} 项为 {g.grade}（{fmt(g.score)} 分）" for g in rule.grades)
    crits = "、".join(c.label for c in rule.criteria)
    return f"{len(rule.criteria)} 项标准（{crits}）：{grades}"


def _score(cr: CompiledRule[Criteria, None], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    rule = cr.rule
    met = [c for c in rule.criteria if cr.exprs[c.id].evaluate(values)]
    unmet = [c.label for c in rule.criteria if c not in met]
    grade = next(g for g in rule.grades if len(met) >= g.min_met)
    text = f"{rule.reason}：满足 {len(met)}/{len(rule.criteria)} 项，评为 {grade.grade}，得 {fmt(grade.score)} 分"
    if unmet:
        text += f"；未满足：{'、'.join(unmet)}"
    return Finding("criteria", cr.index, grade.score, text, len(met), None, False, inputs_of(cr, values))


KIND = RuleKind(
    model=Criteria,
    role="award",
    slots=(),
    nested=_nested,
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)
