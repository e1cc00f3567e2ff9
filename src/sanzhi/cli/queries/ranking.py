"""`sanzhi ranking`: a township's or county's villages (or a county's townships) ranked for a year or period."""

from typing import Annotated

import typer
from rich.table import Table

from sanzhi.batch.queries.ranking import RankRow
from sanzhi.batch.queries.ranking import ranking as ranking_of
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.queries.common import (
    UNIT_WORDS,
    CountyOption,
    DbOption,
    JsonOption,
    PeriodOption,
    TownshipOption,
    Unit,
    UnitOption,
    cell_number,
    dump,
    err,
    open_store,
    out,
    stored_period_of,
    when_words,
)
from sanzhi.reports.terminal import fit


def ranking(
    year: Annotated[int, typer.Option("--year", help="评定年度")],
    township: TownshipOption = None,
    county: CountyOption = None,
    top: Annotated[int | None, typer.Option("--top", help="只显示前 N 名")] = None,
    unit: UnitOption = Unit.village,
    period: PeriodOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """某乡镇或某县某年度（评定期）的排名（有一票否决的不参与排名，列在最后）；--unit township 为某县各乡镇的排名。"""
    with error_boundary():
        stored = stored_period_of(year, period)
        if unit is Unit.village and (township is None) == (county is None):
            raise typer.BadParameter("请给出 --township 或 --county 之一")
        if unit is not Unit.village and township is not None:
            raise typer.BadParameter("乡镇、县的排名按县（--county）或全部县列出，不能用 --township")
        if unit is Unit.township and county is None:
            raise typer.BadParameter("乡镇排名请给出 --county（县（市、区）名称）")
        with open_store(db) as store:
            rows = ranking_of(store, year, township=township, county=county, unit=unit.value, period=stored)
        shown = [r for r in rows if top is None or (r.rank is not None and r.rank <= top)]
        if as_json:
            dump([{"rank": r.rank, "rank_tier": r.rank_tier, "village_code": r.village.village_code,
                    "village_name": r.village.village_name, "township": r.village.township, "county": r.village.county,
                    "total": r.village.total, "rating": r.village.rating_name, "vetoes": r.village.vetoes,
                    "run_id": r.village.run_id} for r in shown])
            return
        when = when_words(year, stored)
        if not rows:
            err.print(f"数据库中没有 {when} {township or county or ''} 的评分记录。", markup=False)
            return
        tiers = any(r.rank_tier for r in rows)
        if unit is not Unit.village:
            _print_unit_ranking(rows, shown, unit, when, county, tiers)
            return
        t = Table(title=f"{when} {township or county} 排名（{len(rows)} 个村）")
        t.add_column("名次", no_wrap=True, justify="right")
        if tiers:
            t.add_column("名次等级", min_width=4)
        t.add_column("村代码", no_wrap=True, min_width=12)
        # 80 columns: the township goes under the village's name (a column fewer), so the rating
        # (三治融合示范村(社区)) stays on one line; the vetoes wrap.
        t.add_column("村名称" if township else "村名称 / 乡镇", min_width=4)
        t.add_column("总分", no_wrap=True, justify="right")
        t.add_column("等级", min_width=10)
        t.add_column("一票否决", min_width=4, ratio=1)
        for r in shown:
            v = r.village
            t.add_row("—" if r.rank is None else str(r.rank), *((r.rank_tier or "",) if tiers else ()), v.village_code,
                      v.village_name if township else f"{v.village_name}\n{v.township}", cell_number(v.total), v.rating_name,
                      v.vetoes or "")
        out.print(fit(t))




def _print_unit_ranking(rows: list[RankRow], shown: list[RankRow], unit: "Unit", when: str,
                        county: str | None, tiers: bool) -> None:
    word = UNIT_WORDS[unit.value]
    t = Table(title=f"{when} {county or '全部县（市、区）'} {word}排名（{len(rows)} 个{word}）")
    # 80 columns, as the village ranking: codes and numbers whole, the names and vetoes wrap.
    t.add_column("名次", no_wrap=True, justify="right")
    if tiers:
        t.add_column("名次等级", min_width=4)
    t.add_column(f"{word}代码", no_wrap=True)
    t.add_column(f"{word}名称", min_width=4)
    t.add_column("总分", no_wrap=True, justify="right")
    t.add_column("等级", min_width=10)
    t.add_column("一票否决", min_width=4, ratio=1)
    for r in shown:
        v = r.village
        t.add_row("—" if r.rank is None else str(r.rank), *((r.rank_tier or "",) if tiers else ()), v.village_code,
                  v.village_name, cell_number(v.total), v.rating_name, v.vetoes or "")
    out.print(fit(t))
