"""The lists a unit run publishes: townships ranked within their county, counties across the run.

    published/<县>/<县>[-<评定期>]-乡镇评定结果.xlsx   乡镇排名 · a sheet per rating · 一票否决 · 红黑榜
    published/<县>/<县>[-<评定期>]-乡镇排名.csv, -乡镇<等级>名单.csv, -乡镇一票否决名单.csv, -乡镇红黑榜.csv
    published/县级/县级[-<评定期>]-县评定结果.xlsx     the same for a county run, every county of the run in one list
    summary.json                                    counts by rating and county; the period and the village run

Every list carries an 评定期 column (2025年度, 2025年11月, …) and a period run's file names
carry it too, so a month's 红黑榜 never reads as the year's. Ranking and the 红黑榜 follow the
village lists (sanzhi.batch.publish), rule included (`rating.red_black`, `sanzhi.batch.boards`):
vetoed units are not ranked and head the black list; by default the red list is the best
⌈10 %⌉ of the ranked units, the black list the worst ⌈10 %⌉ of the rest — 建德's monthly
township 红黑榜 is the township run of a month. The cohort is fixed by the unit (townships in
their county, counties across the run). Rank tiers count as the rubric says (`rank_cumulative`,
their `min_score` gates and the vetoes that bar them). Reproducible byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sanzhi.batch.boards import boards
from sanzhi.batch.files import atomic_write
from sanzhi.batch.publish import NOT_RATED, PUBLISHED_DIR, _mean, _tier_order
from sanzhi.batch.queries.ranking import RankRow, assign_ranks, rank_order, rank_scheme
from sanzhi.batch.queries.rows import VILLAGE_SELECT, VillageRow, village_row
from sanzhi.batch.sheets import Workbook, cell_number, safe_name, write_csv
from sanzhi.batch.store import RunInfo, Store
from sanzhi.common.periods import stored_period
from sanzhi.reports.json_output import encode_json
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.models import RedBlack

__all__ = ["PUBLISHED_DIR", "period_label", "publish", "red_black_units", "write_summary"]

COUNTY_GROUP = "县级"  # the folder of a county run's lists: every county of the run in one ranking
_WORD = {"township": "乡镇", "county": "县"}
_SCOPE = {"township": "县内", "county": "全部县（市、区）中"}


def period_label(run: RunInfo) -> str:
    """2025年度, 2025年11月, …: the period a run is for, as lists name it."""
    return stored_period(run.year, run.period).label


def red_black_units(ranked: Sequence[RankRow], scope: str, rule: RedBlack | None = None) -> list[tuple[str, RankRow, str]]:
    """(榜单, row, reason) among units by the rubric's rule: red first, then the vetoed, then the worst of the rest."""
    b = boards(ranked, rule)
    out = [("红榜", r, f"{scope}前 {b.red_text}") for r in b.red]
    out += [("黑榜", r, f"一票否决：{r.village.vetoes}") for r in b.vetoed]
    out += [("黑榜", r, f"{scope}后 {b.black_text}") for r in b.black]
    return out


def _rows(store: Store, run_key: int) -> list[VillageRow]:
    return [village_row(r) for r in store.stream(f"{VILLAGE_SELECT} WHERE v.run_key = ? ORDER BY v.village_code", (run_key,))]


def publish(store: Store, run_key: int, compiled: CompiledRubric, out_dir: Path, *, period_label: str,
            period_in_names: bool | None = None) -> dict[str, object]:
    """Write the lists of a unit run; returns the statistics for the summary.

    `period_in_names`: put the period in the file names (default: for a run of a period within the year)."""
    run = store.run_by_key(run_key)
    unit = compiled.unit
    word = _WORD[unit]
    scheme = rank_scheme(run.rank_tiers)
    tiers = scheme.tiers
    rule = compiled.rubric.rating.red_black
    tier_names = _tier_order(compiled)
    rows = rank_order(_rows(store, run_key))
    groups: dict[str, list[VillageRow]] = {}
    for r in rows:
        groups.setdefault(r.county if unit == "township" else COUNTY_GROUP, []).append(r)
    with_period = bool(run.period) if period_in_names is None else period_in_names
    stats = []
    for group, members in sorted(groups.items()):
        ranked = assign_ranks(members, tiers, scheme.cumulative)
        stats.append(_publish_group(out_dir / PUBLISHED_DIR / safe_name(group), group, ranked, word, _SCOPE[unit], tiers,
                                    tier_names, period_label, with_period, rule))
    return {"groups": stats, "tier_names": tier_names}


def _publish_group(folder: Path, group: str, ranked: list[RankRow], word: str, scope: str, tiers: Any,
                   tier_names: Sequence[str], label: str, with_period: bool, rule: RedBlack | None) -> dict[str, object]:
    stem = safe_name(group) + (f"-{safe_name(label)}" if with_period else "")
    tier_col = ("按名次等级",) if tiers else ()
    rank_header = ("评定期", "排名", *tier_col, f"{word}代码", f"{word}名称", *(("所属县",) if word == "乡镇" else ()), "总分", "等级", "一票否决")
    wb = Workbook()

    def rank_cells(rr: RankRow) -> list[object]:
        v = rr.village
        return [label, rr.rank, *((rr.rank_tier,) if tiers else ()), v.village_code, v.village_name,
                *((v.county,) if word == "乡镇" else ()), cell_number(v.total), v.rating_name, v.vetoes]

    rank_rows = [rank_cells(rr) for rr in ranked]
    ws = wb.sheet(f"{word}排名", rank_header)
    for row in rank_rows:
        ws.append(row)
    write_csv(folder / f"{stem}-{word}排名.csv", rank_header, rank_rows)
    list_header = ("评定期", "序号", "排名", f"{word}代码", f"{word}名称", "总分", "等级")
    by_tier: dict[str, list[list[object]]] = {name: [] for name in tier_names}
    for rr in ranked:
        v = rr.village
        lst = by_tier.setdefault(v.rating_name, [])
        lst.append([label, len(lst) + 1, rr.rank, v.village_code, v.village_name, cell_number(v.total), v.rating_name])
    for name, lst in by_tier.items():
        ws = wb.sheet(name, list_header)
        for row in lst:
            ws.append(row)
        write_csv(folder / f"{stem}-{word}{safe_name(name)}名单.csv", list_header, lst)
    veto_header = ("评定期", "序号", f"{word}代码", f"{word}名称", "总分", "否决事项")
    veto_rows: list[list[object]] = [[label, i, r.village.village_code, r.village.village_name, cell_number(r.village.total), r.village.vetoes]
                 for i, r in enumerate((r for r in ranked if r.rank is None), start=1)]
    ws = wb.sheet("一票否决", veto_header)
    for row in veto_rows:
        ws.append(row)
    write_csv(folder / f"{stem}-{word}一票否决名单.csv", veto_header, veto_rows)
    board_rows = red_black_units(ranked, scope, rule)
    rb_header = ("评定期", "榜单", "排名", f"{word}代码", f"{word}名称", "总分", "等级", "原因")
    rb_rows: list[list[object]] = [[label, board, r.rank, r.village.village_code, r.village.village_name, cell_number(r.village.total),
                r.village.rating_name, reason] for board, r, reason in board_rows]
    ws = wb.sheet("红黑榜", rb_header)
    for row in rb_rows:
        ws.append(row)
    write_csv(folder / f"{stem}-{word}红黑榜.csv", rb_header, rb_rows)
    wb.save(folder / f"{stem}-{word}评定结果.xlsx")
    members = [r.village for r in ranked]
    counts = dict.fromkeys(tier_names, 0)
    for v in members:
        counts[v.rating_name] = counts.get(v.rating_name, 0) + 1
    return {"group": group, "units": len(members), "mean_total": _mean([v.total for v in members]),
            "vetoed": sum(1 for v in members if v.vetoed), "ratings": counts,
            "red": [r.village.village_code for b, r, _ in board_rows if b == "红榜"],
            "black": [r.village.village_code for b, r, _ in board_rows if b == "黑榜"]}


def write_summary(store: Store, run_key: int, compiled: CompiledRubric, village_run: RunInfo, out_dir: Path,
                  published: dict[str, object]) -> dict[str, object]:
    """summary.json (and an empty skipped.csv: a unit run skips nothing it could score)."""
    groups: list[dict[str, Any]] = published["groups"]  # type: ignore[assignment]
    tier_names: list[str] = published["tier_names"]  # type: ignore[assignment]
    ratings = dict.fromkeys(tier_names, 0)
    for g in groups:
        for name, n in g["ratings"].items():
            ratings[name] = ratings.get(name, 0) + n
    r = compiled.rubric
    run = store.run_by_key(run_key)
    summary: dict[str, object] = {
        "format": "sanzhi.unit-batch-summary",
        "schema_version": 1,
        "unit": compiled.unit,
        "rubric": {"id": r.id, "version": r.version, "hash": compiled.content_hash, "title": r.title},
        "reads": {"rubric": compiled.reads_ref, "run": village_run.run_id},
        "year": village_run.year,
        "period": village_run.period,
        "period_label": period_label(run),
        "units": sum(g["units"] for g in groups),
        "ratings": ratings,
        "not_rated": ratings.get(NOT_RATED, 0),
        "vetoed": sum(g["vetoed"] for g in groups),
        "groups": groups,
    }
    atomic_write(out_dir / "summary.json", encode_json(summary))
    write_csv(out_dir / "skipped.csv", ("来源", "原因", "问题"), [])
    return summary
