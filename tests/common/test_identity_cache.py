"""IdentityCache: an id() in a cached key always names the object it was taken from."""

import gc
import re
import weakref
from pathlib import Path

import pytest

from sanzhi.common.identity_cache import IdentityCache, caches, clear_all


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


def test_clear_all_empties_every_cache_the_product_has() -> None:
    # Touch every cache: read and score the Jiaxing samples, encode them as a batch does
    # (result files, item_scores fragments) and as `sanzhi score -o` does.
    from sanzhi.app.api import load_compiled_rubric
    from sanzhi.batch.result_rows import _item_fragments
    from sanzhi.batch.serialize import village_json
    from sanzhi.common.errors import Location
    from sanzhi.common.yaml_source import load_yaml
    from sanzhi.inputs.assessment import read_assessment
    from sanzhi.reports.json_output import dumps_results
    from sanzhi.scoring.engine import score_village
    from sanzhi.standard.bundled import sample_files

    compiled, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    results = []
    for p in sample_files(compiled.rubric.id):
        raw = load_yaml(p.read_text(encoding="utf-8"), p.name, code_prefix="D")[0]
        results.append(score_village(compiled, read_assessment(compiled, raw, lambda p, k: Location("t"))))
    dumps_results((r, None) for r in results)
    for r in results:
        village_json(r, None)
        for it in r.items:
            _item_fragments(it)
    sizes = {c.name: len(c) for c in caches()}
    every = {
        "scoring.memo.outcomes", "scoring.memo.items", "scoring.memo.shared", "inputs.assessment.parsed",
        "inputs.assessment.indexes", "reports.json_convert _seq_Finding",
        "per_shared_item sanzhi.batch.serialize.<lambda>", "per_shared_item sanzhi.batch.result_rows._fragments",
    }
    assert every <= sizes.keys()
    assert all(sizes[name] > 0 for name in every), sizes  # the samples carry reviews: items are memoised too
    clear_all()
    assert all(len(c) == 0 for c in caches())


# Every module that calls id(): those whose caches are IdentityCaches, and the others with
# the reason theirs is not a cache.
_IDENTITY_CACHE_USERS = {
    "scoring/memo.py", "reports/json_convert.py", "inputs/assessment.py", "reports/wpreuse.py", "inputs/retarget.py",
}
_ID_NOT_A_CACHE = {
    "common/identity_cache.py": "the class itself",
    "common/yaml_source.py": "alias detection while one document loads: a set of the ids of live nodes",
    "standard/extends.py": "which variant wrote which entity while one merge runs: bookkeeping, nothing evicted",
    "inputs/cellmap.py": "the locations one CellMap issued, for its own refine(): lives with the map, nothing evicted",
    "batch/executors.py": "a Dask task key names the executor: not a lookup",
    "common/environment.py": "a cycle guard while one exception chain is walked: its exceptions are alive, nothing kept",
}


def test_every_cache_keyed_by_id_is_an_IdentityCache() -> None:
    # A cache written by hand (`d[id(x)] = …`) brings back what the tests above guard
    # against: a referent not kept alive, an eviction policy of its own, a clear() nobody calls.
    src = Path(__file__).resolve().parents[2] / "src" / "sanzhi"
    texts = {p.relative_to(src).as_posix(): p.read_text(encoding="utf-8") for p in src.rglob("*.py")}
    calls_id = {name for name, text in texts.items() if re.search(r"(?<![\w.])id\(", text)}
    assert calls_id <= _IDENTITY_CACHE_USERS | _ID_NOT_A_CACHE.keys(), "a new id() user: an IdentityCache, or say why not"
    for name in _IDENTITY_CACHE_USERS:
        assert not re.search(r"dict\[(int|tuple\[int)\b", texts[name]), f"{name}: a dict keyed by id()"
