"""The frozen result of recognising one cell (or one note).

Rules, fields and vetoes are the plain-dict shapes of the rubric YAML (rules.py,
fields.py, models.Veto); `to_plain()` gives fresh mutable copies to put in a draft.

Gates are this package's own small structure, one dict per threshold on the rubric total:

    {"kind": "pass_min",   "min_score": Decimal("90"), "name": "合格", "clause": "…"}  # 90分以上合格
    {"kind": "apply_gate", "min_score": Decimal("90"), "clause": "…"}                 # 自评分须达到90分以上才能申报
    {"kind": "tier",       "min_score": Decimal("90"), "name": "五梅", "clause": "…"}  # 90分以上的为五梅

An importer maps pass_min/tier to `rating.tiers` and apply_gate to `rating.apply_gate`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

WarningCode = Literal[
    "unrecognized",  # scoring words no pattern understood; the item keeps a judgment rule
    "set_aside",  # recognised rules replaced by a whole-item judgment (mixed with unrecognised awards)
    "remark",  # text without scoring words, kept only in the warning
    "points_mismatch",  # recognised amounts cannot be reconciled with the item's points
    "ambiguous_boundary",  # a band edge the wording leaves open; the upper band took it
    "conditional_target",  # a target with an alternative in parentheses (e.g. per county class)
    "grade_scores",  # grade scores not stated; proportional scores filled in
    "needs_points",  # the rule needs the item's points, which were not given
    "cap_unattached",  # a cap with no count rule to attach to
    "lookback",  # a veto with a look-back window: a date field was declared
    "scored_by",  # the item names the body that scores it
]


@dataclass(frozen=True, slots=True)
class RecognizeWarning:
    code: WarningCode
    clause: str  # the clause as typed in the cell
    message: str  # Simplified Chinese, for the person reviewing the draft


def freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Recognition:
    """What one 评分细则 cell says, as rubric data.

    `rules` never is empty for a cell: text no pattern understood becomes a `judgment`
    rule (guidance = the text) and an "unrecognized" warning naming the clause.
    """

    text: str  # the cell verbatim (for provenance: quoted)
    points: Decimal | None
    rules: tuple[Mapping[str, Any], ...]
    fields: tuple[Mapping[str, Any], ...]
    vetoes: tuple[Mapping[str, Any], ...]
    gates: tuple[Mapping[str, Any], ...]
    scored_by: str | None
    warnings: tuple[RecognizeWarning, ...]
    unrecognized: tuple[str, ...]  # clauses (as typed) no pattern recognised

    @property
    def fully_recognized(self) -> bool:
        return not self.unrecognized

    def to_plain(self) -> dict[str, Any]:
        """Mutable copies: {"rules": [...], "fields": [...], "vetoes": [...], "gates": [...], "scored_by": …}."""
        return {
            "rules": thaw(self.rules),
            "fields": thaw(self.fields),
            "vetoes": thaw(self.vetoes),
            "gates": thaw(self.gates),
            "scored_by": self.scored_by,
            "warnings": [{"code": w.code, "clause": w.clause, "message": w.message} for w in self.warnings],
        }
