"""One village's typed, validated assessment: what the engine scores.

Built by `sanzhi.inputs` from YAML/JSON/CSV/Excel after every value has been checked
against the rubric's field declarations; the engine trusts it and never re-validates.
Values are int, Decimal, bool, str, datetime.date or tuple[str, ...]; an optional field
that was left empty is simply absent from `answers`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

Value = int | Decimal | bool | str | date | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Village:
    code: str  # 12-digit 统计用区划代码, the stable id across years
    name: str
    township: str
    county: str
    year: int
    assessed_on: date  # look-back windows of vetoes end here


@dataclass(frozen=True, slots=True)
class Scored:
    """A score given by a person (a judgment or a reviewer's override), with its reason."""

    score: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class Correction:
    """A reviewer's correction of one answer."""

    value: Value | None  # None: the reviewer struck the answer out
    reason: str


@dataclass(frozen=True, slots=True)
class Review:
    """One review level above the self-assessment (乡镇评分, 县审核, …).

    A level that is present has reviewed the whole form: items it did not touch keep the
    score the lower level's answers give.
    """

    level: str
    reviewer: str
    reviewed_on: date | None = None
    corrections: Mapping[str, Correction] = field(default_factory=dict)
    judgments: Mapping[str, Scored] = field(default_factory=dict)
    scores: Mapping[str, Scored] = field(default_factory=dict)  # item id → score set outright


@dataclass(frozen=True, slots=True)
class Assessment:
    village: Village
    attributes: Mapping[str, Value]
    answers: Mapping[str, Value]
    judgments: Mapping[str, Scored] = field(default_factory=dict)
    evidence: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reviews: tuple[Review, ...] = ()
    assessor: str | None = None  # who filled in the self-assessment
