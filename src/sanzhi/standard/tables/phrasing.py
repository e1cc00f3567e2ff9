"""Rules in the words of a published 评分细则: "未制定计划扣1分", "每发现1项扣0.5分，扣完为止".

One phrasing per rule kind, from the rule's structure: amounts, caps ("最多扣3分") and floors
("扣完为止"), band boundaries with what they include, the reason the rubric gives, and field
labels and units in place of ids. Expressions are put in words when they are the simple
shapes tables use (a field, a comparison, not/and/or, `x if c else y`); anything else is
shown as written, so nothing is hidden.

Why here and not in the rule kinds: the rule kinds have no registry on main yet (another
change makes one, with a `describe(rule, item_points)` per kind); `PHRASES` is keyed by kind
so each entry can move into its kind's module unchanged.
"""

import ast
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from sanzhi.common.numbers import fmt
from sanzhi.standard.intervals import parse_interval


class Shown(NamedTuple):
    """How a field reads in a sentence, and the range its value can take."""

    label: str
    unit: str | None = None
    low: Decimal | None = None
    high: Decimal | None = None


Display = Mapping[str, Shown]

_CMP = {ast.GtE: "不低于", ast.Gt: "高于", ast.LtE: "不高于", ast.Lt: "低于", ast.Eq: "为", ast.NotEq: "不为"}
_ARITH = {ast.Add: "＋", ast.Sub: "－", ast.Mult: "×", ast.Div: "÷"}
_TARGET = {">=": ("达到", "及以上"), ">": ("超过", ""), "<=": ("不超过", ""), "<": ("低于", "")}
_NEGATIVE_START = ("未", "没有", "无", "不", "非", "少", "缺", "超", "发生", "存在", "有")


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


def _amount(value: Decimal | int) -> str:
    return fmt(Decimal(value))


def _lead(reason: str) -> str:
    """A condition as a table writes it before its deduction: "未制定计划" / "工作制度不健全的"."""
    reason = reason.strip().rstrip("，,;；。")
    return reason if reason.startswith(_NEGATIVE_START) or reason.endswith(("的", "者")) else f"{reason}的"


def _target(rule: Any, display: Display) -> tuple[str, str]:
    """(the target with its unit, a parenthesis naming another target for some villages)."""
    unit = _unit(display, rule.value) if isinstance(rule.value, str) else ""
    text = str(rule.target).strip()
    try:
        Decimal(text)
        return f"{text}{unit}", ""
    except ArithmeticError:
        pass
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text, ""
    if isinstance(tree, ast.IfExp):
        try:
            body, other = _value(tree.body, display)[0], _value(tree.orelse, display)[0]
            return f"{other}{unit}", f"（{_words(tree.test, display)}的为{body}{unit}）"
        except ValueError:
            pass
    return expr_words(text, display), ""


def _deduct(rule: Any, points: Decimal, display: Display) -> str:
    return f"{_lead(rule.reason)}扣{_amount(rule.points)}分"


def _per_occurrence(rule: Any, points: Decimal, display: Display) -> str:
    unit = _unit(display, rule.count) or "项"
    cap = f"最多扣{_amount(rule.cap)}分" if rule.cap is not None and rule.cap < points else "扣完为止"
    return f"{rule.reason}，每发现1{unit}扣{_amount(rule.each)}分，{cap}"


def _zero(rule: Any, points: Decimal, display: Display) -> str:
    return f"{_lead(rule.reason)}，本项不得分"


def _threshold(rule: Any, points: Decimal, display: Display) -> str:
    shown = display.get(rule.value) if isinstance(rule.value, str) else None
    if shown is None:
        return f"{rule.reason}，扣{_amount(rule.points)}分"
    target, note = _target(rule, display)
    amount = _amount(rule.points)
    # Worded as tables word them ("以上" includes the number, "超过" does not).
    if rule.op == ">=":
        return f"{shown.label}达到{target}以上{note}，没有达到的扣{amount}分"
    if rule.op == "<=":
        return f"{shown.label}超过{target}{note}的扣{amount}分"
    if rule.op == ">":
        return f"{shown.label}须超过{target}{note}，否则扣{amount}分"
    return f"{shown.label}须低于{target}{note}，否则扣{amount}分"


def _interval_words(text: str, unit: str, shown: Shown | None, own: bool = False) -> str:
    """A band's range in words. `own`: "80%（含80%）至90%", the form that names what the lower
    bound includes; otherwise "80%（含）至90%（不含）"."""
    iv = parse_interval(text)
    # A bound at the end of what the value can be (0 %, 100 %, a field's max) says nothing.
    floor = shown.low if shown is not None else None
    ceiling = shown.high if shown is not None else None
    low = f"{fmt(iv.low)}{unit}" if iv.low is not None and not (iv.low_closed and iv.low == floor) else None
    high = f"{fmt(iv.high)}{unit}" if iv.high is not None and not (iv.high_closed and iv.high == ceiling) else None
    if low is None and high is None:
        return "任何情况"
    if high is None:
        return f"{low}及以上" if iv.low_closed else f"超过{low}"
    if low is None:
        return f"{high}及以下" if iv.high_closed else f"低于{high}"
    if own and iv.low_closed and not iv.high_closed:
        return f"{low}（含{low}）至{high}"
    left = f"{low}（含）" if iv.low_closed else f"超过{low}"
    right = f"{high}（含）" if iv.high_closed else f"{high}（不含）"
    return f"{left}至{right}"


def _score(score: Decimal, points: Decimal) -> str:
    if score == 0:
        return "不得分"
    if score == points:
        return f"得满分（{_amount(score)}分）"
    return f"得{_amount(score)}分"


def _bands(rule: Any, points: Decimal, display: Display) -> str:
    shown = display.get(rule.value) if isinstance(rule.value, str) else None
    label = shown.label if shown is not None else rule.reason
    unit = (shown.unit or "") if shown is not None else ""
    ordered = sorted(rule.bands, key=lambda b: -b.score)
    if ordered[0].score == points:
        # The usual table: full marks in the top band, a deduction in each lower one.
        steps = [f"{_interval_words(ordered[0].range, unit, shown, own=True)}得满分"]
        steps += [f"{_interval_words(b.range, unit, shown, own=True)}扣{_amount(points - b.score)}分" for b in ordered[1:]]
        return label + "，".join(steps)
    steps = [f"{_interval_words(b.range, unit, shown)}{_score(b.score, points)}" for b in rule.bands]
    return f"按{label}分档计分：" + "；".join(steps)


def _linear(rule: Any, points: Decimal, display: Display) -> str:
    full = rule.points if rule.points is not None else points
    label = _label(display, rule.value, rule.reason) if isinstance(rule.value, str) else rule.reason
    unit = _unit(display, rule.value) if isinstance(rule.value, str) else ""
    return f"按{label}计分：{label}达到{_amount(rule.target)}{unit}得{_amount(full)}分，不足的按比例计分，最高{_amount(full)}分"


def _per_unit(rule: Any, points: Decimal, display: Display) -> str:
    unit = _unit(display, rule.count) or "项"
    cap = rule.cap if rule.cap is not None else points
    return f"{rule.reason}，每1{unit}得{_amount(rule.each)}分，最高{_amount(cap)}分"


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _criteria(rule: Any, points: Decimal, display: Display) -> str:
    listed = "；".join(f"{_CIRCLED[n] if n < len(_CIRCLED) else f'({n + 1})'}{c.label}" for n, c in enumerate(rule.criteria))
    grades = []
    for g in rule.grades:
        score = f"{_amount(g.score)}分"
        grades.append(f"其余情形为{g.grade}（{score}）" if g.min_met == 0 else f"符合{g.min_met}项及以上为{g.grade}（{score}）")
    return f"{rule.reason}：{listed}。" + "；".join(grades)


def _judgment(rule: Any, points: Decimal, display: Display) -> str:
    high = rule.max if rule.max is not None else points
    span = f"最高{_amount(high)}分" if rule.min == 0 else f"{_amount(rule.min)}～{_amount(high)}分"
    return f"{rule.guidance.strip()}（由评审人员酌情评分，{span}，须写明理由）"


PHRASES: dict[str, Callable[[Any, Decimal, Display], str]] = {
    "deduct": _deduct,
    "per_occurrence": _per_occurrence,
    "zero": _zero,
    "threshold": _threshold,
    "bands": _bands,
    "linear": _linear,
    "per_unit": _per_unit,
    "criteria": _criteria,
    "judgment": _judgment,
}


def describe(rule: Any, item_points: Decimal, display: Display) -> str:
    """One rule as a sentence of a published 评分细则."""
    phrase = PHRASES.get(rule.kind)
    if phrase is None:  # a kind added to the engine after this table was written
        return str(getattr(rule, "reason", None) or getattr(rule, "guidance", None) or rule.kind)
    return phrase(rule, item_points, display)


def _most_deducted(rules: Any, points: Decimal) -> Decimal:
    total = Decimal(0)
    for r in rules:
        if r.kind in ("deduct", "threshold"):
            total += r.points
        elif r.kind == "per_occurrence":
            total += r.cap if r.cap is not None else points
    return total


def rules_text(rules: Any, item_points: Decimal, display: Display) -> str:
    """An item's 评分细则 cell: its rules, one sentence each, in order; "扣完为止" when the
    deductions together can exceed the item (the score never goes below 0)."""
    text = "；".join(describe(r, item_points, display) for r in rules)
    if "扣完为止" not in text and _most_deducted(rules, item_points) > item_points:
        text += "；本项扣完为止"
    return text + "。"
