"""Tests for sanzhi.common.yaml_source: safe positioned loading of rubric and village files."""

import itertools
import time
from decimal import Decimal

import pytest

from sanzhi.common import yaml_source as yamlsource
from sanzhi.common.diagnostics import render_human, render_lines
from sanzhi.common.errors import DataError, Location, RubricError
from sanzhi.common.yaml_source import SourceMap, load_yaml, load_yaml_file


def errors_of(text: str, filename: str = "r.yaml", **kwargs: object) -> RubricError:
    with pytest.raises(RubricError) as info:
        load_yaml(text, filename, **kwargs)
    return info.value


# --------------------------------------------------------------------------- syntax errors


def test_load_yaml_syntax_error_is_one_located_chinese_diagnostic() -> None:
    text = "名称: 嘉兴\n说明: 村规民约: 修订\n"
    error = errors_of(text)
    assert render_human(error.diagnostics, error.sources) == (
        "错误[R100]：此处不允许出现键值对（冒号后是否缺少空格，或缩进有误？）\n"
        "  --> r.yaml:2:9\n"
        "   |\n"
        " 1 | 名称: 嘉兴\n"
        " 2 | 说明: 村规民约: 修订\n"
        "   |               ^\n"
        "   = 提示：请检查这一行的缩进是否与同级对齐、上一行是否漏了冒号；"
        "值里含 “: ” 时请给整个值加引号\n"
        "\n"
        "共发现 1 处错误（r.yaml）。"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "items:\n  - a\n  b: 1\n",
            "r.yaml:3:3: R100 列表中出现了不以 “-” 开头的行（从第 2 行第 3 列开始）",
        ),
        ("a:\n\tb: 1\n", "r.yaml:2:1: R100 此处有制表符（Tab），YAML 只能用空格缩进"),
        ("x: 1\nname: '村规\nb: 2\n", "r.yaml:2:7: R100 引号没有闭合"),
        (
            "a: [1, 2\n",
            "r.yaml:2:1: R100 方括号列表没有正确结束：缺少 “,” 或 “]”（从第 1 行第 4 列开始）",
        ),
        ("a: @x\n", "r.yaml:1:4: R100 “@” 是 YAML 保留字符，不能用作值的开头"),
        ("a: *重点\n", "r.yaml:1:5: R100 以 “*” 开头的值会被当作 YAML 别名或锚点"),
        ("名称: 村\x07x\n", "r.yaml:1:6: R100 文件中有不允许的控制字符（U+0007）"),
        (
            "a: !<x y> 1\n",
            "r.yaml:1:7: R100 YAML 语法错误；实际：while scanning a tag: did not find the expected '>'",
        ),
    ],
)
def test_load_yaml_syntax_errors_are_translated(text: str, expected: str) -> None:
    assert render_lines(errors_of(text).diagnostics) == expected


# --------------------------------------------------------------------------- structure


def test_load_yaml_reports_every_duplicate_key_with_its_first_line() -> None:
    text = "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n"
    error = errors_of(text)
    assert render_lines(error.diagnostics) == (
        "r.yaml:4:3: R102 重复的键 “c”（首次出现在第 3 行）\n"
        "r.yaml:5:1: R102 重复的键 “a”（首次出现在第 1 行）"
    )
    assert error.diagnostics[0].hint == "YAML 会悄悄只保留最后一个值；请删除或合并重复的键"


def test_load_yaml_keys_equal_as_text_are_duplicates() -> None:
    assert render_lines(errors_of('1.2: a\n"1.2": b\n').diagnostics) == (
        "r.yaml:2:1: R102 重复的键 “1.2”（首次出现在第 1 行）"
    )


def billion_laughs(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in itertools.pairwise("abcdefghijklmnopqrstuvwxyz"[:levels]):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_load_yaml_rejects_billion_laughs_quickly() -> None:
    text = billion_laughs(9)  # 9 levels x 9 = 387,420,489 leaves if expanded
    start = time.perf_counter()
    error = errors_of(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert {d.code for d in error.diagnostics} == {"R101"}
    assert len(error.diagnostics) == 9 + 8 * 9  # every anchor and every alias, each located
    assert render_lines(error.diagnostics[:3]) == (
        "r.yaml:1:4: R101 不支持锚点 “&a”\n"
        "r.yaml:2:4: R101 不支持锚点 “&b”\n"
        "r.yaml:2:8: R101 不支持别名 “*a”"
    )


def test_load_yaml_alias_guard_works_without_the_anchor_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The id(node) guard alone must stop the walk from expanding shared nodes; it reports
    # the shared (anchored) node, whose mark starts at its anchor.
    monkeypatch.setattr(yamlsource, "_scan_anchors", lambda *args: [])
    error = errors_of(billion_laughs(6))
    assert render_lines(error.diagnostics) == "r.yaml:1:4: R101 不支持锚点（&）和别名（*）"


def test_load_yaml_rejects_undefined_alias() -> None:
    assert (
        render_lines(errors_of("a: 1\nb: *x\n").diagnostics) == "r.yaml:2:4: R101 不支持别名 “*x”"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "r.yaml:1:1: R104 文件为空，没有任何内容"),
        ("# 只有注释\n", "r.yaml:1:1: R104 文件为空，没有任何内容"),
        ("a: 1\n---\nb: 2\n", "r.yaml:2:1: R104 文件包含多个 YAML 文档，只允许一个"),
        (
            "- 1\n- 2\n",
            "r.yaml:1:1: R104 文件顶层必须是键值映射（“键: 值” 的形式）；期望：键值映射；实际：列表",
        ),
        ("? [a, b]\n: 1\n", "r.yaml:1:3: R104 键必须是普通文本，不能是列表或映射"),
        ("<<: {a: 1}\n", "r.yaml:1:1: R104 不支持合并键 “<<”"),
        (
            "a: !!python/object:os.system ls\n",
            "r.yaml:1:4: R104 不支持的 YAML 标签；实际：!!python/object:os.system",
        ),
        ("a: !!binary aGk=\n", "r.yaml:1:4: R104 不支持的 YAML 标签；实际：!!binary"),
    ],
)
def test_load_yaml_structure_errors(text: str, expected: str) -> None:
    assert render_lines(errors_of(text).diagnostics) == expected


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("a: " + "[" * 30_000 + "]" * 30_000, "1:103"),  # flow; libyaml's composer used to segfault
        ("[" * 30_000, "1:101"),  # not even closed
        ("a:\n" + "".join(" " * (i + 1) + "-\n" for i in range(12_000)), "101:101"),  # block
        ("a:\n  " + "- " * 30_000 + "x\n", "2:201"),  # compact block sequences
        ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "1:106"),  # JSON
    ],
)
def test_load_yaml_refuses_deep_nesting_before_composing(text: str, position: str) -> None:
    assert render_lines(errors_of(text).diagnostics) == f"r.yaml:{position}: R104 嵌套层级过深（超过 100 层）"


def test_load_yaml_many_indicators_but_shallow_is_read() -> None:
    text = "".join(f"k{i}: [{i}, {{a: b}}]\n" for i in range(5_000))  # measured, then composed
    data, _ = load_yaml(text, "r.yaml")
    assert isinstance(data, dict) and data["k4999"] == [4999, {"a": "b"}]


def test_load_yaml_require_mapping_can_be_turned_off() -> None:
    data, _ = load_yaml("- 1\n- 2\n", "r.yaml", require_mapping=False)
    assert data == [1, 2]


def test_load_yaml_data_prefix_raises_data_error() -> None:
    with pytest.raises(DataError) as info:
        load_yaml("a: 1\na: 2\n", "v.yaml", code_prefix="D")
    assert (
        render_lines(info.value.diagnostics) == "v.yaml:2:1: D102 重复的键 “a”（首次出现在第 1 行）"
    )


def test_load_yaml_collects_problems_of_every_kind_before_raising() -> None:
    text = "a: &x 1\nb: .nan\na: 2\n"
    assert render_lines(errors_of(text).diagnostics) == (
        "r.yaml:1:4: R101 不支持锚点 “&x”\n"
        "r.yaml:2:4: R103 “.nan” 不是有限的数值；期望：有限的数值（不能是无穷大或 NaN）\n"
        "r.yaml:3:1: R102 重复的键 “a”（首次出现在第 1 行）"
    )


# --------------------------------------------------------------------------- scalars


def test_load_yaml_floats_become_decimal_from_their_text() -> None:
    data, _ = load_yaml("a: 0.10\nb: 1_000.50\nc: -2.5e+3\nd: 3.\n", "r.yaml")
    assert data == {"a": Decimal("0.10"), "b": Decimal("1000.50"), "c": Decimal("-2.5e+3"), "d": 3}
    assert all(type(v) is Decimal for v in data.values())
    assert str(data["a"]) == "0.10"


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "+.INF"])
def test_load_yaml_rejects_non_finite_numbers(value: str) -> None:
    assert render_lines(errors_of(f"a: {value}\n").diagnostics) == (
        f"r.yaml:1:4: R103 “{value}” 不是有限的数值；期望：有限的数值（不能是无穷大或 NaN）"
    )


def test_load_yaml_rejects_yaml11_octal_and_sexagesimal() -> None:
    assert render_lines(errors_of("a: 010\nb: 1:30\n").diagnostics) == (
        "r.yaml:1:4: R103 数字 “010” 以 0 开头，会被 YAML 当作八进制数（= 8）\n"
        "r.yaml:2:4: R103 “1:30” 会被 YAML 当作六十进制数（= 90）"
    )


def test_load_yaml_scalars_by_tag() -> None:
    text = "n: ~\ne:\nt: true\ny: yes\ni: 12\nh: 0x1F\nu: 1_000\nm: -7\ns: 村务公开\nq: '0.10'\n"
    data, _ = load_yaml(text, "r.yaml")
    assert data == {
        "n": None, "e": None, "t": True, "y": True, "i": 12, "h": 31, "u": 1000, "m": -7,
        "s": "村务公开", "q": "0.10",
    }  # fmt: skip


def test_load_yaml_mapping_keys_stay_text() -> None:
    data, _ = load_yaml("1.2: 甲\n2: 乙\ntrue: 丙\n~: 丁\n", "r.yaml")
    assert data == {"1.2": "甲", "2": "乙", "true": "丙", "~": "丁"}


def test_load_yaml_timestamps_stay_strings() -> None:
    data, _ = load_yaml("d: 2021-03-01\nt: 2021-03-01 10:00:00\n", "r.yaml")
    assert data == {"d": "2021-03-01", "t": "2021-03-01 10:00:00"}


# --------------------------------------------------------------------------- SourceMap

RUBRIC = """\
id: jiaxing
dimensions:
  - name: 法治
    indicators:
      - id: "2.3"
        items:
          - id: "2.3.1"
            pionts: 2
"""


def test_source_map_locate_points_at_values_and_closest_ancestor() -> None:
    _, sm = load_yaml(RUBRIC, "r.yaml")
    item = ("dimensions", 0, "indicators", 0, "items", 0)
    assert sm.locate(()) == Location("r.yaml", 1, 1)
    assert sm.locate(("id",)) == Location("r.yaml", 1, 5)
    assert sm.locate((*item, "pionts")) == Location("r.yaml", 8, 21)
    assert sm.locate(item) == Location("r.yaml", 7, 13)  # a mapping starts at its first key
    # missing field -> the mapping that should hold it; missing index -> the list
    assert sm.locate((*item, "points")) == Location("r.yaml", 7, 13)
    assert sm.locate(("dimensions", 5, "name")) == Location("r.yaml", 3, 3)
    assert sm.has((*item, "pionts"))
    assert not sm.has((*item, "points"))


def test_source_map_locate_key_points_at_the_key() -> None:
    _, sm = load_yaml(RUBRIC, "r.yaml")
    item = ("dimensions", 0, "indicators", 0, "items", 0)
    assert sm.locate((*item, "pionts"), key=True) == Location("r.yaml", 8, 13)
    assert sm.locate((*item, "points"), key=True) == Location("r.yaml", 7, 13)  # no such key
    assert sm.locate(("dimensions", 0), key=True) == Location("r.yaml", 3, 5)  # index: no key


def test_source_map_without_index_gives_the_file_only() -> None:
    assert SourceMap("x.json", "{}").locate(("a",)) == Location("x.json")


# --------------------------------------------------------------------------- files and JSON


def test_load_yaml_file_json_keeps_positions(tmp_path) -> None:
    path = tmp_path / "village.json"
    path.write_text('{\n\t"村": "三星村",\n\t"answers": {"2.3.1": 1e3, "2.3.2": 0.10}\n}\n')
    data, sm = load_yaml_file(path, display_name="data/village.json", code_prefix="D")
    assert data == {"村": "三星村", "answers": {"2.3.1": Decimal("1e3"), "2.3.2": Decimal("0.10")}}
    assert sm.locate(("村",)) == Location("data/village.json", 2, 7)
    assert sm.locate(("answers", "2.3.2"), key=True) == Location("data/village.json", 3, 28)
    assert sm.locate(("answers", "2.3.2")) == Location("data/village.json", 3, 37)


def test_load_yaml_file_json_syntax_error_uses_json_position(tmp_path) -> None:
    path = tmp_path / "v.json"
    path.write_text('{\n  "a": 1\n  "b": 2\n}\n')
    with pytest.raises(DataError) as info:
        load_yaml_file(path, display_name="v.json", code_prefix="D")
    assert render_lines(info.value.diagnostics) == "v.json:3:3: D100 JSON 语法错误：缺少逗号 “,”"


def test_load_yaml_json_fallback_when_yaml_parser_gives_up() -> None:
    # libyaml refuses implicit keys over 1024 characters; json.loads does not.
    key = "k" * 1100
    data, sm = load_yaml(f'{{"{key}": 0.5}}', "v.json")
    assert data == {key: Decimal("0.5")}
    assert sm.locate((key,)) == Location("v.json")


def test_load_yaml_file_reports_non_utf8(tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes("名称: 嘉兴\n说明: 村规\n".encode("gbk"))
    with pytest.raises(RubricError) as info:
        load_yaml_file(path, display_name="r.yaml")
    assert render_lines(info.value.diagnostics) == (
        "r.yaml:1:1: R100 文件不是 UTF-8 编码，看起来是 GBK/GB18030 编码"
    )


def test_load_yaml_file_reports_missing_file(tmp_path) -> None:
    with pytest.raises(RubricError) as info:
        load_yaml_file(tmp_path / "none.yaml", display_name="none.yaml")
    assert render_lines(info.value.diagnostics) == (
        "none.yaml: R100 找不到文件"
    )


def test_load_yaml_file_accepts_bom(tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes("\ufeffa: 1\nb: [\n".encode())
    with pytest.raises(RubricError) as info:
        load_yaml_file(path, display_name="r.yaml")
    assert info.value.diagnostics[0].location == Location("r.yaml", 3, 1)
    assert info.value.sources == {"r.yaml": "a: 1\nb: [\n"}


def test_load_yaml_file_unreadable_errors_carry_no_source(tmp_path) -> None:
    path = tmp_path / "r.yaml"
    path.write_bytes(b"a: \xff\n")
    with pytest.raises(RubricError) as info:
        load_yaml_file(path, display_name="r.yaml")
    assert render_lines(info.value.diagnostics) == "r.yaml:1:4: R100 文件不是 UTF-8 编码"
    assert info.value.sources == {}
