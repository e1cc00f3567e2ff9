"""score_item, remembered: the same item with the same answers scores the same.

An item's score, findings and missing names are a pure function of the item, the values of
the names it reads (`CompiledItem.needs`, present or absent), its discretionary judgment and
the rubric's display and precision. Across a county the answers an item reads repeat (a few
booleans and small counts), so a batch scores each combination once and reuses the result:
the engine's share of a batch worker's time dropped by about half.

Keys hold each value with its type, and a Decimal by its exact text, so 1, True, 1.0 and
Decimal("1") never share an entry: a cached Finding carries the very values a fresh one
would. Entries keep their CompiledItem alive, so an id() is never reused while cached.
Results are immutable NamedTuples and tuples, safe to share between villages.

One step up, whole ItemResults are remembered: for a village scored at one level (no
review), beside the item's outcome, so that case costs one lookup; otherwise per item,
review levels present and the identities of its per-level outcomes (the memoised tuples
above, NOT_APPLICABLE, or None for a level that changes nothing the item reads). Villages
that scored alike then share one ItemResult object, which the batch encodes once. Items with
an override or evidence carry a reviewer's or the village's own text and are never shared.
"""

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from sanzhi.scoring.assessment import Scored
from sanzhi.scoring.items import score_item
from sanzhi.scoring.results import Finding, ItemResult
from sanzhi.scoring.rules import Display
from sanzhi.standard.compile import CompiledItem

T = TypeVar("T")
_ABSENT = object()  # a name not answered (distinct from any value, None included)
_MAX_ENTRIES = 50_000  # a few tens of MB at most; plausible counties need ~5,000
_MEMO: dict[tuple[object, ...], "Entry"] = {}



class _NotApplicable:
    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE = _NotApplicable()  # the outcome of an item that does not apply at a level
Outcome = tuple[Decimal, tuple[Finding, ...], tuple[str, ...]] | _NotApplicable
# key → (objects whose ids are in the key, kept alive so no id is reused while cached; result)
_ITEMS: dict[tuple[object, ...], tuple[tuple[object, ...], ItemResult]] = {}
_SHARED: dict[int, ItemResult] = {}  # id → every ItemResult the memo holds


class Entry:
    """What the memo holds for one item and combination of values it reads."""

    __slots__ = ("ci", "outcome", "single")

    def __init__(self, ci: CompiledItem | None, outcome: tuple[Decimal, tuple[Finding, ...], tuple[str, ...]]) -> None:
        self.ci = ci  # None: not cached (a value that cannot be a key)
        self.outcome = outcome
        self.single: ItemResult | None = None  # the ItemResult when scored at one level, no evidence


def entry(ci: CompiledItem, values: Mapping[str, object], display: Display, judgment: Scored | None,
          precision: Decimal) -> Entry:
    """The item's outcome (`score_item(ci, values, display, judgment, precision)`), from the cache when it can."""
    parts: list[object] = [id(ci), None if judgment is None else (str(judgment.score), judgment.reason)]
    get = values.get
    for n in ci.needs_order:
        v = get(n, _ABSENT)
        t = type(v)
        parts.append(t)
        parts.append(str(v) if t is Decimal else v)
    key = tuple(parts)
    try:
        hit = _MEMO.get(key)
    except TypeError:  # a value of a kind not foreseen (unhashable): score it, do not cache it
        return Entry(None, score_item(ci, values, display, judgment, precision))
    if hit is not None and hit.ci is ci:
        return hit
    made = Entry(ci, score_item(ci, values, display, judgment, precision))
    if len(_MEMO) >= _MAX_ENTRIES:
        forget()
    _MEMO[key] = made
    return made


def scored_item(
    ci: CompiledItem, values: Mapping[str, object], display: Display, judgment: Scored | None, precision: Decimal
) -> tuple[Decimal, tuple[Finding, ...], tuple[str, ...]]:
    """`score_item(ci, values, display, judgment, precision)`, from the cache when it can."""
    return entry(ci, values, display, judgment, precision).outcome


def keep_single(e: Entry, item: ItemResult) -> ItemResult:
    """Remember the single-level ItemResult made from `e.outcome`; it must depend on nothing else
    that varies between villages (no evidence, no review)."""
    if e.ci is not None:  # a cached entry: villages that score alike share the item
        e.single = item
        _SHARED[id(item)] = item
    return item


def item_key(ci: CompiledItem, level_ids: tuple[str, ...], outcomes: list[Outcome | None]) -> tuple[object, ...]:
    return (id(ci), level_ids, *[id(o) for o in outcomes])


def recalled_item(key: tuple[object, ...]) -> ItemResult | None:
    hit = _ITEMS.get(key)
    return None if hit is None else hit[1]


def remember_item(key: tuple[object, ...], ci: CompiledItem, outcomes: list[Outcome | None], result: ItemResult) -> ItemResult:
    if len(_ITEMS) >= _MAX_ENTRIES:
        forget()
    _ITEMS[key] = ((ci, *outcomes), result)
    _SHARED[id(result)] = result
    return result


def is_shared(it: ItemResult) -> bool:
    """Is this ItemResult the memo's (shared by villages that scored alike), not a village's own?
    Caches keyed by an item's identity keep only these: a village's own items never recur."""
    return _SHARED.get(id(it)) is it


def per_shared_item(make: Callable[[ItemResult], T], limit: int) -> Callable[[ItemResult], T]:
    """`make`, remembered by identity for the items the memo shares (at most `limit` entries;
    each keeps its item alive, so an id is never reused while cached). A village's own items
    never recur and are made afresh."""
    cache: dict[int, tuple[ItemResult, T]] = {}

    def made(it: ItemResult) -> T:
        hit = cache.get(id(it))
        if hit is not None and hit[0] is it:
            return hit[1]
        out = make(it)
        if is_shared(it):
            if len(cache) >= limit:
                cache.clear()
            cache[id(it)] = (it, out)
        return out

    return made


def forget() -> None:
    """Empty both memos (tests, and anyone who wants a cold start)."""
    _MEMO.clear()
    _ITEMS.clear()
    _SHARED.clear()
