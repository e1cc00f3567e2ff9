"""Impact of a revision and weight sensitivity: the pure functions, with hand-computed numbers.

Why: before a revision is adopted its maintainers must know whom it moves and why; every
figure here is worked out by hand from the small test rubric (tests/standard/versions/base.yaml).
"""

import copy
from decimal import Decimal
from pathlib import Path
from typing import Any

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.errors import Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.files import read_text_village
from sanzhi.inputs.loaded import LoadedVillage
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.impact import (
    Flow,
    ItemMove,
    VillageDelta,
    VillageSensitivity,
    carry_plan,
    compare_results,
    item_pairs,
    operative_values,
    sensitivity,
    summarize,
    summarize_sensitivity,
    translate_assessment,
)
from sanzhi.standard.bundled import sample_files
from sanzhi.standard.compile import CompiledRubric, compile_rubric
from sanzhi.standard.lineage import item_id_map
from sanzhi.standard.loader import load_rubric_file
from sanzhi.standard.models import Rubric

BASE = Path(__file__).parents[1] / "standard" / "versions" / "base.yaml"
D = Decimal

VILLAGE = {
    "village": {"code": "330000000101", "name": "测试村", "township": "测试镇", "county": "测试县", "year": 2025, "county_class": "一般县"},
    # 1.1.1: 4 − 2 (no staff) = 2; 1.1.2: 3 − 2 × 0.5 = 2; 1.1.3: 15 < 20, 3 − 1 = 2 → dimension 1 = 6
    # 2.1.1: 7 meetings × 1 = 7 → dimension 2 = 7; bonus 1 → total 14: 达标 (≥ 14), not 示范 (≥ 18)
    "answers": {"plan_made": True, "staffed": False, "findings": 2, "income": 15, "meetings": 7, "incident": False, "honors": 1},
}


def _a() -> CompiledRubric:
    return load_rubric_file(BASE)[0]


def _b() -> CompiledRubric:
    """The revision: not having staff costs 1 point instead of 2; 1.1.2 renumbered 1.1.8."""
    data: dict[str, Any] = _a().rubric.model_dump(mode="json", exclude_none=True)
    data["version"] = "2"
    items = data["dimensions"][0]["indicators"][0]["items"]
    items[0]["rules"][1]["points"] = "1"
    items[1]["id"] = "1.1.8"
    data["crosswalk"] = {"previous": "base-demo@1", "items": [{"change": "renamed", "old": "1.1.2", "new": "1.1.8"}]}
    return compile_rubric(Rubric.model_validate(data))


def _score(c: CompiledRubric, raw: dict[str, Any]):
    a = read_assessment(c, copy.deepcopy(raw), lambda p, k: Location("test"))
    return a, score_village(c, a)


def test_compare_results_names_the_items_that_moved_the_village() -> None:
    a, b = _a(), _b()
    _, ra = _score(a, VILLAGE)
    _, rb = _score(b, VILLAGE)
    assert (ra.total, rb.total) == (D(14), D(15))
    d = compare_results(ra, rb, item_id_map(a.rubric, b.rubric))
    assert d == VillageDelta("330000000101", "测试村", "测试镇", "B", "B", "达标", "达标", D(14), D(15),
                             (("1", D(6)), ("2", D(7))), (("1", D(7)), ("2", D(7))),
                             (ItemMove("1.1.1", "1.1.1", "计划", D(2), D(3), D(1)),))
    assert d.delta == 1
    assert compare_results(ra, rb, item_id_map(a.rubric, b.rubric), pairs=item_pairs(a, b, item_id_map(a.rubric, b.rubric))) == d


def test_removed_and_added_items_count_as_moves() -> None:
    a = _a()
    data: dict[str, Any] = a.rubric.model_dump(mode="json", exclude_none=True)
    data["version"] = "3"
    data["bonus"] = None  # B.1 removed: the village loses its bonus point
    b = compile_rubric(Rubric.model_validate(data))
    _, ra = _score(a, VILLAGE)
    _, rb = _score(b, VILLAGE)
    d = compare_results(ra, rb, item_id_map(a.rubric, b.rubric))
    assert d.items == (ItemMove("B.1", None, "表彰", D(1), None, D(-1)),)
    assert (d.rating_a, d.rating_b) == ("达标", "未达标")
    back = compare_results(rb, ra, item_id_map(b.rubric, a.rubric))
    assert back.items == (ItemMove(None, "B.1", "表彰", None, D(1), D(1)),)
    assert back == compare_results(rb, ra, {}, pairs=item_pairs(b, a, item_id_map(b.rubric, a.rubric)))


def test_summarize_builds_the_matrix_means_and_movers() -> None:
    a, b = _a(), _b()

    def delta(code: str, ra: str, rb: str, ta: int, tb: int) -> VillageDelta:
        return VillageDelta(code, f"村{code}", "镇", None, None, ra, rb, D(ta), D(tb), (("1", D(ta)), ("2", D(0))), (("1", D(tb)), ("2", D(0))), ())

    deltas = [delta("1", "示范", "示范", 19, 19), delta("2", "达标", "示范", 17, 18), delta("3", "示范", "达标", 18, 17),
              delta("4", "未达标", "达标", 13, 14), delta("5", "不予评定", "不予评定", 15, 16)]
    r = summarize(a, b, deltas, failures=2, top=3)
    assert (r.villages, r.changed_rating, r.up, r.down, r.score_changed, r.failures) == (5, 3, 2, 1, 4, 2)
    assert r.ratings == ("示范", "达标", "未达标", "不予评定")
    assert r.matrix == (Flow("示范", "示范", 1), Flow("示范", "达标", 1), Flow("达标", "示范", 1), Flow("未达标", "达标", 1),
                        Flow("不予评定", "不予评定", 1))
    assert (r.mean_total_a, r.mean_total_b) == (D("16.40"), D("16.80"))
    assert [m.code for m in r.movers] == ["2", "3", "4"]  # |Δ| = 1 for four villages: by code
    dim1 = r.dimensions[0]
    assert (dim1.id, dim1.points_a, dim1.points_b, dim1.mean_a, dim1.mean_b, dim1.mean_delta, dim1.villages_changed) == (
        "1", D(10), D(10), D("16.40"), D("16.80"), D("0.40"), 4)


def test_summarize_of_nothing() -> None:
    r = summarize(_a(), _b(), [])
    assert (r.villages, r.matrix, r.mean_total_a, r.movers) == (0, (), None, ())


def test_judgments_follow_renamed_items_and_keep_their_share_of_the_range() -> None:
    a, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    b, _ = load_compiled_rubric("jiaxing-sanzhi@2024")
    sample = next(p for p in sample_files("jiaxing-sanzhi") if p.name.endswith("xinglin.yaml"))
    loaded = read_text_village(a, sample)
    assert isinstance(loaded, LoadedVillage)
    carried = translate_assessment(loaded.assessment, carry_plan(a, b, item_id_map(a.rubric, b.rubric)))
    # 4.2.3 is judged 0–3 in 2018 and 0–2 in 2024: 3 → 2; the township's 2.5 → 1.7 (2.5 × 2 ÷ 3, rounded to 0.1).
    assert {k: v.score for k, v in carried.judgments.items()} == {"4.2.3": D(2), "6.1.4": D(2)}
    assert carried.reviews[0].judgments["4.2.3"].score == D("1.7")
    assert carried.judgments["6.1.4"].reason == loaded.assessment.judgments["6.1.3"].reason
    assert set(carried.evidence) == set(loaded.assessment.evidence)  # 1.1.1, 4.2.1, B.1 keep their ids
    assert carried.answers is loaded.assessment.answers
    rb = score_village(b, carried)
    assert next(it for it in rb.items if it.id == "6.1.4").score == D(2)


def test_sensitivity_moves_the_village_whose_total_is_near_a_threshold() -> None:
    a = _a()
    assessment, result = _score(a, VILLAGE)
    values = operative_values(a, assessment)
    # Weights 10/10 of 20. Dimension 1 at +10%: 6 × 1.1 + 7 × 0.9 = 12.9, + bonus 1 = 13.9 < 14 → 未达标.
    # Dimension 1 at −10%: 6 × 0.9 + 7 × 1.1 = 13.1 + 1 = 14.1: still 达标. Dimension 2 mirrors dimension 1.
    s = sensitivity(a, result, values)
    assert s == VillageSensitivity("B", "达标", (("1", "+", "未达标"), ("2", "-", "未达标")))
    report = summarize_sensitivity(a, [s, VillageSensitivity("A", "示范", ()), VillageSensitivity(None, "未达标", (("1", "+", "达标"),))], failures=1)
    assert (report.villages, report.failures, report.step) == (3, 1, D("0.1"))
    d1, d2 = report.dimensions
    assert (d1.minus.changed, d1.plus.changed, d1.plus.up, d1.plus.down) == (0, 2, 1, 1)
    assert d1.plus.flows == (Flow("达标", "未达标", 1), Flow("未达标", "达标", 1))
    assert (d2.minus.changed, d2.minus.down, d2.plus.changed) == (1, 1, 0)


def test_sensitivity_uses_the_operative_answers_and_keeps_dimension_minimums() -> None:
    a = _a()
    raw = copy.deepcopy(VILLAGE)
    raw["answers"]["meetings"] = 10
    raw["reviews"] = [{"level": "township", "reviewer": "镇", "corrections": {"findings": {"value": 0, "reason": "核实无问题"}}}]
    assessment, result = _score(a, raw)
    # The township's correction puts 1.1.2 back to 3: dimension 1 = 7, dimension 2 = 10, + bonus 1 = 18,
    # but 示范 also needs dimension 1 ≥ 8, so the village is 达标.
    assert (result.total, result.rating.name) == (D(18), "达标")
    values = operative_values(a, assessment)
    assert values["findings"] == 0 and values["meetings"] == 10
    # Dimension 2 at +10%: 7 × 0.9 + 10 × 1.1 + 1 = 18.3 ≥ 18, yet dimension 1 is still 7 of 10 (its minimum
    # scales with it): 达标. Every other shift keeps the total ≥ 14: nothing moves.
    assert sensitivity(a, result, values).moved == ()
