"""Whitelist checking of a parsed rubric expression (pass 1 of 2; types are in `expr_typing`).

Why: a rubric typo must fail when the rubric is loaded, with a Chinese message and a caret, and
never during scoring. Two passes over the `ast`:

1. `check_structure` — the syntax whitelist (node kinds, operators, constant kinds, which names
   may be called, where list literals may appear), name resolution and a depth bound. It reports
   the leftmost problem, not looking inside a forbidden construct (``x.real`` is an attribute
   access, whether or not ``x`` is declared), so the same text always gives the same message.
2. `expr_typing.Typer` — infers a ValueType per node and enforces the typing rules (bool is not a number,
   text cannot be added or repeated, ordering only between numbers or dates, choice literals
   must be declared choices, ...).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Mapping
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, InvalidOperation
from typing import Protocol

from sanzhi.standard.expr.source import Source
from sanzhi.standard.expr.types import ExpressionError, NameType

FUNCTIONS = ("min", "max", "abs", "len")
MAX_DEPTH = 100
# Number literals stay within what village values may be (sanzhi.standard.values): beyond it
# a product overflows the decimal context at scoring time and the item scores 0 for everyone.
MAX_MAGNITUDE = Decimal("1e15")
MIN_MAGNITUDE = Decimal("1e-15")
_DIVISIONS = {ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%"}
_FOLD = Context(prec=60, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])  # folding never raises

_BAD_BINOPS = {
    ast.Pow: ("**", "不支持乘方运算 “**”", "如需平方请写 x * x"),
    ast.BitAnd: ("&", "不支持运算符 “&”", "“并且” 请写 and"),
    ast.BitOr: ("|", "不支持运算符 “|”", "“或者” 请写 or"),
    ast.BitXor: ("^", "不支持运算符 “^”", None),
    ast.LShift: ("<<", "不支持运算符 “<<”", None),
    ast.RShift: (">>", "不支持运算符 “>>”", None),
    ast.MatMult: ("@", "不支持运算符 “@”", None),
}
_UNSUPPORTED = {
    ast.Attribute: "不支持属性访问 “.”",
    ast.Subscript: "不支持下标访问 “[…]”",
    ast.Lambda: "不支持 lambda 表达式",
    ast.ListComp: "不支持推导式",
    ast.SetComp: "不支持推导式",
    ast.DictComp: "不支持推导式",
    ast.GeneratorExp: "不支持推导式",
    ast.JoinedStr: "不支持 f-字符串",
    ast.FormattedValue: "不支持 f-字符串",
    ast.NamedExpr: "不支持赋值表达式 “:=”",
    ast.Starred: "不支持 “*” 展开",
    ast.Set: "不支持集合 “{…}”，列表请写在 in 右侧的括号中",
    ast.Dict: "不支持字典 “{…}”",
    ast.Await: "不支持 await",
    ast.Yield: "不支持 yield",
    ast.YieldFrom: "不支持 yield",
    ast.Slice: "不支持切片",
}


class _Bad(Protocol):
    """How the checks below report a problem: the node, message, optional hint and caret."""

    def __call__(
        self, node: ast.AST, message: str, hint: str | None = None, at: int | None = None
    ) -> None: ...


def close_matches(word: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(word, list(candidates), n=3, cutoff=cutoff)
    return "是否想写 " + " 或 ".join(f"“{m}”" for m in found) + "？" if found else None


def _problem_position(src: Source, node: ast.AST) -> int:
    """Where the caret goes for a forbidden construct: at the operator, not the operand."""
    if isinstance(node, ast.Attribute):
        return src.rfind(".", src.start(node), src.end(node))
    if isinstance(node, ast.Subscript):
        return src.find("[", src.end(node.value), src.end(node))
    if isinstance(node, ast.BinOp) and type(node.op) in _BAD_BINOPS:
        return src.find(_BAD_BINOPS[type(node.op)][0], src.end(node.left), src.start(node.right))
    return src.start(node)


def check_structure(
    tree: ast.Expression, src: Source, names: Mapping[str, NameType]
) -> frozenset[str]:
    """Enforce the syntax whitelist; return the declared names the expression reads."""
    problems: list[tuple[int, str, str | None]] = []
    used: set[str] = set()

    def bad(node: ast.AST, message: str, hint: str | None = None, at: int | None = None) -> None:
        problems.append((_problem_position(src, node) if at is None else at, message, hint))

    stack: list[tuple[ast.AST, int, str]] = [(tree.body, 1, "")]
    while stack:
        node, depth, role = stack.pop()
        if depth > MAX_DEPTH:
            bad(node, f"表达式嵌套过深（超过 {MAX_DEPTH} 层）")
            continue
        children: list[ast.expr] = []
        if isinstance(node, ast.BoolOp):
            children = node.values
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                bad(node, "不支持运算符 “~”", "“非” 请写 not")
            children = [node.operand]
        elif isinstance(node, ast.BinOp):
            if type(node.op) in _BAD_BINOPS:
                _, message, hint = _BAD_BINOPS[type(node.op)]
                bad(node, message, hint)
            elif type(node.op) in _DIVISIONS and constant_value(node.right, src) == 0:
                symbol = _DIVISIONS[type(node.op)]
                bad(node.right, f"除数恒为零：“{symbol}” 右侧的 “{src.segment(node.right)}” 等于 0")
            children = [node.left, node.right]
        elif isinstance(node, ast.Compare):
            left_end = src.end(node.left)
            for op, comparator in zip(node.ops, node.comparators):
                if isinstance(op, (ast.Is, ast.IsNot)):
                    bad(
                        node,
                        "不支持 “is” 比较",
                        "判断相等请写 ==",
                        src.find("is", left_end, src.start(comparator)),
                    )
                elif isinstance(op, (ast.In, ast.NotIn)) and isinstance(
                    comparator, (ast.Tuple, ast.List)
                ):
                    stack.append((comparator, depth + 1, "in-list"))
                    left_end = src.end(comparator)
                    continue
                children.append(comparator)
                left_end = src.end(comparator)
            children.insert(0, node.left)
        elif isinstance(node, ast.IfExp):
            children = [node.test, node.body, node.orelse]
        elif isinstance(node, (ast.Tuple, ast.List)):
            if role != "in-list":
                bad(node, "列表只能写在 in / not in 的右侧，例如 x in ('甲', '乙')")
            children = node.elts
        elif isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Name):
                bad(func, "只能调用函数 " + "、".join(FUNCTIONS))
            elif func.id not in FUNCTIONS:
                if func.id in names:
                    bad(func, f"“{func.id}” 是字段，不是函数")
                else:
                    bad(
                        func,
                        f"不支持的函数 “{func.id}”（可用：{'、'.join(FUNCTIONS)}）",
                        close_matches(func.id, FUNCTIONS),
                    )
            for kw in node.keywords:
                bad(kw, "函数调用不支持关键字参数（如 key=…）")
            children = node.args
        elif isinstance(node, ast.Name):
            _check_name(node, names, bad, used)
        elif isinstance(node, ast.Constant):
            _check_constant(node, src, bad)
        else:
            bad(node, _UNSUPPORTED.get(type(node), f"不支持的写法（{type(node).__name__}）"))
        for child in reversed(children):
            stack.append((child, depth + 1, ""))
    if problems:
        column, message, hint = min(problems, key=lambda p: p[0])
        raise ExpressionError(message, column, src.text, hint)
    return frozenset(used)


def _check_name(node: ast.Name, names: Mapping[str, NameType], bad: _Bad, used: set[str]) -> None:
    name = node.id
    if name in names and not name.startswith("_"):
        used.add(name)
        return
    if name.startswith("_"):
        bad(node, f"不允许使用以下划线开头的名字 “{name}”", close_matches(name.lstrip("_"), names))
    elif name in FUNCTIONS:
        bad(node, f"函数 {name} 需要带括号调用，例如 {name}(…)")
    elif name.lower() in ("true", "false"):
        bad(node, f"未声明的字段 “{name}”", f"是否想写 “{name.capitalize()}”？")
    else:
        hint = close_matches(name, names)
        labelled = [n for n, t in names.items() if t.label and t.label == name]
        if labelled:
            hint = f"“{name}” 是字段 {labelled[0]} 的中文名称，表达式中请写 {labelled[0]}"
        bad(node, f"未声明的字段 “{name}”", hint)


def constant_value(node: ast.AST, src: Source) -> Decimal | None:
    """The value of a number written without names (`0`, `-0.0`, `(1 - 1) * 3`), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return _literal(node, src)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = constant_value(node.operand, src)
        return None if inner is None else (inner.copy_negate() if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        left, right = constant_value(node.left, src), constant_value(node.right, src)
        if left is None or right is None:
            return None
        fold = _FOLD.add if isinstance(node.op, ast.Add) else _FOLD.subtract if isinstance(node.op, ast.Sub) else _FOLD.multiply
        return fold(left, right)
    return None


def _literal(node: ast.Constant, src: Source) -> Decimal | None:
    try:
        return Decimal(src.segment(node).replace("_", ""))  # the text: `1e999` is a float inf
    except InvalidOperation:
        return None


def _check_constant(node: ast.Constant, src: Source, bad: _Bad) -> None:
    value = node.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = _literal(node, src)
        size = number.copy_abs() if number is not None else None
        if size is None or not size.is_finite() or size >= MAX_MAGNITUDE or (size and size < MIN_MAGNITUDE):
            bad(node, f"数值常量 “{src.segment(node)}” 超出范围", "常量的绝对值须在 10^-15 与 10^15 之间")
        return
    if isinstance(value, (bool, str)):
        return
    if value is None:
        bad(node, "不支持 None（空值）")
    elif isinstance(value, bytes):
        bad(node, "不支持字节串 b'…'")
    elif isinstance(value, complex):
        bad(node, "不支持复数")
    else:
        bad(node, f"不支持的常量 {value!r}")
