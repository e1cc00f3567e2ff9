"""The five non-Jiaxing bundled rubrics score their sample villages to hand-computed figures.

Expectations live in tests/scoring/other_rubrics/<rubric id>.yaml and were computed by hand
from the rubric text (each with a `worked:` arithmetic string), never copied from engine
output. Conventions, as stated at the top of each expectation file:

- an item not listed scores its full points at every review level present;
- `score: x` holds at every level, `levels: {self: a, township: b}` gives it per level;
- a dimension or total given as a number holds at every level, a mapping gives it per level;
- item `exempt: E1`: the item is exempt (免检) by that exemption at every level;
- rating `vetoes` lists every veto that fired; `blocked_by_veto` (default: whether any fired) whether
  the rating is blocked — false for a veto that bars only some tiers; `barred` the tiers each such
  veto bars;
- a top-level `ranking` (rank tiers need the whole cohort): the cohort ranked by hand.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from sanzhi.app.api import load_compiled_rubric
from sanzhi.inputs.files import read_text_village
from sanzhi.inputs.loaded import LoadedVillage
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import sample_files
from sanzhi.standard.models import iter_items

RUBRICS = ("zhejiang-shanzhi", "shandan-wuzhi", "kunshan-grid", "minzhu-fazhi", "tongxiang-carriers", "pingan-shequ", "wenming-cunzhen",
           "qinglian-cunju", "liuhe-pingan")
HERE = Path(__file__).parent / "other_rubrics"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "rubrics"
MIN_SAMPLES = 6


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _expectations(rubric_id: str) -> dict[str, Any]:
    data = yaml.safe_load((HERE / f"{rubric_id}.yaml").read_text(encoding="utf-8"))
    assert data["rubric"] == rubric_id
    return data


def _cases() -> list[Any]:
    cases = []
    for rid in RUBRICS:
        for name in sorted(_expectations(rid)["villages"]):
            cases.append(pytest.param(rid, name, id=f"{rid}/{name}"))
    return cases


_COMPILED: dict[str, Any] = {}


def _compiled(rubric_id: str):
    if rubric_id not in _COMPILED:
        compiled, warnings = load_compiled_rubric(rubric_id)
        assert not warnings, [w.message for w in warnings]
        _COMPILED[rubric_id] = compiled
    return _COMPILED[rubric_id]


def _score(rubric_id: str, name: str) -> VillageResult:
    compiled = _compiled(rubric_id)
    path = next((p for p in sample_files(rubric_id) if p.name == name), None)
    assert path is not None, f"sample file {name} missing for {rubric_id}"
    loaded = read_text_village(compiled, path)
    assert isinstance(loaded, LoadedVillage), [d.message for d in loaded.error.diagnostics]
    return score_village(compiled, loaded.assessment)


def _per_level(spec: Any, levels: tuple[str, ...]) -> dict[str, Decimal]:
    if isinstance(spec, dict):
        assert set(spec) == set(levels), f"levels given {sorted(spec)} != present {list(levels)}"
        return {lv: _d(v) for lv, v in spec.items()}
    return dict.fromkeys(levels, _d(spec))


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_rubric_loads_and_samples_match_expectations(rubric_id: str) -> None:
    compiled = _compiled(rubric_id)
    assert compiled.rubric.id == rubric_id
    files = {p.name for p in sample_files(rubric_id)}
    expected = set(_expectations(rubric_id)["villages"])
    assert len(files) >= MIN_SAMPLES
    assert files == expected, f"samples without expectations: {files - expected}; expectations without samples: {expected - files}"


@pytest.mark.parametrize(("rubric_id", "name"), _cases())
def test_sample_scores_as_computed_by_hand(rubric_id: str, name: str) -> None:
    exp = _expectations(rubric_id)["villages"][name]
    result = _score(rubric_id, name)
    levels = result.levels
    assert list(levels) == exp["levels"]

    listed = exp.get("items", {})
    all_items = {it.id: it for it in (*result.items, *result.bonus_items)}
    unknown = set(listed) - set(all_items)
    assert not unknown, f"expectations name unknown items {unknown}"
    for iid, it in all_items.items():
        spec = listed.get(iid)
        if spec is None:
            want = dict.fromkeys(levels, it.points)
            applicable = True
        else:
            want = _per_level(spec["levels"] if "levels" in spec else spec["score"], levels)
            applicable = spec.get("applicable", True)
        got = {ls.level: ls.score for ls in it.levels}
        assert got == want, f"item {iid}: engine {got} != hand {want} ({(spec or {}).get('worked', 'full points')})"
        assert it.applicable is applicable, f"item {iid}: applicable {it.applicable} != {applicable}"
        exempt = (spec or {}).get("exempt")
        assert [ls.exempt for ls in it.levels] == [exempt] * len(levels), f"item {iid}: exempt {it.exempt} != {exempt}"

    dims = {d.id: d for d in result.dimensions}
    assert set(exp["dimensions"]) == set(dims), "every dimension must be listed"
    for did, spec in exp["dimensions"].items():
        got = dict(dims[did].scores)
        assert got == _per_level(spec, levels), f"dimension {did}: engine {got} != hand {spec}"

    totals = {t.level: t for t in result.totals}
    want_totals = _per_level(exp["totals"], levels)
    assert {lv: t.total for lv, t in totals.items()} == want_totals, exp.get("worked")
    if "bonus" in exp:
        assert {lv: t.bonus for lv, t in totals.items()} == _per_level(exp["bonus"], levels)
    assert result.total == want_totals[levels[-1]]

    rating = exp["rating"]
    assert result.rating.tier == rating["tier"], (result.rating.reasons, exp.get("worked"))
    assert result.rating.name == rating["name"]
    assert sorted(v.id for v in result.vetoes) == sorted(rating.get("vetoes", []))
    assert result.rating.blocked_by_veto is rating.get("blocked_by_veto", bool(rating.get("vetoes")))
    assert {v.id: list(v.bars) for v in result.vetoes if v.bars} == rating.get("barred", {})
    if "gate_passed" in rating:
        assert result.rating.gate_passed is rating["gate_passed"]


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_samples_are_fictional_villages_in_the_right_county(rubric_id: str) -> None:
    counties = _expectations(rubric_id)["county_codes"]
    for path in sample_files(rubric_id):
        text = path.read_text(encoding="utf-8")
        assert "虚构" in text.splitlines()[0], f"{path.name}: first line must say the village is fictional"
        data = yaml.safe_load(text)
        code = data["village"]["code"]
        assert isinstance(code, str) and re.fullmatch(r"\d{12}", code), f"{path.name}: code {code!r}"
        assert counties.get(code[:6]) == data["village"]["county"], f"{path.name}: {code[:6]} is not {data['village']['county']}"


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_doc_page_states_the_provenance_counts(rubric_id: str) -> None:
    rubric = _compiled(rubric_id).rubric
    counts = {"quoted": 0, "paraphrased": 0, "calibrated": 0}
    for _, _, item in iter_items(rubric):
        counts[item.provenance] += 1
    line = f"quoted {counts['quoted']} · paraphrased {counts['paraphrased']} · calibrated {counts['calibrated']}"
    page = (DOCS / f"{rubric_id}.md").read_text(encoding="utf-8")
    assert line in page, f"docs/rubrics/{rubric_id}.md must state the item provenance counts: {line}"
    assert rubric.provenance_note.strip()


def _ranking_cases() -> list[Any]:
    return [pytest.param(rid, id=rid) for rid in RUBRICS if "ranking" in _expectations(rid)]


@pytest.mark.parametrize("rubric_id", _ranking_cases())
def test_cohort_ranking_as_computed_by_hand(rubric_id: str) -> None:
    """Rank tiers need the whole cohort: the samples ranked as `sanzhi ranking` and the published
    lists rank them (the run's stored rank tiers, then assign_ranks over the county)."""
    from sanzhi.batch.queries.ranking import assign_ranks, rank_order, rank_scheme, rank_tiers_json
    from sanzhi.batch.queries.rows import VillageRow

    exp = _expectations(rubric_id)["ranking"]
    compiled = _compiled(rubric_id)
    stored = rank_tiers_json(compiled.rubric.rating, compiled.rubric.vetoes)
    scheme = rank_scheme(stored)
    assert scheme.within == exp["within"]
    rows = []
    for path in sample_files(rubric_id):
        r = _score(rubric_id, path.name)
        assert r.county == exp["county"]
        rows.append(VillageRow(path.name, r.village_name, r.township, r.county, r.year, r.total, r.rating.tier,
                               r.rating.name, r.rating.blocked_by_veto, "；".join(v.name for v in r.vetoes),
                               r.operative_level, 1, "run", r.rubric_id, r.rubric_version, r.rubric_hash, stored, None))
    ranked = assign_ranks(rank_order(rows), scheme.tiers, scheme.cumulative)
    limits = {t.id: s.limit(sum(1 for r in rows if not r.vetoed)) for t, s in zip(compiled.rubric.rating.rank_tiers, scheme.tiers)}
    assert sum(1 for r in rows if not r.vetoed) == exp["ranked"]
    if scheme.cumulative:
        assert limits == exp["limits"]
    names = {t.id: t.name for t in compiled.rubric.rating.rank_tiers}
    got = [{"village": rr.village.village_code, "total": rr.village.total, "rank": rr.rank, "name": rr.rank_tier}
           for rr in ranked if rr.rank is not None]
    want = [{"village": o["village"], "total": _d(o["total"]), "rank": o["rank"], "name": o["name"]} for o in exp["order"]]
    assert got == want
    assert all(names[o["tier"]] == o["name"] for o in exp["order"])
    unranked = {rr.village.village_code for rr in ranked if rr.rank is None}
    assert unranked == {o["village"] for o in exp["not_ranked"]}
