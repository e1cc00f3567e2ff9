"""Scoring rule kinds: a discriminated union on `kind`.

Every kind comes from a real table (domain brief §4). An item's score is computed as:

1. base = the sum of its *award* rules (bands, linear, per_unit, criteria, judgment),
   capped at the item's points; an item without award rules starts at full points;
2. minus its *deduction* rules (deduct, per_occurrence, threshold), each one summed;
3. a triggered `zero` rule overrides everything above (不得分 / 全扣);
4. the result is clamped to [0, points] ("扣完为止") and rounded once to the rubric's
   precision.
"""

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from sanzhi.standard.base import Expr, Id, Points, PositivePoints, StrictModel, Text
from sanzhi.standard.intervals import parse_interval


class Deduct(StrictModel):
    """Fixed deduction when a condition holds: "工作制度不健全的扣2分"."""

    kind: Literal["deduct"]
    when: Expr
    points: PositivePoints
    reason: Text


class PerOccurrence(StrictModel):
    """Amount per finding, capped: "每发现1项扣0.5分，扣完为止". `cap` defaults to the item."""

    kind: Literal["per_occurrence"]
    count: Expr
    each: PositivePoints
    cap: PositivePoints | None = None
    reason: Text


class Zero(StrictModel):
    """The item scores nothing when the condition holds; overrides partial deductions."""

    kind: Literal["zero"]
    when: Expr
    reason: Text


class Threshold(StrictModel):
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


class Band(StrictModel):
    """One step of a `bands` rule. `range` is interval notation: "[80, 90)", "[90, ∞)"."""

    range: str
    score: Points
    label: str | None = None

    @field_validator("range")
    @classmethod
    def _valid_interval(cls, value: str) -> str:
        parse_interval(value)  # raises ValueError with a Chinese message
        return value


class Bands(StrictModel):
    """Stepped bands with explicit boundaries: ≥90 满分, [80,90) 扣1, <80 扣5."""

    kind: Literal["bands"]
    value: Expr
    bands: tuple[Band, ...] = Field(min_length=1)
    reason: Text


class Linear(StrictModel):
    """Points proportional to achievement, capped: min(points, points × value ÷ target)."""

    kind: Literal["linear"]
    value: Expr
    target: PositivePoints
    points: PositivePoints | None = None  # defaults to the item's points
    reason: Text


class PerUnit(StrictModel):
    """Positive accrual with a ceiling: "（1个0.5分，共3分）"."""

    kind: Literal["per_unit"]
    count: Expr
    each: PositivePoints
    cap: PositivePoints | None = None  # defaults to the item's points
    reason: Text


class Criterion(StrictModel):
    id: Id
    label: Text
    when: Expr


class Grade(StrictModel):
    min_met: int = Field(ge=0)
    grade: Text
    score: Points


class Criteria(StrictModel):
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


class Judgment(StrictModel):
    """Assessor judgment within a range ("0~7", "视情况酌情给分，最高1分").

    The village data gives the score and a mandatory reason under `judgments`.
    """

    kind: Literal["judgment"]
    min: Points = Decimal(0)
    max: PositivePoints | None = None  # defaults to the item's points
    guidance: Text


Rule = Annotated[
    Deduct | PerOccurrence | Zero | Threshold | Bands | Linear | PerUnit | Criteria | Judgment,
    Field(discriminator="kind"),
]

AWARD_KINDS = frozenset({"bands", "linear", "per_unit", "criteria", "judgment"})
DEDUCTION_KINDS = frozenset({"deduct", "per_occurrence", "threshold"})
