"""What a village supplies: typed answer fields, village attributes and derived fields."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sanzhi.standard.base import Expr, Name, StrictModel, Text

FieldKind = Literal["bool", "integer", "decimal", "choice", "tags", "date", "text"]

# Every number a village gives is refused beyond this magnitude (sanzhi.standard.values), so a
# bound outside it means nothing; `max: 1e999999999` would make every message print a billion digits.
MAX_MAGNITUDE = Decimal(10**15)
Bound = Annotated[Decimal, Field(allow_inf_nan=False, gt=-MAX_MAGNITUDE, lt=MAX_MAGNITUDE)]


class FieldSpec(StrictModel):
    """One answer a village gives (or one attribute of the village).

    `choices` is required for `choice` and `tags` (a set of labels, e.g. titles held);
    `min`/`max` bound `integer` and `decimal`. A missing optional field makes every item
    that reads it score zero with the reason "未填报", so required-ness is a scoring
    decision: fields read by vetoes or rating prerequisites must be required.
    """

    id: Name
    label: Text
    type: FieldKind
    unit: str | None = None
    help: str | None = None
    required: bool = False
    choices: tuple[Text, ...] | None = None
    min: Bound | None = None
    max: Bound | None = None
    earliest: date | None = None  # for `date` fields

    @model_validator(mode="after")
    def _check_kind(self) -> "FieldSpec":
        if self.type in ("choice", "tags"):
            if not self.choices:
                raise ValueError(f"类型为 {self.type} 的字段必须列出 choices")
            if len(set(self.choices)) != len(self.choices):
                raise ValueError("choices 中有重复的选项")
        elif self.choices is not None:
            raise ValueError(f"类型为 {self.type} 的字段不能有 choices")
        if (self.min is not None or self.max is not None) and self.type not in ("integer", "decimal"):
            raise ValueError("只有 integer 与 decimal 字段可以设置 min/max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min（{self.min}）大于 max（{self.max}）")
        return self


class DerivedField(StrictModel):
    """A number computed from other fields, e.g. households per grid = households / grids."""

    id: Name
    label: Text
    unit: str | None = None
    help: str | None = None
    expr: Expr
    # The range the value can take (a rate cannot be negative): bands need only cover it.
    min: Bound | None = None
    max: Bound | None = None


class Aggregate(DerivedField):
    """汇总字段 of a township or county rubric: a number over the villages of the unit in a stored
    village run, e.g. 法律顾问覆盖率 = ``share(legal_adviser_assigned)``.

    `expr` combines the aggregate functions ``count(cond)``, ``share(cond)`` (percent of the
    unit's villages where `cond` holds), ``mean(x)``, ``sum(x)``, ``min(x)`` and ``max(x)``
    with arithmetic; inside a function the names are the village rubric's (`reads`): its
    attributes, fields and derived fields, and the village's results (total, self_total,
    rating, rating_tier, vetoed, dim_<dimension id>). Type-checked against that rubric at load.
    """
