"""Tests for sanzhi.common.diagnostics: the three renderings of Diagnostics."""

from sanzhi.common.diagnostics import display_width, render_human, render_json, render_lines
from sanzhi.common.errors import Diagnostic, Location

RUBRIC_TEXT = "\n".join(
    [f"# 第 {n} 行" for n in range(1, 40)]
    + ['      - id: "2.3.1"', "        name: 村规民约修订", "        pionts: 2", ""]
)

UNKNOWN_FIELD = Diagnostic(
    "R102",
    "未知字段 “pionts”",
    Location("rubrics/jiaxing-sanzhi-2021.yaml", 42, 9),
    path="维度 “法治” › 指标 “2.3” › 评分项 “2.3.1”",
    expected="id, name, points 之一",
    found="pionts",
    hint="是否想写 “points”？",
)

SHEET_WARNING = Diagnostic(
    "D104",
    "村 “三星村”（凤桥镇）自评数据有误，已跳过",
    Location("data/2024/fengqiao.xlsx", sheet="自评", row=17, cell_column="2.3.1 违规次数"),
    expected="非负整数",
    found="“三次”",
    severity="warning",
)


def test_render_human_full_block_with_snippet() -> None:
    sources = {"rubrics/jiaxing-sanzhi-2021.yaml": RUBRIC_TEXT}
    assert render_human([UNKNOWN_FIELD], sources) == (
        "错误[R102]：未知字段 “pionts”\n"
        "  --> rubrics/jiaxing-sanzhi-2021.yaml:42:9\n"
        "   |\n"
        '40 |       - id: "2.3.1"\n'
        "41 |         name: 村规民约修订\n"
        "42 |         pionts: 2\n"
        "   |         ^^^^^^\n"
        "   = 位置：维度 “法治” › 指标 “2.3” › 评分项 “2.3.1”\n"
        "   = 期望：id, name, points 之一\n"
        "   = 实际：pionts\n"
        "   = 提示：是否想写 “points”？\n"
        "\n"
        "共发现 1 处错误（rubrics/jiaxing-sanzhi-2021.yaml）。"
    )


def test_render_human_caret_lines_up_under_cjk_text() -> None:
    # Hand-checked: "    名称（简称）: " is 4 spaces + 6 wide characters (“（”“）” are fullwidth)
    # + ": " = 4 + 12 + 2 = 18 columns; "村务公开，三务" is 7 wide characters = 14 carets.
    text = 'items:\n  - id: "1.1"\n    名称（简称）: 村务公开，三务\n'
    diag = Diagnostic(
        "R201",
        "名称过长",
        Location("r.yaml", 3, 13),
        expected="不超过 4 个字",
        found="村务公开，三务",
    )
    assert render_human([diag], {"r.yaml": text}) == (
        "错误[R201]：名称过长\n"
        "  --> r.yaml:3:13\n"
        "   |\n"
        " 1 | items:\n"
        ' 2 |   - id: "1.1"\n'
        " 3 |     名称（简称）: 村务公开，三务\n"
        "   |                   ^^^^^^^^^^^^^^\n"
        "   = 期望：不超过 4 个字\n"
        "   = 实际：村务公开，三务\n"
        "\n"
        "共发现 1 处错误（r.yaml）。"
    )


def test_render_human_spreadsheet_location_has_no_snippet_and_counts_warnings() -> None:
    assert render_human([SHEET_WARNING], {"data/2024/fengqiao.xlsx": "x"}) == (
        "警告[D104]：村 “三星村”（凤桥镇）自评数据有误，已跳过\n"
        "  --> data/2024/fengqiao.xlsx，工作表 “自评”，第 17 行，列 “2.3.1 违规次数”\n"
        "   = 期望：非负整数\n"
        "   = 实际：“三次”\n"
        "\n"
        "共发现 1 处警告（data/2024/fengqiao.xlsx）。"
    )


def test_render_human_sorts_caps_and_summarises_per_file() -> None:
    diags = [
        Diagnostic("R103", "数值无效", Location("b.yaml", 9, 1)),
        Diagnostic("R102", "重复的键 “a”", Location("a.yaml", 5, 1)),
        Diagnostic("R301", "建议补充说明", Location("a.yaml", 2, 1), severity="warning"),
        Diagnostic("R100", "无法读取", None),
    ]
    assert render_human(diags, max_shown=2) == (
        "错误[R100]：无法读取\n"
        "\n"
        "警告[R301]：建议补充说明\n"
        "  --> a.yaml:2:1\n"
        "\n"
        "……另有 2 处问题未显示。\n"
        "共发现 1 处错误。\n"
        "共发现 1 处错误、1 处警告（a.yaml）。\n"
        "共发现 1 处错误（b.yaml）。"
    )


def test_render_human_caret_spans_quoted_token_and_handles_line_end() -> None:
    text = 'a: "村 务" # 注释\nb:\n'
    diags = [
        Diagnostic("R104", "引号内容", Location("r.yaml", 1, 4)),
        Diagnostic("R100", "行尾", Location("r.yaml", 2, 3)),
    ]
    assert render_human(diags, {"r.yaml": text}) == (
        "错误[R104]：引号内容\n"
        "  --> r.yaml:1:4\n"
        "   |\n"
        ' 1 | a: "村 务" # 注释\n'
        "   |    ^^^^^^^\n"
        "\n"
        "错误[R100]：行尾\n"
        "  --> r.yaml:2:3\n"
        "   |\n"
        ' 1 | a: "村 务" # 注释\n'
        " 2 | b:\n"
        "   |   ^\n"
        "\n"
        "共发现 2 处错误（r.yaml）。"
    )


def test_render_human_empty_is_empty() -> None:
    assert render_human([]) == ""


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("ab") == 2
    assert display_width("村规（一）") == 10
    assert display_width("e\u0301") == 1  # combining accent takes no column
    assert display_width("\t") == 4


def test_render_lines_one_sorted_line_each() -> None:
    assert render_lines([UNKNOWN_FIELD, SHEET_WARNING]) == (
        "data/2024/fengqiao.xlsx，工作表 “自评”，第 17 行，列 “2.3.1 违规次数”: "
        "D104 村 “三星村”（凤桥镇）自评数据有误，已跳过；期望：非负整数；实际：“三次”\n"
        "rubrics/jiaxing-sanzhi-2021.yaml:42:9: R102 未知字段 “pionts”；期望：id, name, points 之一；"
        "实际：pionts（维度 “法治” › 指标 “2.3” › 评分项 “2.3.1”）"
    )


def test_render_json_is_stable() -> None:
    diag = Diagnostic("R102", "重复的键 “a”", Location("r.yaml", 3, 1), hint="请删除")
    expected = """\
[
  {
    "cell_column": null,
    "code": "R102",
    "column": 1,
    "expected": null,
    "file": "r.yaml",
    "found": null,
    "hint": "请删除",
    "line": 3,
    "message": "重复的键 “a”",
    "path": null,
    "row": null,
    "severity": "error",
    "sheet": null
  }
]"""
    assert render_json([diag]) == expected
    assert render_json([SHEET_WARNING, UNKNOWN_FIELD]) == render_json(
        [UNKNOWN_FIELD, SHEET_WARNING]
    )


def test_render_human_clips_a_long_line_around_the_column() -> None:
    # A megabyte on one line must not be echoed: the snippet shows a window with the caret in it.
    text = "a: " + "x" * 1_000_000 + " b\n"
    out = render_human([Diagnostic("R100", "长行", Location("r.yaml", 1, 500_004))], {"r.yaml": text})
    assert len(out) < 600
    snippet, caret = out.splitlines()[3:5]
    assert snippet.startswith(" 1 | …" + "x" * 60) and snippet.endswith("…")
    assert caret == "   | " + " " * 61 + "^" * 40


def test_render_human_clips_long_context_lines() -> None:
    text = "a: " + "y" * 500 + "\nb: 1\n"
    out = render_human([Diagnostic("R100", "值", Location("r.yaml", 2, 4))], {"r.yaml": text})
    assert " 1 | a: " + "y" * 157 + "…\n" in out
