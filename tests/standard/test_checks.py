"""Semantic rubric checks (sanzhi.standard.checks), one inconsistency at a time.

Each test starts from the valid tests/data/mini.yaml, breaks one thing, and asserts the exact
Problem: its raw path (the loader turns it into file:line:col), message, expected/found, hint.
"""

import copy
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import yaml

from sanzhi.standard.checks import (
    check_count_bounds,
    check_field_use,
    check_ids,
    check_rating,
    check_rubric,
    check_rules,
    check_sums,
    check_tier_names,
)
from sanzhi.standard.intervals import parse_interval
from sanzhi.standard.models import Rubric
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.bands import _check_bands

MINI = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "mini.yaml").read_text(encoding="utf-8"))
ITEMS = ("dimensions", 0, "indicators", 0, "items")


def rubric(edit: Callable[[dict], object] = lambda d: None) -> Rubric:
    data = copy.deepcopy(MINI)
    edit(data)
    return Rubric.model_validate(data)


def item(d: dict, n: int) -> dict:
    return d["dimensions"][0]["indicators"][0]["items"][n]


def bands_item(bands: list[tuple[str, int]], value: str = "income") -> Callable[[dict], None]:
    def edit(d: dict) -> None:
        item(d, 2)["rules"] = [{"kind": "bands", "value": value, "reason": "分档",
                                "bands": [{"range": r, "score": s} for r, s in bands]}]
    return edit


def test_mini_has_no_problems() -> None:
    assert check_rubric(rubric()) == []


# --------------------------------------------------------------------------- ids and sums


def test_duplicate_item_id() -> None:
    (p,) = check_ids(rubric(lambda d: item(d, 1).__setitem__("id", "1.1.1")))
    assert p == Problem("R201", (*ITEMS, 1, "id"), "评分项 id “1.1.1” 重复", hint="每个 id 在评分标准中只能出现一次",
                       first=(*ITEMS, 0, "id"))


def test_duplicate_tier_id() -> None:
    (p,) = check_ids(rubric(lambda d: d["rating"]["tiers"][1].__setitem__("id", "A")))
    assert (p.path, p.message) == (("rating", "tiers", 1, "id"), "等级 id “A” 重复")


def test_indicator_sum() -> None:
    def edit(d: dict) -> None:
        d["total_points"] = d["dimensions"][0]["points"] = d["dimensions"][0]["indicators"][0]["points"] = 9
    (p,) = check_sums(rubric(edit))
    assert p == Problem("R202", ("dimensions", 0, "indicators", 0, "points"), "指标 “1.1” 的分值与其评分项分值之和不符",
                        expected="10（各评分项分值之和）", found="9")


def test_dimension_sum() -> None:
    def edit(d: dict) -> None:
        d["total_points"] = d["dimensions"][0]["points"] = 12
    (p,) = check_sums(rubric(edit))
    assert (p.path, p.message, p.expected, p.found) == (
        ("dimensions", 0, "points"), "维度 “1” 的分值与其指标分值之和不符", "10（各指标分值之和）", "12")


def test_total_sum() -> None:
    (p,) = check_sums(rubric(lambda d: d.__setitem__("total_points", 100)))
    assert (p.path, p.expected, p.found) == (("total_points",), "10（各维度分值之和）", "100")


# --------------------------------------------------------------------------- rule bounds


def test_deduction_above_item_points() -> None:
    (p,) = check_rules(rubric(lambda d: item(d, 0)["rules"][1].__setitem__("points", 3)))
    assert p == Problem("R203", (*ITEMS, 0, "rules", 1, "points"), "扣分（3）超过本项分值 2", expected="不超过 2", found="3",
                        hint="扣分不能超过本项分值；“全扣/不得分” 请改用 kind: zero")


def test_cap_above_item_points() -> None:
    (p,) = check_rules(rubric(lambda d: item(d, 1)["rules"][0].__setitem__("cap", 5)))
    assert (p.path, p.message, p.hint) == (
        (*ITEMS, 1, "rules", 0, "cap"), "封顶分（5）超过本项分值 3", "不能超过本项分值；省略 cap 即以本项分值为上限")


def test_judgment_max_above_points() -> None:
    def edit(d: dict) -> None:
        item(d, 1)["rules"] = [{"kind": "judgment", "max": 4, "guidance": "酌情"}]
    (p,) = check_rules(rubric(edit))
    assert (p.path, p.message, p.hint) == (
        (*ITEMS, 1, "rules", 0, "max"), "最高分（4）超过本项分值 3", "不能超过本项分值；省略 max 即以本项分值为上限")


def test_judgment_min_above_max() -> None:
    def edit(d: dict) -> None:
        item(d, 1)["rules"] = [{"kind": "judgment", "min": 2, "max": 1, "guidance": "酌情"}]
    (p,) = check_rules(rubric(edit))
    assert (p.code, p.path, p.message) == ("R204", (*ITEMS, 1, "rules", 0, "min"), "最低分 2 大于最高分 1")


def test_band_score_above_points() -> None:
    (p,) = check_rules(rubric(bands_item([("[20, ∞)", 6), ("[0, 20)", 0)])))
    assert (p.path, p.message, p.hint) == ((*ITEMS, 2, "rules", 0, "bands", 0, "score"), "分档得分（6）超过本项分值 5", "得分不能超过本项分值")


def test_points_not_a_multiple_of_precision() -> None:
    problems = check_rules(rubric(lambda d: d.__setitem__("precision", 2)))
    assert [(p.code, p.path, p.message) for p in problems] == [
        ("R206", (*ITEMS, 1, "points"), "分值 3 不是计分精度 2 的整数倍"),
        ("R206", (*ITEMS, 2, "points"), "分值 5 不是计分精度 2 的整数倍"),
    ]


def test_applies_when_without_not_applicable() -> None:
    (p,) = check_rules(rubric(lambda d: item(d, 1).__setitem__("applies_when", "county_class == '一般县'")))
    assert p == Problem("R207", (*ITEMS, 1, "applies_when"), "有 applies_when 却没有 not_applicable：二者必须同时给出",
                        hint="not_applicable: rescale（不适用时不计入分母）或 zero（不适用时按 0 分计）", key=True)


def test_not_applicable_without_applies_when() -> None:
    (p,) = check_rules(rubric(lambda d: item(d, 1).__setitem__("not_applicable", "zero")))
    assert (p.path, p.message) == ((*ITEMS, 1, "not_applicable"), "有 not_applicable 却没有 applies_when：二者必须同时给出")


# --------------------------------------------------------------------------- bands


def _bands(ranges: list[str], low: str | None, high: str | None, name: str | None = "income") -> list[Problem]:
    field_range = (Decimal(low) if low else None, Decimal(high) if high else None)
    return _check_bands(("r",), [parse_interval(r) for r in ranges], field_range, name)


def test_bands_that_tile_the_range_have_no_problem() -> None:
    assert _bands(["[90, 100]", "[60, 90)", "[0, 60)"], "0", "100") == []
    assert _bands(["[20, ∞)", "(-∞, 20)"], None, None) == []


def test_bands_overlap() -> None:
    (p,) = _bands(["[20, ∞)", "[10, 25)", "[0, 10)"], "0", None)
    assert (p.path, p.message, p.found) == (("r", "bands", 0, "range"), "分档 [20, ∞) 与 [10, 25) 重叠", "[20, 25) 同时属于两档")


def test_bands_overlap_in_one_point() -> None:
    (p,) = _bands(["[0, 10]", "[10, 20]"], "0", "20")
    assert (p.message, p.found) == ("分档 [10, 20] 与 [0, 10] 重叠", "10 同时属于两档")


def test_bands_gap() -> None:
    (p,) = _bands(["[20, ∞)", "[10, 15)", "[0, 10)"], "0", None)
    assert (p.path, p.message, p.found) == (("r", "bands", 0, "range"), "分档 [10, 15) 与 [20, ∞) 之间有空缺", "[15, 20) 不属于任何分档")
    assert p.hint == "相邻分档须首尾相接、边界一开一闭，如 [80, 90) 与 [90, 100]"


def test_bands_gap_of_one_point() -> None:
    (p,) = _bands(["[0, 10)", "(10, 20]"], "0", "20")
    assert p.found == "10 不属于任何分档"


def test_bands_do_not_reach_the_declared_minimum() -> None:
    (p,) = _bands(["[20, ∞)", "[5, 20)"], "0", None)
    assert p == Problem("R205", ("r", "bands", 1, "range"), "分档没有覆盖字段 “income” 的最小值 0（min: 0）",
                        expected="最低一档包含 0（如改为 [0, 20)）", found="[5, 20)")


def test_bands_do_not_reach_the_declared_maximum() -> None:
    (p,) = _bands(["[0, 10)", "[10, 20)"], "0", "20")
    assert (p.message, p.expected, p.found) == (
        "分档没有覆盖字段 “income” 的最大值 20（max: 20）", "最高一档包含 20（如改为 [10, 20]）", "[10, 20)")


def test_bands_of_an_unbounded_value_must_reach_infinity() -> None:
    low, high = _bands(["[0, 10)", "[10, 20]"], None, None, name=None)
    assert (low.message, low.expected) == (
        "分档没有覆盖到 -∞：该取值没有声明 min，更小的值不属于任何分档", "最低一档从 -∞ 开始（如改为 (-∞, 10)）")
    assert (high.message, high.expected) == (
        "分档没有覆盖到 ∞：该取值没有声明 max，更大的值不属于任何分档", "最高一档延伸到 ∞（如改为 [10, ∞)）")


def test_bands_rule_uses_the_field_range() -> None:
    (p,) = check_rules(rubric(bands_item([("[20, ∞)", 5), ("[5, 20)", 3)])))
    assert p.path == (*ITEMS, 2, "rules", 0, "bands", 1, "range")
    assert p.message == "分档没有覆盖字段 “income” 的最小值 0（min: 0）"


# --------------------------------------------------------------------------- rating


def test_tiers_out_of_order() -> None:
    def edit(d: dict) -> None:
        d["rating"]["tiers"].reverse()
    (p,) = check_rating(rubric(edit))
    assert p == Problem("R208", ("rating", "tiers", 1, "min_score"), "等级须按最低分从高到低排列：“示范” 排在 “达标”（7 分）之后",
                        expected="小于 7", found="9", hint="请把最好的等级写在最前面")


def test_unreachable_tier() -> None:
    (p,) = check_rating(rubric(lambda d: d["rating"]["tiers"][0].__setitem__("min_score", 12)))
    assert (p.message, p.expected, p.found) == ("等级 “示范” 不可达：最低分 12 超过满分 10", "不超过 10", "12")


def test_bonus_cap_raises_the_ceiling() -> None:
    def edit(d: dict) -> None:
        d["rating"]["tiers"][0]["min_score"] = 11
        d["bonus"] = {"cap": 2, "items": [copy.deepcopy(item(d, 0)) | {"id": "B1"}]}
    assert check_rating(rubric(edit)) == []


def test_dimension_minimums_unknown_dimension() -> None:
    (p,) = check_rating(rubric(lambda d: d["rating"]["tiers"][0].__setitem__("dimension_minimums", {"l": 5})))
    assert p == Problem("R209", ("rating", "tiers", 0, "dimension_minimums", "l"), "dimension_minimums 中的维度 “l” 不存在",
                        expected="已有维度 “1” 之一", hint=None, key=True)


def test_dimension_minimum_above_dimension_points() -> None:
    (p,) = check_rating(rubric(lambda d: d["rating"]["tiers"][0].__setitem__("dimension_minimums", {"1": 11})))
    assert (p.code, p.message) == ("R208", "维度 “1” 的最低分 11 超过其分值 10")


def test_apply_gate_above_ceiling() -> None:
    (p,) = check_rating(rubric(lambda d: d["rating"]["apply_gate"].__setitem__("min_self_score", 11)))
    assert (p.path, p.message) == (("rating", "apply_gate", "min_self_score"), "申报门槛 11 超过满分 10")


# --------------------------------------------------------------------------- field use


def test_unused_field() -> None:
    (p,) = check_field_use(rubric(lambda d: d["fields"].append({"id": "meetings", "label": "会议次数", "type": "integer"})))
    assert p == Problem("R220", ("fields", 6, "id"), "已声明的字段 “meetings” 未被任何规则使用", hint="删除该字段，或在规则中使用它")


def test_linear_target_is_a_number_not_an_expression() -> None:
    def edit(d: dict) -> None:
        item(d, 2)["rules"] = [{"kind": "linear", "value": "income", "target": 20, "reason": "按比例"}]
    assert check_field_use(rubric(edit)) == []


def test_veto_field_not_required_points_at_its_id() -> None:
    (p,) = check_field_use(rubric(lambda d: d["fields"][4].pop("required")))
    assert p == Problem("R221", ("fields", 4, "id"), "字段 “incident” 用于一票否决或等级前提，必须设为 required: true",
                        expected="required: true", found="未写 required（默认 false）", hint="否决项与等级前提不能因漏填而被绕过")


def test_veto_field_required_false_points_at_required() -> None:
    (p,) = check_field_use(rubric(lambda d: d["fields"][4].__setitem__("required", False)))
    assert (p.path, p.found) == (("fields", 4, "required"), "required: false")


def test_tier_prerequisite_attribute_must_be_required() -> None:
    def edit(d: dict) -> None:
        d["attributes"][0]["required"] = False
        d["rating"]["tiers"][0]["requires"] = "county_class == '一般县'"
    (p,) = check_field_use(rubric(edit))
    assert (p.code, p.path) == ("R221", ("attributes", 0, "required"))


# ------------------------------------------------------------------ tier names, count bounds


def test_duplicate_tier_name() -> None:
    (p,) = check_tier_names(rubric(lambda d: d["rating"]["tiers"][1].__setitem__("name", d["rating"]["tiers"][0]["name"])))
    assert (p.code, p.path, p.first) == ("R201", ("rating", "tiers", 1, "name"), ("rating", "tiers", 0, "name"))
    assert p.message == f"等级名称 “{MINI['rating']['tiers'][0]['name']}” 重复"


def test_tier_named_like_below_all() -> None:
    (p,) = check_tier_names(rubric(lambda d: d["rating"]["tiers"][1].__setitem__("name", "未达标")))
    assert (p.code, p.path) == ("R201", ("rating", "tiers", 1, "name"))
    assert "below_all" in p.message


def test_counted_integer_without_max_is_a_warning() -> None:
    n = next(i for i, f in enumerate(MINI["fields"]) if f["id"] == "findings")
    (p,) = check_count_bounds(rubric(lambda d: d["fields"][n].pop("max")))
    assert (p.code, p.path) == ("W250", ("fields", n, "id"))
    assert p.message == "计数字段 “findings”（发现问题数）没有设置上限 max"
    assert check_count_bounds(rubric()) == []
