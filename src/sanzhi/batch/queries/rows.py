"""The rows that count, of every view: one per village (or township, county), year and period.

Which run counts: for every year and county, the **latest complete run** that covered the
county (a re-run of a year supersedes the earlier one for the counties it covers, villages
it skipped included; an interrupted run that was never finished counts for nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

from sanzhi.batch.store import Store, dec


class VillageRow(NamedTuple):
    village_code: str
    village_name: str
    township: str
    county: str
    year: int
    total: Decimal
    rating_tier: str | None
    rating_name: str
    vetoed: bool
    vetoes: str
    operative_level: str
    run_key: int
    run_id: str
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    rank_tiers: str | None
    finished_at: str | None
    unit: str = "village"  # what the row scores: village, township or county (sanzhi.batch.units)
    period: str = ""  # '' for the year, else the period of the run (sanzhi.common.periods)


VILLAGE_SELECT = (
    "SELECT v.village_code, v.village_name, v.township, v.county, v.year, v.total, v.rating_tier, v.rating_name,"
    " v.vetoed, v.vetoes, v.operative_level, r.run_key, r.run_id, r.rubric_id, r.rubric_version, r.rubric_hash,"
    " r.rank_tiers, r.finished_at, r.unit, r.period FROM village_results v JOIN runs r ON r.run_key = v.run_key"
)


def village_row(r: Sequence[object]) -> VillageRow:
    """A row of VILLAGE_SELECT (also read by the published lists) as a VillageRow."""
    vals = list(r)
    vals[5] = dec(vals[5])
    vals[8] = bool(vals[8])
    return VillageRow(*vals)  # type: ignore[arg-type]


def _latest(rows: Iterable[Sequence[object]]) -> Iterator[VillageRow]:
    """Rows ordered by village code, year, period, run key descending → the first (latest run) per
    village, year and period."""
    seen: tuple[object, ...] | None = None
    for r in rows:
        key = (r[0], r[4], r[19])
        if key != seen:
            seen = key
            yield village_row(r)


def latest_rows(store: Store, *, year: int | None = None, township: str | None = None, county: str | None = None,
                code: str | None = None, unit: str = "village", period: str | None = "") -> list[VillageRow]:
    """The rows that count (see the module doc) of one unit (village, township, county) and one period
    ('' the year; None: every period, each by its own latest run)."""
    where = ["r.status = 'complete'", "r.unit = ?",
             ("v.run_key = (SELECT MAX(rc.run_key) FROM run_counties rc WHERE rc.year = v.year AND rc.county = v.county"
              " AND rc.unit = r.unit AND rc.period = r.period)")]
    params: list[object] = [unit]
    if period is not None:
        where.append("r.period = ?")
        params.append(period)
    for col, val in (("v.year", year), ("v.township", township), ("v.county", county), ("v.village_code", code)):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    sql = f"{VILLAGE_SELECT} WHERE {' AND '.join(where)} ORDER BY v.village_code, v.year, r.period, r.run_key DESC"
    return list(_latest(store.stream(sql, params)))



def unit_of_code(code: str) -> str:
    """A 12-digit code is a village's, 9 digits a township's, 6 a county's (统计用区划代码 prefixes)."""
    return {9: "township", 6: "county"}.get(len(code), "village")


def period_order(row: VillageRow) -> tuple[int, int, int]:
    """Rows of one year in time order: by the first month a period covers, the year itself last."""
    from sanzhi.common.periods import stored_period

    p = stored_period(row.year, row.period)
    first, last = p.months
    return row.year, 13 if p.kind == "year" else first, last



__all__ = ["VILLAGE_SELECT", "VillageRow", "latest_rows", "period_order", "unit_of_code", "village_row"]
