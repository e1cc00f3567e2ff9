"""Whom a revision moves: the same villages scored under two rubric versions, and how
sensitive ratings are to each dimension's weight.

Pure functions over frozen data. The runner (reading files, a process pool) lives above the
core; per village it calls `translate_assessment` (carry answers to the other version),
`score_village` twice and `compare_results`, and ships the small VillageDelta back; then
`summarize` builds the report.

Carrying an assessment to the other version: answers and attributes are kept as they are;
item-keyed entries (judgments, evidence, reviewers' set scores) follow the item to its new id
(same id, crosswalk rename, or identical content) and are dropped for items that no longer
exist; a judgment or set score is rescaled to the item's new range (score × new ÷ old,
rounded to the rubric's precision), so an assessor's "full marks" stays full marks.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sanzhi.scoring.assessment import Assessment, Scored
from sanzhi.scoring.derive import compute_values
from sanzhi.scoring.rating import VETO_BLOCKED, rate
from sanzhi.scoring.results import DimensionResult, VillageResult
from sanzhi.standard.compile import CompiledItem, CompiledRubric

_ZERO = Decimal(0)
TOP_ITEMS = 5


# --------------------------------------------------------------------------- carrying an assessment


class Carry(NamedTuple):
    """How item-keyed data moves from a source rubric to a target rubric."""

    ids: Mapping[str, str]  # source item id → target item id
    judgment_scale: Mapping[str, tuple[Decimal, Decimal]]  # target id → (source max, target max)
    points_scale: Mapping[str, tuple[Decimal, Decimal]]  # target id → (source points, target points)
    precision: Decimal


def _judgment_max(compiled: CompiledRubric) -> dict[str, Decimal]:
    out = {}
    for ci in compiled.items:
        if ci.judgment is not None:
            rule = ci.judgment.rule
            out[ci.item.id] = rule.max if rule.max is not None else ci.item.points
    return out


def carry_plan(source: CompiledRubric, target: CompiledRubric, ids: Mapping[str, str]) -> Carry:
    jmax_s, jmax_t = _judgment_max(source), _judgment_max(target)
    pts_s = {ci.item.id: ci.item.points for ci in source.items}
    pts_t = {ci.item.id: ci.item.points for ci in target.items}
    ids = {s: t for s, t in ids.items() if t in pts_t}
    jscale = {t: (jmax_s[s], jmax_t[t]) for s, t in ids.items() if s in jmax_s and t in jmax_t}
    pscale = {t: (pts_s[s], pts_t[t]) for s, t in ids.items()}
    return Carry(ids, jscale, pscale, target.rubric.precision)


def rescale(score: Decimal, scale: tuple[Decimal, Decimal] | None, precision: Decimal) -> Decimal:
    """A judgment or reviewer's score carried to an item whose range changed: new = old × new
    maximum ÷ old maximum, rounded half up to `precision`, never above the new maximum."""
    if scale is None or scale[0] == scale[1] or not scale[0]:
        return score
    return min(scale[1], (score * scale[1] / scale[0]).quantize(precision, ROUND_HALF_UP))


def _carry_scored(entries: Mapping[str, Scored], plan: Carry, scales: Mapping[str, tuple[Decimal, Decimal]]) -> dict[str, Scored]:
    """Entries whose item lives on in the target (and, for judgments, is still judged there)."""
    out = {}
    for sid, s in entries.items():
        tid = plan.ids.get(sid)
        if tid is not None and tid in scales:
            out[tid] = Scored(rescale(s.score, scales[tid], plan.precision), s.reason)
    return out


def translate_assessment(a: Assessment, plan: Carry) -> Assessment:
    """The same assessment in the target rubric's item ids (answers and attributes unchanged)."""
    if not a.judgments and not a.evidence and not a.reviews:
        return a
    reviews = tuple(
        replace(r, judgments=_carry_scored(r.judgments, plan, plan.judgment_scale), scores=_carry_scored(r.scores, plan, plan.points_scale))
        for r in a.reviews
    )
    return replace(
        a,
        judgments=_carry_scored(a.judgments, plan, plan.judgment_scale),
        evidence={plan.ids[k]: v for k, v in a.evidence.items() if k in plan.ids},
        reviews=reviews,
    )


# --------------------------------------------------------------------------- one village


class ItemMove(NamedTuple):
    item_a: str | None  # None: the item is new in B
    item_b: str | None  # None: the item was removed in B
    name: str
    score_a: Decimal | None
    score_b: Decimal | None
    delta: Decimal


class VillageDelta(NamedTuple):
    code: str
    name: str
    township: str
    tier_a: str | None  # tier id, None when no tier was reached or the rating was blocked
    tier_b: str | None
    rating_a: str  # tier name, the below_all text, or 不予评定
    rating_b: str
    total_a: Decimal
    total_b: Decimal
    dims_a: tuple[tuple[str, Decimal], ...]
    dims_b: tuple[tuple[str, Decimal], ...]
    items: tuple[ItemMove, ...]  # the items whose score moved most, largest first
    residual: Decimal = _ZERO  # Δ total not explained by item scores: rescaling, bonus cap

    @property
    def delta(self) -> Decimal:
        return self.total_b - self.total_a


class ItemPairs(NamedTuple):
    """Positions of the same item in A's and B's results (main items, then bonus), worked out
    once per pair of rubrics instead of once per village."""

    pairs: tuple[tuple[int, int | None], ...]  # every A item: its position in B, or None
    added: tuple[int, ...]  # B items with no counterpart in A


def item_pairs(a: CompiledRubric, b: CompiledRubric, ids: Mapping[str, str]) -> ItemPairs:
    where_b = {ci.item.id: n for n, ci in enumerate(_result_order(b))}
    pairs = tuple((n, where_b.get(ids.get(ci.item.id, ""))) for n, ci in enumerate(_result_order(a)))
    paired = {j for _, j in pairs if j is not None}
    return ItemPairs(pairs, tuple(n for n in range(len(where_b)) if n not in paired))


def _result_order(c: CompiledRubric) -> list[CompiledItem]:
    # VillageResult lists main items in rubric order, then bonus items: the same as compiled.items.
    return [ci for ci in c.items if ci.dimension is not None] + [ci for ci in c.items if ci.dimension is None]


def compare_results(ra: VillageResult, rb: VillageResult, ids: Mapping[str, str], top: int = TOP_ITEMS, pairs: ItemPairs | None = None) -> VillageDelta:
    """One village's scores under A and B, with the items that moved it most.

    An item whose score changed moves the village by the difference; an item only in B (only
    in A) by its score there, listed even at 0 when it applies (a new item nobody answered
    yet). What item scores do not explain — a dimension rescaled for items that do not apply,
    the bonus cap — is the `residual`.
    """
    a_all = (*ra.items, *ra.bonus_items)
    b_all = (*rb.items, *rb.bonus_items)
    if pairs is None:
        where_b = {it.id: n for n, it in enumerate(b_all)}
        pair_list = tuple((n, where_b.get(ids.get(it.id, ""))) for n, it in enumerate(a_all))
        paired = {j for _, j in pair_list if j is not None}
        pairs = ItemPairs(pair_list, tuple(n for n in range(len(b_all)) if n not in paired))
    moves: list[ItemMove] = []
    for i, j in pairs.pairs:
        it = a_all[i]
        if j is None:
            if it.applicable or it.score:
                moves.append(ItemMove(it.id, None, it.name, it.score, None, -it.score))
            continue
        other = b_all[j]
        if other.score != it.score:
            moves.append(ItemMove(it.id, other.id, other.name, it.score, other.score, other.score - it.score))
    for j in pairs.added:
        other = b_all[j]
        if other.applicable or other.score:
            moves.append(ItemMove(None, other.id, other.name, None, other.score, other.score))
    residual = (rb.total - ra.total) - sum((m.delta for m in moves), _ZERO)
    moves.sort(key=lambda m: -abs(m.delta))  # stable: rubric order on ties
    return VillageDelta(
        ra.village_code, ra.village_name, ra.township,
        ra.rating.tier, rb.rating.tier, ra.rating.name, rb.rating.name,
        ra.total, rb.total,
        tuple((d.id, d.score) for d in ra.dimensions), tuple((d.id, d.score) for d in rb.dimensions),
        tuple(moves[:top]), residual,
    )


# --------------------------------------------------------------------------- the report


class DimensionImpact(NamedTuple):
    id: str
    name: str
    points_a: Decimal | None  # None: the dimension is not in that version
    points_b: Decimal | None
    mean_a: Decimal | None
    mean_b: Decimal | None
    mean_delta: Decimal | None
    villages_changed: int  # villages whose score in this dimension differs


class Flow(NamedTuple):
    rating_a: str
    rating_b: str
    villages: int


class ImpactReport(NamedTuple):
    a: str  # ID@VERSION
    b: str
    a_hash: str
    b_hash: str
    villages: int
    changed_rating: int
    up: int
    down: int
    ratings: tuple[str, ...]  # row and column order of the matrix, best first
    matrix: tuple[Flow, ...]  # every non-empty (from, to) cell, in matrix order
    mean_total_a: Decimal | None
    mean_total_b: Decimal | None
    score_changed: int  # villages whose total differs
    dimensions: tuple[DimensionImpact, ...]
    movers: tuple[VillageDelta, ...]  # largest |Δ total| first, then by code
    failures: int


def _mean(total: Decimal, n: int) -> Decimal | None:
    return (total / n).quantize(Decimal("0.01"), ROUND_HALF_UP) if n else None


def rating_order(a: CompiledRubric, b: CompiledRubric) -> tuple[list[str], dict[str, int]]:
    """Rating names best first (A's tiers, then B's new ones by minimum score), the
    below-all texts, and 不予评定 last; with a rank per name for up/down."""
    tiers = {t.tier.name: t.tier.min_score for t in a.tiers}
    for t in b.tiers:
        tiers.setdefault(t.tier.name, t.tier.min_score)
    names = sorted(tiers, key=lambda n: -tiers[n])
    for below in (a.rubric.rating.below_all, b.rubric.rating.below_all, VETO_BLOCKED):
        if below not in names:
            names.append(below)
    return names, {n: k for k, n in enumerate(names)}


@dataclass
class ImpactTally:
    """Running sums behind an ImpactReport: villages are added one at a time where they are
    scored (a worker process), and tallies merge, so only sums travel between processes."""

    top: int = 10
    n: int = 0
    score_changed: int = 0
    sum_a: Decimal = _ZERO
    sum_b: Decimal = _ZERO
    cells: dict[tuple[str, str], int] = field(default_factory=dict)
    dim_a: dict[str, Decimal] = field(default_factory=dict)
    dim_b: dict[str, Decimal] = field(default_factory=dict)
    dim_changed: dict[str, int] = field(default_factory=dict)
    movers: list[VillageDelta] = field(default_factory=list)

    def add(self, d: VillageDelta) -> None:
        self.n += 1
        key = (d.rating_a, d.rating_b)
        self.cells[key] = self.cells.get(key, 0) + 1
        self.sum_a += d.total_a
        self.sum_b += d.total_b
        if d.total_a != d.total_b:
            self.score_changed += 1
        da, db = dict(d.dims_a), dict(d.dims_b)
        for k, v in da.items():
            self.dim_a[k] = self.dim_a.get(k, _ZERO) + v
        for k, v in db.items():
            self.dim_b[k] = self.dim_b.get(k, _ZERO) + v
        for k in da.keys() | db.keys():
            if da.get(k) != db.get(k):
                self.dim_changed[k] = self.dim_changed.get(k, 0) + 1
        self.movers.append(d)
        if len(self.movers) > 4 * self.top + 64:  # memory stays flat on a province run
            self.movers = _top_movers(self.movers, self.top)

    def merge(self, other: "ImpactTally") -> None:
        self.n += other.n
        self.score_changed += other.score_changed
        self.sum_a += other.sum_a
        self.sum_b += other.sum_b
        for cell, count in other.cells.items():
            self.cells[cell] = self.cells.get(cell, 0) + count
        for dim, count in other.dim_changed.items():
            self.dim_changed[dim] = self.dim_changed.get(dim, 0) + count
        for sums, more in ((self.dim_a, other.dim_a), (self.dim_b, other.dim_b)):
            for dim, total in more.items():
                sums[dim] = sums.get(dim, _ZERO) + total
        self.movers = _top_movers([*self.movers, *other.movers], self.top)


def summarize(a: CompiledRubric, b: CompiledRubric, deltas: Iterable[VillageDelta], failures: int = 0, top: int = 10) -> ImpactReport:
    tally = ImpactTally(top)
    for d in deltas:
        tally.add(d)
    return impact_report(a, b, tally, failures)


def impact_report(a: CompiledRubric, b: CompiledRubric, t: ImpactTally, failures: int = 0) -> ImpactReport:
    names, rank = rating_order(a, b)
    seen = {x for pair in t.cells for x in pair}
    for name in list(names):
        if name not in seen and name in (a.rubric.rating.below_all, b.rubric.rating.below_all, VETO_BLOCKED):
            names.remove(name)  # an outcome nobody had and no tier: leave it out of the matrix
    names += sorted(x for x in seen if x not in names)
    matrix = tuple(Flow(x, y, t.cells[(x, y)]) for x in names for y in names if t.cells.get((x, y)))
    moved = [f for f in matrix if f.rating_a != f.rating_b]
    up = sum(f.villages for f in moved if rank.get(f.rating_b, len(rank)) < rank.get(f.rating_a, len(rank)))
    changed = sum(f.villages for f in moved)
    n = t.n
    dims_a = {d.id: d for d in a.rubric.dimensions}
    dims_b = {d.id: d for d in b.rubric.dimensions}
    dimensions = []
    for did in [*dims_a, *(k for k in dims_b if k not in dims_a)]:
        da, db = dims_a.get(did), dims_b.get(did)
        ma = _mean(t.dim_a.get(did, _ZERO), n) if da else None
        mb = _mean(t.dim_b.get(did, _ZERO), n) if db else None
        delta = _mean(t.dim_b.get(did, _ZERO) - t.dim_a.get(did, _ZERO), n) if n else None
        dimensions.append(DimensionImpact(did, (db or da).name, da.points if da else None, db.points if db else None,  # type: ignore[union-attr]
                                          ma, mb, delta, t.dim_changed.get(did, 0)))
    return ImpactReport(
        a.ref, b.ref, a.content_hash, b.content_hash, n, changed, up, changed - up, tuple(names), matrix,
        _mean(t.sum_a, n), _mean(t.sum_b, n), t.score_changed, tuple(dimensions), tuple(_top_movers(t.movers, t.top)), failures,
    )


def _top_movers(deltas: list[VillageDelta], top: int) -> list[VillageDelta]:
    return sorted(deltas, key=lambda d: (-abs(d.delta), d.code, d.name))[:top]


# --------------------------------------------------------------------------- weight sensitivity


def operative_values(compiled: CompiledRubric, a: Assessment) -> dict[str, object]:
    """The values the operative (highest) review level scored with: answers with every
    reviewer correction applied in level order, plus derived fields."""
    inputs: dict[str, object] = {**a.attributes, **a.answers}
    for review in a.reviews:
        for name, corr in review.corrections.items():
            if corr.value is None:
                inputs.pop(name, None)
            else:
                inputs[name] = corr.value
    return compute_values(compiled, inputs)


def _reweighted(compiled: CompiledRubric, dims: Sequence[DimensionResult], level: int, dim_id: str, factor: Decimal) -> Decimal:
    """Base score (without bonus) at one level when `dim_id` weighs `factor` times as much and
    the other dimensions share the rest, so the total stays the same."""
    precision = compiled.rubric.precision
    total = compiled.rubric.total_points
    weight = next(d.points for d in dims if d.id == dim_id)
    others = (total - weight * factor) / (total - weight)
    out = _ZERO
    for d in dims:
        f = factor if d.id == dim_id else others
        out += (d.scores[level][1] * f).quantize(precision, ROUND_HALF_UP)
    return out


class VillageSensitivity(NamedTuple):
    tier: str | None
    rating: str
    moved: tuple[tuple[str, str, str], ...]  # (dimension id, "-" or "+", new rating name) where it differs


def sensitivity(compiled: CompiledRubric, result: VillageResult, values: Mapping[str, object], step: Decimal = Decimal("0.1")) -> VillageSensitivity:
    """The rating again with each dimension's weight at (1 ± step), the others rescaled so the
    total points stay the same. Dimension minimums keep their share of their dimension (so
    they pass or fail as before); vetoes, the apply gate on the self-score (recomputed) and
    prerequisites apply as usual."""
    moved: list[tuple[str, str, str]] = []
    dims = result.dimensions
    if len(dims) < 2:
        return VillageSensitivity(result.rating.tier, result.rating.name, ())
    for d in dims:
        for sign, factor in (("-", 1 - step), ("+", 1 + step)):
            totals = []
            for level, lt in ((0, result.totals[0]), (len(result.totals) - 1, result.totals[-1])):
                totals.append(_reweighted(compiled, dims, level, d.id, factor) + lt.bonus)
            r = rate(compiled, totals[0], totals[1], dims, result.vetoes, values)
            if r.name != result.rating.name:
                moved.append((d.id, sign, r.name))
    return VillageSensitivity(result.rating.tier, result.rating.name, tuple(moved))


class Shift(NamedTuple):
    changed: int
    up: int
    down: int
    flows: tuple[Flow, ...]  # (from, to, villages), largest first


class DimensionSensitivity(NamedTuple):
    id: str
    name: str
    points: Decimal
    minus: Shift  # weight × (1 − step)
    plus: Shift  # weight × (1 + step)


class SensitivityReport(NamedTuple):
    rubric: str
    rubric_hash: str
    step: Decimal
    villages: int
    dimensions: tuple[DimensionSensitivity, ...]
    failures: int


@dataclass
class SensitivityTally:
    """Running counts behind a SensitivityReport, mergeable like ImpactTally."""

    n: int = 0
    cells: dict[tuple[str, str], dict[tuple[str, str], int]] = field(default_factory=dict)  # (dim, sign) → (from, to) → villages

    def add(self, row: VillageSensitivity) -> None:
        self.n += 1
        for dim_id, sign, new in row.moved:
            box = self.cells.setdefault((dim_id, sign), {})
            box[(row.rating, new)] = box.get((row.rating, new), 0) + 1

    def merge(self, other: "SensitivityTally") -> None:
        self.n += other.n
        for key, more in other.cells.items():
            box = self.cells.setdefault(key, {})
            for k, v in more.items():
                box[k] = box.get(k, 0) + v


def summarize_sensitivity(compiled: CompiledRubric, rows: Iterable[VillageSensitivity], failures: int = 0, step: Decimal = Decimal("0.1")) -> SensitivityReport:
    tally = SensitivityTally()
    for row in rows:
        tally.add(row)
    return sensitivity_report(compiled, tally, failures, step)


def sensitivity_report(compiled: CompiledRubric, t: SensitivityTally, failures: int = 0, step: Decimal = Decimal("0.1")) -> SensitivityReport:
    _, rank = rating_order(compiled, compiled)

    def shift(dim_id: str, sign: str) -> Shift:
        box = t.cells.get((dim_id, sign), {})
        up = sum(v for (x, y), v in box.items() if rank.get(y, len(rank)) < rank.get(x, len(rank)))
        flows = sorted((Flow(x, y, v) for (x, y), v in box.items()), key=lambda f: (-f.villages, rank.get(f.rating_a, 99), rank.get(f.rating_b, 99)))
        total = sum(box.values())
        return Shift(total, up, total - up, tuple(flows))

    dims = tuple(DimensionSensitivity(d.id, d.name, d.points, shift(d.id, "-"), shift(d.id, "+")) for d in compiled.rubric.dimensions)
    return SensitivityReport(compiled.ref, compiled.content_hash, step, t.n, dims, failures)
