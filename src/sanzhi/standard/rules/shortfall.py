"""shortfall — a deduction per unit of shortfall below a target or excess above a limit:
"低于80%的，每降低1个百分点扣0.5分，最多扣5分"; "超过45岁的，每超过1岁扣1分".

Units = (target − value) ÷ per (below) or (value − target) ÷ per (above), counted per `partial`
(floor: a part unit costs nothing; ceil: a part unit counts whole; exact: fractions count).
With `steeper`, the units past the second threshold `beyond` (a value on the same scale, on the
far side of the target: "低于90%以后每降低1个百分点扣0.5分") cost `steeper.each` instead: the
first ⌊(target − beyond) ÷ per⌋ units (counted the same way) are the ordinary ones. The
deduction is never negative and never above `cap` (default: the item's points).

Why `beyond` is a value and not a count of units (the first draft of the shape): tables state
the second threshold as a value ("低于90%"), and an attribute-dependent target would otherwise
need an attribute-dependent count.
"""

from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Literal, NamedTuple, cast

from sanzhi.common.numbers import EXACT, fmt, round_to
from sanzhi.common.show import show
from sanzhi.standard.base import Expr, PositivePoints, StrictModel, Text
from sanzhi.standard.expr import ValueType
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.bounds import HINT_DEFAULT, not_above
from sanzhi.standard.rules.explain import ZERO, inputs_of, value_text
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import (
    CompiledRule,
    Display,
    Judged,
    RuleContext,
    RuleKind,
    Slot,
    Values,
)
from sanzhi.standard.rules.model import RuleModel

Direction = Literal["below", "above"]
Partial = Literal["floor", "ceil", "exact"]


class Steeper(StrictModel):
    """Past `beyond` (a value, on the far side of the target) each unit costs `each`."""

    beyond: Expr
    each: PositivePoints


class Shortfall(RuleModel):
    """Deduction per unit of shortfall below `target` (or of excess above it), optionally steeper
    past a second threshold, capped: "低于80%的，每降低1个百分点扣0.5分，最多扣5分"."""

    kind: Literal["shortfall"]
    value: Expr
    target: Expr
    direction: Direction = "below"
    per: PositivePoints = Decimal(1)  # the size of one unit, in the value's unit
    each: PositivePoints  # points per unit
    partial: Partial = "floor"
    steeper: Steeper | None = None
    cap: PositivePoints | None = None  # defaults to the item's points
    unit: Text | None = None  # the value's unit (%, 岁) for the 评分细则 wording; default: its field's unit
    reason: Text


class _Compiled(NamedTuple):
    below: bool
    rounding: str | None  # ROUND_FLOOR / ROUND_CEILING, None for exact


_ROUNDING: dict[str, str | None] = {"floor": ROUND_FLOOR, "ceil": ROUND_CEILING, "exact": None}


def _prepare(rule: Shortfall) -> _Compiled:
    return _Compiled(rule.direction == "below", _ROUNDING[rule.partial])


def _number(text: str) -> Decimal | None:
    """A constant written as a plain number, else None (an expression)."""
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _check(rule: Shortfall, ctx: RuleContext) -> list[Problem]:
    out = not_above((*ctx.path, "cap"), rule.cap, ctx.points, "封顶扣分", HINT_DEFAULT)
    if rule.steeper is not None:
        target, beyond = _number(rule.target), _number(rule.steeper.beyond)
        if target is not None and beyond is not None:
            wrong = beyond >= target if rule.direction == "below" else beyond <= target
            if wrong:
                side = "低于" if rule.direction == "below" else "高于"
                out.append(Problem("R214", (*ctx.path, "steeper", "beyond"),
                                   f"第二档起点 beyond（{fmt(beyond)}）须{side}目标 target（{fmt(target)}）",
                                   expected=f"{side} {fmt(target)} 的数", found=fmt(beyond),
                                   hint="direction: below 时 beyond 在 target 之下（如 target 100、beyond 90），above 时在其上"))
    if rule.steeper is not None and rule.steeper.each < rule.each:
        out.append(Problem("R214", (*ctx.path, "steeper", "each"),
                           f"第二档每单位扣分（{fmt(rule.steeper.each)}）小于第一档（{fmt(rule.each)}）",
                           expected=f"不小于 {fmt(rule.each)}", found=fmt(rule.steeper.each),
                           hint="steeper 是更陡的一档：超过 beyond 的部分每单位扣得更多"))
    return out


# ---- wording -----------------------------------------------------------------------------------


def _amount(text: str, unit: str | None) -> str:
    """80 with unit % → "80%"; an expression → "目标值（…）"."""
    n = _number(text)
    if n is None:
        return f"（{text.strip()}）"
    return f"{fmt(n)}{unit or ''}"


def _per(per: Decimal, unit: str | None) -> str:
    """One unit as a table says it: 1个百分点, 10个百分点, 1岁, 1."""
    if unit == "%":
        return f"{fmt(per)}个百分点"
    return f"{fmt(per)}{unit or ''}"


def _describe(rule: Shortfall, points: Decimal) -> str:
    below = rule.direction == "below"
    # A rate falls (低于80%的，每降低1个百分点); a count falls short (少于4次的，每少1次).
    counted = rule.unit is not None and rule.unit != "%"
    past, step = (("少于", "每少") if counted else ("低于", "每降低")) if below else ("超过", "每超过")
    per = _per(rule.per, rule.unit)
    text = f"{past}{_amount(rule.target, rule.unit)}的，{step}{per}扣{fmt(rule.each)}分"
    if rule.steeper is not None:
        text += f"，{past}{_amount(rule.steeper.beyond, rule.unit)}的，{step}{per}扣{fmt(rule.steeper.each)}分"
    if rule.partial == "ceil":
        text += f"，不足{per}的按{per}计"
    elif rule.partial == "exact":
        text += f"，按实际{step.removeprefix('每')}幅度计"
    elif rule.per != 1:
        text += f"，不足{per}的部分不扣"
    cap = rule.cap if rule.cap is not None else points
    return text + (f"，最多扣{fmt(cap)}分" if cap < points else "，扣完为止")


def _outline(rule: Shortfall) -> str:
    side = "<" if rule.direction == "below" else ">"
    partial = {"floor": "不足一个单位不计", "ceil": "不足一个单位按一个计", "exact": "按实际计"}[rule.partial]
    text = f"{rule.value} {side} {rule.target} 时每 {fmt(rule.per)} 扣 {fmt(rule.each)} 分（{partial}）"
    if rule.steeper is not None:
        text += f"，越过 {rule.steeper.beyond} 后每 {fmt(rule.per)} 扣 {fmt(rule.steeper.each)} 分"
    cap = f"封顶 {fmt(rule.cap)} 分" if rule.cap is not None else "扣完为止"
    return f"{text}，{cap}（{rule.reason}）"


# ---- scoring -----------------------------------------------------------------------------------


def _units(amount: Decimal, per: Decimal, rounding: str | None) -> Decimal:
    """How many units `amount` (≥ 0) makes, counted per `partial`."""
    exact = EXACT.divide(amount, per)
    return exact if rounding is None else exact.to_integral_value(rounding=rounding)


def _score(cr: CompiledRule[Shortfall, _Compiled], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    rule, prep, e = cr.rule, cr.prepared, cr.exprs
    value = cast(Decimal, e["value"].evaluate(values))
    target = cast(Decimal, e["target"].evaluate(values))
    gap = EXACT.subtract(target, value) if prep.below else EXACT.subtract(value, target)
    if gap <= 0:
        return None
    units = _units(gap, rule.per, prep.rounding)
    if units <= 0:
        return None  # less than one unit short, counted floor: nothing to deduct
    steep = ZERO
    if rule.steeper is not None:
        beyond = cast(Decimal, e["beyond"].evaluate(values))
        span = EXACT.subtract(target, beyond) if prep.below else EXACT.subtract(beyond, target)
        ordinary = _units(span, rule.per, prep.rounding) if span > 0 else ZERO
        steep = max(ZERO, units - ordinary)
    plain = units - steep
    raw = EXACT.add(EXACT.multiply(plain, rule.each), EXACT.multiply(steep, rule.steeper.each) if rule.steeper else ZERO)
    cap = rule.cap if rule.cap is not None else points
    capped = raw > cap
    amount = cap if capped else raw
    unit = display.get(e["value"].text.strip(), ("", rule.unit))[1] or rule.unit
    word = ("少于" if unit not in (None, "%") else "低于") if prep.below else "超过"
    counted = fmt(round_to(units, cr.precision)) if prep.rounding is None else fmt(units)
    if rule.per == 1:
        one = ("个百分点" if unit == "%" else unit) or "个单位"  # what one unit is called
        how = f"计 {counted} {one}"
    else:
        one = "档"
        how = f"计 {counted} 档（每档 {_per(rule.per, unit)}）"
    gap_unit = "个百分点" if unit == "%" else unit
    text = f"{rule.reason}：{value_text(e['value'], value, display)}，{word} {show(target, unit)} {show(gap, gap_unit)}，{how}"
    if rule.steeper is not None and steep > 0:
        beyond_shown = show(e["beyond"].evaluate(values), unit)
        text += (f"，其中 {fmt(plain)} {one}各扣 {fmt(rule.each)} 分，"
                 f"{word} {beyond_shown} 的 {fmt(steep)} {one}各扣 {fmt(rule.steeper.each)} 分")
    else:
        text += f"，每{one}扣 {fmt(rule.each)} 分"
    text += f"，共扣 {fmt(round_to(amount, cr.precision))} 分"
    if capped:
        text += f"（扣分封顶 {fmt(cap)} 分）"
    whole = units == units.to_integral_value()
    return Finding("shortfall", cr.index, -amount, text, int(units) if whole else None, cap, capped, inputs_of(cr, values))


def _complete(rule: Shortfall, ctx: RuleContext) -> Shortfall:
    # `unit` defaults to the unit of the field (or derived field) the rule reads.
    if rule.unit is not None:
        return rule
    spec = ctx.specs.get(rule.value.strip())
    unit = getattr(spec, "unit", None) if spec is not None else None
    return rule.model_copy(update={"unit": unit}) if unit else rule


def _nested(rule: Shortfall) -> Iterator[Slot]:
    if rule.steeper is not None:
        yield Slot("beyond", ("steeper", "beyond"), rule.steeper.beyond, ValueType.NUMBER)


KIND = RuleKind(
    model=Shortfall,
    role="deduction",
    slots=(("value", ValueType.NUMBER), ("target", ValueType.NUMBER)),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
    nested=_nested,
    complete=_complete,
)
