"""Base model for everything a person writes in a rubric file."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class StrictModel(BaseModel):
    """Frozen, and unknown keys are errors.

    Why: a typo in a rubric key ("pionts") must fail loudly at load time instead of
    silently dropping a rule; frozen because a compiled rubric is shared by every
    village of a batch and across worker processes.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _number_to_text(value: object) -> object:
    # YAML resolves an unquoted `1.2` to a number; ids are text. The positioned loader
    # keeps floats as Decimal built from the source text, so str() gives back what was typed.
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return value


Id = Annotated[
    str,
    BeforeValidator(_number_to_text),
    Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._\-]*$"),
]
"""An item, indicator, dimension, tier or veto id as the standard writes it ("1.2.3")."""

RubricId = Annotated[
    str, Field(strict=True, min_length=1, max_length=64, pattern=r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._\-]*$")
]
"""A rubric's own id (`jiaxing-sanzhi`): text as written, never a number turned into text, since
`id: 12345` is more likely a slip than a name villages and reports should carry."""

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""A field or attribute name usable in expressions: ASCII snake_case."""

Text = Annotated[str, BeforeValidator(_number_to_text), Field(min_length=1)]

Points = Annotated[Decimal, Field(ge=0, allow_inf_nan=False, max_digits=12)]
PositivePoints = Annotated[Decimal, Field(gt=0, allow_inf_nan=False, max_digits=12)]
Expr = Annotated[str, BeforeValidator(_number_to_text), Field(min_length=1, max_length=1000)]
"""An expression in the rubric expression language (see sanzhi.standard.expr)."""
