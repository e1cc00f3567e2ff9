"""Questions asked of the results database: history, ranking, year-over-year.

Which run counts: for every year and county, the **latest complete run** that covered the
county (a re-run of a year supersedes the earlier one for the counties it covers, villages
it skipped included; an interrupted run that was never finished counts for nothing). Rankings and comparisons are worked out here in Python over streamed
rows, so SQLite and PostgreSQL give the same answers by construction.

Ranking: villages with a veto of every rating are not ranked (listed after the others, rank
empty); the rest are ranked by operative total, highest first, ties sharing a rank (1, 2, 2,
4), ties listed by village code. Rank-based tiers (e.g. the top 10 % of a township) apply when
the run's rubric defines them (`rating.rank_tiers`, optional; see `RankTier`): a village takes
the best tier whose positions cover its rank, whose `min_score` it reaches and that no veto of
that tier (`bars`) fired for; positions are not re-counted when a village is passed over. They
are counted within the rubric's `rating.rank_within` cohort (township or county), or within the
cohort listed when the rubric names none.

Year-over-year: items of the two years' rubrics are paired as `rubric diff` pairs them
(`sanzhi.standard.lineage`: the newer rubric's crosswalk, the same id, identical content), from
the outlines stored with the runs (`rubric_outlines`). A paired item is comparable when its
content (everything but id and name) is the same; a renumbered or moved one says so. A dimension
is comparable when its points are the same and it holds the same items (through the pairing),
all of them comparable. A total is comparable only when the rubric hash is the same. Years whose
rubric was recorded without an outline (by an earlier sanzhi) are compared by id and definition
hash (`rubric_parts`). Everything not comparable is still shown, flagged.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

from sanzhi.batch.store import Store, dec, parse_item_scores
from sanzhi.common.numbers import fmt
from sanzhi.standard.lineage import (
    Outline,
    Pairing,
    fates,
    ids_in,
    outline_from_json,
    pair,
    place_text,
)
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
    period: str = ""  # '' for the year, else the period of the run (sanzhi.batch.periods)


_VILLAGE_SELECT = (
    "SELECT v.village_code, v.village_name, v.township, v.county, v.year, v.total, v.rating_tier, v.rating_name,"
    " v.vetoed, v.vetoes, v.operative_level, r.run_key, r.run_id, r.rubric_id, r.rubric_version, r.rubric_hash,"
    " r.rank_tiers, r.finished_at, r.unit, r.period FROM village_results v JOIN runs r ON r.run_key = v.run_key"
)


def _row(r: Sequence[object]) -> VillageRow:
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
            yield _row(r)


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
    sql = f"{_VILLAGE_SELECT} WHERE {' AND '.join(where)} ORDER BY v.village_code, v.year, r.period, r.run_key DESC"
    return list(_latest(store.stream(sql, params)))


# ------------------------------------------------------------------------------ history


def unit_of_code(code: str) -> str:
    """A 12-digit code is a village's, 9 digits a township's, 6 a county's (统计用区划代码 prefixes)."""
    return {9: "township", 6: "county"}.get(len(code), "village")


def period_order(row: VillageRow) -> tuple[int, int, int]:
    """Rows of one year in time order: by the first month a period covers, the year itself last."""
    from sanzhi.common.periods import stored_period

    p = stored_period(row.year, row.period)
    first, last = p.months
    return row.year, 13 if p.kind == "year" else first, last


def history(store: Store, code: str) -> list[VillageRow]:
    """Score and rating by year (and period) for one village, township or county: the latest
    complete run of each year and period."""
    return sorted(latest_rows(store, code=code, unit=unit_of_code(code), period=None), key=period_order)


# ------------------------------------------------------------------------------ ranking


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


# ------------------------------------------------------------------------- year over year


class Part(NamedTuple):
    name: str
    points: Decimal | None
    part_hash: str
    position: int


def rubric_parts(store: Store, rubric_hash: str) -> dict[tuple[str, str], Part]:
    return {
        (kind, pid): Part(name, dec(points), h, pos)
        for kind, pid, name, points, h, pos in store.query(
            "SELECT kind, part_id, name, points, part_hash, position FROM rubric_parts WHERE rubric_hash = ?", (rubric_hash,))
    }


class Change(NamedTuple):
    """One dimension or item compared across two years."""

    id: str
    name: str
    base: Decimal | None  # None: absent that year
    current: Decimal | None
    delta: Decimal | None
    comparable: bool
    note: str  # why not comparable, or that it was renumbered or moved; else ""
    base_id: str | None = None  # the item's id in the base year, when it was renumbered


class VillageChange(NamedTuple):
    village_code: str
    village_name: str
    township: str
    county: str
    base: VillageRow | None
    current: VillageRow | None
    delta: Decimal | None
    comparable: bool  # same rubric (hash) both years
    note: str
    dimensions: tuple[Change, ...]
    items: tuple[Change, ...]  # only when asked for
    pairing: str | None = None  # how items were paired across the two rubrics, in words (a crosswalk)


def _item_scores(store: Store, row: VillageRow) -> dict[str, Decimal]:
    found = store.query("SELECT scores FROM item_scores WHERE run_key = ? AND village_code = ? AND level = ?",
                        (row.run_key, row.village_code, row.operative_level))
    return parse_item_scores(found[0][0]) if found else {}


def _scores(store: Store, table: str, key: str, row: VillageRow) -> dict[str, Decimal]:
    return {
        pid: dec(score)  # type: ignore[misc]
        for pid, score in store.query(
            f"SELECT {key}, score FROM {table} WHERE run_key = ? AND village_code = ? AND level = ?",
            (row.run_key, row.village_code, row.operative_level))
    }


def _what(kind: str) -> str:
    return "维度" if kind == "dimension" else "评分项"


def _compare(kind: str, base: dict[str, Decimal], cur: dict[str, Decimal], bparts: dict[tuple[str, str], Part],
             cparts: dict[tuple[str, str], Part]) -> tuple[Change, ...]:
    """By id and definition hash: the comparison for rubrics recorded without an outline."""
    ids = sorted(set(base) | set(cur), key=lambda i: (
        (cparts.get((kind, i)) or bparts.get((kind, i)) or Part("", None, "", 1 << 30)).position, i))
    out = []
    for i in ids:
        bp, cp = bparts.get((kind, i)), cparts.get((kind, i))
        b, c = base.get(i), cur.get(i)
        what = _what(kind)
        if b is None or bp is None:
            note = f"上一年度无此{what}"
        elif c is None or cp is None:
            note = f"本年度无此{what}"
        elif bp.part_hash != cp.part_hash:
            note = f"评分标准中该{what}的定义已变化" + (f"（分值 {bp.points} → {cp.points}）" if bp.points != cp.points else "")
        else:
            note = ""
        name = (cp or bp).name if (cp or bp) else i  # type: ignore[union-attr]
        out.append(Change(i, name, b, c, None if b is None or c is None else c - b, not note, note))
    return tuple(out)


class Link(NamedTuple):
    """Two years' rubrics, their outlines and which item is which (`sanzhi.standard.lineage`)."""

    base: Outline
    current: Outline
    pairing: Pairing

    @property
    def described(self) -> str | None:
        return self.pairing.crosswalk


def link(store: Store, base_hash: str, current_hash: str) -> Link | None:
    """The link between two stored rubrics; None when either was recorded without an outline."""
    b, c = store.rubric_outline(base_hash), store.rubric_outline(current_hash)
    if b is None or c is None:
        return None
    bo, co = outline_from_json(b), outline_from_json(c)
    return Link(bo, co, pair(bo, co))


def _delta(b: Decimal | None, c: Decimal | None) -> Decimal | None:
    return None if b is None or c is None else c - b


def _linked_items(lk: Link, base: dict[str, Decimal], cur: dict[str, Decimal]) -> tuple[Change, ...]:
    bo, co, p = lk.base, lk.current, lk.pairing
    back = {j: i for i, j, _ in p.pairs}
    grouped_new = {j: g for g in p.groups for j in g.new}
    grouped_old = {i: g for g in p.groups for i in g.old}
    out = []
    for j in [*co.items, *(k for k in cur if k not in co.items)]:
        if j not in cur and j not in back:
            continue
        y = co.items.get(j)
        name = y.name if y else j
        if j in back and y is not None:
            i = back[j]
            x = bo.items[i]
            same = x.content == y.content
            notes = []
            if i != j:
                notes.append(f"原编号 {i}（改号" + ("，内容不变）" if same else "）"))
            if x.place != y.place:
                notes.append(f"自{place_text(x)}移至{place_text(y)}")
            if not same:
                notes.append("评分标准中该评分项的定义已变化" + (f"（分值 {fmt(x.points)} → {fmt(y.points)}）" if x.points != y.points else ""))
            b, c = base.get(i), cur.get(j)
            out.append(Change(j, name, b, c, _delta(b, c), same and b is not None and c is not None, "；".join(notes),
                              i if i != j else None))
        elif j in grouped_new:
            g = grouped_new[j]
            how = "拆分而来" if g.kind == "split" else "合并而来"
            out.append(Change(j, name, None, cur.get(j), None, False, f"由 {'、'.join(g.old)} {how}，不跨版本对比"))
        else:
            out.append(Change(j, name, None, cur.get(j), None, False, "上一年度无此评分项（新增）"))
    for i in bo.items:
        if i in back.values() or i not in base:
            continue
        x = bo.items[i]
        if i in grouped_old:
            g = grouped_old[i]
            note = f"已拆分为 {'、'.join(g.new)}" if g.kind == "split" else f"已并入 {'、'.join(g.new)}"
        else:
            note = "本年度无此评分项（已删除）"
        out.append(Change(i, x.name, base.get(i), None, None, False, note))
    return tuple(out)


def _linked_dimensions(lk: Link, base: dict[str, Decimal], cur: dict[str, Decimal]) -> tuple[Change, ...]:
    bo, co, p = lk.base, lk.current, lk.pairing
    ids = p.ids()
    out = []
    for d in [*co.dimensions, *(k for k in bo.dimensions if k not in co.dimensions)]:
        b, c = base.get(d), cur.get(d)
        if b is None and c is None:
            continue
        x, y = bo.dimensions.get(d), co.dimensions.get(d)
        if x is None or y is None:
            note = "上一年度无此维度" if x is None else "本年度无此维度"
            out.append(Change(d, (y or x).name if (y or x) else d, b, c, None, False, note))  # type: ignore[union-attr]
            continue
        old, new = ids_in(bo, d), ids_in(co, d)
        carried = [ids[i] for i in old if i in ids]
        if x.points != y.points:
            note = f"评分标准中该维度的分值已变化（{fmt(x.points)} → {fmt(y.points)}）"
        elif len(carried) != len(old) or set(carried) != set(new):
            gone = [i for i in old if ids.get(i) not in new]
            came = [j for j in new if j not in carried]
            note = "所含评分项有变化：" + "；".join(filter(None, (
                f"移出或删除 {'、'.join(gone)}" if gone else "", f"移入或新增 {'、'.join(came)}" if came else "")))
        elif changed := [ids[i] for i in old if bo.items[i].content != co.items[ids[i]].content]:
            note = f"所含评分项的定义有变化：{'、'.join(changed)}"
        else:
            renamed = [f"{i} → {ids[i]}" for i in old if ids[i] != i]
            note = f"含改号评分项 {'、'.join(renamed)}，内容不变，仍可比" if renamed else ""
            out.append(Change(d, y.name, b, c, _delta(b, c), b is not None and c is not None, note))
            continue
        out.append(Change(d, y.name, b, c, _delta(b, c), False, note))
    return tuple(out)


def year_over_year(store: Store, year: int, base_year: int, *, code: str | None = None, township: str | None = None,
                   county: str | None = None, items: bool = False, unit: str = "village", period: str = "",
                   base_period: str | None = None) -> list[VillageChange]:
    """This year (or period) against the base year's: by default the same period of the base year
    (2025-11 against 2024-11); `base_period` names another (a period-over-period comparison)."""
    if base_period is None:
        base_period = same_period(period, base_year)
    cur_rows = {r.village_code: r for r in latest_rows(store, year=year, township=township, county=county, code=code,
                                                        unit=unit, period=period)}
    if code is not None or township is None and county is None:
        base_rows = {r.village_code: r for r in latest_rows(store, year=base_year, code=code, unit=unit, period=base_period)}
    else:  # villages of that township/county this year, wherever they were filed last year
        base_rows = {}
        for c in cur_rows:
            base_rows.update({r.village_code: r for r in latest_rows(store, year=base_year, code=c, unit=unit,
                                                                     period=base_period)})
    parts_cache: dict[str, dict[tuple[str, str], Part]] = {}
    links: dict[tuple[str, str], Link | None] = {}

    def parts(h: str) -> dict[tuple[str, str], Part]:
        if h not in parts_cache:
            parts_cache[h] = rubric_parts(store, h)
        return parts_cache[h]

    out = []
    for vc in sorted(set(cur_rows) | (set(base_rows) if code is not None else set())):
        cur, base = cur_rows.get(vc), base_rows.get(vc)
        ref = cur or base
        assert ref is not None
        if cur is None or base is None:
            missing_year, missing_period = (base_year, base_period) if base is None else (year, period)
            if missing_period:
                from sanzhi.common.periods import stored_period

                note = f"{stored_period(missing_year, missing_period).label}无评分记录"
            else:
                note = f"{missing_year} 年度无评分记录"
            out.append(VillageChange(vc, ref.village_name, ref.township, ref.county, base, cur, None, False, note, (), ()))
            continue
        same = cur.rubric_hash == base.rubric_hash
        note = "" if same else (
            f"评分标准已变化：{base.rubric_id}@{base.rubric_version} → {cur.rubric_id}@{cur.rubric_version}"
            if (base.rubric_id, base.rubric_version) != (cur.rubric_id, cur.rubric_version)
            else f"评分标准内容已变化（{base.rubric_id}@{base.rubric_version}，hash 不同）")
        key = (base.rubric_hash, cur.rubric_hash)
        if key not in links:
            links[key] = None if same else link(store, *key)
        lk = links[key]
        bdims = _scores(store, "dimension_scores", "dimension_id", base)
        cdims = _scores(store, "dimension_scores", "dimension_id", cur)
        if lk is None:
            bp, cp = parts(base.rubric_hash), parts(cur.rubric_hash)
            dims = _compare("dimension", bdims, cdims, bp, cp)
            its = _compare("item", _item_scores(store, base), _item_scores(store, cur), bp, cp) if items else ()
        else:
            dims = _linked_dimensions(lk, bdims, cdims)
            its = _linked_items(lk, _item_scores(store, base), _item_scores(store, cur)) if items else ()
        out.append(VillageChange(vc, cur.village_name, cur.township, cur.county, base, cur, cur.total - base.total,
                                 same, note, dims, its, lk.described if lk else None))
    return out


# ------------------------------------------------------------------ rubric changes in a history


class RubricStep(NamedTuple):
    """Where a village's history moves from one rubric to another."""

    year: int  # the first year (or period: `period`) under the new rubric
    period: str  # runs.period of that first run ('' the year)
    before: str  # ID@VERSION
    after: str
    pairing: str | None  # the crosswalk used, in words; None: items paired by id (and content)
    items: tuple[str, ...]  # renamed, moved, split, merged, added, removed items, in words
    changed: int  # further items whose definition changed
    dimensions: tuple[str, ...]  # dimensions whose points changed: "德治体系 20 → 16"
    outline_missing: bool  # one of the two rubrics was recorded without an outline


def rubric_steps(store: Store, rows: Sequence[VillageRow]) -> list[RubricStep]:
    """Every change of rubric between consecutive years (periods) of a history."""
    out = []
    for prev, row in itertools.pairwise(rows):
        if prev.rubric_hash == row.rubric_hash:
            continue
        before, after = f"{prev.rubric_id}@{prev.rubric_version}", f"{row.rubric_id}@{row.rubric_version}"
        lk = link(store, prev.rubric_hash, row.rubric_hash)
        if lk is None:
            out.append(RubricStep(row.year, row.period, before, after, None, (), 0, (), True))
            continue
        fs = fates(lk.base, lk.current, lk.pairing)
        listed = tuple(f.text for f in fs if f.status != "changed")
        dims = tuple(f"{y.name} {fmt(lk.base.dimensions[d].points)} → {fmt(y.points)}" for d, y in lk.current.dimensions.items()
                     if d in lk.base.dimensions and lk.base.dimensions[d].points != y.points)
        out.append(RubricStep(row.year, row.period, before, after, lk.described, listed, sum(1 for f in fs if f.status == "changed"),
                              dims, False))
    return out


def same_period(period: str, year: int) -> str:
    """The same period in another year: 2025-11 → 2024-11 ('' stays the year)."""
    if not period:
        return ""
    from sanzhi.common.periods import Period, parse_period

    p = parse_period(period)
    return Period(year, p.kind, p.index).stored


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


__all__ = [
    "Change",
    "Link",
    "PeriodStep",
    "RankRow",
    "RankScheme",
    "RankTier",
    "RubricStep",
    "VillageChange",
    "VillageRow",
    "assign_ranks",
    "cohort_tiers",
    "history",
    "latest_rows",
    "parse_rank_tiers",
    "period_order",
    "period_over_period",
    "rank_order",
    "rank_scheme",
    "rank_tiers_json",
    "ranking",
    "rubric_steps",
    "same_period",
    "unit_of_code",
    "veto_names",
    "year_over_year",
]
