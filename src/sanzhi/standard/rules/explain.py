"""Pieces of a finding's sentence shared by the kinds' scorers."""

from decimal import Decimal
from typing import Any, cast

from sanzhi.common.show import show
from sanzhi.standard.expr import Expression
from sanzhi.standard.rules.kind import CompiledRule, Display, Values

ZERO = Decimal(0)


def inputs_of(cr: CompiledRule[Any, Any], values: Values) -> tuple[tuple[str, object], ...]:
    """The values the rule read, kept raw in the finding (formatted only when output is written)."""
    return tuple((n, values[n]) for n in cr.inputs if n in values)


def value_text(expr: Expression, value: object, display: Display) -> str:
    # A bare field reads as "集体经济经营性收入 15 万元"; a formula as its value alone.
    name = expr.text.strip()
    if name in display:
        lab, unit = display[name]
        return f"{lab} {show(value, unit)}"
    return show(value)


def count(value: object) -> int:
    # Counts come from integer fields or formulas (type-checked NUMBER at load: int or Decimal);
    # a fraction of a finding is not a finding.
    return max(0, int(cast(Decimal, value)))
