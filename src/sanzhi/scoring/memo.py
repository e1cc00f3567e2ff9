"""item_result, remembered: an item that reads the same answers scores the same.

An item's score, findings and missing names are a pure function of the item, the values of
the names it reads (`CompiledItem.needs`, present or absent), its discretionary judgment and
the rubric's display and precision. Across a county the answers an item reads repeat (a few
booleans and small counts), so a batch scores each combination once and reuses the result:
the engine's share of a batch worker's time dropped by about half.

The engine asks `item_results` for a village's ItemResults; what is remembered, under which
key, and which results may be shared between villages is this module's business. The level
logic (what a review level changes, how an override reads) stays the engine's: it passes
`touched` and `build`.

Two memos, each an `IdentityCache` (sanzhi.common.identity_cache: bounded, entries keep the
objects whose ids are in their keys alive, `clear_all()` empties them):

- outcomes: (item, values read, judgment) → the item's (score, findings, missing). Keys hold
  each value with its type, and a Decimal by its exact text, so 1, True, 1.0 and Decimal("1")
  never share an entry: a cached Finding carries the very values a fresh one would. Beside
  the outcome an entry keeps the ItemResult of a village scored at one level (no review), so
  that, the common case, costs one lookup.
- items: (item, review levels present, the identities of its per-level outcomes — the
  memoised tuples, NOT_APPLICABLE, or None for a level that changes nothing the item reads)
  → the whole ItemResult.

Villages that scored alike then share one ItemResult object, which the batch encodes once
(`per_shared_item`). Items with an override or evidence carry a reviewer's or the village's
own text and are never shared. Results are immutable NamedTuples and tuples.
"""

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sanzhi.common.identity_cache import IdentityCache
from sanzhi.scoring.assessment import Scored
from sanzhi.scoring.items import exemption_for, is_applicable, score_item
from sanzhi.scoring.results import Finding, ItemResult
from sanzhi.standard.compile import CompiledExemption, CompiledItem
from sanzhi.standard.rules.kind import Display

T = TypeVar("T")
_ABSENT = object()  # a name not answered (distinct from any value, None included)
_MISS: Any = object()  # not in a cache (distinct from any cached value, None included)
_MAX_ENTRIES = 50_000  # a few tens of MB at most; plausible counties need ~5,000


class _NotApplicable:
    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE = _NotApplicable()  # the outcome of an item that does not apply at a level
Scoring = tuple[Decimal, tuple[Finding, ...], tuple[str, ...]]  # score_item's (score, findings, missing)
# An exempt item's outcome is the exemption itself (免检, full marks): like NOT_APPLICABLE, an
# object whose identity is fixed for the compiled rubric's lifetime, so memo keys can hold it.
Outcome = Scoring | _NotApplicable | CompiledExemption


class Level(Protocol):
    """What the memo reads of one review level (the engine's level)."""

    @property
    def id(self) -> str: ...
    @property
    def values(self) -> Mapping[str, object]: ...  # answers and derived values at this level
    @property
    def judgments(self) -> Mapping[str, Scored]: ...
    @property
    def overrides(self) -> Mapping[str, object]: ...  # item id → a score set outright


L = TypeVar("L", bound=Level)
Touched = Callable[[CompiledItem, L, L], bool]  # (item, level, level below): does the level change the item?
Build = Callable[[CompiledItem, Sequence[L], Sequence[Outcome | None], tuple[str, ...]], ItemResult]


class _Entry:
    """What the outcome memo holds for one item and combination of values it reads."""

    __slots__ = ("cached", "outcome", "single")

    def __init__(self, outcome: Scoring, cached: bool) -> None:
        self.outcome = outcome
        self.single: ItemResult | None = None  # the ItemResult when scored at one level, no evidence
        self.cached = cached  # False: a value that cannot be a key; scored afresh, never shared


_OUTCOMES: IdentityCache[tuple[object, ...], _Entry] = IdentityCache("scoring.memo.outcomes", _MAX_ENTRIES)
_ITEMS: IdentityCache[tuple[object, ...], ItemResult] = IdentityCache("scoring.memo.items", _MAX_ENTRIES)
# id → every ItemResult the two memos hand out (the singles and the items), for is_shared.
_SHARED: IdentityCache[int, ItemResult] = IdentityCache("scoring.memo.shared", 2 * _MAX_ENTRIES)
_recall = _OUTCOMES.get  # bound once: _entry runs for every item of every village


def item_results(items: Sequence[CompiledItem], levels: Sequence[L], evidence: Mapping[str, tuple[str, ...]],
                 display: Display, precision: Decimal, touched: Touched[L], build: Build[L]) -> list[ItemResult]:
    """Each item's result in a village scored at `levels` (the self-assessment first).

    `touched(ci, level, below)`: does a review level change anything the item reads or
    decides; `build(ci, levels, outcomes, evidence)`: the ItemResult from per-level outcomes
    (None where untouched). Neither is called when the memo already holds the result.
    One call per village, not one per item: this loop is the engine's hottest, and a call
    per item cost 6 % more instructions per village (valgrind, 47-item rubric).
    """
    first = levels[0]
    values, judgments = first.values, first.judgments
    single = len(levels) == 1
    out: list[ItemResult] = []
    for ci in items:
        iid = ci.item.id
        judgment = judgments.get(iid) if ci.judgment is not None else None
        if (single and not (evidence and iid in evidence) and not ci.exemptions
                and (ci.applies_when is None or is_applicable(ci, values))):
            # The common case, one lookup: a village not reviewed, an item that applies.
            e = _entry(ci, values, display, judgment, precision)
            made = e.single
            if made is None:
                made = build(ci, levels, (e.outcome,), ())
                if e.cached:  # it depends on nothing else that varies between villages: share it
                    e.single = _SHARED.put(id(made), made, made)
            out.append(made)
            continue
        # Per level: its outcome, or None where the level changes nothing the item reads.
        outcomes: list[Outcome | None] = [_outcome(ci, values, display, judgment, precision)]
        key: list[object] = [id(ci), first.id, id(outcomes[0])]
        overridden = False
        for n in range(1, len(levels)):
            level = levels[n]
            outcome: Outcome | None = None
            if touched(ci, level, levels[n - 1]):
                overridden = overridden or level.overrides.get(iid) is not None
                outcome = _outcome(ci, level.values, display, level.judgments.get(iid), precision)
            outcomes.append(outcome)
            key += (level.id, id(outcome))
        ev = evidence.get(iid, ()) if evidence else ()
        if overridden or ev:  # a reviewer's name or the village's evidence: this village's own
            out.append(build(ci, levels, outcomes, ev))
            continue
        k = tuple(key)
        made = _ITEMS.get(k)
        if made is None:
            # The key's ids are the item's and its outcomes': the entry keeps them alive.
            made = _ITEMS.put(k, build(ci, levels, outcomes, ()), (ci, *outcomes))
            _SHARED.put(id(made), made, made)
        out.append(made)
    return out


def _outcome(ci: CompiledItem, values: Mapping[str, object], display: Display, judgment: Scored | None,
             precision: Decimal) -> Outcome:
    """The item at one level before any override: its exemption (免检), NOT_APPLICABLE, or the
    memoised (score, findings, missing). An exemption wins over applicability: full marks."""
    if ci.exemptions:
        exempt = exemption_for(ci, values)
        if exempt is not None:
            return exempt
    if ci.applies_when is not None and not is_applicable(ci, values):
        return NOT_APPLICABLE
    return _entry(ci, values, display, judgment, precision).outcome


def _entry(ci: CompiledItem, values: Mapping[str, object], display: Display, judgment: Scored | None,
           precision: Decimal) -> _Entry:
    """The item's outcome (`score_item(ci, values, display, judgment, precision)`), from the memo when it can."""
    parts: list[object] = [id(ci), None if judgment is None else (str(judgment.score), judgment.reason)]
    get = values.get
    for n in ci.needs_order:
        v = get(n, _ABSENT)
        t = type(v)
        parts.append(t)
        parts.append(str(v) if t is Decimal else v)
    key = tuple(parts)
    try:
        hit = _recall(key)
    except TypeError:  # a value of a kind not foreseen (unhashable): score it, do not remember it
        return _Entry(score_item(ci, values, display, judgment, precision), False)
    if hit is not None:
        return hit
    # Display and precision are the rubric's, as fixed as `ci` (a CompiledItem belongs to one
    # compiled rubric), so the key need not hold them. The entry keeps `ci` (its id) alive.
    return _OUTCOMES.put(key, _Entry(score_item(ci, values, display, judgment, precision), True), ci)


def is_shared(it: ItemResult) -> bool:
    """Is this ItemResult the memo's (shared by villages that scored alike), not a village's own?
    Caches keyed by an item's identity keep only these: a village's own items never recur."""
    return id(it) in _SHARED


def per_shared_item(make: Callable[[ItemResult], T], limit: int) -> Callable[[ItemResult], T]:
    """`make`, remembered by identity for the items the memo shares (an IdentityCache of at
    most `limit` entries). A village's own items never recur and are made afresh."""
    cache: IdentityCache[int, T] = IdentityCache(f"per_shared_item {make.__module__}.{make.__qualname__}", limit)
    get, put, shared = cache.get, cache.put, _SHARED

    def made(it: ItemResult) -> T:
        out: T = get(id(it), _MISS)
        if out is not _MISS:
            return out
        out = make(it)
        if id(it) in shared:
            put(id(it), out, it)
        return out

    return made
