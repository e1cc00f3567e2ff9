"""Township and county scores from their villages' facts, against hand-computed figures (the engine, no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanzhi.scoring.assessment import Assessment, Village
from sanzhi.scoring.units import UnitResult, compute_aggregates, score_unit
from sanzhi.standard.compile import CompiledRubric
from tests.units.helpers import (
    COUNTY_RUBRIC,
    TOWNSHIP_DATA,
    TOWNSHIP_RUBRIC,
    VILLAGE_RUBRIC,
    compiled,
    d,
    direct_facts,
    expected,
    read,
)

EXPECTED = expected()


@pytest.fixture(scope="module")
def rubrics() -> tuple[CompiledRubric, CompiledRubric, CompiledRubric]:
    return compiled(VILLAGE_RUBRIC), compiled(TOWNSHIP_RUBRIC), compiled(COUNTY_RUBRIC)


def _own(unit: CompiledRubric, code: str, name: str, county: str) -> Assessment:
    path = TOWNSHIP_DATA / f"{code}.yaml"
    if unit.unit == "township" and path.exists():
        a = read(unit, path)
        v = a.village
        return Assessment(Village(code, name, name, county, v.year, v.assessed_on), a.attributes, a.answers, a.judgments,
                          a.evidence, a.reviews)
    from datetime import date

    return Assessment(Village(code, name, name if unit.unit == "township" else "", county, 2025, date(2025, 12, 31)), {}, {})


def _units(rubrics, unit: CompiledRubric, digits: int) -> dict[str, UnitResult]:
    village = rubrics[0]
    facts = direct_facts(village)
    out = {}
    for code in sorted({f.code[:digits] for f in facts}):
        members = [f for f in facts if f.code.startswith(code)]
        spec = EXPECTED["township" if digits == 9 else "county"][code]
        aggs = compute_aggregates(unit, members)
        out[code] = score_unit(unit, _own(unit, code, spec["name"], spec.get("county", spec["name"])), aggs, len(members))
    return out


def test_villages_score_as_computed_by_hand(rubrics) -> None:
    facts = {f.code: f for f in direct_facts(rubrics[0])}
    for code, spec in EXPECTED["villages"].items():
        assert facts[code].values["total"] == d(spec["total"]), code
        assert facts[code].values["rating"] == spec["rating"], code


@pytest.mark.parametrize("level,digits,rubric", [("township", 9, 1), ("county", 6, 2)])
def test_unit_scores_are_hand_computed(rubrics, level: str, digits: int, rubric: int) -> None:
    units = _units(rubrics, rubrics[rubric], digits)
    assert sorted(units) == sorted(EXPECTED[level])
    for code, spec in EXPECTED[level].items():
        u = units[code]
        assert u.villages == spec["villages"], code
        aggs = {a.id: a for a in u.aggregates}
        for aid, want in spec["aggregates"].items():
            assert aggs[aid].value == d(want["value"]), (code, aid)
            if "text" in want:
                assert aggs[aid].text == want["text"], (code, aid)
        items = {it.id: it for it in u.result.items}
        for iid, want in spec["items"].items():
            score = want["score"] if isinstance(want, dict) else want
            assert items[iid].score == d(score), (code, iid, items[iid].operative.findings)
            if isinstance(want, dict) and "text" in want:
                assert [f.text for f in items[iid].operative.findings] == [want["text"]], (code, iid)
        assert u.result.total == d(spec["total"]), code
        assert u.result.rating.name == spec["rating"], code


def test_a_unit_rubric_needs_its_village_rubric(tmp_path: Path) -> None:
    from sanzhi.common.errors import RubricError
    from sanzhi.standard.loader import load_rubric_file

    text = TOWNSHIP_RUBRIC.read_text(encoding="utf-8").replace("reads: village.yaml", "reads: unit-test-village")
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as e:
        load_rubric_file(tmp_path / "t.yaml")
    assert [x.code for x in e.value.diagnostics] == ["R261"]
    assert "reads 须写明村级评分标准的版本" in e.value.diagnostics[0].message


@pytest.mark.parametrize("rubric,rating,codes", [
    ("township", "rank_within: township", ["R264"]),
    ("township", "red_black: {within: township}", ["R264"]),
    ("township", "red_black: {within: county, red: {top: 1}}\n  rank_within: county", []),  # townships rank in their county
    ("township", "red_black: {red: {top: 1}}", []),
    ("county", "red_black: {within: county}", ["R264"]),
    ("county", "rank_within: county", ["R264"]),
])
def test_a_unit_rubric_cannot_rank_in_another_cohort(tmp_path: Path, rubric: str, rating: str, codes: list[str]) -> None:
    """The cohort of a unit's ranking and 红黑榜 is fixed by the unit (townships in their county,
    counties across the run): a `within` naming another would rank each unit alone."""
    from sanzhi.common.errors import RubricError
    from sanzhi.standard.loader import load_rubric_file

    source = TOWNSHIP_RUBRIC if rubric == "township" else COUNTY_RUBRIC
    (tmp_path / "village.yaml").write_bytes(VILLAGE_RUBRIC.read_bytes())
    text = source.read_text(encoding="utf-8")
    assert "\nrating:\n  tiers:\n" in text
    (tmp_path / "u.yaml").write_text(text.replace("\nrating:\n  tiers:\n", f"\nrating:\n  {rating}\n  tiers:\n", 1), encoding="utf-8")
    if not codes:
        load_rubric_file(tmp_path / "u.yaml")
        return
    with pytest.raises(RubricError) as e:
        load_rubric_file(tmp_path / "u.yaml")
    assert [x.code for x in e.value.diagnostics] == codes
    assert "不能写 within" in e.value.diagnostics[0].message
