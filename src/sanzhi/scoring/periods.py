"""The year rated from its periods, as the rubric's `periods:` states (docs/rubrics/periods.md).

长兴 scores its villages in six bimonthly rounds and rates the year on their average; a round
that was not held was "统一给95分". A rubric says which periods are rounds, how they combine
(mean, last or minimum of the rounds' totals) and what a missing round counts for (left out,
or a fixed score). Pure: the caller brings each round's total (from stored runs by period).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal, NamedTuple

from sanzhi.common.numbers import EXACT, fmt, round_to
from sanzhi.standard.models import Periods

RoundHow = Literal["scored", "filled", "skipped"]
_COMBINE = {"mean": "平均", "last": "末轮", "min": "最低"}


class RoundScore(NamedTuple):
    number: int  # month 1–12, quarter 1–4 or half 1–2
    score: Decimal | None  # what the round counts for; None when skipped
    how: RoundHow  # scored (a run of the period), filled (missing: the rubric's fixed score), skipped


class YearScore(NamedTuple):
    total: Decimal | None  # None: no round counts (every round missing and `missing: skip`)
    rounds: tuple[RoundScore, ...]
    text: str  # "6 轮平均：(90 + 92 + 88 + 95 + 93 + 95) ÷ 6 = 92.2（12月无评分，按 95 分计）"


def round_label(kind: str, index: int) -> str:
    if kind == "month":
        return f"{index}月"
    if kind == "quarter":
        return f"第{index}季度"
    return ("上半年", "下半年")[index - 1]


def rate_year(periods: Periods, scores: Mapping[int, Decimal], precision: Decimal) -> YearScore:
    """The year's total from the rounds' totals (`scores`: round index → total; periods that are
    not rounds are ignored), rounded to the rubric's precision."""
    rounds: list[RoundScore] = []
    for i in periods.round_indexes:
        if i in scores:
            rounds.append(RoundScore(i, scores[i], "scored"))
        elif periods.missing == "skip":
            rounds.append(RoundScore(i, None, "skipped"))
        else:
            rounds.append(RoundScore(i, Decimal(periods.missing), "filled"))
    counted = [r.score for r in rounds if r.score is not None]
    notes = _notes(periods, rounds)
    if not counted:
        return YearScore(None, tuple(rounds), f"各轮均无评分{notes}，年度无法评定")
    if periods.combine == "mean":
        total = round_to(EXACT.divide(sum(counted, Decimal(0)), Decimal(len(counted))), precision)
        text = f"{len(counted)} 轮平均：({' + '.join(fmt(s) for s in counted)}) ÷ {len(counted)} = {fmt(total)}"
    elif periods.combine == "last":
        total = counted[-1]
        last = next(r for r in reversed(rounds) if r.score is not None)
        text = f"末轮（{round_label(periods.every, last.number)}）得分 {fmt(total)}"
    else:
        total = min(counted)
        text = f"{len(counted)} 轮最低：{fmt(total)}"
    return YearScore(total, tuple(rounds), text + notes)


def _names(labels: Sequence[str]) -> str:
    """Up to four rounds by name; more (a year of months not yet run) by the first two and a count."""
    return "、".join(labels) if len(labels) <= 4 else f"{'、'.join(labels[:2])}等 {len(labels)} 轮"


def _notes(periods: Periods, rounds: Sequence[RoundScore]) -> str:
    filled = [round_label(periods.every, r.number) for r in rounds if r.how == "filled"]
    skipped = [round_label(periods.every, r.number) for r in rounds if r.how == "skipped"]
    parts = []
    if filled:
        parts.append(f"{_names(filled)}无评分，按 {fmt(Decimal(periods.missing))} 分计")
    if skipped:
        parts.append(f"{_names(skipped)}无评分，不计入")
    return f"（{'；'.join(parts)}）" if parts else ""


def combine_label(periods: Periods) -> str:
    return _COMBINE[periods.combine]


def describe(periods: Periods) -> str:
    """The rule in words: 每月一轮（2月、4月、…）；年度取各轮平均；缺轮次按 95 分计."""
    word = {"month": "月", "quarter": "季度", "half": "半年"}[periods.every]
    which = f"（{'、'.join(round_label(periods.every, i) for i in periods.rounds)}）" if periods.rounds else ""
    missing = "不计入" if periods.missing == "skip" else f"按 {fmt(Decimal(periods.missing))} 分计"
    how = {"mean": "各轮平均", "last": "末轮得分", "min": "各轮最低分"}[periods.combine]
    return f"每{word}一轮{which}；年度取{how}；缺轮次{missing}"


__all__ = ["RoundScore", "YearScore", "combine_label", "describe", "rate_year", "round_label"]
