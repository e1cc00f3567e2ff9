"""What scoring one village produces: plain immutable data, explanations as data first.

NamedTuples rather than pydantic models or frozen dataclasses: a province run builds tens
of millions of these, and a NamedTuple is built several times faster than a frozen
dataclass (which pays object.__setattr__ per field) while staying immutable and typed.
`sanzhi.reports.json_output` turns them into byte-stable JSON.

Fields added to the format later sit at the end of their type with a default, and are named in
`JSON_OMIT` (type → field → default): the JSON leaves them out while they hold the default,
so results of rubrics that do not use them stay byte-identical, and reading back fills them in.
"""

from decimal import Decimal
from typing import NamedTuple

# Part of a result (so re-exported, see __all__), though the rule kinds' scorers make it.
from sanzhi.standard.rules.finding import Finding


class LevelScore(NamedTuple):
    level: str
    score: Decimal
    findings: tuple[Finding, ...]
    changed: bool  # this level's answers, judgments or override changed the item
    applicable: bool = True  # a correction of an attribute can change applicability per level
    exempt: str | None = None  # the exemption (免检) that gave full marks at this level, by id


class ItemResult(NamedTuple):
    id: str
    name: str
    dimension: str | None  # None for bonus items
    indicator: str | None
    points: Decimal
    applicable: bool
    levels: tuple[LevelScore, ...]  # one per review level present, lowest first
    score: Decimal  # at the operative level
    lost: Decimal  # points − score for an applicable item, else 0
    missing: tuple[str, ...] = ()  # field ids not answered at the operative level
    evidence: tuple[str, ...] = ()  # 佐证材料 the village supplied for this item
    scored_by: str | None = None  # the body that scores it (the rubric's scored_by)

    @property
    def exempt(self) -> str | None:
        """The exemption that gave the item full marks at the operative level, or None."""
        return self.levels[-1].exempt

    @property
    def operative(self) -> LevelScore:
        return self.levels[-1]


class DimensionResult(NamedTuple):
    id: str
    name: str
    points: Decimal
    applicable_points: Decimal
    scores: tuple[tuple[str, Decimal], ...]  # (level, score) per level present
    score: Decimal  # operative
    rescaled: bool


class LevelTotal(NamedTuple):
    level: str
    base: Decimal  # sum of dimension scores
    bonus: Decimal  # after the bonus cap
    total: Decimal


class VetoHit(NamedTuple):
    id: str
    name: str
    text: str
    inputs: tuple[tuple[str, object], ...]
    bars: tuple[str, ...] = ()  # the tiers (rating or rank tiers) it bars; empty: every rating


class RatingResult(NamedTuple):
    tier: str | None  # tier id, None when no rating is given
    name: str  # tier name, the rubric's below_all text, or 不予评定
    reasons: tuple[str, ...]  # why this tier and not a higher one
    blocked_by_veto: bool  # a veto that bars every rating fired (not one that bars only some tiers)
    gate_passed: bool | None  # None when the rubric has no apply gate


class Loss(NamedTuple):
    item: str
    name: str
    lost: Decimal
    reasons: tuple[str, ...]


class CorrectionNote(NamedTuple):
    """A reviewer's correction of one answer, kept with its reason: the score it changes may
    round to the same figure, and a report must still say what was corrected and why."""

    level: str  # the review level that made it
    field: str  # the field (answer or attribute) corrected
    before: object  # the value the level below gave; None: not answered
    after: object  # the corrected value; None: struck out
    reason: str
    reviewer: str
    items: tuple[str, ...]  # the items that read the field (or apply by it), rubric order
    text: str  # the sentence reports print: 乡镇评分更正“…”：76 % → 72 %（评审人：理由）


class VillageResult(NamedTuple):
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    engine_version: str
    village_code: str
    village_name: str
    township: str
    county: str
    year: int
    levels: tuple[str, ...]  # review levels present, lowest first
    level_names: tuple[str, ...]  # their names in the rubric (自评, 乡镇评分, …)
    operative_level: str
    items: tuple[ItemResult, ...]
    dimensions: tuple[DimensionResult, ...]
    bonus_items: tuple[ItemResult, ...]
    totals: tuple[LevelTotal, ...]
    total: Decimal  # operative
    vetoes: tuple[VetoHit, ...]
    rating: RatingResult
    top_losses: tuple[Loss, ...]
    review_notes: tuple[str, ...] = ()  # who reviewed at each level, and when
    corrections: tuple[CorrectionNote, ...] = ()  # every level's corrections, lowest level first


# Kept outside the classes: a NamedTuple's body holds fields, and a type checker reads any
# assignment there as one.
JSON_OMIT: dict[type, dict[str, object]] = {
    LevelScore: {"exempt": None},
    ItemResult: {"scored_by": None},
    VetoHit: {"bars": ()},
}


__all__ = ["JSON_OMIT", "CorrectionNote", "DimensionResult", "Finding", "ItemResult", "LevelScore", "LevelTotal", "Loss",
           "RatingResult", "VetoHit", "VillageResult"]
