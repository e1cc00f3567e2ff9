"""Scoring a township or county: its aggregates over its villages' stored facts, then the engine.

Pure, like the rest of the engine: `compute_aggregates` is a function from the villages' facts
(each village's operative values and results, as a village run stored them) to numbers with
their explanation; `score_unit` scores the unit's own answers plus those numbers with
`score_village` — every rule kind, veto, tier and review level works on units unchanged — and
then writes each aggregate's figures into the findings that show it, so a deduction reads
"法律顾问覆盖率 342/345 = 99.1 %，未达到 100 %，扣 1 分" instead of a bare 99.13.

Missing data: a village whose value of a name an aggregate call reads is absent (an optional
answer left empty, a derived field that could not be computed, a rating that was not given)
does not meet a `count`/`share` condition and is left out of `mean`/`sum`/`min`/`max`; it is
listed under the call either way. A call with no village to go on (mean of nothing) has no
value, so the aggregate has none, and the items reading it score as missing data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import NamedTuple

from sanzhi.common.numbers import EXACT, fmt
from sanzhi.common.show import show
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import ItemResult, LevelScore, Loss, VillageResult
from sanzhi.standard.aggregates import (
    FUNCTION_WORDS,
    AggregateCall,
    CompiledAggregate,
    dimension_name,
)
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.expr import EvaluationError

_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_SHARE_SHOWN = Decimal("0.1")


class VillageFacts(NamedTuple):
    """One village of a stored run as aggregates read it: operative values and result names."""

    code: str
    name: str
    values: Mapping[str, object]


class Listed(NamedTuple):
    """A village behind a figure: its code, name and the value the call read (None: missing)."""

    code: str
    name: str
    value: object


class CallValue(NamedTuple):
    """One aggregate call over the villages of a unit."""

    function: str  # count | share | mean | sum | min | max
    argument: str  # as written
    value: Decimal | None  # None: no village to go on
    counted: int  # villages where the condition holds (count, share), or with a value (the others)
    villages: int  # villages of the unit
    missing: int  # villages whose value could not be read
    listed: tuple[Listed, ...]  # count: those counted; share: those not; others: all with a value; then the missing


class AggregateValue(NamedTuple):
    id: str
    label: str
    unit: str | None
    value: Decimal | None  # None: could not be computed
    text: str  # the figure with its working: "法律顾问覆盖率 342/345 = 99.1 %"
    calls: tuple[CallValue, ...]


class UnitResult(NamedTuple):
    """A township or county scored: the engine's result for the unit, and the aggregates behind it."""

    unit: str  # township | county
    villages: int  # villages of the unit in the run read
    aggregates: tuple[AggregateValue, ...]
    result: VillageResult


def result_values(result: VillageResult) -> dict[str, object]:
    """The result names a village offers to aggregates (sanzhi.standard.aggregates.RESULT_NAMES and
    dim_<id>), from its result. A rating not given (no tier) leaves `rating_tier` absent."""
    out: dict[str, object] = {
        "total": result.total,
        "self_total": result.totals[0].total,
        "rating": result.rating.name,
        "vetoed": bool(result.vetoes),
    }
    if result.rating.tier is not None:
        out["rating_tier"] = result.rating.tier
    for d in result.dimensions:
        out[dimension_name(d.id)] = d.score
    return out


def village_facts(result: VillageResult, values: Mapping[str, object]) -> VillageFacts:
    """A village's facts from its scoring (`score_with_values`): operative values and result names."""
    return VillageFacts(result.village_code, result.village_name, {**values, **result_values(result)})


def _call(call: AggregateCall, villages: Sequence[VillageFacts]) -> CallValue:
    fn, inner = call.function, call.inner
    needs = inner.names
    evaluate = inner.evaluate
    got: list[tuple[VillageFacts, object]] = []
    missing: list[Listed] = []
    for v in villages:
        values = v.values
        if not needs <= values.keys():
            missing.append(Listed(v.code, v.name, None))
            continue
        try:
            got.append((v, evaluate(values)))
        except EvaluationError:
            missing.append(Listed(v.code, v.name, None))
    n = len(villages)
    value: Decimal | None
    if fn in ("count", "share"):
        holding = [v for v, x in got if x is True]
        k = len(holding)
        value = Decimal(k) if fn == "count" else (EXACT.divide(Decimal(k) * _HUNDRED, Decimal(n)) if n else None)
        shown = holding if fn == "count" else [v for v, x in got if x is not True]
        listed = [Listed(v.code, v.name, fn == "count") for v in shown]
        return CallValue(fn, call.argument, value, k, n, len(missing), tuple(listed + missing))
    # NUMBER arguments evaluate to int or Decimal (the expression language's contract).
    numbers = [x if x.__class__ is Decimal else Decimal(x) for _, x in got]  # type: ignore[arg-type]
    k = len(numbers)
    if not k:
        value = None
    elif fn == "sum":
        value = sum(numbers, _ZERO)
    elif fn == "mean":
        value = EXACT.divide(sum(numbers, _ZERO), Decimal(k))
    else:
        value = min(numbers) if fn == "min" else max(numbers)
    listed = [Listed(v.code, v.name, x) for v, x in got]
    if fn in ("min", "max") and value is not None:
        listed = [x for x in listed if x.value == value]  # the village(s) at the extreme
    return CallValue(fn, call.argument, value, k, n, len(missing), tuple(listed + missing))


def share_text(call: CallValue) -> str:
    """342/345 = 99.1 %: a share shown to 0.1, rounded down (so 99.96 % never reads as 100 %)."""
    assert call.value is not None
    shown = call.value if call.value == call.value.to_integral_value() else call.value.quantize(_SHARE_SHOWN, ROUND_DOWN)
    return f"{call.counted}/{call.villages} = {fmt(shown)} %"


def call_text(call: CallValue, unit: str | None = None) -> str:
    """A call's figure in words, e.g. "342/345 = 99.1 %", "2 个村", "87.4（15 个村平均）"."""
    if call.value is None:
        return "无可用的村级数据"
    if call.function == "share":
        return share_text(call)
    if call.function == "count":
        return f"{call.counted} 个村（共 {call.villages} 个）"
    word = FUNCTION_WORDS[call.function]
    return f"{show(call.value, unit)}（{call.counted} 个村{word}）"


def _aggregate(agg: CompiledAggregate, villages: Sequence[VillageFacts]) -> AggregateValue:
    spec = agg.spec
    calls = tuple(_call(c, villages) for c in agg.calls)
    label, unit = spec.label, spec.unit
    absent = [c for c, v in zip(agg.calls, calls) if v.value is None]
    if absent:
        text = f"{label}：无法计算（{'、'.join(c.text for c in absent)} 无可用的村级数据）"
        return AggregateValue(spec.id, label, unit, None, text, calls)
    try:
        value = agg.outer.evaluate({c.placeholder: v.value for c, v in zip(agg.calls, calls)})
    except EvaluationError as e:
        return AggregateValue(spec.id, label, unit, None, f"{label}：无法计算（{e.message}）", calls)
    assert isinstance(value, (int, Decimal))
    number = Decimal(value)
    if agg.bare:
        only = calls[0]
        text = f"{label} {share_text(only)}" if only.function == "share" else f"{label} {call_text(only, unit)}"
    else:
        parts = "，".join(f"{c.text} = {fmt(v.value) if v.function != 'share' else share_text(v)}"  # type: ignore[arg-type]
                          for c, v in zip(agg.calls, calls))
        text = f"{label} {show(number, unit)}（{parts}）"
    return AggregateValue(spec.id, label, unit, number, text, calls)


def compute_aggregates(compiled: CompiledRubric, villages: Sequence[VillageFacts]) -> tuple[AggregateValue, ...]:
    """Every aggregate of a unit rubric over the villages of one unit, in rubric order."""
    return tuple(_aggregate(a, villages) for a in compiled.aggregates)


# ------------------------------------------------------------------------------ scoring


def _rewriter(aggregates: Sequence[AggregateValue]) -> list[tuple[str, str]]:
    """(the engine's wording of an aggregate, the same with its working), per computed aggregate.

    The engine shows a bare name read by a rule as "<label> <value> <unit>"
    (sanzhi.standard.rules.explain.value_text); that is replaced by the aggregate's own text."""
    out = []
    for a in aggregates:
        if a.value is None:
            continue
        plain = f"{a.label} {show(a.value, a.unit)}"
        if plain != a.text:
            out.append((plain, a.text))
    return out


def _rewrite_text(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def _rewrite_item(it: ItemResult, pairs: Sequence[tuple[str, str]]) -> ItemResult:
    levels = []
    changed = False
    for ls in it.levels:
        findings = tuple(f._replace(text=t) if (t := _rewrite_text(f.text, pairs)) != f.text else f for f in ls.findings)
        if findings != ls.findings:
            changed = True
            ls = LevelScore(ls.level, ls.score, findings, ls.changed, ls.applicable)
        levels.append(ls)
    return it._replace(levels=tuple(levels)) if changed else it


def score_unit(compiled: CompiledRubric, assessment: Assessment, aggregates: Sequence[AggregateValue],
               villages: int) -> UnitResult:
    """Score a unit: its own answers and attributes (`assessment`) plus its aggregates' values."""
    answers = dict(assessment.answers)
    for a in aggregates:
        if a.value is not None:
            answers[a.id] = a.value
    result = score_village(compiled, Assessment(assessment.village, assessment.attributes, answers, assessment.judgments,
                                                assessment.evidence, assessment.reviews, assessment.assessor))
    pairs = _rewriter(aggregates)
    if pairs:
        items = tuple(_rewrite_item(it, pairs) for it in result.items)
        bonus = tuple(_rewrite_item(it, pairs) for it in result.bonus_items)
        losses = tuple(Loss(x.item, x.name, x.lost, tuple(_rewrite_text(t, pairs) for t in x.reasons)) for x in result.top_losses)
        result = result._replace(items=items, bonus_items=bonus, top_losses=losses)
    return UnitResult(compiled.unit, villages, tuple(aggregates), result)


__all__ = ["AggregateValue", "CallValue", "Listed", "UnitResult", "VillageFacts", "call_text", "compute_aggregates",
           "result_values", "score_unit", "share_text", "village_facts"]
