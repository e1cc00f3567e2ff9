"""IdentityCache: a bounded cache whose keys hold id()s, and the one registry of such caches.

Several hot paths remember a result by the identity of an object (a compiled item, a shared
ItemResult, a findings tuple, a field spec) because hashing the object itself would cost
more than the work saved. An id() is only unique among live objects: once an object dies
its id may be given to a new one, and a cache keyed by the bare number would hand the new
object the dead one's result. So every entry holds the objects whose ids are in its key
(`put(key, value, keep)`), and an id in a cached key always names the object it was taken
from. Nothing else is needed to trust a hit: no `is` check on the way out.

Eviction, the same for every cache: when a put finds the cache full, the oldest half of the
entries (by insertion) is dropped. A hit costs one dict lookup and no bookkeeping (an LRU
would pay on every hit); the recent half survives, so a run that overflows a cache does not
start cold, as dropping everything did.

Every cache registers itself: `clear_all()` empties them all (tests, a cold start).
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Hashable, Iterator
from typing import Any, Generic, Protocol, TypeVar, cast, overload

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")
_K_contra = TypeVar("_K_contra", contravariant=True)
_V_co = TypeVar("_V_co", covariant=True)


class Lookup(Protocol[_K_contra, _V_co]):
    """`dict.get`'s shape: the value for a key, else None or the default given."""

    @overload
    def __call__(self, key: _K_contra, default: None = None, /) -> _V_co | None: ...
    @overload
    def __call__(self, key: _K_contra, default: T, /) -> _V_co | T: ...


class IdentityCache(Generic[K, V]):
    """At most `limit` entries, each keeping alive the objects whose ids are in its key."""

    __slots__ = ("__weakref__", "_kept", "_values", "get", "limit", "name")

    def __init__(self, name: str, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        self.name = name
        self.limit = limit
        self._values: dict[K, V] = {}
        self._kept: dict[K, object] = {}  # key → the objects whose ids the key holds
        # The lookup is the dict's own C method: a hit costs what a plain dict's does.
        # (`clear` empties the dicts in place, so this stays bound to the live one.) The cast:
        # mypy does not match dict.get's overloads against a protocol's.
        self.get = cast("Lookup[K, V]", self._values.get)
        _ALL.add(self)

    def put(self, key: K, value: V, keep: object) -> V:
        """Remember `value` under `key`; `keep` is (or holds) every object whose id is in
        `key`, and lives as long as the entry. Returns `value`."""
        values = self._values
        if len(values) >= self.limit and key not in values:
            self._drop_oldest()
        values[key] = value
        self._kept[key] = keep
        return value

    def _drop_oldest(self) -> None:
        values, kept = self._values, self._kept
        for key in list(itertools.islice(values, len(values) - self.limit // 2)):
            del values[key]
            del kept[key]

    def entries(self) -> Iterator[tuple[K, V, object]]:
        """(key, value, what the entry keeps alive), oldest first: for tests and inspection."""
        kept = self._kept
        return ((key, value, kept[key]) for key, value in list(self._values.items()))

    def clear(self) -> None:
        self._values.clear()
        self._kept.clear()

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __repr__(self) -> str:
        return f"IdentityCache({self.name!r}, {len(self)}/{self.limit})"


_ALL: weakref.WeakSet[IdentityCache[Any, Any]] = weakref.WeakSet()


def caches() -> Iterator[IdentityCache[Any, Any]]:
    """Every live IdentityCache, by name."""
    return iter(sorted(_ALL, key=lambda c: c.name))


def clear_all() -> None:
    """Empty every IdentityCache: the next run starts cold, as a fresh process would."""
    for cache in list(_ALL):
        cache.clear()
