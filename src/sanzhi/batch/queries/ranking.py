"""Ranking: the villages (or townships, counties) of a year by operative total, with rank tiers.

Villages with a veto of every rating are not ranked (listed after the others, rank empty); the
rest are ranked by operative total, highest first, ties sharing a rank (1, 2, 2, 4), ties
listed by village code. Rank-based tiers (e.g. the top 10 % of a township) apply when the run's
rubric defines them (`rating.rank_tiers`, optional; see `RankTier`): a village takes the best
tier whose positions cover its rank, whose `min_score` it reaches and that no veto of that tier
(`bars`) fired for; positions are not re-counted when a village is passed over. They are
counted within the rubric's `rating.rank_within` cohort (township or county), or within the
cohort listed when the rubric names none. Worked out in Python over the rows that count
(`sanzhi.batch.queries.rows`), so SQLite and PostgreSQL give the same answers by construction.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import NamedTuple

from sanzhi.batch.queries.rows import VillageRow, latest_rows
from sanzhi.batch.store import Store
from sanzhi.standard.models import Rating, Veto


class RankTier(NamedTuple):
    """A tier given by rank: the best `top` villages, or the best `share` (0–1) of them; a village
    below `min_score`, or with a veto named in `barred_by` (veto names), is passed over."""

    name: str
    top: int | None = None
    share: Decimal | None = None
    min_score: Decimal | None = None
    barred_by: tuple[str, ...] = ()

    def limit(self, ranked: int) -> int:
        if self.top is not None:
            return self.top
        assert self.share is not None
        return max(1, math.ceil(self.share * ranked)) if ranked else 0


class RankScheme(NamedTuple):
    """The rubric's rank tiers as a run stored them, with how they are counted."""

    tiers: tuple[RankTier, ...] = ()
    within: str | None = None  # "township" | "county": the cohort tiers are counted in; None: the one listed
    cumulative: bool = True  # False: each tier's top/share is its own band after the tiers above


def rank_scheme(text: str | None) -> RankScheme:
    """A run's `rank_tiers` column: a list of tiers, or {tiers, within, cumulative} when those are set."""
    if not text:
        return RankScheme()
    data = json.loads(text)
    head = data if isinstance(data, dict) else {"tiers": data}
    out = []
    for t in head["tiers"]:
        out.append(RankTier(str(t["name"]), int(t["top"]) if t.get("top") is not None else None,
                            Decimal(str(t["share"])) if t.get("share") is not None else None,
                            Decimal(str(t["min_score"])) if t.get("min_score") is not None else None,
                            tuple(t.get("barred_by") or ())))
    return RankScheme(tuple(out), head.get("within"), bool(head.get("cumulative", True)))


def parse_rank_tiers(text: str | None) -> tuple[RankTier, ...]:
    return rank_scheme(text).tiers


def rank_tiers_json(rating: Rating, vetoes: Sequence[Veto] = ()) -> str | None:
    """The rubric's rank tiers as stored with a run (None when it has none): the keys the first
    format had are written as they were, the later ones only when a rubric uses them."""
    if not rating.rank_tiers:
        return None
    out: list[dict[str, object]] = []
    for t in rating.rank_tiers:
        entry: dict[str, object] = {"name": str(t.name), "top": t.top, "share": None if t.share is None else str(t.share)}
        if t.min_score is not None:
            entry["min_score"] = str(t.min_score)
        barred = [str(v.name) for v in vetoes if t.id is not None and t.id in v.bars]
        if barred:
            entry["barred_by"] = barred
        out.append(entry)
    if rating.rank_within is None and rating.rank_cumulative:
        return json.dumps(out, ensure_ascii=False)
    return json.dumps({"tiers": out, "within": rating.rank_within, "cumulative": rating.rank_cumulative}, ensure_ascii=False)



class RankRow(NamedTuple):
    rank: int | None  # None: vetoed, not ranked
    rank_tier: str | None
    village: VillageRow


def rank_order(rows: Iterable[VillageRow]) -> list[VillageRow]:
    return sorted(rows, key=lambda r: (r.vetoed, -r.total, r.village_code))


def veto_names(row: VillageRow) -> frozenset[str]:
    """The names of the vetoes that fired for a village (the `vetoes` column joins them with "；")."""
    return frozenset(row.vetoes.split("；")) if row.vetoes else frozenset()


def assign_ranks(ordered: Sequence[VillageRow], tiers: Sequence[RankTier] = (), cumulative: bool = True) -> list[RankRow]:
    """Competition ranks over rows already in `rank_order`; rows vetoed from every rating get no rank.

    Each ranked row takes the best tier whose position limit covers its rank, whose `min_score`
    its total reaches and that none of its vetoes bars; a row passed over leaves its place empty
    (the limits count positions, not villages taken)."""
    ranked = sum(1 for r in ordered if not r.vetoed)
    limits: list[tuple[RankTier, int]] = []
    reach = 0
    for t in tiers:
        reach = t.limit(ranked) if cumulative else reach + t.limit(ranked)
        limits.append((t, reach))
    out: list[RankRow] = []
    prev_total: Decimal | None = None
    rank = 0
    for i, r in enumerate(ordered, start=1):
        if r.vetoed:
            out.append(RankRow(None, None, r))
            continue
        if r.total != prev_total:
            rank, prev_total = i, r.total
        names = veto_names(r) if r.vetoes else frozenset()
        tier = next((t.name for t, lim in limits if rank <= lim and (t.min_score is None or r.total >= t.min_score)
                     and names.isdisjoint(t.barred_by)), None)
        out.append(RankRow(rank, tier, r))
    return out


def ranking(store: Store, year: int, *, township: str | None = None, county: str | None = None,
            tiers: Sequence[RankTier] | None = None, unit: str = "village", period: str = "") -> list[RankRow]:
    rows = latest_rows(store, year=year, township=township, county=county, unit=unit, period=period)
    if tiers is not None:
        return assign_ranks(rank_order(rows), tiers)
    latest = max(rows, key=lambda r: r.run_key, default=None)  # the rubric's tiers, from the latest run involved
    scheme = rank_scheme(latest.rank_tiers) if latest else RankScheme()
    ranked = assign_ranks(rank_order(rows), scheme.tiers, scheme.cumulative)
    listed = "township" if township is not None else "county"
    if not scheme.tiers or scheme.within in (None, listed):
        return ranked
    # Tiers counted in another cohort than the one listed: each village's tier comes from its own.
    if scheme.within == "county":
        cohorts = [latest_rows(store, year=year, county=c, unit=unit, period=period) for c in sorted({r.county for r in rows})]
    else:
        towns: dict[tuple[str, str], list[VillageRow]] = {}
        for r in rows:
            towns.setdefault((r.county, r.township), []).append(r)
        cohorts = list(towns.values())
    tier_of = cohort_tiers(cohorts, scheme)
    return [rr._replace(rank_tier=tier_of.get(rr.village.village_code)) for rr in ranked]


def cohort_tiers(cohorts: Iterable[Sequence[VillageRow]], scheme: RankScheme) -> dict[str, str | None]:
    """Village code → its rank tier, each cohort (a township's or a county's villages) ranked on its own."""
    out: dict[str, str | None] = {}
    for rows in cohorts:
        out.update((rr.village.village_code, rr.rank_tier) for rr in assign_ranks(rank_order(rows), scheme.tiers, scheme.cumulative))
    return out



__all__ = ["RankRow", "RankScheme", "RankTier", "assign_ranks", "cohort_tiers", "parse_rank_tiers", "rank_order",
           "rank_scheme", "rank_tiers_json", "ranking", "veto_names"]
