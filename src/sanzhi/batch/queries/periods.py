"""Period over period: each village's (or unit's) months, quarters or halves of a year in time order."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from sanzhi.batch.queries.rows import VillageRow, latest_rows, period_order
from sanzhi.batch.store import Store


class PeriodStep(NamedTuple):
    """One period of a village's (or unit's) year, against the period before it."""

    row: VillageRow
    delta: Decimal | None  # None: the first period shown, or the rubric changed between them
    comparable: bool


def period_over_period(store: Store, year: int, *, code: str | None = None, township: str | None = None,
                       county: str | None = None, unit: str = "village") -> dict[str, list[PeriodStep]]:
    """Each village (or unit) → its periods of the year in time order, each with the change from
    the period before (comparable when both were scored with the same rubric hash); a whole-year
    run of the same year comes last, compared with nothing."""
    rows = latest_rows(store, year=year, township=township, county=county, code=code, unit=unit, period=None)
    by_code: dict[str, list[VillageRow]] = {}
    for r in rows:
        by_code.setdefault(r.village_code, []).append(r)
    out: dict[str, list[PeriodStep]] = {}
    for vc in sorted(by_code):
        steps: list[PeriodStep] = []
        prev: VillageRow | None = None
        for r in sorted(by_code[vc], key=period_order):
            if not r.period:
                steps.append(PeriodStep(r, None, False))
                continue
            same = prev is not None and prev.rubric_hash == r.rubric_hash
            steps.append(PeriodStep(r, r.total - prev.total if prev is not None and same else None, same))
            prev = r
        out[vc] = steps
    return out



__all__ = ["PeriodStep", "period_over_period"]
