"""The year from its periods' runs: the rubric's `periods:` kept with each run, and applied to
the latest runs of the year's rounds (sanzhi.scoring.periods does the arithmetic).

A run by period stores, in `runs.options["periods"]`, the rule of the rubric it was scored
with (every, rounds, combine, missing), its precision and its tiers' score thresholds, so
`sanzhi periods` can rate the year from the database alone. The year's rating is the best tier
whose `min_score` the year's total reaches (tiers' other conditions — dimension minimums,
prerequisites — belong to one round's scoring and are not re-judged for the year); a round with
a 一票否决 makes the year 不予评定.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sanzhi.batch.queries.periods import PeriodStep
from sanzhi.batch.store import Store
from sanzhi.common.periods import stored_period
from sanzhi.scoring.periods import YearScore, rate_year, round_label
from sanzhi.scoring.rating import VETO_BLOCKED
from sanzhi.standard.models import Periods, Rubric


class YearRule(NamedTuple):
    periods: Periods
    precision: Decimal
    tiers: tuple[tuple[str, Decimal], ...]  # (name, min_score), best first
    below_all: str


class YearFromPeriods(NamedTuple):
    score: YearScore
    rating: str | None  # None when the year has no total
    rubric: str  # ID@VERSION of the rule applied (the latest round's)


def period_options(rubric: Rubric) -> dict[str, object]:
    """What a run keeps of the rubric's `periods:` ({} when it has none)."""
    if rubric.periods is None:
        return {}
    rule = rubric.periods.model_dump(mode="json", exclude={"provenance", "clause"})
    return {"periods": {"rule": rule, "precision": str(rubric.precision), "below_all": rubric.rating.below_all,
                        "tiers": [[t.name, str(t.min_score)] for t in rubric.rating.tiers]}}


def _rule(options: str | None) -> YearRule | None:
    doc: dict[str, Any] = json.loads(options or "{}")
    kept = doc.get("periods")
    if not kept:
        return None
    return YearRule(Periods.model_validate({**kept["rule"], "provenance": "calibrated"}), Decimal(kept["precision"]),
                    tuple((n, Decimal(s)) for n, s in kept["tiers"]), kept["below_all"])


def _rating(rule: YearRule, total: Decimal) -> str:
    return next((name for name, least in rule.tiers if total >= least), rule.below_all)


def year_from_periods(store: Store, steps: Sequence[PeriodStep]) -> YearFromPeriods | None:
    """One village's (or unit's) year from its period steps, by the rule of its latest round's
    run; None when that run's rubric states no `periods:`."""
    rounds = [s.row for s in steps if s.row.period]
    if not rounds:
        return None
    last = rounds[-1]
    found = store.query("SELECT options FROM runs WHERE run_key = ?", (last.run_key,))
    rule = _rule(found[0][0] if found else None)
    if rule is None:
        return None
    scores: dict[int, Decimal] = {}
    vetoed: list[str] = []
    for r in rounds:
        p = stored_period(r.year, r.period)
        # a round is a run of the rule's kind scored with the same rubric version as the rule's
        if p.kind == rule.periods.every and (r.rubric_id, r.rubric_version) == (last.rubric_id, last.rubric_version):
            scores[p.index] = r.total
            if r.vetoed:
                vetoed.append(round_label(p.kind, p.index))
    score = rate_year(rule.periods, scores, rule.precision)
    rating = None if score.total is None else _rating(rule, score.total)
    if vetoed:  # a round's 一票否决 bars the year's rating; its total still counts
        rating = VETO_BLOCKED
        score = score._replace(text=f"{score.text}；{'、'.join(vetoed)}一票否决，年度不予评定")
    return YearFromPeriods(score, rating, f"{last.rubric_id}@{last.rubric_version}")


def years_from_periods(store: Store, found: Mapping[str, Sequence[PeriodStep]]) -> dict[str, YearFromPeriods]:
    out = {}
    for code, steps in found.items():
        y = year_from_periods(store, steps)
        if y is not None:
            out[code] = y
    return out


__all__ = ["YearFromPeriods", "YearRule", "period_options", "year_from_periods", "years_from_periods"]
