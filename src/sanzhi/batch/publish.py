"""The lists a county publishes after a batch: XLSX and CSV, per county and per township.

Written from the results database once the run's villages are all in, one county at a
time (memory is bounded by the largest county, not by the run). Every file (sanzhi.batch.sheets) is
byte-for-byte reproducible: rows in a fixed order, XLSX written with fixed timestamps in
the zip and in the document properties, CSV as UTF-8 with BOM (what Excel in Chinese
locales opens correctly).

    published/<县>/<县>-评定结果.xlsx     排名 · one sheet per rating (示范/达标/…) · 一票否决 · 红黑榜
    published/<县>/<县>-排名.csv, <县>-<等级>名单.csv, <县>-一票否决名单.csv, <县>-红黑榜.csv
    published/<县>/<县>-乡镇排名与红黑榜.xlsx   one sheet per township: its ranking, 红黑榜 marked

Township lists are one workbook per county, a sheet per township, not a file per township:
an XLSX file has a fixed cost (~1.5 ms here) that twelve small township files a county
paid twelve times, close to half of publishing. The county CSVs carry the 乡镇 and 乡镇排名
columns, so a program reads one file per list instead of one per township.
    summary.json                          counts by rating, county and township; skipped villages
    skipped.csv                           every skipped village: source and reasons

红黑榜: the rubric's rule (`rating.red_black`: the cohort, the red and the black limits; applied
by `sanzhi.batch.boards`), by default per township: the red list is the best ⌈10 %⌉ of the
township's ranked villages (at least one; ties at the edge included); the black list is every
village vetoed from every rating plus the worst ⌈10 %⌉ of the rest that are not on the red list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, NamedTuple

from sanzhi.batch.boards import DEFAULT_RED_BLACK, boards
from sanzhi.batch.files import atomic_write
from sanzhi.batch.queries.ranking import RankRow, RankScheme, assign_ranks, rank_order, rank_scheme
from sanzhi.batch.queries.rows import VILLAGE_SELECT, VillageRow, village_row
from sanzhi.batch.sheets import Workbook, cell_number, safe_name, write_csv
from sanzhi.batch.store import Store
from sanzhi.common.numbers import fmt
from sanzhi.common.pool import WorkerPool
from sanzhi.reports.json_output import encode_json
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.models import RedBlack

PUBLISHED_DIR = "published"
NOT_RATED = "不予评定"


# ------------------------------------------------------------------------------ lists

RANK_HEADER = ("县排名", "乡镇排名", "按名次等级", "村代码", "村名称", "乡镇", "总分", "等级", "一票否决")
LIST_HEADER = ("序号", "县排名", "村代码", "村名称", "乡镇", "总分", "等级")
VETO_HEADER = ("序号", "村代码", "村名称", "乡镇", "总分", "否决事项")
REDBLACK_HEADER = ("乡镇", "榜单", "乡镇排名", "村代码", "村名称", "总分", "等级", "原因")
TOWN_RANK_HEADER = ("乡镇排名", "按名次等级", "村代码", "村名称", "总分", "等级", "一票否决", "红黑榜", "原因")


def _without_tier(row: Sequence[Any], tiers: Sequence[object], header: Sequence[str]) -> tuple[Any, ...]:
    """Rows and headers (laid out as `header`) carry 按名次等级 only when the rubric defines rank tiers."""
    if tiers:
        return tuple(row)
    i = header.index("按名次等级")
    return tuple(row[:i]) + tuple(row[i + 1:])


def red_black(ranked: Sequence[RankRow], rule: RedBlack | None = None) -> list[tuple[str, RankRow, str]]:
    """(榜单, row, reason) for one cohort of villages (a township, or a county), red list first,
    each in rank order (the rule: `sanzhi.batch.boards`)."""
    rule = rule or DEFAULT_RED_BLACK
    where = "乡镇" if rule.within == "township" else "县"
    b = boards(ranked, rule)
    out = [("红榜", r, f"{where}前 {b.red_text}") for r in b.red]
    out += [("黑榜", r, f"{where}后 {b.black_text}") for r in b.black]
    out += [("黑榜", r, f"一票否决：{r.village.vetoes}") for r in b.vetoed]
    return out


def _tier_order(compiled: CompiledRubric) -> list[str]:
    names = [t.tier.name for t in compiled.tiers]
    for extra in (compiled.rubric.rating.below_all, NOT_RATED):
        if extra not in names:
            names.append(extra)
    return names


def _county_rows(store: Store, run_key: int, county: str) -> list[VillageRow]:
    return [village_row(r) for r in store.stream(f"{VILLAGE_SELECT} WHERE v.run_key = ? AND v.county = ?", (run_key, county))]


def period_file_label(year: int, period: str) -> str:
    """What a period run's file names carry after the county (`桐乡市-2025年11月-排名.csv`); '' for a year's run."""
    from sanzhi.common.periods import stored_period

    return stored_period(year, period).label if period else ""


def publish(store: Store, run_key: int, compiled: CompiledRubric, out_dir: Path, workers: int = 1,
            period_label: str = "") -> dict[str, object]:
    """Write every published list; returns the per-county/township statistics for the summary.

    Counties are independent, so with `workers` > 1 they are written by a process pool, each
    worker reading the database over its own connection; the files and the returned
    statistics are the same as written one county after another.
    """
    scheme = rank_scheme(store.run_by_key(run_key).rank_tiers)
    tier_names = _tier_order(compiled)
    counties = sorted(c for (c,) in store.query("SELECT DISTINCT county FROM village_results WHERE run_key = ?", (run_key,)))
    job = _CountyJob(run_key, out_dir / PUBLISHED_DIR, scheme.tiers, tier_names, scheme,
                     compiled.rubric.rating.red_black or DEFAULT_RED_BLACK, period_label)
    if workers > 1 and len(counties) > 1:
        with WorkerPool(min(workers, len(counties)), _PoolState(store.url, job, None), setup=_open_pool_store) as pool:
            stats = list(pool.map(_publish_in_pool, counties, chunksize=max(1, len(counties) // (workers * 8))))
    else:
        stats = [publish_county(store, job, county) for county in counties]
    return {"counties": stats, "tier_names": tier_names}


class _CountyJob(NamedTuple):
    run_key: int
    root: Path
    tiers: Any
    tier_names: list[str]
    scheme: RankScheme = RankScheme()
    red_black: RedBlack = DEFAULT_RED_BLACK
    period_label: str = ""  # a period run's lists name the period (`<县>-2025年11月-…`); '' for the year


class _PoolState(NamedTuple):
    url: str
    job: _CountyJob
    store: Store | None  # opened in each worker


def _open_pool_store(state: _PoolState) -> _PoolState:
    return state._replace(store=Store(state.url))  # a connection of its own: the parent's is not shared across fork


def _publish_in_pool(state: _PoolState, county: str) -> dict[str, object]:
    assert state.store is not None, "the pool's setup opens the store"
    return publish_county(state.store, state.job, county)


def publish_county(store: Store, job: _CountyJob, county: str) -> dict[str, object]:
    """One county's lists (county and township files); returns its statistics."""
    run_key, root, tiers, tier_names, period_label = job.run_key, job.root, job.tiers, job.tier_names, job.period_label
    cumulative, within = job.scheme.cumulative, job.scheme.within
    rows = rank_order(_county_rows(store, run_key, county))
    ranked = assign_ranks(rows, tiers, cumulative)
    towns: dict[str, list[VillageRow]] = {}
    for r in rows:
        towns.setdefault(r.township, []).append(r)
    town_ranked = {t: assign_ranks(rank_order(rs), tiers, cumulative) for t, rs in sorted(towns.items())}
    town_rank = {rr.village.village_code: rr.rank for rs in town_ranked.values() for rr in rs}
    if tiers and within == "county":  # the township lists show the tiers counted in the county
        county_tier = {rr.village.village_code: rr.rank_tier for rr in ranked}
        town_ranked = {t: [rr._replace(rank_tier=county_tier[rr.village.village_code]) for rr in rs] for t, rs in town_ranked.items()}
    elif tiers and within == "township":  # and the county list those counted in each township
        town_tier = {rr.village.village_code: rr.rank_tier for rs in town_ranked.values() for rr in rs}
        ranked = [rr._replace(rank_tier=town_tier[rr.village.village_code]) for rr in ranked]
    cdir = root / safe_name(county)
    cname = safe_name(county) + (f"-{safe_name(period_label)}" if period_label else "")
    wb = Workbook()
    rank_header = _without_tier(RANK_HEADER, tiers, RANK_HEADER)
    rank_rows = [_without_tier((rr.rank, town_rank[rr.village.village_code], rr.rank_tier, rr.village.village_code,
                                rr.village.village_name, rr.village.township, cell_number(rr.village.total),
                                rr.village.rating_name, rr.village.vetoes), tiers, RANK_HEADER) for rr in ranked]
    ws = wb.sheet("排名", rank_header)
    for row in rank_rows:
        ws.append(list(row))
    write_csv(cdir / f"{cname}-排名.csv", rank_header, rank_rows)
    by_tier: dict[str, list[tuple[object, ...]]] = {name: [] for name in tier_names}
    for rr in ranked:
        v = rr.village
        lst = by_tier.setdefault(v.rating_name, [])
        lst.append((len(lst) + 1, rr.rank, v.village_code, v.village_name, v.township, cell_number(v.total), v.rating_name))
    for name, lst in by_tier.items():
        ws = wb.sheet(name, LIST_HEADER)
        for row in lst:
            ws.append(list(row))
        write_csv(cdir / f"{cname}-{safe_name(name)}名单.csv", LIST_HEADER, lst)
    vetoed = [r for r in ranked if r.rank is None]
    veto_rows = [(i, r.village.village_code, r.village.village_name, r.village.township, cell_number(r.village.total),
                  r.village.vetoes) for i, r in enumerate(vetoed, start=1)]
    ws = wb.sheet("一票否决", VETO_HEADER)
    for row in veto_rows:
        ws.append(list(row))
    write_csv(cdir / f"{cname}-一票否决名单.csv", VETO_HEADER, veto_rows)
    rb_all: list[tuple[object, ...]] = []
    town_stats = []
    twb = Workbook()
    town_header = _without_tier(TOWN_RANK_HEADER, tiers, TOWN_RANK_HEADER)
    rule = job.red_black
    county_marks: dict[str, tuple[str, str]] = {}
    if rule.within == "county":  # one 红黑榜 over the county, in county rank order
        for board, row, reason in red_black(ranked, rule):
            v = row.village
            rb_all.append((v.township, board, town_rank[v.village_code], v.village_code, v.village_name, cell_number(v.total),
                           v.rating_name, reason))
            county_marks[v.village_code] = (board, reason)
    for town, tr in town_ranked.items():
        if rule.within == "county":
            marks = county_marks
        else:
            boards = red_black(tr, rule)
            rb_all.extend((town, board, b.rank, b.village.village_code, b.village.village_name, cell_number(b.village.total),
                           b.village.rating_name, reason) for board, b, reason in boards)
            marks = {b.village.village_code: (board, reason) for board, b, reason in boards}  # at most one each
        ws = twb.sheet(town, town_header)
        for rr in tr:
            mark: tuple[str | None, str | None] = marks.get(rr.village.village_code, (None, None))
            ws.append(_without_tier((rr.rank, rr.rank_tier, rr.village.village_code, rr.village.village_name,
                                     cell_number(rr.village.total), rr.village.rating_name, rr.village.vetoes, *mark), tiers,
                                    TOWN_RANK_HEADER))
        town_stats.append(_stats(town, [r.village for r in tr], tier_names, key="township"))
    twb.save(cdir / f"{cname}-乡镇排名与红黑榜.xlsx")
    ws = wb.sheet("红黑榜", REDBLACK_HEADER)
    for row in rb_all:
        ws.append(list(row))
    write_csv(cdir / f"{cname}-红黑榜.csv", REDBLACK_HEADER, rb_all)
    wb.save(cdir / f"{cname}-评定结果.xlsx")
    cstat = _stats(county, rows, tier_names, key="county")
    cstat["townships"] = town_stats
    return cstat


def _mean(values: Sequence[Decimal]) -> str | None:
    if not values:
        return None
    return fmt((sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _stats(name: str, rows: Sequence[VillageRow], tier_names: Sequence[str], key: str) -> dict[str, object]:
    counts = dict.fromkeys(tier_names, 0)
    for r in rows:
        counts[r.rating_name] = counts.get(r.rating_name, 0) + 1
    return {
        key: name,
        "villages": len(rows),
        "mean_total": _mean([r.total for r in rows]),
        "vetoed": sum(1 for r in rows if r.vetoed),
        "ratings": counts,
    }


def write_summary(store: Store, run_key: int, compiled: CompiledRubric, year: int, out_dir: Path,
                  published: dict[str, object], period: str = "") -> dict[str, object]:
    """summary.json and skipped.csv; returns the summary (also what the summary PDF shows)."""
    counties: list[dict[str, Any]] = published["counties"]  # type: ignore[assignment]
    tier_names: list[str] = published["tier_names"]  # type: ignore[assignment]
    ratings = dict.fromkeys(tier_names, 0)
    for c in counties:
        for name, n in c["ratings"].items():
            ratings[name] = ratings.get(name, 0) + n
    skipped = []
    for source, status, problems in store.stream(
            "SELECT source, status, problems FROM run_inputs WHERE run_key = ? AND status <> 'scored'", (run_key,)):
        skipped.append({"source": source, "status": status, "problems": json.loads(problems or "[]")})
    skipped.sort(key=lambda s: s["source"])
    total_villages = sum(c["villages"] for c in counties)
    r = compiled.rubric
    summary: dict[str, object] = {
        "format": "sanzhi.batch-summary",
        "schema_version": 1,
        "rubric": {"id": r.id, "version": r.version, "hash": compiled.content_hash, "title": r.title},
        "year": year,
        **({"period": period, "period_label": period_file_label(year, period)} if period else {}),
        "villages": {"scored": total_villages, "skipped": len(skipped)},
        "ratings": ratings,
        "vetoed": sum(c["vetoed"] for c in counties),
        "mean_total": _mean_exact(store, run_key) if total_villages else None,
        "counties": counties,
        "skipped": skipped,
    }
    atomic_write(out_dir / "summary.json", encode_json(summary))  # the same bytes as json.dumps(indent=2), C-fast
    write_csv(out_dir / "skipped.csv", ("来源", "原因", "问题"),
              ((s["source"], _skip_reason(s["status"], s["problems"]),
                "\n".join(_line(p) for p in s["problems"])) for s in skipped))
    return summary


def _skip_reason(status: str, problems: Sequence[dict[str, object]]) -> str:
    """skipped.csv's 原因: the data's fault, or sanzhi's (S9xx: a worker died, a reader broke)."""
    if status == "duplicate":
        return "村代码重复"
    if problems and str(problems[0].get("code", "")).startswith("S9"):
        return "处理出错"
    return "数据有误"


def _mean_exact(store: Store, run_key: int) -> str | None:
    from sanzhi.batch.store import dec

    total, n = Decimal(0), 0
    for (t,) in store.stream("SELECT total FROM village_results WHERE run_key = ?", (run_key,)):
        total += dec(t)  # type: ignore[operator]
        n += 1
    return fmt((total / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if n else None


def _line(p: dict[str, object]) -> str:
    from sanzhi.batch.ingest import diagnostic_from_dict

    return diagnostic_from_dict(p).one_line()


__all__ = ["PUBLISHED_DIR", "publish", "red_black", "write_summary"]
