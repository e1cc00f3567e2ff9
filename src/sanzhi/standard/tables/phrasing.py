"""Words for a rubric's table: an item's 评分细则 cell, and simple expressions in words.

Each rule is worded by its kind (`sanzhi.standard.rules`, the kind module's `describe`); this
module joins them into the cell and adds what belongs to the item: "本项扣完为止" when its
deductions can exceed it. Expressions (an item's `applies_when`, a tier's `requires`) are put
in words when they are the simple shapes tables use (a field, a comparison, not/and/or,
`x if c else y`, arithmetic); anything else is shown as written, so nothing is hidden.
"""

import ast
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from sanzhi.common.numbers import fmt
from sanzhi.standard.fields import DerivedField, FieldSpec
from sanzhi.standard.rules import kind_named
from sanzhi.standard.rules.kind import RuleContext


class Shown(NamedTuple):
    """How a field reads in a sentence, and the range its value can take."""

    label: str
    unit: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None


Display = Mapping[str, Shown]

_CMP = {ast.GtE: "不低于", ast.Gt: "高于", ast.LtE: "不高于", ast.Lt: "低于", ast.Eq: "为", ast.NotEq: "不为"}
_ARITH = {ast.Add: "＋", ast.Sub: "－", ast.Mult: "×", ast.Div: "÷"}


def _unit(display: Display, name: str) -> str:
    shown = display.get(name)
    return (shown.unit or "") if shown is not None else ""


def _label(display: Display, name: str, otherwise: str) -> str:
    shown = display.get(name)
    return shown.label if shown is not None else otherwise


def expr_words(text: str, display: Display) -> str:
    """An expression in words when it is simple; otherwise as written."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
        return _words(tree, display)
    except (SyntaxError, ValueError):
        return text


def _value(node: ast.expr, display: Display) -> tuple[str, str]:
    """(words, unit) of a value: a field's label, or a number."""
    if isinstance(node, ast.Name):
        return _label(display, node.id, node.id), _unit(display, node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) and not isinstance(node.value, bool):
        return (str(node.value) if not isinstance(node.value, float) else fmt(Decimal(str(node.value)))), ""
    raise ValueError("not simple")


def _words(node: ast.expr, display: Display) -> str:
    if isinstance(node, ast.Name):
        return _label(display, node.id, node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = _words(node.operand, display)
        return f"未{inner}" if isinstance(node.operand, ast.Name) else f"并非（{inner}）"
    if isinstance(node, ast.BoolOp):
        joiner = "且" if isinstance(node.op, ast.And) else "或"
        return joiner.join(_words(v, display) for v in node.values)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        op = node.ops[0]
        right = node.comparators[0]
        if isinstance(op, (ast.In, ast.NotIn)) and isinstance(node.left, ast.Constant):
            label = _words(right, display)
            return f"{label}{'含' if isinstance(op, ast.In) else '不含'}“{node.left.value!s}”"
        if type(op) in _CMP:
            left, unit = _value(node.left, display)
            value, runit = _value(right, display)
            return f"{left}{_CMP[type(op)]}{value}{unit or runit}"
    if isinstance(node, ast.IfExp):
        return f"{_words(node.test, display)}时为{_plain(node.body, display)}，否则为{_plain(node.orelse, display)}"
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return f"{_plain(node.left, display)}{_ARITH[type(node.op)]}{_plain(node.right, display)}"
    raise ValueError("not simple")


def _plain(node: ast.expr, display: Display) -> str:
    try:
        return _value(node, display)[0]
    except ValueError:
        return _words(node, display)


def _most_deducted(rules: Any, points: Decimal) -> Decimal:
    total = Decimal(0)
    for r in rules:
        if r.kind in ("deduct", "threshold"):
            total += r.points
        elif r.kind in ("per_occurrence", "shortfall"):
            total += r.cap if r.cap is not None else points
    return total


def rules_text(rules: Any, item_points: Decimal, specs: Mapping[str, FieldSpec | DerivedField] | None = None) -> str:
    """An item's 评分细则 cell: each rule as its kind words it (the kind's `describe`, one place
    for a kind's wording), in order; "扣完为止" when the deductions together can exceed the item
    (the score never goes below 0). With the rubric's declarations (`specs`), a rule is worded
    with the defaults it takes from them, as when compiled (a shortfall's unit: 低于80%的)."""
    parts = []
    for r in rules:
        kind = kind_named(r.kind)
        if specs is not None and kind.complete is not None:
            r = kind.complete(r, RuleContext((), item_points, specs))
        parts.append(kind.describe(r, item_points))
    text = "；".join(parts)
    if "扣完为止" not in text and _most_deducted(rules, item_points) > item_points:
        text += "；本项扣完为止"
    return text + "。"
