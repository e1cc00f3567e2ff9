"""The values an item's expressions see: attributes, answers and derived fields."""

from collections.abc import Mapping

from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.expr import EvaluationError


def compute_values(compiled: CompiledRubric, inputs: Mapping[str, object]) -> dict[str, object]:
    """Add every derived field whose inputs are all present.

    A derived field that cannot be computed (an input missing, or a division by zero such
    as households ÷ 0 grids) is left absent, so the items that read it score as missing
    with the reason in words rather than crash the village.
    """
    values = dict(inputs)
    for name, expr in compiled.derived:  # already in dependency order
        if all(n in values for n in expr.names):
            try:
                values[name] = expr.evaluate(values)
            except EvaluationError:
                pass
    return values
