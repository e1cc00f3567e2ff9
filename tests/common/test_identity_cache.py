"""IdentityCache: an id() in a cached key always names the object it was taken from."""

import gc
import weakref

import pytest

from sanzhi.common.identity_cache import IdentityCache


class Thing:
    """An object of one fixed size, so a freed one's memory (and id) is soon given to the next."""

    __slots__ = ("__weakref__", "n")

    def __init__(self, n: int) -> None:
        self.n = n


def test_a_cached_key_never_answers_for_another_object_even_as_ids_are_reused() -> None:
    cache: IdentityCache[int, int] = IdentityCache("test.reuse", 8)
    seen: set[int] = set()
    reused = 0
    for n in range(3_000):
        thing = Thing(n)
        reused += id(thing) in seen
        seen.add(id(thing))
        # A new object was never put: a hit would be a dead object's value under a reused id.
        assert cache.get(id(thing)) is None, f"Thing {n} got the value of Thing {cache.get(id(thing))}"
        cache.put(id(thing), n, thing)
        assert cache.get(id(thing)) == n
        del thing
    gc.collect()
    assert reused > 100  # evicted things died and their ids went to new ones: the case is real


def test_entries_keep_their_referents_alive_until_evicted_or_cleared() -> None:
    cache: IdentityCache[tuple[int, str], str] = IdentityCache("test.alive", 4)
    refs = []
    for n in range(4):
        thing = Thing(n)
        refs.append(weakref.ref(thing))
        cache.put((id(thing), "x"), f"v{n}", thing)
        del thing
    gc.collect()
    assert all(r() is not None for r in refs)  # nothing but the cache holds them
    cache.put((0, "new"), "v", None)  # full: the oldest half goes, and their referents with it
    gc.collect()
    assert [r() is None for r in refs] == [True, True, False, False]
    cache.clear()
    gc.collect()
    assert all(r() is None for r in refs) and len(cache) == 0


@pytest.mark.parametrize("limit", [1, 2, 7, 100])
def test_eviction_keeps_the_bound_and_the_newest_entries(limit: int) -> None:
    cache: IdentityCache[int, int] = IdentityCache("test.bound", limit)
    for n in range(10 * limit + 3):
        cache.put(n, n, None)
        assert len(cache) <= limit
        assert cache.get(n) == n  # the entry just put is always there
    kept = [n for n in range(10 * limit + 3) if n in cache]
    assert kept == list(range(kept[0], 10 * limit + 3))  # what survives is the most recent run
    assert len(kept) >= max(1, limit // 2)
    cache.put(kept[-1], -1, None)  # replacing an entry does not evict
    assert len(cache) == len(kept) and cache.get(kept[-1]) == -1


def test_lookup_with_a_default_tells_a_cached_none_from_a_miss() -> None:
    cache: IdentityCache[str, int | None] = IdentityCache("test.none", 4)
    miss = object()
    cache.put("blank", None, None)
    assert cache.get("blank", miss) is None and cache.get("other", miss) is miss
