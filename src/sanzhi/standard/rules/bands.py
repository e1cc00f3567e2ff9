"""bands — stepped bands in explicit interval notation: "满意度≥90满分，<90扣1，<80扣5".

The load-time checks make the bands a partition of the values a village can answer: no
overlap, no gap, and the field's declared min/max (or ±∞) covered.
"""

import itertools
from decimal import Decimal
from typing import Literal, cast

from pydantic import Field, field_validator

from sanzhi.common.numbers import fmt
from sanzhi.standard.base import Expr, Points, StrictModel, Text
from sanzhi.standard.expr import ValueType
from sanzhi.standard.intervals import Interval, parse_interval
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.bounds import HINT_SCORE, not_above
from sanzhi.standard.rules.explain import ZERO, inputs_of, value_text
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.kind import (
    CompiledRule,
    Display,
    Judged,
    Path,
    RuleContext,
    RuleKind,
    Values,
)
from sanzhi.standard.rules.model import RuleModel


class Band(StrictModel):
    """One step of a `bands` rule. `range` is interval notation: "[80, 90)", "[90, ∞)"."""

    range: str
    score: Points
    label: str | None = None

    @field_validator("range")
    @classmethod
    def _valid_interval(cls, value: str) -> str:
        parse_interval(value)  # raises ValueError with a Chinese message
        return value


class Bands(RuleModel):
    """Stepped bands with explicit boundaries: ≥90 满分, [80,90) 扣1, <80 扣5."""

    kind: Literal["bands"]
    value: Expr
    bands: tuple[Band, ...] = Field(min_length=1)
    reason: Text


def _prepare(rule: Bands) -> tuple[Interval, ...]:
    return tuple(parse_interval(b.range) for b in rule.bands)


# --------------------------------------------------------------------------- load-time checks


def _check(rule: Bands, ctx: RuleContext) -> list[Problem]:
    out: list[Problem] = []
    for b, band in enumerate(rule.bands):
        out += not_above((*ctx.path, "bands", b, "score"), band.score, ctx.points, "分档得分", HINT_SCORE)
    name = rule.value.strip()
    spec = ctx.specs.get(name)
    field_range = (spec.min, spec.max) if spec is not None else (None, None)
    out += _check_bands(ctx.path, list(_prepare(rule)), field_range, name if spec else None)
    return out


_EDGE_HINT = "相邻分档须首尾相接、边界一开一闭，如 [80, 90) 与 [90, 100]"


def _check_bands(path: Path, bands: list[Interval], field_range: tuple[Decimal | None, Decimal | None],
                     name: str | None) -> list[Problem]:
    out = []
    ordered = sorted(range(len(bands)), key=lambda k: (bands[k].low is not None, bands[k].low or 0))
    for a, b in itertools.pairwise(ordered):
        x, y = bands[a], bands[b]
        if x.high is None or y.low is None or x.high > y.low or (x.high == y.low and x.high_closed and y.low_closed):
            out.append(Problem("R205", (*path, "bands", b, "range"), f"分档 {y.text} 与 {x.text} 重叠",
                               found=f"{_overlap(x, y)} 同时属于两档", hint=_EDGE_HINT))
        elif x.high < y.low or (not x.high_closed and not y.low_closed):
            gap = f"{'(' if x.high_closed else '['}{fmt(x.high)}, {fmt(y.low)}{')' if y.low_closed else ']'}"
            gap = fmt(x.high) if x.high == y.low else gap
            out.append(Problem("R205", (*path, "bands", b, "range"), f"分档 {x.text} 与 {y.text} 之间有空缺",
                               found=f"{gap} 不属于任何分档", hint=_EDGE_HINT))
    low, high = field_range
    first, last = bands[ordered[0]], bands[ordered[-1]]
    # The declared min/max of the field is the range a village can answer; without one the
    # bands must reach infinity, or some answers would fall in no band at all.
    if first.low is not None and (low is None or first.low > low or (first.low == low and not first.low_closed)):
        bound = fmt(low) if low is not None else "-∞"
        upper = f"{fmt(first.high)}{']' if first.high_closed else ')'}" if first.high is not None else "∞)"
        example = f"{'[' if low is not None else '('}{bound}, {upper}"
        out.append(Problem("R205", (*path, "bands", ordered[0], "range"), _uncovered("下限", bound, name, low is not None),
                           expected=f"{'最低一档包含' if low is not None else '最低一档从'} {bound}{'' if low is not None else ' 开始'}（如改为 {example}）", found=first.text))
    if last.high is not None and (high is None or last.high < high or (last.high == high and not last.high_closed)):
        bound = fmt(high) if high is not None else "∞"
        lower = f"{'[' if last.low_closed else '('}{fmt(last.low)}" if last.low is not None else "(-∞"
        example = f"{lower}, {bound}{']' if high is not None else ')'}"
        out.append(Problem("R205", (*path, "bands", ordered[-1], "range"), _uncovered("上限", bound, name, high is not None),
                           expected=f"{'最高一档包含' if high is not None else '最高一档延伸到'} {bound}（如改为 {example}）", found=last.text))
    return out


def _overlap(x: Interval, y: Interval) -> str:
    """The shared part of two bands, `y` starting inside `x` (y.low ≥ x.low)."""
    high: Decimal | None
    if x.high is not None and y.high is not None and (y.high, y.high_closed) < (x.high, x.high_closed):
        high, high_closed = y.high, y.high_closed
    else:
        high, high_closed = x.high, x.high_closed
    low = fmt(y.low) if y.low is not None else "-∞"
    if high is not None and y.low == high:
        return low
    left = "[" if y.low_closed else "("
    right = ("]" if high_closed else ")") if high is not None else ")"
    return f"{left}{low}, {fmt(high) if high is not None else '∞'}{right}"


def _uncovered(side: str, bound: str, name: str | None, declared: bool) -> str:
    """`side` is "下限"/"上限"; `declared` says whether the field has that min/max."""
    what = f"字段 “{name}” " if name else "该取值"
    extreme, limit = ("最小值", "min") if side == "下限" else ("最大值", "max")
    if declared:
        return f"分档没有覆盖{what}的{extreme} {bound}（{limit}: {bound}）"
    return f"分档没有覆盖到 {bound}：{what}没有声明 {limit}，更{'小' if side == '下限' else '大'}的值不属于任何分档"


# --------------------------------------------------------------------------- wording


def _in_words(i: Interval, lowest: bool, highest: bool) -> str:
    """An interval as an indicator table writes it: "95及以上", "90至不足95", "不足80".

    The load-time checks make the bands cover exactly the values a village can answer, so
    the lowest band reads as open below and the highest as open above, whatever the field's
    declared min/max: "[0, 80)" is "不足80", "[90, 100]" is "90及以上".
    """
    low = None if lowest else i.low
    high = None if highest else i.high
    if i.low is not None and i.low == i.high:
        return fmt(i.low)
    if low is None and high is None:
        return "任何取值"
    if high is None:
        return f"{fmt(cast(Decimal, low))}及以上" if i.low_closed else f"超过{fmt(cast(Decimal, low))}"
    upper = f"{fmt(high)}及以下" if i.high_closed else f"不足{fmt(high)}"
    if low is None:
        return upper
    return f"{fmt(low) if i.low_closed else '超过' + fmt(low)}至{fmt(high) if i.high_closed else '不足' + fmt(high)}"


def _describe(rule: Bands, points: Decimal) -> str:
    intervals = _prepare(rule)
    by_low = sorted(range(len(intervals)), key=lambda k: (intervals[k].low is not None, intervals[k].low or 0))
    steps = "，".join(
        f"{_in_words(i, n == by_low[0], n == by_low[-1])}{'不得分' if b.score == 0 else f'得{fmt(b.score)}分'}"
        for n, (i, b) in enumerate(zip(intervals, rule.bands, strict=True))
    )
    return f"{rule.reason}：{steps}"


def _outline(rule: Bands) -> str:
    steps = "；".join(f"{b.range} 得 {fmt(b.score)} 分" for b in rule.bands)
    return f"{rule.value} 分档：{steps}（{rule.reason}）"


# --------------------------------------------------------------------------- scoring


def _score(cr: CompiledRule[Bands, tuple[Interval, ...]], points: Decimal, values: Values, display: Display,
           judgment: Judged | None) -> Finding | None:
    rule = cr.rule
    value = cr.exprs["value"].evaluate(values)
    vt = value_text(cr.exprs["value"], value, display)
    for interval, band in zip(cr.prepared, rule.bands, strict=True):
        if interval.contains(cast(Decimal, value)):
            extra = f"（{band.label}）" if band.label else ""
            text = f"{rule.reason}：{vt}，在 {band.range} 档{extra}，得 {fmt(band.score)} 分"
            return Finding("bands", cr.index, band.score, text, None, None, False, inputs_of(cr, values))
    text = f"{rule.reason}：{vt}，不在任何分档内，得 0 分"
    return Finding("bands", cr.index, ZERO, text, None, None, False, inputs_of(cr, values))


KIND = RuleKind(
    model=Bands,
    role="award",
    slots=(("value", ValueType.NUMBER),),
    prepare=_prepare,
    check=_check,
    describe=_describe,
    outline=_outline,
    score=_score,
)
