"""`sanzhi yoy`: year over year (or the same period a year before): totals, dimensions and items, with what is not comparable."""

from typing import Annotated

import typer
from rich.table import Table

from sanzhi.batch.queries.rows import unit_of_code
from sanzhi.batch.queries.yoy import Change, VillageChange, year_over_year
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.queries.common import (
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
    signed,
    stored_period_of,
)
from sanzhi.reports.terminal import fit


def yoy(
    year: Annotated[int, typer.Option("--year", help="本年度")],
    village: Annotated[str | None, typer.Argument(help="村代码；不给则按 --township / --county 列出各村")] = None,
    base_year: Annotated[int | None, typer.Option("--base-year", help="对比年度（默认上一年）")] = None,
    township: TownshipOption = None,
    county: CountyOption = None,
    items: Annotated[bool, typer.Option("--items/--no-items", help="逐项对比（单村时默认逐项）")] = False,
    unit: UnitOption = Unit.village,
    period: PeriodOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """年度对比：总分、各维度（及评分项）的变化；评分标准变化导致不可比的项目会标出。--period 时与上一年度同期对比。"""
    with error_boundary():
        if village is not None:
            unit = Unit(unit_of_code(village))
        if sum(x is not None for x in (village, township, county)) != 1 and not (unit is Unit.county and village is None):
            raise typer.BadParameter("请给出一个村代码，或 --township / --county 之一")
        stored = stored_period_of(year, period)
        base = base_year or year - 1
        with open_store(db) as store:
            changes = year_over_year(store, year, base, code=village, township=township, county=county,
                                     items=items or village is not None, unit=unit.value, period=stored)
        if as_json:
            dump([_change_json(c) for c in changes])
            return
        if not changes:
            err.print(f"数据库中没有 {year} 年度的相应评分记录。", markup=False)
            return
        if village is not None:
            _print_village_change(changes[0], year, base)
        else:
            _print_changes(changes, year, base, township is not None)


def _part_json(c: Change) -> dict[str, object]:
    return {"id": c.id, "base_id": c.base_id, "name": c.name, "base": c.base, "current": c.current, "delta": c.delta,
            "comparable": c.comparable, "note": c.note}


def _change_json(c: VillageChange) -> dict[str, object]:
    return {
        "village_code": c.village_code, "village_name": c.village_name, "township": c.township, "county": c.county,
        "base": None if c.base is None else {"year": c.base.year, "total": c.base.total, "rating": c.base.rating_name,
                                             "rubric": f"{c.base.rubric_id}@{c.base.rubric_version}"},
        "current": None if c.current is None else {"year": c.current.year, "total": c.current.total,
                                                   "rating": c.current.rating_name,
                                                   "rubric": f"{c.current.rubric_id}@{c.current.rubric_version}"},
        "delta": c.delta, "comparable": c.comparable, "note": c.note, "pairing": c.pairing,
        "dimensions": [_part_json(d) for d in c.dimensions], "items": [_part_json(i) for i in c.items],
    }


def _cell(p: Change) -> str:
    return signed(p.delta) if p.comparable else "不可比"


def _print_village_change(c: VillageChange, year: int, base: int) -> None:
    out.print(f"{c.village_name}（{c.village_code}）{base} → {year}", markup=False)
    if c.base is None or c.current is None:
        out.print(c.note, markup=False)
        return
    out.print(f"总分 {cell_number(c.base.total)} → {cell_number(c.current.total)}（{signed(c.delta)}）；等级 {c.base.rating_name} → {c.current.rating_name}",
              markup=False)
    if c.note:
        out.print(f"注意：{c.note}，总分不完全可比" + ("；评分项按 crosswalk 对应" if c.pairing else ""), markup=False)
    for title, parts, only_changed in (("维度", c.dimensions, False), ("评分项", c.items, True)):
        rows = [p for p in parts if not only_changed or p.delta or not p.comparable or p.note]
        if not rows:
            continue
        t = Table(title=title + ("（仅列出有变化、不可比或改号、移动的项）" if only_changed else ""))
        t.add_column("编号", no_wrap=True)
        t.add_column("名称", min_width=6)
        t.add_column(str(base), no_wrap=True, justify="right")
        t.add_column(str(year), no_wrap=True, justify="right")
        t.add_column("变化", no_wrap=True, justify="right")
        t.add_column("说明", min_width=10)
        for p in rows:
            t.add_row(p.id, p.name, cell_number(p.base), cell_number(p.current), _cell(p), p.note)
        out.print(fit(t))


def _print_changes(changes: list[VillageChange], year: int, base: int, township: bool) -> None:
    # What every village shares (the rubric change) is said once above the table, not per row.
    shared = {(c.note, c.pairing) for c in changes if c.base is not None and c.current is not None}
    common = shared.pop() if len(shared) == 1 else None
    if common is not None and common[0]:
        out.print(f"注意：{common[0]}，总分不完全可比" + ("；评分项按 crosswalk 对应" if common[1] else ""), markup=False)
    t = Table(title=f"{base} → {year} 年度对比（{len(changes)} 个村）",
              caption="维度：只列出有变化或不可比的维度；单村逐项对比：sanzhi yoy 村代码 --year " + str(year))
    t.add_column("村代码", no_wrap=True, min_width=12)
    t.add_column("村名称" if township else "村名称 / 乡镇")  # a county's list: the township under the name
    t.add_column(str(base), no_wrap=True, justify="right")
    t.add_column(str(year), no_wrap=True, justify="right")
    t.add_column("变化", no_wrap=True, justify="right")
    t.add_column("等级")
    t.add_column("维度与说明")
    for c in changes:
        moved = [f"{d.name} {_cell(d)}" for d in c.dimensions if d.delta or not d.comparable]
        notes = "；".join(moved)
        if common is None or c.base is None or c.current is None:
            notes = "；".join(filter(None, (notes, c.note)))
        rating = "" if c.base is None or c.current is None else (
            c.current.rating_name if c.base.rating_name == c.current.rating_name else f"{c.base.rating_name} → {c.current.rating_name}")
        t.add_row(c.village_code, c.village_name if township else f"{c.village_name}\n{c.township}",
                  cell_number(c.base.total if c.base else None), cell_number(c.current.total if c.current else None), signed(c.delta),
                  rating, notes)
    out.print(fit(t))
