"""The item memo (sanzhi.scoring.memo): what it shares, what it never shares, and that
neither its bounds nor its evictions ever change a result."""

import copy
from collections import Counter
from collections.abc import Iterator
from typing import Any, cast

import pytest

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.errors import Location
from sanzhi.common.identity_cache import IdentityCache, clear_all
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.synthetic import plausible_village
from sanzhi.scoring import memo
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import ItemResult, VillageResult
from sanzhi.standard.bundled import sample_files
from sanzhi.standard.compile import CompiledRubric

MEMOS: tuple[IdentityCache[Any, Any], ...] = (memo._OUTCOMES, memo._ITEMS, memo._SHARED)
Samples = tuple[CompiledRubric, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def jiaxing() -> Samples:
    compiled, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    samples = [load_yaml(p.read_text(encoding="utf-8"), p.name, code_prefix="D")[0] for p in sample_files(compiled.rubric.id)]
    return compiled, cast(list[dict[str, Any]], samples)


@pytest.fixture
def cold() -> Iterator[None]:
    clear_all()
    yield
    clear_all()


def _score(compiled: CompiledRubric, raw: object) -> VillageResult:
    return score_village(compiled, read_assessment(compiled, raw, lambda p, k: Location("t")))


def test_results_are_the_same_with_the_memo_cold_or_warm_in_any_order(jiaxing: Samples, cold: None) -> None:
    # A key missing a name the item reads, or the type of a value, would make a village's
    # result depend on the villages scored before it.
    compiled, samples = jiaxing
    raws = [plausible_village(compiled, samples, i) for i in range(60)]

    def scored(order: list[int]) -> dict[int, str]:
        return {i: repr(_score(compiled, raws[i])) for i in order}

    forward = scored(list(range(60)))
    assert len(memo._OUTCOMES) > 0 and len(memo._ITEMS) > 0
    clear_all()
    assert scored(list(range(59, -1, -1))) == forward
    for i in range(0, 60, 7):
        clear_all()
        assert scored([i]) == {i: forward[i]}
    # Only the whole-item memo warm: every village's items must still be its own.
    memo._OUTCOMES.clear()
    assert scored(list(range(60))) == forward


@pytest.mark.parametrize("limits", [(64, 50_000, 100_000), (3, 5, 4), (50_000, 2, 3)])
def test_memos_evicting_at_small_bounds_give_the_results_of_a_cold_start(jiaxing: Samples, cold: None, limits: tuple[int, int, int]) -> None:
    # Small bounds evict all the time. With the outcome memo small and the item memo not,
    # outcome tuples die while items keyed by their ids stay cached, and new outcome tuples
    # are given dead ones' ids: had an item entry not kept its key's objects alive, villages
    # would get another combination's item (about 1 in 15 did, when tried).
    compiled, samples = jiaxing
    raws = [plausible_village(compiled, samples, i) for i in range(200)]  # a quarter of them reviewed
    expected = []
    for raw in raws:
        clear_all()
        expected.append(repr(_score(compiled, raw)))
    saved = [m.limit for m in MEMOS]
    try:
        for m, limit in zip(MEMOS, limits):
            m.limit = limit
        clear_all()
        for _ in range(2):  # the second pass meets a memo full of the first's leftovers
            assert [repr(_score(compiled, raw)) for raw in raws] == expected
            assert all(len(m) <= m.limit for m in MEMOS)
            _assert_keys_name_what_entries_keep()
    finally:
        for m, limit in zip(MEMOS, saved):
            m.limit = limit


def _assert_keys_name_what_entries_keep() -> None:
    """Every id in a memo key is the id of an object its entry keeps alive."""
    for key, _, kept in memo._OUTCOMES.entries():  # (id(item), judgment, type, value, …)
        assert key[0] == id(kept)
    for key, _, kept in memo._ITEMS.entries():  # (id(item), level, id(outcome), level, id(outcome), …)
        assert isinstance(kept, tuple) and [key[0], *key[2::2]] == [id(x) for x in kept]
    for ident, value, kept in memo._SHARED.entries():
        assert ident == id(value) and kept is value


def test_villages_that_score_alike_share_items_but_never_evidence_or_overrides(jiaxing: Samples, cold: None) -> None:
    compiled, samples = jiaxing
    by_code = {str(s["village"]["code"]): s for s in samples}
    for code in ("330483101201", "330483101205"):  # 杏林村: evidence, no review; 竹溪村: township and county reviews with scores
        a = by_code[code]
        b = copy.deepcopy(a)
        b["village"]["code"] = "330483199999"
        ra, rb = _score(compiled, a), _score(compiled, b)
        own = set(a.get("evidence") or {})
        for review in a.get("reviews") or []:
            own |= set(review.get("scores") or {})  # overridden at a level: and so at every level above
        assert own
        for x, y in zip(ra.items + ra.bonus_items, rb.items + rb.bonus_items):
            assert x == y
            if x.id in own:
                assert x is not y and not memo.is_shared(x) and not memo.is_shared(y), x.id
            else:
                assert x is y and memo.is_shared(x), x.id


def test_per_shared_item_remembers_shared_items_only(jiaxing: Samples, cold: None) -> None:
    compiled, samples = jiaxing
    made: Counter[str] = Counter()

    def make(it: ItemResult) -> str:
        made[it.id] += 1
        return it.id

    encode = memo.per_shared_item(make, 1_000)
    xinglin = next(s for s in samples if s["village"]["code"] == "330483101201")
    with_evidence = set(xinglin["evidence"])
    items = _score(compiled, xinglin).items
    for _ in range(3):
        assert [encode(it) for it in items] == [it.id for it in items]
    assert made == {it.id: 3 if it.id in with_evidence else 1 for it in items}
    shared = next(it for it in items if it.id not in with_evidence)
    clear_all()  # the memo forgets what it shared, and every per_shared_item cache empties
    encode(shared)
    encode(shared)
    assert made[shared.id] == 3
