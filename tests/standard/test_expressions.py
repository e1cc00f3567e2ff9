"""Tests of the rubric expression language (sanzhi.standard.expr).

Columns are 0-based *character* offsets; many cases put Chinese text before the error so a
UTF-8 byte offset would be wrong by 2 per character.
"""

from __future__ import annotations

import datetime
import pickle
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanzhi.standard.expr import (
    EvaluationError,
    Expression,
    ExpressionError,
    NameType,
    ValueType,
    compile_expression,
)

V = ValueType
NAMES = {
    "plan_made": NameType(V.BOOL, label="已制定年度计划"),
    "meetings_held": NameType(V.NUMBER, label="议事会召开次数"),
    "meetings": NameType(V.NUMBER),
    "households": NameType(V.NUMBER),
    "grids": NameType(V.NUMBER, label="网格数"),
    "ratio": NameType(V.NUMBER),
    "collective_income": NameType(V.NUMBER),
    "county_class": NameType(V.STRING, ("加快发展县", "其他县"), "县域类别"),
    "village_name": NameType(V.STRING),
    "titles": NameType(V.TAGS, ("市级民主法治示范村", "省级民主法治示范村"), "所获称号"),
    "free_tags": NameType(V.TAGS),
    "founded": NameType(V.DATE),
    "checked": NameType(V.DATE),
}
VALUES = {
    "plan_made": True,
    "meetings_held": 5,
    "meetings": 7,
    "households": 10,
    "grids": 4,
    "ratio": Decimal("0.93"),
    "collective_income": Decimal("15.5"),
    "county_class": "加快发展县",
    "village_name": "东湖村",
    "titles": ("市级民主法治示范村",),
    "free_tags": ("甲", "乙"),
    "founded": datetime.date(2020, 5, 1),
    "checked": datetime.date(2025, 6, 30),
}


def compile_(text: str, expect: ValueType | None = None) -> Expression:
    return compile_expression(text, NAMES, expect=expect)


def run(text: str, **overrides: object) -> object:
    return compile_(text).evaluate({**VALUES, **overrides})


def rejected(text: str, expect: ValueType | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_(text, expect)
    return info.value


# ---------------------------------------------------------------- allowed constructs evaluate


ALLOWED = [
    # (text, expected value; its exact class is checked too)
    ("not plan_made", False),
    ("plan_made and meetings_held >= 4", True),
    ("plan_made or meetings_held > 100", True),
    ("not plan_made or meetings_held > 100", False),
    ("collective_income >= (10 if county_class == '加快发展县' else 20)", True),
    ("collective_income >= (10 if county_class == '其他县' else 20)", False),
    ("households / grids", Decimal("2.5")),
    ("households / 5", Decimal(2)),
    ("households / 0.5", Decimal(20)),
    ("households / (2 - 1)", Decimal(10)),
    ("households * 999999999999999", 9999999999999990),
    ("households * 0.000000000000001", Decimal("1.0E-14")),
    ("1 / 3", Decimal("0.3333333333333333333333333333")),
    ("'市级民主法治示范村' in titles", True),
    ("'省级民主法治示范村' not in titles", True),
    ("min(3, meetings * 0.5)", 3),
    ("min(5, meetings * 0.5)", Decimal("3.5")),
    ("max(1, 2, meetings_held)", 5),
    ("abs(2 - meetings)", 5),
    ("abs(-ratio)", Decimal("0.93")),
    ("len(titles)", 1),
    ("len(free_tags) * 2", 4),
    ("0.1 + 0.2 == 0.3", True),
    ("0.1 * 3", Decimal("0.3")),
    ("1e3 + 1", Decimal(1001)),
    ("1_000.5 - 0.5", Decimal("1000.0")),
    ("ratio * 100", Decimal("93.00")),
    ("households - grids * 2", 2),
    ("+households", 10),
    ("-households", -10),
    ("meetings // 2", 3),
    ("-meetings // 2", -4),  # Python floor semantics ...
    ("-7.5 // 2", Decimal(-4)),  # ... also for Decimals (Decimal // truncates)
    ("meetings % 4", 3),
    ("-meetings % 4", 1),
    ("-7.5 % 2", Decimal("0.5")),
    ("7 % -2.5", Decimal("-0.5")),
    ("1 < meetings <= 10", True),
    ("0 <= ratio < 0.9", False),
    ("meetings != 7", False),
    ("county_class == '加快发展县'", True),
    ("'加快发展县' != county_class", False),
    ("county_class in ('加快发展县', '其他县')", True),
    ("county_class not in ['其他县']", True),
    ("meetings in (1, 7.0)", True),
    ("meetings in [1, 2, meetings_held]", False),
    ("village_name == '东湖村'", True),
    ("village_name in free_tags", False),
    ("founded < checked", True),
    ("founded == checked", False),
    ("plan_made == True", True),
    ("'abc'", "abc"),
    ("village_name if plan_made else '无'", "东湖村"),
    ("titles if plan_made else free_tags", ("市级民主法治示范村",)),
    ("founded if plan_made else checked", datetime.date(2020, 5, 1)),
    ("(meetings_held >= 4 and\n plan_made)", True),
    ("  meetings_held >= 4\n", True),  # YAML block scalars leave whitespace around
    ("meetings_held >= 4 and\n  plan_made", True),  # line break outside parentheses
    ("meetings_held >= 4  # 注释", True),
]


@pytest.mark.parametrize(("text", "expected"), ALLOWED)
def test_allowed_constructs_evaluate_exactly(text: str, expected: object) -> None:
    result = run(text)
    assert result == expected
    assert type(result) is type(expected)


def test_result_type_and_names() -> None:
    expr = compile_("min(3, meetings * 0.5) + len(titles)")
    assert expr.result_type is V.NUMBER
    assert expr.names == frozenset({"meetings", "titles"})
    assert compile_("plan_made and 3 > 2").result_type is V.BOOL
    assert compile_("village_name").result_type is V.STRING
    assert compile_("founded").result_type is V.DATE
    assert compile_("titles").result_type is V.TAGS


def test_a_field_named_like_a_function_is_still_a_field() -> None:
    names = {"min": NameType(V.NUMBER)}
    assert compile_expression("min(min, 3)", names).evaluate({"min": 2}) == 2


def test_evaluation_is_sandboxed() -> None:
    function = compile_("households / grids")._function
    assert function.__globals__["__builtins__"] == {}
    assert "__import__" not in function.__globals__


# ----------------------------------------------------------- forbidden constructs at load time

FORBIDDEN = [
    # (text, message fragment, character column)
    ("x.real", "属性访问", 1),
    ("ratio.real", "属性访问", 5),
    ("'村村村' == county_class and ratio.real > 1", "属性访问", 31),
    ("().__class__", "属性访问", 2),
    ("'中文中文' + ().__class__", "属性访问", 11),
    ("titles[0]", "下标访问", 6),
    ("'中文' in titles[0:1]", "下标访问", 14),
    ("__import__('os')", "不支持的函数 “__import__”", 0),
    ("'中文中文' == __import__('os')", "不支持的函数 “__import__”", 10),
    ("'中文中文' == __import__('os').name", "属性访问", 26),  # the outermost forbidden construct
    ("9**9**9", "乘方", 1),
    ("'中文' == 'x' or households ** 2 > 3", "乘方", 26),
    ("'a' * 10**10", "乘方", 8),
    ("lambda: 1", "lambda", 0),
    ("'中文' == (lambda: '中文')()", "只能调用函数", 9),
    ("[x for x in titles]", "推导式", 0),
    ("'中' in [t for t in titles]", "推导式", 7),
    ("any(t == '中' for t in titles)", "不支持的函数 “any”", 0),
    ("min(1, 2, key=abs)", "关键字参数", 10),
    ("'中文中文' == county_class and min(1, key=2) > 0", "关键字参数", 34),
    ("foo(1)", "不支持的函数 “foo”", 0),
    ("'中文' == village_name or eval('1')", "不支持的函数 “eval”", 24),
    ("meetings(3)", "是字段，不是函数", 0),
    ("_x", "下划线", 0),
    ("'中文' == village_name and _secret", "下划线", 25),
    ("'中文' == village_name and meetingz_held > 1", "未声明的字段 “meetingz_held”", 25),
    ("None", "None", 0),
    ("'中文' == None", "None", 8),
    ("b'x' in titles", "字节串", 0),
    ("1j", "复数", 0),
    ("f'{village_name}' == '中'", "f-字符串", 0),
    ("(y := 1) > 0", "赋值表达式", 1),
    ("max(*titles)", "展开", 4),
    ("{'a', 'b'}", "集合", 0),
    ("{'a': 1}", "字典", 0),
    ("(1, 2)", "列表只能写在 in / not in 的右侧", 0),
    ("'中文' == village_name and [1] == [1]", "列表只能写在", 25),
    ("'中文' in (titles, ('a',))", "列表只能写在", 17),
    ("meetings is 3", "is", 9),
    ("~plan_made", "~", 0),
    ("plan_made & plan_made", "“&”", 10),
    ("plan_made | plan_made", "“|”", 10),
    ("meetings << 2", "<<", 9),
    ("min", "需要带括号调用", 0),
    ("meetings(1)", "是字段", 0),
    # a divisor that is zero whatever the village: the item would score 0 for every village
    ("households / 0", "除数恒为零：“/” 右侧的 “0” 等于 0", 13),
    ("households // (1 - 1)", "除数恒为零：“//” 右侧的 “1 - 1” 等于 0", 15),
    ("households % -0.0", "除数恒为零：“%” 右侧的 “-0.0” 等于 0", 13),
    # constants beyond what village values may be overflow the decimal context when scoring
    ("households * 1e999999", "数值常量 “1e999999” 超出范围", 13),
    ("households > 1000000000000000", "数值常量 “1000000000000000” 超出范围", 13),
    ("households * 0.0000000000000001", "数值常量 “0.0000000000000001” 超出范围", 13),
]


@pytest.mark.parametrize(("text", "fragment", "column"), FORBIDDEN)
def test_forbidden_constructs_are_rejected_at_compile_time(
    text: str, fragment: str, column: int
) -> None:
    error = rejected(text)
    assert fragment in error.message
    assert error.column == column, (error.column, error.message)
    assert error.text == text


def test_leftmost_problem_is_reported() -> None:
    error = rejected("'中文' == zzz and x.real")
    assert (error.message, error.column) == ("未声明的字段 “zzz”", 8)


def test_unknown_name_gets_a_close_match_hint() -> None:
    error = rejected("'村' == village_name and meetingz_held >= 4")
    assert error.message == "未声明的字段 “meetingz_held”"
    assert error.column == 24
    assert error.hint.startswith("是否想写 “meetings_held”")
    assert rejected("zzz > 1").hint is None
    assert rejected("true").hint == "是否想写 “True”？"


def test_chinese_label_used_as_a_name_gets_a_hint() -> None:
    error = rejected("网格数 > 3")
    assert error.message == "未声明的字段 “网格数”"
    assert "grids" in error.hint


def test_length_limit() -> None:
    error = rejected("1 + " * 250 + "1")
    assert "过长" in error.message
    assert rejected("+".join(["1"] * 400)).message.startswith("表达式嵌套过深")


@pytest.mark.parametrize(
    "text", ["-" * 300 + "1", "not " * 150 + "plan_made", "(" * 250 + "1" + ")" * 250]
)
def test_depth_limit(text: str) -> None:
    error = rejected(text)
    assert "嵌套过深" in error.message or "语法错误" in error.message


# ----------------------------------------------------------------------------- syntax errors

SYNTAX = [
    # (text, character column, message fragment, hint fragment or None)
    ("meetings_held >= and 4", 17, "语法错误", None),
    ("'中文中文' == county_class and (", 27, "括号 “(” 没有闭合", None),
    ("'中文' == village_name )", 21, "多余的右括号", None),
    ("'中文' == village_name ＞ 3", 21, "“＞”", "“>”"),
    ("'中文' == village_name and meetings（", 33, "“（”", "“(”"),
    ("'中文'\u3000== county_class", 4, "全角空格", "半角空格"),
    ("'中文' = county_class", 5, "语法错误", "=="),
    ("'中文' == village_name && plan_made", 22, "语法错误", "and / or / not"),
    ("'中文' == village_name or !plan_made", 24, "语法错误", "not"),
    ("'中文 == county_class", 0, "引号", None),
    ("meetings if plan_made", 0, "else", None),
    ("'中文'\n and ((", 10, "没有闭合", None),
    ("", 0, "表达式为空", None),
    ("   \n", 0, "表达式为空", None),
]


@pytest.mark.parametrize(("text", "column", "fragment", "hint"), SYNTAX)
def test_syntax_errors_have_character_columns(
    text: str, column: int, fragment: str, hint: str | None
) -> None:
    error = rejected(text)
    assert error.message.startswith("语法错误") or error.message == "表达式为空"
    assert fragment in error.message
    assert error.column == column, (error.column, error.message)
    if hint is None:
        assert error.hint is None
    else:
        assert hint in error.hint


def test_error_pointer_aligns_caret_under_wide_characters() -> None:
    error = rejected("'中文' == zzz")
    assert error.pointer() == "  '中文' == zzz\n" + " " * (2 + 10) + "^"  # 中文 is 4 cells wide
    assert str(error).startswith("未声明的字段 “zzz”")


# ------------------------------------------------------------------------------- type errors

TYPE_ERRORS = [
    # (text, message fragment, character column)
    ("plan_made + 1", "运算 “+” 需要 数值，而 “plan_made”（已制定年度计划） 是 是/否", 0),
    ("'中文' == village_name or 1 + plan_made > 0", "是 是/否", 28),
    ("'中' + village_name", "运算 “+” 需要 数值，而 “'中'” 是 文本", 0),
    ("'a' * 100", "是 文本", 0),
    ("village_name * 3", "是 文本", 0),
    ("-plan_made", "需要 数值", 1),
    ("not meetings", "“not” 后面需要 是/否", 4),
    ("'中文' == village_name and meetings", "“and” 两侧需要 是/否", 25),
    ("meetings or plan_made", "“or” 两侧需要 是/否", 0),
    ("village_name > '中'", "只能比较两个数值或两个日期", 0),
    ("founded < 3", "日期 与 数值", 10),
    ("meetings == '3'", "无法用 “==” 比较 数值 与 文本", 12),
    ("'中文' != plan_made", "无法用 “!=” 比较 文本 与 是/否", 8),
    ("titles == free_tags", "标签列表不能用 “==” 比较", 0),
    ("3 in titles", "在标签列表中查找的内容需要 文本", 0),
    ("'中文' in village_name", "右侧需要是标签列表", 8),
    ("plan_made in (True, False)", "左侧需要是文本或数值", 0),
    ("'中文' in ('a', 1)", "右侧列表的每一项都需要 文本", 14),
    ("meetings in ()", "列表为空", 12),
    ("meetings if meetings else 0", "if 后面的条件需要 是/否", 12),
    ("'中文中文' == (3 if plan_made else '中')", "两个分支的类型不同：数值 与 文本", 31),
    ("min(3)", "至少需要 2 个参数", 0),
    ("'中文' == village_name or min(3, village_name) > 0", "min 的参数需要 数值", 31),
    ("max(plan_made, 1)", "max 的参数需要 数值", 4),
    ("abs(1, 2)", "恰好 1 个参数", 0),
    ("abs(village_name)", "abs 的参数需要 数值", 4),
    ("len(village_name)", "len 的参数需要 标签列表", 4),
    ("len(titles, titles)", "恰好 1 个参数", 0),
]


@pytest.mark.parametrize(("text", "fragment", "column"), TYPE_ERRORS)
def test_type_errors_are_rejected_at_compile_time(text: str, fragment: str, column: int) -> None:
    error = rejected(text)
    assert fragment in error.message, error.message
    assert error.column == column, (error.column, error.message)


def test_bool_is_not_a_number_hint() -> None:
    assert "(1 if 条件 else 0)" in rejected("plan_made + 1").hint


@pytest.mark.parametrize(
    ("text", "expect", "message"),
    [
        ("meetings * 2", V.BOOL, "期望结果为 是/否，实际为 数值"),
        ("plan_made", V.NUMBER, "期望结果为 数值，实际为 是/否"),
        ("village_name", V.BOOL, "期望结果为 是/否，实际为 文本"),
        ("founded", V.NUMBER, "期望结果为 数值，实际为 日期"),
        ("titles", V.BOOL, "期望结果为 是/否，实际为 标签列表"),
    ],
)
def test_expected_result_type(text: str, expect: ValueType, message: str) -> None:
    assert rejected(text, expect).message == message
    assert compile_("meetings * 2", V.NUMBER).result_type is V.NUMBER


# ------------------------------------------------------------------------------ choice typos

CHOICE_TYPOS = [
    # (text, rejected literal, character column, suggested choice)
    ("county_class == '加快发展县x'", "加快发展县x", 16, "加快发展县"),
    ("'加快发展' == county_class", "加快发展", 0, "加快发展县"),
    ("'中文' == village_name and county_class != '其它县'", "其它县", 41, "其他县"),
    ("county_class in ('加快发展县', '其他')", "其他", 26, "其他县"),
    ("county_class == ('其他县' if plan_made else '加快县')", "加快县", 41, "加快发展县"),
    ("'市级示范村' in titles", "市级示范村", 0, None),
    (
        "'中文' == village_name and '省级民主法制示范村' not in titles",
        "省级民主法制示范村",
        25,
        "省级民主法治示范村",
    ),
]


@pytest.mark.parametrize(("text", "literal", "column", "suggestion"), CHOICE_TYPOS)
def test_string_literals_must_be_declared_choices(
    text: str, literal: str, column: int, suggestion
) -> None:
    error = rejected(text)
    assert error.message.startswith(f"“{literal}” 不是 ")
    assert "的可选值：" in error.message
    assert error.column == column, (error.column, error.message)
    if suggestion:
        assert f"“{suggestion}”" in error.hint


def test_choice_message_format() -> None:
    error = rejected("county_class == '加快发展县x'")
    assert error.message == "“加快发展县x” 不是 county_class 的可选值：加快发展县、其他县"
    assert error.hint == "是否想写 “加快发展县”？"


def test_fields_without_choices_accept_any_literal() -> None:
    assert run("village_name == '西山村'") is False
    assert run("'任何标签' in free_tags") is False


def test_name_type_validation() -> None:
    assert NameType(V.STRING, ["a", "b"]).choices == ("a", "b")
    with pytest.raises(ValueError):
        NameType(V.NUMBER, ("a",))
    with pytest.raises(TypeError):
        NameType("number")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- evaluation errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("households / grids", "除数为零：grids = 0"),
        ("households // grids", "除数为零：grids = 0"),
        ("households % grids", "除数为零：grids = 0"),
        ("households / (grids - 0.0)", "除数为零：grids - 0.0 = 0.0"),
        ("1 / (grids * grids)", "除数为零：grids * grids = 0"),
        ("ratio // (grids * 2)", "除数为零：grids * 2 = 0"),
    ],
)
def test_division_by_zero_names_the_expression(text: str, message: str) -> None:
    with pytest.raises(EvaluationError) as info:
        run(text, grids=0)
    assert info.value.message == message
    assert info.value.text == text
    assert text in str(info.value)


def test_missing_value() -> None:
    with pytest.raises(EvaluationError, match="缺少字段 “grids” 的值"):
        compile_("households / grids").evaluate({"households": 1})


@pytest.mark.parametrize(
    ("text", "overrides", "fragment"),
    [
        ("meetings * 2", {"meetings": 1.5}, "字段 “meetings” 的值 1.5 不是 数值"),
        ("meetings > 2", {"meetings": None}, "字段 “meetings” 的值 None 不是 数值"),
        (
            "plan_made or meetings > 9",
            {"plan_made": 1},
            "字段 “plan_made”（已制定年度计划） 的值 1 不是 是/否",
        ),
        ("founded < checked", {"founded": "2020"}, "字段 “founded” 的值 '2020' 不是 日期"),
    ],
)
def test_values_of_the_wrong_type_are_reported_not_returned(
    text: str, overrides: dict, fragment: str
) -> None:
    with pytest.raises(EvaluationError) as info:
        run(text, **overrides)
    assert fragment in info.value.message


def test_errors_pickle() -> None:
    error = pickle.loads(pickle.dumps(EvaluationError("除数为零：grids = 0", "a / grids")))
    assert (error.message, error.text) == ("除数为零：grids = 0", "a / grids")
    error2 = pickle.loads(pickle.dumps(rejected("'中文' == zzz")))
    assert (error2.message, error2.column, error2.text) == (
        "未声明的字段 “zzz”",
        8,
        "'中文' == zzz",
    )
    assert error2.hint is None


# ------------------------------------------------------------------------------------ pickling

PICKLED = [text for text, _ in ALLOWED[:20]] + ["households / grids > 0.5 and plan_made"]


@pytest.mark.parametrize("text", PICKLED)
def test_pickle_round_trip(text: str) -> None:
    expr = compile_(text)
    copy = pickle.loads(pickle.dumps(expr))
    assert copy == expr
    assert (copy.text, copy.result_type, copy.names) == (expr.text, expr.result_type, expr.names)
    assert copy.evaluate(VALUES) == expr.evaluate(VALUES)
    assert b"code" not in pickle.dumps(expr)


def _evaluate_in_worker(expr: Expression) -> object:
    return expr.evaluate(VALUES)


def test_expressions_work_in_a_process_pool() -> None:
    exprs = [compile_("households / grids"), compile_("min(3, meetings * 0.5) + 0.25")]
    with ProcessPoolExecutor(1) as pool:
        assert list(pool.map(_evaluate_in_worker, exprs)) == [Decimal("2.5"), Decimal("3.25")]


# ---------------------------------------------- property: exact Decimal arithmetic, no floats

NUM_NAMES = {f"n{i}": NameType(V.NUMBER) for i in range(4)}
_OPS = ["+", "-", "*", "//", "%"]

ints = st.integers(-10_000, 10_000)
decimals = st.decimals(
    min_value=-10_000, max_value=10_000, places=2, allow_nan=False, allow_infinity=False
)
numbers = st.one_of(ints, decimals)


def _literal(value: int | Decimal) -> str:
    text = str(value) if isinstance(value, int) else format(value, "f")
    if isinstance(value, Decimal) and "." not in text:
        text += ".0"  # make it a float literal, which must become a Decimal
    return f"({text})"


def _leaf(draw) -> tuple[str, Fraction]:
    index = draw(st.integers(0, 3))
    if draw(st.booleans()):
        return f"n{index}", None  # type: ignore[return-value]  # resolved later from values
    value = draw(numbers)
    return _literal(value), Fraction(value)


@st.composite
def exact_trees(draw, depth: int = 2):
    """(text, reference evaluator) for trees of + - * // % over names and literals."""
    if depth == 0 or draw(st.booleans()):
        text, fixed = _leaf(draw)
        return text, (lambda vals, t=text, f=fixed: f if f is not None else Fraction(vals[t]))
    left_text, left = draw(exact_trees(depth - 1))
    right_text, right = draw(exact_trees(depth - 1))
    op = draw(st.sampled_from(_OPS))

    def reference(vals, op=op, left=left, right=right):
        a, b = left(vals), right(vals)
        if op in ("//", "%") and b == 0:
            raise ZeroDivisionError
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        return Fraction(a // b) if op == "//" else a % b

    return f"({left_text} {op} {right_text})", reference


values_strategy = st.fixed_dictionaries({f"n{i}": numbers for i in range(4)})


def _compiled_unless_constant_zero_divisor(text: str, reference, vals: dict, expect: V | None = None) -> Expression | None:
    """The compiled expression; None when the rubric loader refuses it for a divisor that is a
    zero written without names, which must then be a division by zero for any values."""
    try:
        return compile_expression(text, NUM_NAMES, expect=expect)
    except ExpressionError as e:
        assert e.message.startswith("除数恒为零"), (text, e.message)
        with pytest.raises(ZeroDivisionError):
            reference(vals)
        return None


def _check(expr: Expression, vals: dict, reference) -> object:
    try:
        expected = reference(vals)
    except ZeroDivisionError:
        with pytest.raises(EvaluationError, match="除数为零"):
            expr.evaluate(vals)
        return None
    result = expr.evaluate(vals)
    assert type(result) in (int, Decimal), type(result)
    return result, expected


@settings(max_examples=400, deadline=None)
@given(tree=exact_trees(), vals=values_strategy)
def test_arithmetic_is_exact_decimal_and_never_float(tree, vals) -> None:
    text, reference = tree
    expr = _compiled_unless_constant_zero_divisor(text, reference, vals, expect=V.NUMBER)
    if expr is None:
        return
    checked = _check(expr, vals, reference)
    if checked is None:
        return
    result, expected = checked
    assert Fraction(result) == expected, (text, vals, result, expected)
    uses_decimal = "." in text or any(isinstance(vals[n], Decimal) for n in expr.names)
    if not uses_decimal:
        assert type(result) is int


@settings(max_examples=300, deadline=None)
@given(numerator=exact_trees(depth=1), denominator=exact_trees(depth=1), vals=values_strategy)
def test_division_is_decimal_correctly_rounded_and_never_float(
    numerator, denominator, vals
) -> None:
    text = f"{numerator[0]} / {denominator[0]}"

    def reference(v):
        a, b = numerator[1](v), denominator[1](v)
        if b == 0:
            raise ZeroDivisionError
        return a / b

    expr = _compiled_unless_constant_zero_divisor(text, reference, vals)
    if expr is None:
        return
    checked = _check(expr, vals, reference)
    if checked is None:
        return
    result, expected = checked
    assert type(result) is Decimal
    # 28 significant digits: the relative error is at most half a unit in the 28th digit
    assert abs(Fraction(result) - expected) <= abs(expected) * Fraction(1, 10**27), (text, vals)
    if (expected * 10**8).denominator == 1 and abs(expected) < 10**19:
        assert Fraction(result) == expected  # short exact quotients come out exactly
