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
"""

from collections.abc import Mapping
from decimal import Decimal

from sanzhi.scoring.assessment import Scored
from sanzhi.scoring.items import score_item
from sanzhi.scoring.results import Finding
from sanzhi.scoring.rules import Display
from sanzhi.standard.compile import CompiledItem

_ABSENT = object()
_MAX_ENTRIES = 200_000
_ORDER: dict[int, tuple[CompiledItem, tuple[str, ...]]] = {}
_MEMO: dict[tuple[object, ...], tuple[CompiledItem, tuple[Decimal, tuple[Finding, ...], tuple[str, ...]]]] = {}


def _names(ci: CompiledItem) -> tuple[str, ...]:
    hit = _ORDER.get(id(ci))
    if hit is not None and hit[0] is ci:
        return hit[1]
    names = tuple(sorted(ci.needs))
    _ORDER[id(ci)] = (ci, names)
    return names


def _key(ci: CompiledItem, values: Mapping[str, object], judgment: Scored | None) -> tuple[object, ...] | None:
    parts: list[object] = [id(ci), None if judgment is None else (str(judgment.score), judgment.reason)]
    for n in _names(ci):
        v = values.get(n, _ABSENT)
        t = type(v)
        parts.append(t)
        parts.append(str(v) if t is Decimal else v)
    key = tuple(parts)
    try:
        hash(key)
    except TypeError:  # a value of a kind not foreseen: score it, do not cache it
        return None
    return key


def scored_item(
    ci: CompiledItem, values: Mapping[str, object], display: Display, judgment: Scored | None, precision: Decimal
) -> tuple[Decimal, tuple[Finding, ...], tuple[str, ...]]:
    """`score_item(ci, values, display, judgment, precision)`, from the cache when it can."""
    key = _key(ci, values, judgment)
    if key is not None:
        hit = _MEMO.get(key)
        if hit is not None and hit[0] is ci:
            return hit[1]
    result = score_item(ci, values, display, judgment, precision)
    if key is not None:
        if len(_MEMO) >= _MAX_ENTRIES:
            _MEMO.clear()
        _MEMO[key] = (ci, result)
    return result
