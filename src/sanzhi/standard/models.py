"""The rubric (评分标准): dimensions → indicators → items, vetoes, rating tiers.

The engine knows no dimension by name: 自治/法治/德治 exist only in rubric files.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from sanzhi.standard.base import Expr, Id, Name, Points, PositivePoints, RubricId, StrictModel, Text
from sanzhi.standard.fields import Aggregate, DerivedField, FieldSpec
from sanzhi.standard.rules import Rule

Provenance = Literal["quoted", "paraphrased", "calibrated"]
# The words real tables use; 材料审核/实地考察 are the 文明村镇测评体系's own names for what
# other tables call 审核材料/实地察看, kept as written so a quoted item reads as published.
EvidenceMethod = Literal["听取汇报", "审核材料", "材料审核", "实地察看", "实地考察", "访问调查", "问卷调查", "抽查村民", "系统数据"]


class Evidence(StrictModel):
    methods: tuple[EvidenceMethod, ...] = Field(min_length=1)
    documents: tuple[Text, ...] = ()


class Item(StrictModel):
    """评分项: the unit that is scored.

    `applies_when` makes an item conditional (e.g. only for 社区); when it is false the
    item is not applicable and `not_applicable` says what happens, explicitly:
    `rescale` drops it from its dimension's denominator and rescales the dimension to its
    full points; `zero` scores it 0 out of its points.
    """

    id: Id
    name: Text
    points: PositivePoints
    criterion: Text  # 评定标准, the requirement as the standard words it
    provenance: Provenance
    clause: Text  # where it comes from: the source and clause, or why we calibrated it
    rules: tuple[Rule, ...] = Field(min_length=1)
    evidence: Evidence | None = None
    applies_when: Expr | None = None
    not_applicable: Literal["rescale", "zero"] | None = None
    advice: Text | None = None  # improvement suggestion shown when points are lost
    scored_by: Text | None = None  # the body that scores it (区综治办, 派出所); default: its indicator's


class Indicator(StrictModel):
    id: Id
    name: Text
    points: PositivePoints
    items: tuple[Item, ...] = Field(min_length=1)
    scored_by: Text | None = None  # the body that scores its items (多部门评分), unless an item names its own


class Dimension(StrictModel):
    id: Id
    name: Text
    points: PositivePoints
    description: Text | None = None
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class Bonus(StrictModel):
    """加分项: items scored like any other, added on top of the total, never above `cap`."""

    name: Text = "加分项"
    cap: PositivePoints
    items: tuple[Item, ...] = Field(min_length=1)


class Veto(StrictModel):
    """一票否决: blocks every rating whatever the score — or, with `bars`, only the tiers named.

    Triggered when `when` holds (if given) and, with `lookback_months`, when the date in
    `date_field` lies within that many months before the assessment date. A `when` that
    holds with its date left empty counts as triggered: the village must show it is old.

    `bars` (ids of rating tiers or rank tiers) makes it a veto of those tiers only ("近两年存在
    负面情形的不能认定为引领型"): the village still takes the best tier it is not barred from,
    is still ranked, and the rating's reasons say which veto barred which tier.
    """

    id: Id
    name: Text
    when: Expr | None = None
    date_field: Name | None = None
    lookback_months: int | None = Field(default=None, ge=1, le=240)
    provenance: Provenance
    clause: Text
    bars: tuple[Id, ...] = ()  # empty: every rating


class Exemption(StrictModel):
    """免检: a title held (or another attribute) exempts dimensions, indicators or items, which
    then score full marks without assessment ("被评为市级以上治安安全单位的,第17-22条免检、满分")."""

    id: Id
    name: Text
    when: Expr  # over the village's attributes, e.g. "'市级以上技防示范村(社区)' in titles"
    items: tuple[Id, ...] = Field(min_length=1)  # ids of dimensions, indicators or items
    provenance: Provenance
    clause: Text


class Tier(StrictModel):
    """One rating tier; tiers are listed best first."""

    id: Id
    name: Text
    min_score: Points
    dimension_minimums: dict[Id, Points] = Field(default_factory=dict)
    requires: Expr | None = None  # prerequisite over village attributes (titles, star rating)
    requires_text: Text | None = None


class ApplyGate(StrictModel):
    """申报门槛 on the self-assessment (自评) total: below it no rating is given."""

    min_self_score: Points
    text: Text | None = None


Share = Annotated[Decimal, Field(gt=0, le=1, allow_inf_nan=False)]


def _one_limit(top: int | None, share: Decimal | None) -> None:
    if (top is None) == (share is None):
        raise ValueError("top（前 N 名）与 share（前百分之几，0–1）须且只须给出一个")


class RankLimit(StrictModel):
    """How many villages of a cohort: the best (or worst) `top`, or a `share` (0–1, rounded up,
    at least one) of those ranked."""

    top: Annotated[int, Field(ge=1)] | None = None
    share: Share | None = None

    @model_validator(mode="after")
    def _one(self) -> "RankLimit":
        _one_limit(self.top, self.share)
        return self


class RankTier(StrictModel):
    """A tier given by rank within a township or county (e.g. 红榜: the best 10 %), listed best
    first: the best `top` villages, or the best `share` of those ranked — cumulative positions
    by default (引领型 25 %, 规范型 70 %, 提升型 85 %: the first 25 %, the first 70 %, …).
    Ties at the edge are all in. Villages barred from every rating are never ranked.

    `min_score` is an absolute gate on the total (bonus included): a village inside the tier's
    positions below it takes the next tier it qualifies for. `id` names the tier for a veto's
    `bars`."""

    name: Text
    top: Annotated[int, Field(ge=1)] | None = None
    share: Share | None = None
    id: Id | None = None
    min_score: Points | None = None

    @model_validator(mode="after")
    def _one(self) -> "RankTier":
        _one_limit(self.top, self.share)
        return self


RankCohort = Literal["township", "county"]


class RedBlack(StrictModel):
    """红黑榜 of the published lists: the red list is the best `red` of each cohort (ties at
    the edge in), the black list every village barred from every rating plus the worst `black`
    of the rest not on the red list. Without this section: 乡镇前/后 10 %."""

    within: RankCohort = "township"
    red: RankLimit = RankLimit(share=Decimal("0.1"))
    black: RankLimit = RankLimit(share=Decimal("0.1"))


class Rating(StrictModel):
    tiers: tuple[Tier, ...] = Field(min_length=1)
    apply_gate: ApplyGate | None = None
    below_all: Text = "未达标"  # what to call a village that reaches no tier
    rank_tiers: tuple[RankTier, ...] = ()  # `sanzhi ranking` and the published rankings show these
    # The cohort rank tiers are counted in; None: the one being listed (a township's own ranking
    # shows tiers counted within the township, the county's within the county).
    rank_within: RankCohort | None = None
    # True: each tier's top/share counts positions from the first (25 %, 70 %, 85 %); False: each
    # tier's own band after the tiers above it (10 %, then the next 20 %, …).
    rank_cumulative: bool = True
    red_black: RedBlack | None = None  # None: 乡镇前/后 10 %


_ROUNDS_IN_YEAR = {"month": 12, "quarter": 4, "half": 2}


class Periods(StrictModel):
    """How the year is rated from its periods' runs (长兴: six bimonthly rounds recorded by the
    month they end in, the year their mean, a round not held "统一给95分"). docs/rubrics/periods.md."""

    every: Literal["month", "quarter", "half"]  # what one round is
    rounds: tuple[int, ...] = ()  # the months (quarters, halves) that are rounds; () every one of the year
    combine: Literal["mean", "last", "min"] = "mean"
    missing: Literal["skip"] | Points = "skip"  # a round with no score: left out, or this score
    provenance: Provenance
    clause: Text | None = None

    @model_validator(mode="after")
    def _check_rounds(self) -> "Periods":
        top = _ROUNDS_IN_YEAR[self.every]
        bad = [r for r in self.rounds if not 1 <= r <= top]
        if bad:
            raise ValueError(f"rounds 中的 {bad[0]} 超出范围：{self.every} 应为 1—{top}")
        if len(set(self.rounds)) != len(self.rounds):
            raise ValueError("rounds 中有重复的评定期")
        if list(self.rounds) != sorted(self.rounds):
            raise ValueError("rounds 应按时间先后排列")
        return self

    @property
    def round_indexes(self) -> tuple[int, ...]:
        return self.rounds or tuple(range(1, _ROUNDS_IN_YEAR[self.every] + 1))


class ReviewLevel(StrictModel):
    id: Name
    name: Text


DEFAULT_LEVELS = (
    ReviewLevel(id="self", name="自评"),
    ReviewLevel(id="township", name="乡镇评分"),
    ReviewLevel(id="county", name="县审核"),
)


class ChangelogEntry(StrictModel):
    version: Text
    date: date
    changes: Text


# ---- Versions, crosswalks, variants and example villages (docs/rubrics/versions.md) ----

RubricStatus = Literal["adopted", "draft"]
Unit = Literal["village", "township", "county"]  # what a rubric scores (docs/rubrics/units.md)


def _one_or_many(value: object) -> object:
    # `old: "4.2.3"` and `old: ["4.2.3"]` mean the same; a bare YAML number is an id too.
    return [value] if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool) else value


IdList = Annotated[tuple[Id, ...], BeforeValidator(_one_or_many), Field(min_length=1)]


class CrosswalkEntry(StrictModel):
    """How items of the previous version became items of this one, so history stays comparable.

    renamed: one old id → one new id (same item, new number or name); split: one old item →
    several new ones; merged: several old items → one new one.
    """

    change: Literal["renamed", "split", "merged"]
    old: IdList
    new: IdList
    note: Text | None = None

    @model_validator(mode="after")
    def _shape(self) -> "CrosswalkEntry":
        shapes = {"renamed": (1, 1), "split": (1, 2), "merged": (2, 1)}
        n_old, n_new = shapes[self.change]
        if (len(self.old) != 1 if n_old == 1 else len(self.old) < 2) or (len(self.new) != 1 if n_new == 1 else len(self.new) < 2):
            want = {"renamed": "old 与 new 各 1 个 id", "split": "old 1 个 id、new 至少 2 个", "merged": "old 至少 2 个 id、new 1 个"}
            raise ValueError(f"{self.change} 须为 {want[self.change]}")
        return self


class Crosswalk(StrictModel):
    """Item ids of the `previous` version (ID@VERSION) and what they became in this one.

    Items whose id is unchanged need no entry; items not listed and absent here were removed.
    """

    previous: Text
    items: tuple[CrosswalkEntry, ...] = Field(min_length=1)


class VariantChange(StrictModel):
    """One thing a variant changed relative to its base (generated, see VariantOf)."""

    action: Literal["added", "changed", "moved", "dropped"]
    what: Literal["dimension", "indicator", "item", "veto", "tier", "field", "attribute", "derived", "setting"]
    id: Text
    name: Text | None = None
    detail: Text | None = None


class VariantOf(StrictModel):
    """Written by the loader when it resolves `extends`, never by hand: the base and the changes.

    Kept in the resolved rubric so `rubric show` can mark what the variant changed and the
    content hash (recorded in every result) covers the exact base it was built on.
    """

    base: Text
    base_hash: Text
    changes: tuple[VariantChange, ...] = ()


class Expectation(StrictModel):
    """What an example village must score; only the keys given are compared."""

    total: Points | None = None
    self_total: Points | None = None
    rating: Text | None = None  # tier id or name, the rubric's below_all text, or 不予评定
    dimensions: dict[Id, Points] = Field(default_factory=dict)
    items: dict[Id, Points] = Field(default_factory=dict)
    vetoes: tuple[Id, ...] | None = None  # exactly these vetoes triggered; [] means none

    @model_validator(mode="after")
    def _something(self) -> "Expectation":
        if self.total is None and self.self_total is None and self.rating is None and not self.dimensions and not self.items and self.vetoes is None:
            raise ValueError("expect 至少要给出 total、self_total、rating、dimensions、items、vetoes 之一")
        return self


class Example(StrictModel):
    """An example village shipped with the rubric, in the village data format, and its expected scores.

    `sanzhi rubric test FILE` scores every example and reports each difference, so a standards
    body checks its own edits.
    """

    name: Text
    note: Text | None = None
    village: dict[str, Any]
    answers: dict[str, Any] = Field(default_factory=dict)
    judgments: dict[str, Any] = Field(default_factory=dict)
    evidence: dict[str, Any] = Field(default_factory=dict)
    reviews: tuple[dict[str, Any], ...] = ()
    expect: Expectation


class Rubric(StrictModel):
    """A complete, versioned 评分标准 as a standards body writes it."""

    schema_version: Literal[1]
    id: RubricId
    version: Text
    title: Text
    issuer: Text
    effective_date: date
    description: Text | None = None
    provenance_note: Text  # plain statement of what is quoted and what is calibrated
    changelog: tuple[ChangelogEntry, ...] = Field(min_length=1)
    precision: Decimal = Field(default=Decimal("0.1"), gt=0, allow_inf_nan=False)
    total_points: PositivePoints
    review_levels: tuple[ReviewLevel, ...] = Field(default=DEFAULT_LEVELS, min_length=1)
    attributes: tuple[FieldSpec, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    derived: tuple[DerivedField, ...] = ()
    dimensions: tuple[Dimension, ...] = Field(min_length=1)
    bonus: Bonus | None = None
    vetoes: tuple[Veto, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    rating: Rating
    # Optional, added with versions and variants (docs/rubrics/versions.md):
    status: RubricStatus = "adopted"  # a draft (征求意见稿) is never picked when the version is omitted
    extends: Text | None = None  # ID@VERSION or a file path; the loader merges the base in
    variant_of: VariantOf | None = None  # generated from `extends`, never written by hand
    crosswalk: Crosswalk | None = None
    examples: tuple[Example, ...] = ()
    # Optional, added with units above the village (docs/rubrics/units.md). Defaults are left out
    # of the content hash, so village rubrics hash as before.
    unit: Unit = "village"  # a township (乡镇/街道) or county rubric scores the unit from its villages
    reads: Text | None = None  # ID@VERSION (or a file) of the village rubric of the run it aggregates
    aggregates: tuple[Aggregate, ...] = ()  # 汇总字段 over the unit's villages
    periods: Periods | None = None  # how the year is rated from runs by period (docs/rubrics/periods.md)


def iter_items(rubric: Rubric) -> "list[tuple[Dimension | None, Indicator | None, Item]]":
    """Every item in rubric order, bonus items last (with no dimension)."""
    out: list[tuple[Dimension | None, Indicator | None, Item]] = [
        (dim, ind, item) for dim in rubric.dimensions for ind in dim.indicators for item in ind.items
    ]
    if rubric.bonus is not None:
        out.extend((None, None, item) for item in rubric.bonus.items)
    return out


__all__ = ["Dimension", "Exemption", "Indicator", "Item", "Periods", "Points", "RankLimit", "RankTier", "Rating", "RedBlack",
           "Rubric", "Tier", "Veto", "iter_items"]
