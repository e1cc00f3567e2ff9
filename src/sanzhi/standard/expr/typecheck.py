"""Static type checking of a structurally valid rubric expression (pass 2 of 2).

Why: a rubric typo must fail when the rubric is loaded, not while scoring. `Typer` infers a
ValueType for every node and enforces the rules: and/or/not take 是/否; arithmetic takes 数值
only (是/否 is not a number, 文本 cannot be added or repeated); ordering compares two 数值 or two
日期; == / != need equal types (not 标签列表); `in` is 文本 in 标签列表 or a value in a literal
list of its own type; both branches of `a if c else b` have one type; min/max take ≥ 2 数值,
abs one 数值, len one 标签列表. A string literal compared with (or looked up in) a field that
declares `choices` must be one of them.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from sanzhi.standard.expr.check import close_matches
from sanzhi.standard.expr.source import Source
from sanzhi.standard.expr.types import ExpressionError, NameType, ValueType

B, N, S, D, T = (ValueType.BOOL, ValueType.NUMBER, ValueType.STRING, ValueType.DATE, ValueType.TAGS)

_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%"}
_CMP = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}


@dataclass(frozen=True)
class _Info:
    kind: ValueType | None  # None: a list literal on the right of in
    choices: tuple[str, ...] | None = None
    subject: str | None = None  # declared name, for "not a choice of ..." messages

    @property
    def label(self) -> str:
        """The type's Chinese name for messages ("列表" for a list literal)."""
        return self.kind.label if self.kind is not None else "列表"


def string_literals(node: ast.AST) -> list[tuple[ast.Constant, str]]:
    """String constants (node, text) a node can evaluate to directly (looking through `a if c else b`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [(node, node.value)]
    if isinstance(node, ast.IfExp):
        return string_literals(node.body) + string_literals(node.orelse)
    return []


class Typer:
    """Static type inference over a structurally valid tree."""

    def __init__(self, src: Source, names: Mapping[str, NameType]) -> None:
        self.src = src
        self.names = names

    def error(self, message: str, node: ast.AST | int, hint: str | None = None) -> ExpressionError:
        return self.src.error(message, node, hint)

    def describe(self, node: ast.AST) -> str:
        if isinstance(node, ast.Name):
            label = self.names[node.id].label
            return f"“{node.id}”" + (f"（{label}）" if label else "")
        text = self.src.segment(node)
        return f"“{text if len(text) <= 30 else text[:29] + '…'}”"

    def need(self, node: ast.AST, kind: ValueType, what: str, info: _Info | None = None) -> _Info:
        info = self.infer(node) if info is None else info
        if info.kind is not kind:
            found = info.label
            hint = None
            if kind is N and info.kind is B:
                hint = "是/否 不是数值；如需计数请写 (1 if 条件 else 0)"
            elif kind is N and info.kind is S:
                hint = "文本不能做算术运算（也不能拼接或重复）"
            raise self.error(
                f"{what}需要 {kind.label}，而 {self.describe(node)} 是 {found}", node, hint
            )
        return info

    def infer(self, node: ast.AST) -> _Info:
        method = getattr(self, "t_" + type(node).__name__)
        return method(node)

    def t_Name(self, node: ast.Name) -> _Info:
        declared = self.names[node.id]
        return _Info(declared.kind, declared.choices, node.id)

    def t_Constant(self, node: ast.Constant) -> _Info:
        value = node.value
        if isinstance(value, bool):
            return _Info(B)
        return _Info(S) if isinstance(value, str) else _Info(N)

    def t_BoolOp(self, node: ast.BoolOp) -> _Info:
        word = "and" if isinstance(node.op, ast.And) else "or"
        for value in node.values:
            self.need(value, B, f"“{word}” 两侧")
        return _Info(B)

    def t_UnaryOp(self, node: ast.UnaryOp) -> _Info:
        if isinstance(node.op, ast.Not):
            self.need(node.operand, B, "“not” 后面")
            return _Info(B)
        self.need(node.operand, N, f"正负号 “{'-' if isinstance(node.op, ast.USub) else '+'}” ")
        return _Info(N)

    def t_BinOp(self, node: ast.BinOp) -> _Info:
        symbol = _ARITH[type(node.op)]
        for side in (node.left, node.right):
            self.need(side, N, f"运算 “{symbol}” ")
        return _Info(N)

    def t_IfExp(self, node: ast.IfExp) -> _Info:
        self.need(node.test, B, "条件表达式 if 后面的条件")
        body, orelse = self.infer(node.body), self.infer(node.orelse)
        if body.kind is not orelse.kind:
            raise self.error(
                f"条件表达式两个分支的类型不同：{body.label} 与 {orelse.label}",
                node.orelse,
            )
        same = body.subject == orelse.subject
        return _Info(body.kind, body.choices if same else None, body.subject if same else None)

    def t_Call(self, node: ast.Call) -> _Info:
        assert isinstance(node.func, ast.Name)  # check_structure admits only calls of a name
        name = node.func.id
        args = node.args
        if name in ("min", "max"):
            if len(args) < 2:
                raise self.error(f"{name} 至少需要 2 个参数，例如 {name}(3, x)", node.func)
            for arg in args:
                self.need(arg, N, f"{name} 的参数")
        elif len(args) != 1:
            raise self.error(f"{name} 需要恰好 1 个参数", node.func)
        else:
            self.need(args[0], N if name == "abs" else T, f"{name} 的参数")
        return _Info(N)

    def t_Compare(self, node: ast.Compare) -> _Info:
        left_node, left = node.left, self.infer(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            symbol = _CMP[type(op)]
            if left.kind is None:
                raise self.error("列表只能写在 in / not in 的右侧", left_node)
            if symbol in ("in", "not in"):
                right = self.membership(symbol, left_node, left, right_node)
            else:
                right = self.infer(right_node)
                if symbol in ("==", "!="):
                    if left.kind is not right.kind:
                        raise self.error(
                            f"无法用 “{symbol}” 比较 {left.label} 与 {right.label}："
                            f"{self.describe(left_node)} {symbol} {self.describe(right_node)}",
                            right_node,
                        )
                    if left.kind is T:
                        raise self.error(
                            "标签列表不能用 “==” 比较",
                            left_node,
                            "请用 '某标签' in 列表 或 len(列表)",
                        )
                    self.choices(right_node, left)
                    self.choices(left_node, right)
                elif not (left.kind is right.kind and left.kind in (N, D)):
                    raise self.error(
                        f"“{symbol}” 只能比较两个数值或两个日期，而这里是 {left.label} 与 {right.label}",
                        right_node if left.kind in (N, D) else left_node,
                    )
            left_node, left = right_node, right
        return _Info(B)

    def membership(
        self, symbol: str, left_node: ast.AST, left: _Info, right_node: ast.AST
    ) -> _Info:
        if isinstance(right_node, (ast.Tuple, ast.List)):
            if left.kind not in (S, N):
                raise self.error(
                    f"“{symbol}” 左侧需要是文本或数值，而 {self.describe(left_node)} 是 {left.label}",
                    left_node,
                )
            if not right_node.elts:
                raise self.error(f"“{symbol}” 右侧的列表为空", right_node)
            for element in right_node.elts:
                self.need(element, left.kind, f"“{symbol}” 右侧列表的每一项都")
                self.choices(element, left)
            return _Info(None)
        right = self.infer(right_node)
        if right.kind is not T:
            raise self.error(
                f"“{symbol}” 右侧需要是标签列表或括号中的列表，而 {self.describe(right_node)} "
                f"是 {right.label}",
                right_node,
            )
        self.need(left_node, S, "在标签列表中查找的内容", left)
        self.choices(left_node, right)
        return right

    def choices(self, literal_node: ast.AST, other: _Info) -> None:
        """If `other` is a field with declared choices, every string literal must be one of them."""
        if not other.choices:
            return
        for lit, value in string_literals(literal_node):
            if value not in other.choices:
                shown = "、".join(other.choices[:12]) + (
                    f" 等 {len(other.choices)} 项" if len(other.choices) > 12 else ""
                )
                raise self.error(
                    f"“{value}” 不是 {other.subject} 的可选值：{shown}",
                    lit,
                    close_matches(value, other.choices, cutoff=0.5),
                )
