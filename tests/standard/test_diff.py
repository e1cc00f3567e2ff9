"""`diff_rubrics`: what changed between two versions, items paired by crosswalk, id or content.

Why: a standards body must see exactly what a revision changes before adopting it, and keep
item histories comparable when items are renumbered, split or merged.
"""

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.diagnostics import render_human
from sanzhi.common.errors import RubricError
from sanzhi.reports.json_output import to_data
from sanzhi.standard.diff import describe_rule, diff_rubrics, text_hunks
from sanzhi.standard.lineage import item_id_map
from sanzhi.standard.loader import load_rubric_file, parse_rubric
from sanzhi.standard.models import Rubric
from tests.golden import compare_golden

HERE = Path(__file__).parent / "versions"
EXPECTED = HERE / "expected"


def _base() -> dict[str, Any]:
    rubric = load_rubric_file(HERE / "base.yaml")[0].rubric
    return rubric.model_dump(mode="json", exclude_none=True)


def _rubric(data: dict[str, Any]) -> Rubric:
    return Rubric.model_validate(data)


def _items(data: dict[str, Any], indicator: str) -> list[dict[str, Any]]:
    return next(i for d in data["dimensions"] for i in d["indicators"] if i["id"] == indicator)["items"]


def _summary(a: Rubric, b: Rubric) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...], str | None]]:
    return [(e.what, e.status, e.old_ids, e.new_ids, e.via) for e in diff_rubrics(a, b).entries]


# --------------------------------------------------------------------------- the bundled revision


def test_jiaxing_2018_to_2024(request: pytest.FixtureRequest) -> None:
    a, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    b, _ = load_compiled_rubric("jiaxing-sanzhi@2024")
    d = diff_rubrics(a.rubric, b.rubric)
    assert d.crosswalk == "jiaxing-sanzhi@2024 的 crosswalk（自 jiaxing-sanzhi@2018）"
    assert [(e.old_ids, e.new_ids, e.via) for e in d.of("item") if e.status == "renamed"] == [
        (("2.3.2",), ("2.3.3",), "crosswalk"), (("6.1.3",), ("6.1.4",), "crosswalk")]
    assert [(e.new_ids, [(c.old, c.new) for c in e.changes]) for e in d.of("dimension")] == [
        (("4",), [("20", "16")]), (("5",), [("10", "14")])]
    assert d.counts() == {"dimension": {"changed": 2}, "indicator": {"changed": 4}, "item": {"renamed": 2, "changed": 9},
                          "tier": {"changed": 1}}
    assert d.warnings == ()
    text = json.dumps(to_data(d), ensure_ascii=False, indent=2) + "\n"
    compare_golden(EXPECTED / "diff_jiaxing_2018_2024.json", text, request)


def test_diff_backwards_uses_the_crosswalk_reversed() -> None:
    a, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    b, _ = load_compiled_rubric("jiaxing-sanzhi@2024")
    d = diff_rubrics(b.rubric, a.rubric)
    assert d.crosswalk == "jiaxing-sanzhi@2024 的 crosswalk（自 jiaxing-sanzhi@2018，反向使用）"
    assert [(e.old_ids, e.new_ids) for e in d.of("item") if e.status == "renamed"] == [(("2.3.3",), ("2.3.2",)), (("6.1.4",), ("6.1.3",))]
    assert item_id_map(b.rubric, a.rubric)["6.1.4"] == "6.1.3"
    assert item_id_map(a.rubric, b.rubric)["2.3.2"] == "2.3.3" and item_id_map(a.rubric, b.rubric)["1.1.1"] == "1.1.1"


def test_a_rubric_against_itself_has_no_differences() -> None:
    r = _rubric(_base())
    assert diff_rubrics(r, r).entries == ()


# --------------------------------------------------------------------------- pairing items


def test_renumbered_item_is_found_by_identical_content() -> None:
    a = _base()
    b = copy.deepcopy(a)
    _items(b, "1.1")[1]["id"] = "1.1.9"
    _items(b, "1.1")[1]["name"] = "依法履职"
    d = diff_rubrics(_rubric(a), _rubric(b))
    [e] = d.entries
    assert (e.status, e.old_ids, e.new_ids, e.via, e.old_name, e.new_name) == ("renamed", ("1.1.2",), ("1.1.9",), "content", "履职", "依法履职")
    assert [c.field for c in e.changes] == ["name"]


def test_two_identical_unpaired_items_are_not_guessed() -> None:
    a = _base()
    twin = {**copy.deepcopy(_items(a, "1.1")[1]), "id": "1.1.4"}
    _items(a, "1.1").append(twin)
    b = copy.deepcopy(a)
    _items(b, "1.1")[1]["id"] = "1.1.8"
    _items(b, "1.1")[3]["id"] = "1.1.9"
    assert sorted(_summary(_rubric(a), _rubric(b))) == [
        ("item", "added", (), ("1.1.8",), None), ("item", "added", (), ("1.1.9",), None),
        ("item", "removed", ("1.1.2",), (), None), ("item", "removed", ("1.1.4",), (), None)]


def test_moved_item_and_changed_rules() -> None:
    a = _base()
    b = copy.deepcopy(a)
    moved = _items(b, "1.1").pop(2)
    _items(b, "2.1").append(moved)
    moved["rules"][0]["target"] = "30"
    d = diff_rubrics(_rubric(a), _rubric(b))
    e = next(e for e in d.entries if e.what == "item")
    assert (e.status, e.old_ids, e.new_ids) == ("moved", ("1.1.3",), ("1.1.3",))
    assert [(c.field, c.old, c.new) for c in e.changes] == [
        ("rules", "income >= 10 if county_class == '加快发展县' else 20，未达到扣 1 分（收入未达标）", "income >= 30，未达到扣 1 分（收入未达标）"),
        ("place", "1.1", "2.1")]


def test_split_and_merged_from_the_crosswalk() -> None:
    a = _base()
    b = copy.deepcopy(a)
    items = _items(b, "1.1")
    plan = items.pop(0)  # 1.1.1 (4 points, two rules) splits into 1.1.5 and 1.1.6
    items.insert(0, {**plan, "id": "1.1.5", "name": "计划", "points": 2, "rules": [plan["rules"][0]]})
    items.insert(1, {**plan, "id": "1.1.6", "name": "专人", "points": 2, "rules": [plan["rules"][1]]})
    duty, income = items.pop(2), items.pop(2)  # 1.1.2 + 1.1.3 merge into 1.1.7
    items.append({**duty, "id": "1.1.7", "name": "履职与收入", "points": 6, "rules": [*duty["rules"], *income["rules"]]})
    b["crosswalk"] = {"previous": "base-demo@1", "items": [
        {"change": "split", "old": "1.1.1", "new": ["1.1.5", "1.1.6"], "note": "拆为两项"},
        {"change": "merged", "old": ["1.1.2", "1.1.3"], "new": "1.1.7"},
        {"change": "renamed", "old": "2.1.9", "new": "2.1.1"},
    ]}
    b["version"] = "2"
    d = diff_rubrics(_rubric(a), _rubric(b))
    assert [(e.status, e.old_ids, e.new_ids, e.via, [(c.label, c.old, c.new) for c in e.changes]) for e in d.of("item")] == [
        ("split", ("1.1.1",), ("1.1.5", "1.1.6"), "crosswalk", [("分值", "4", "2 + 2"), ("说明", None, "拆为两项")]),
        ("merged", ("1.1.2", "1.1.3"), ("1.1.7",), "crosswalk", [("分值", "3 + 3", "6")]),
    ]
    assert d.warnings == ("crosswalk 中的评分项 2.1.9 不在对应版本中，已忽略该条",)
    assert item_id_map(_rubric(a), _rubric(b)) == {"2.1.1": "2.1.1", "B.1": "B.1"}  # split and merged items do not carry over
    backwards = diff_rubrics(_rubric(b), _rubric(a))
    assert [(e.status, e.old_ids, e.new_ids) for e in backwards.of("item")] == [
        ("merged", ("1.1.5", "1.1.6"), ("1.1.1",)), ("split", ("1.1.7",), ("1.1.2", "1.1.3"))]


def test_a_crosswalk_for_another_version_is_not_used() -> None:
    a = _base()
    b = copy.deepcopy(a)
    _items(b, "2.1")[0]["id"] = "2.1.5"
    _items(b, "2.1")[0]["points"] = 9
    b["crosswalk"] = {"previous": "base-demo@0", "items": [{"change": "renamed", "old": "2.1.1", "new": "2.1.5"}]}
    assert _summary(_rubric(a), _rubric(b)) == [("item", "removed", ("2.1.1",), (), None), ("item", "added", (), ("2.1.5",), None)]


# --------------------------------------------------------------------------- everything else


def test_dimensions_tiers_vetoes_fields_and_settings() -> None:
    a = _base()
    b = copy.deepcopy(a)
    b["dimensions"][1]["name"] = "维度乙"
    b["dimensions"][0]["indicators"].append({"id": "1.2", "name": "新指标", "points": 1, "items": [
        {**_items(a, "1.1")[1], "id": "1.2.1", "points": 1, "name": "新项", "rules": [{"kind": "deduct", "when": "not staffed", "points": 1, "reason": "无人"}]}]})
    b["rating"]["tiers"][0]["min_score"] = 19
    b["rating"]["tiers"][0]["dimension_minimums"] = {"1": 9}
    b["rating"]["tiers"].append({"id": "C", "name": "合格", "min_score": 10})
    b["rating"]["apply_gate"] = {"min_self_score": 12}
    b["vetoes"][0]["lookback_months"] = 36
    b["vetoes"].append({"id": "V2", "name": "弄虚作假", "when": "staffed", "provenance": "calibrated", "clause": "测试"})
    b["fields"] = [f for f in b["fields"] if f["id"] != "honors"] + [{"id": "talks", "label": "说事次数", "type": "integer"}]
    b["fields"][0]["label"] = "已制定计划"
    b["bonus"]["cap"] = 1
    b["total_points"] = 21
    d = diff_rubrics(_rubric(a), _rubric(b))
    rows = [(e.what, e.status, (e.new_ids or e.old_ids)[0], [(c.label, c.old, c.new) for c in e.changes]) for e in d.entries]
    assert rows == [
        ("dimension", "changed", "2", [("名称", "维度二", "维度乙")]),
        ("indicator", "added", "1.2", []),
        ("item", "added", "1.2.1", [("分值", None, "1"), ("位置", None, "1.2")]),
        ("veto", "changed", "V1", [("回溯月数", "24", "36")]),
        ("veto", "added", "V2", []),
        ("tier", "changed", "A", [("最低分", "18", "19"), ("维度最低分", "1 ≥ 8", "1 ≥ 9")]),
        ("tier", "added", "C", []),
        ("field", "removed", "honors", []),
        ("field", "changed", "plan_made", [("标签", "是否制定计划", "已制定计划")]),
        ("field", "added", "talks", []),
        ("setting", "added", "apply_gate", [("申报门槛（自评分）", None, "12")]),
        ("setting", "changed", "bonus_cap", [("加分封顶", "2", "1")]),
        ("setting", "changed", "total_points", [("总分", "20", "21")]),
    ]


def test_every_rule_kind_reads_as_one_line_of_chinese(request: pytest.FixtureRequest) -> None:
    lines = []
    for ref in ("jiaxing-sanzhi@2018",):
        c, _ = load_compiled_rubric(ref)
        seen: set[str] = set()
        for ci in c.items:
            for cr in ci.rules:
                if cr.rule.kind not in seen:
                    seen.add(cr.rule.kind)
                    lines.append(f"{ci.item.id} {cr.rule.kind}: {describe_rule(cr.rule)}")
    assert len(lines) == 9  # every kind appears in the Jiaxing rubric
    compare_golden(EXPECTED / "rule_descriptions.txt", "\n".join(sorted(lines, key=lambda x: x.split()[1])) + "\n", request)


def test_text_hunks_show_only_what_changed() -> None:
    assert text_hunks("每开展1次评议得0.5分，最高3分；未建立不得分。", "每开展1次评议得0.5分，最高2分；未建立不得分。") == [
        ("…0.5分，最高3分；未建立…", "…0.5分，最高2分；未建立…")]
    assert text_hunks("not grid_app_used 时扣 1.5 分", "not grid_app_used 时扣 2 分") == [("…grid_app_used 时扣 1.5 分", "…grid_app_used 时扣 2 分")]
    assert text_hunks("相同", "相同") == []


# --------------------------------------------------------------------------- crosswalk checks at load time


CROSSWALKS = {
    "crosswalk_ids": """
crosswalk:
  previous: base-demo
  items:
    - {change: renamed, old: "1.1.1", new: "1.1.11"}
    - {change: split, old: "1.1.1", new: ["1.1.2", "1.1.9"]}
""",
    "crosswalk_shape": """
crosswalk:
  previous: base-demo@1
  items:
    - {change: merged, old: "1.1.2", new: "1.1.3"}
    - {kind: renamed, old: "1.1.2", new: "1.1.3"}
""",
}


@pytest.mark.parametrize("case", sorted(CROSSWALKS))
def test_crosswalk_mistakes_are_reported_when_the_rubric_loads(case: str, request: pytest.FixtureRequest) -> None:
    text = (HERE / "base.yaml").read_text(encoding="utf-8") + CROSSWALKS[case]
    with pytest.raises(RubricError) as info:
        parse_rubric(text, "crosswalk.yaml")
    compare_golden(EXPECTED / f"error_{case}.txt", render_human(info.value.diagnostics, info.value.sources) + "\n", request)
