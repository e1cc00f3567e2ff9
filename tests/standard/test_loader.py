"""Rubric loading: each test mutates ONE thing in a valid rubric and asserts the exact message.

The valid rubric is tests/data/mini.yaml. Mutations go through plain data and `yaml.safe_dump`,
so line numbers are those of the dumped text; `_at()` checks that each diagnostic points at
the offending token, whatever line it lands on.
"""

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from sanzhi.common.errors import Diagnostic, RubricError
from sanzhi.standard import bundled
from sanzhi.standard.loader import load_rubric_file, parse_rubric
from sanzhi.standard.rules import KIND_NAMES

DATA = Path(__file__).resolve().parents[1] / "data"
MINI_TEXT = (DATA / "mini.yaml").read_text(encoding="utf-8")
MINI = yaml.safe_load(MINI_TEXT)
ITEM = ("dimensions", 0, "indicators", 0, "items")


def _node(data: dict, path: tuple) -> dict:
    for key in path:
        data = data[key]
    return data


def _item(data: dict, n: int) -> dict:
    return _node(data, (*ITEM, n))


def _dump(edit: Callable[[dict], object]) -> str:
    data = copy.deepcopy(MINI)
    edit(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def problems(edit: Callable[[dict], object]) -> tuple[list[Diagnostic], str]:
    text = _dump(edit)
    with pytest.raises(RubricError) as info:
        parse_rubric(text, "r.yaml")
    return info.value.diagnostics, text


def only(edit: Callable[[dict], object]) -> tuple[Diagnostic, str]:
    diags, text = problems(edit)
    assert len(diags) == 1, diags
    return diags[0], text


def _at(diag: Diagnostic, text: str) -> str:
    """The source text from the diagnostic's line:column to the end of that line."""
    loc = diag.location
    assert loc is not None and loc.line is not None and loc.column is not None
    return text.splitlines()[loc.line - 1][loc.column - 1 :]


# --------------------------------------------------------------------------- valid rubrics


def test_mini_rubric_loads_without_warnings() -> None:
    compiled, warnings = parse_rubric(MINI_TEXT, "mini.yaml")
    assert compiled.ref == "mini@1"
    assert warnings == []
    assert [ci.item.id for ci in compiled.items] == ["1.1.1", "1.1.2", "1.1.3"]


def test_load_rubric_file_names_the_file_as_given() -> None:
    compiled, _ = load_rubric_file(DATA / "mini.yaml")
    assert compiled.rubric.id == "mini"


_BUNDLED = sorted(bundled.RUBRIC_DIR.glob("*.yaml"))


@pytest.mark.parametrize(
    "path",
    _BUNDLED or [pytest.param(None, marks=pytest.mark.skip(reason="no bundled rubric yet"))],
    ids=lambda p: p.name if p else "none",
)
def test_bundled_rubrics_load_cleanly(path: Path) -> None:
    compiled, warnings = load_rubric_file(path)
    assert warnings == []
    assert compiled.rubric.dimensions


# --------------------------------------------------------------------------- schema errors


def test_unknown_key_with_near_miss() -> None:
    def edit(d: dict) -> None:
        item = _item(d, 1)
        item["pionts"] = item.pop("points")

    diag, text = only(edit)  # the "missing points" echo of the typo is not reported
    assert (diag.code, diag.message, diag.hint) == ("R111", "未知字段 “pionts”", "是否想写 “points”？")
    assert diag.path == "维度 “1” › 指标 “1.1” › 评分项 “1.1.2” › pionts"
    assert diag.expected == (
        "id、name、points、criterion、provenance、clause、rules、evidence、applies_when、"
        "not_applicable、advice、scored_by 之一"
    )
    assert _at(diag, text).startswith("pionts:")


def test_unknown_top_level_key() -> None:
    def edit(d: dict) -> None:
        d["titel"] = d.pop("title")

    diag, text = only(edit)
    assert (diag.message, diag.hint, diag.path) == ("未知字段 “titel”", "是否想写 “title”？", "titel")
    assert _at(diag, text).startswith("titel:")


def test_unknown_key_without_near_miss_keeps_the_missing_error() -> None:
    def edit(d: dict) -> None:
        item = _item(d, 1)
        item["zzz"] = item.pop("criterion")

    diags, _ = problems(edit)
    assert [(d.code, d.message, d.hint) for d in diags] == [
        ("R112", "缺少必填字段 “criterion”", "请补上 “criterion: …”"),
        ("R111", "未知字段 “zzz”", None),
    ]


def test_missing_required_key_points_at_the_mapping() -> None:
    diag, text = only(lambda d: _item(d, 2).pop("clause"))
    assert (diag.code, diag.message, diag.hint) == ("R112", "缺少必填字段 “clause”", "请补上 “clause: …”")
    assert diag.path == "维度 “1” › 指标 “1.1” › 评分项 “1.1.3” › clause"
    assert _at(diag, text) == "id: 1.1.3"


def test_missing_top_level_section() -> None:
    diag, _ = only(lambda d: d.pop("rating"))
    assert (diag.message, diag.path) == ("缺少必填字段 “rating”", "rating")


def test_text_where_a_number_is_expected() -> None:
    diag, text = only(lambda d: _item(d, 0).__setitem__("points", "两分"))
    assert (diag.code, diag.message, diag.expected, diag.found) == ("R110", "应为数值", "数值", "“两分”")
    assert _at(diag, text) == "两分"


def test_negative_points() -> None:
    diag, text = only(lambda d: _item(d, 0)["rules"][1].__setitem__("points", -2))
    assert (diag.message, diag.expected, diag.found) == ("必须大于 0", "大于 0 的数值", "-2")
    assert diag.path == "维度 “1” › 指标 “1.1” › 评分项 “1.1.1” › 规则 #2（deduct） › points"
    assert _at(diag, text) == "-2"


def test_zero_precision() -> None:
    diag, _ = only(lambda d: d.__setitem__("precision", 0))
    assert (diag.message, diag.path, diag.found) == ("必须大于 0", "precision", "0")


def test_invalid_rule_kind_points_at_the_kind_value() -> None:
    diag, text = only(lambda d: _item(d, 1)["rules"][0].__setitem__("kind", "per_occurence"))
    assert diag.message == "规则类型 kind “per_occurence” 无效"
    # The registry's order (the corpora in invalid/ pin the exact text for today's kinds).
    assert diag.expected == "、".join(KIND_NAMES) + " 之一"
    assert diag.expected.startswith("deduct、per_occurrence、zero、threshold、bands、linear、per_unit、criteria、judgment")
    assert (diag.found, diag.hint) == ("“per_occurence”", "是否想写 “per_occurrence”？")
    assert diag.path == "维度 “1” › 指标 “1.1” › 评分项 “1.1.2” › 规则 #1（per_occurence） › kind"
    assert _at(diag, text) == "per_occurence"


def test_rule_without_kind() -> None:
    diag, text = only(lambda d: _item(d, 1)["rules"][0].pop("kind"))
    assert diag.message == "缺少 kind 字段，无法判断规则类型"
    assert diag.expected.startswith("kind: deduct、per_occurrence、")
    assert diag.path == "维度 “1” › 指标 “1.1” › 评分项 “1.1.2” › 规则 #1"
    assert _at(diag, text).startswith("count: findings")


def test_literal_typo_gets_choices_and_hint() -> None:
    diag, text = only(lambda d: d["fields"][0].__setitem__("type", "integr"))
    assert (diag.message, diag.found, diag.hint) == ("取值不在允许范围内", "“integr”", "是否想写 “integer”？")
    assert diag.expected == "bool、integer、decimal、choice、tags、date、text 之一"
    assert diag.path == "字段 “plan_made” › type"
    assert _at(diag, text) == "integr"


def test_field_name_pattern() -> None:
    diag, _ = only(lambda d: d["fields"][3].__setitem__("id", "Income"))
    assert (diag.message, diag.found, diag.path) == ("格式不符", "“Income”", "字段 “Income” › id")
    assert diag.expected == "小写英文字母开头、由小写字母、数字和下划线组成的标识符（如 plan_made）"


def test_choice_field_without_choices() -> None:
    diag, _ = only(lambda d: d["fields"][0].__setitem__("type", "choice"))
    assert (diag.message, diag.path) == ("类型为 choice 的字段必须列出 choices", "字段 “plan_made”")


def test_bad_date() -> None:
    diag, _ = only(lambda d: d.__setitem__("effective_date", "2024-13-01"))
    assert (diag.message, diag.expected, diag.found) == ("日期格式无效", "YYYY-MM-DD 形式的日期", "“2024-13-01”")


def test_empty_rule_list_is_reported() -> None:
    diag, _ = only(lambda d: _item(d, 0).__setitem__("rules", []))
    assert (diag.message, diag.path) == ("至少需要 1 项", "维度 “1” › 指标 “1.1” › 评分项 “1.1.1” › rules")


def test_one_broken_item_does_not_report_its_lists_empty() -> None:
    # pydantic counts list entries after validation: without filtering, dimensions,
    # indicators and items would each also say "至少需要 1 项".
    diags, _ = problems(lambda d: _item(d, 0).__setitem__("points", "两分"))
    assert [d.message for d in diags] == ["应为数值"]


# --------------------------------------------------------------------------- semantic errors


def test_unused_field_is_reported() -> None:
    diag, text = only(lambda d: d["fields"].append({"id": "meetings", "label": "会议次数", "type": "integer"}))
    assert (diag.code, diag.message) == ("R220", "已声明的字段 “meetings” 未被任何规则使用")
    assert (diag.path, diag.hint) == ("字段 “meetings” › id", "删除该字段，或在规则中使用它")
    assert _at(diag, text) == "meetings"


def test_a_misspelt_expression_does_not_also_report_its_field_unused() -> None:
    diag, text = only(lambda d: _item(d, 1)["rules"][0].__setitem__("count", "findngs"))
    assert (diag.code, diag.message, diag.hint) == ("R210", "未声明的字段 “findngs”", "是否想写 “findings”？")
    assert _at(diag, text) == "findngs"


def test_expression_caret_inside_a_quoted_scalar() -> None:
    text = MINI_TEXT.replace("count: findings,", "count: \"findings + staffed\",")
    with pytest.raises(RubricError) as info:
        parse_rubric(text, "r.yaml")
    (diag,) = info.value.diagnostics
    assert diag.message == "运算 “+” 需要 数值，而 “staffed”（是否落实专人） 是 是/否"
    assert _at(diag, text).startswith("staffed\"")


def test_semantic_problems_come_with_domain_paths() -> None:
    diag, text = only(lambda d: _item(d, 0)["rules"][1].__setitem__("points", 3))
    assert diag.path == "维度 “1” › 指标 “1.1” › 评分项 “1.1.1” › 规则 #2（deduct） › points"
    assert (diag.expected, diag.found) == ("不超过 2", "3")
    assert _at(diag, text) == "3"


# --------------------------------------------------------------------------- files


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RubricError) as info:
        load_rubric_file(tmp_path / "nope.yaml", display_name="nope.yaml")
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.message, str(diag.location)) == ("R100", "找不到评分标准文件", "nope.yaml")


def test_file_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes(MINI_TEXT.encode("gb18030"))
    with pytest.raises(RubricError) as info:
        load_rubric_file(path)
    (diag,) = info.value.diagnostics
    assert (diag.code, diag.message, diag.hint) == ("R100", "文件不是 UTF-8 编码", "请用 UTF-8 另存该文件")


def test_errors_carry_the_source_text_for_snippets() -> None:
    text = _dump(lambda d: d.__setitem__("titel", "x"))
    with pytest.raises(RubricError) as info:
        parse_rubric(text, "r.yaml")
    assert info.value.sources == {"r.yaml": text}
