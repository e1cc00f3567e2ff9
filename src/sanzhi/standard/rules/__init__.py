"""Scoring rule kinds: the registry, and the rubric format's discriminated union on `kind`.

Every kind comes from a real table (domain brief §4) and lives in one module of this
package, which registers it as `KIND` (see kind.py). An item's score is computed as:

1. base = the sum of its *award* rules (role "award": bands, linear, per_unit, criteria,
   judgment), capped at the item's points; an item without award rules starts at full points;
2. minus its *deduction* rules (role "deduction": deduct, per_occurrence, threshold, shortfall), each
   one summed;
3. a triggered `zero` rule overrides everything above (不得分 / 全扣);
4. the result is clamped to [0, points] ("扣完为止") and rounded once to the rubric's
   precision.

Adding a kind: write its module <kind>.py (model, slots, prepare, check, describe, outline,
score, `KIND = RuleKind(...)`), import it and append `<kind>.KIND` to KINDS below, write
tests/scoring/cases/<kind>.yaml (hand-computed cases and the `wording` its rules read as), add
a row to the README's rule-kind table, and regenerate the JSON schema (`sanzhi rubric schema
-o src/sanzhi/standard/schema/rubric.schema.json`) and the three invalid-rubric goldens that
list every kind (`pytest tests/standard/test_invalid_rubrics.py --update-golden`).
tests/standard/test_rule_kinds.py fails until every part is there.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union

from pydantic import Field

from sanzhi.standard.rules import (
    bands,
    criteria,
    deduct,
    judgment,
    linear,
    per_occurrence,
    per_unit,
    shortfall,
    threshold,
    zero,
)
from sanzhi.standard.rules.kind import CompiledRule, RuleKind
from sanzhi.standard.rules.model import RuleModel

# The one list of kinds. Its order is the order error messages list them in
# ("期望：deduct、per_occurrence、… 之一"): add a new kind at the end.
KINDS: tuple[RuleKind[Any, Any], ...] = (
    deduct.KIND,
    per_occurrence.KIND,
    zero.KIND,
    threshold.KIND,
    bands.KIND,
    linear.KIND,
    per_unit.KIND,
    criteria.KIND,
    judgment.KIND,
    shortfall.KIND,
)
KIND_NAMES: tuple[str, ...] = tuple(k.name for k in KINDS)
_BY_NAME: Mapping[str, RuleKind[Any, Any]] = {k.name: k for k in KINDS}
if len(_BY_NAME) != len(KINDS):
    raise TypeError(f"two rule kinds share a name: {KIND_NAMES}")

if TYPE_CHECKING:
    # A union built at run time is opaque to mypy; code that needs a kind's own fields
    # gets them from the kind (its scorer, checks and wording receive their own model).
    Rule: TypeAlias = RuleModel
else:
    Rule = Annotated[Union[tuple(k.model for k in KINDS)], Field(discriminator="kind")]  # noqa: UP007


def kind_named(name: str) -> RuleKind[Any, Any]:
    return _BY_NAME[name]


def kind_of(rule: RuleModel) -> RuleKind[Any, Any]:
    """The registration of a validated rule's kind."""
    return _BY_NAME[rule.kind]


__all__ = ["KINDS", "KIND_NAMES", "CompiledRule", "Rule", "RuleKind", "RuleModel", "kind_named", "kind_of"]
