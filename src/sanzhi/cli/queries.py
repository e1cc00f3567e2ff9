"""`sanzhi history`, `ranking`, `yoy`: queries over the stored runs. Tables to stdout, `--json` for scripts."""

import json
import os
import sys
from decimal import Decimal
from enum import Enum
from typing import Annotated

import typer
from rich.table import Table

from sanzhi.batch.queries.history import RubricStep, rubric_steps
from sanzhi.batch.queries.history import history as history_of
from sanzhi.batch.queries.periods import period_over_period
from sanzhi.batch.queries.ranking import RankRow
from sanzhi.batch.queries.ranking import ranking as ranking_of
from sanzhi.batch.queries.rows import VillageRow, unit_of_code
from sanzhi.batch.queries.yoy import Change, VillageChange, year_over_year
from sanzhi.batch.runner import resolve_db
from sanzhi.batch.store import Store, is_postgres
from sanzhi.batch.yearly import years_from_periods
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.screen import Screen
from sanzhi.common.errors import Diagnostic, UserError
from sanzhi.common.numbers import fmt
from sanzhi.reports.terminal import fit

out = Screen(highlight=False)
err = Screen(stderr=True, highlight=False, soft_wrap=True)


def _open_store(db: str | None) -> Store:
    url = resolve_db(db)
    if not is_postgres(url):
        path = url.removeprefix("sqlite:///")
        if not os.path.exists(path):
            raise UserError([Diagnostic("O111", f"结果数据库不存在：{path}", hint="先运行 sanzhi batch，或用 --db 指定数据库")])
    store = Store(url)
    store.ensure_schema()
    return store


def _d(v: Decimal | None) -> str:
    return "" if v is None else fmt(v)


def _signed(v: Decimal | None) -> str:
    if v is None:
        return ""
    return ("+" if v > 0 else "") + fmt(v)


def _dump(data: object) -> None:
    def default(o: object) -> object:
        if isinstance(o, Decimal):
            return fmt(o)
        raise TypeError(type(o))

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=default) + "\n")


class Unit(str, Enum):
    village = "village"
    township = "township"
    county = "county"


_UNIT_WORDS = {"village": "村", "township": "乡镇", "county": "县"}
UnitOption = Annotated[Unit, typer.Option("--unit", help="village：村；township：乡镇（乡镇评分标准的批次）；county：县")]
PeriodOption = Annotated[str | None, typer.Option("--period", help="评定期：2025-11（月）、2025-Q3（季度）、2025-H1（半年）；默认全年")]


def _period(year: int, period: str | None) -> str:
    """--period → runs.period ('' for the year); its year must be --year's."""
    if period is None:
        return ""
    from sanzhi.common.periods import PeriodError, parse_period

    try:
        p = parse_period(period)
    except PeriodError as e:
        raise typer.BadParameter(str(e)) from None
    if p.year != year:
        raise typer.BadParameter(f"--period {period} 不在 --year {year} 年度内")
    return p.stored


def _when(year: int, stored: str) -> str:
    from sanzhi.common.periods import stored_period

    return f"{year} 年度" if not stored else stored_period(year, stored).label


def _period_label(r: VillageRow) -> str:
    return _period_words(r.year, r.period) if r.period else "全年"


def _period_words(year: int, stored: str) -> str:
    from sanzhi.common.periods import stored_period

    return stored_period(year, stored).label


def _print_unit_ranking(rows: list[RankRow], shown: list[RankRow], unit: "Unit", when: str,
                        county: str | None, tiers: bool) -> None:
    word = _UNIT_WORDS[unit.value]
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
                  v.village_name, _d(v.total), v.rating_name, v.vetoes or "")
    out.print(fit(t))


DbOption = Annotated[str | None, typer.Option("--db", help="结果数据库（默认 $SANZHI_DB 或 ~/.local/share/sanzhi/results.sqlite）")]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON")]
TownshipOption = Annotated[str | None, typer.Option("--township", help="乡镇（街道）名称")]
CountyOption = Annotated[str | None, typer.Option("--county", help="县（市、区）名称")]


def history(
    village: Annotated[str, typer.Argument(help="村代码（12 位统计用区划代码）")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """某村历年的总分与等级；评分标准换版的年份列出改号、移动的评分项。"""
    with error_boundary():
        with _open_store(db) as store:
            rows = history_of(store, village)
            steps = {(s.year, s.period): s for s in rubric_steps(store, rows)}
        if as_json:
            _dump([{"year": r.year, **({"period": r.period} if r.period else {}), "village_code": r.village_code, "village_name": r.village_name, "township": r.township,
                    "county": r.county, "total": r.total, "rating": r.rating_name, "rating_tier": r.rating_tier,
                    "vetoed": r.vetoed, "vetoes": r.vetoes, "rubric": f"{r.rubric_id}@{r.rubric_version}",
                    "rubric_hash": r.rubric_hash, "run_id": r.run_id,
                    "rubric_change": _step_json(steps[r.year, r.period]) if (r.year, r.period) in steps else None}
                   for r in rows])
            return
        if not rows:
            err.print(f"数据库中没有{_UNIT_WORDS[unit_of_code(village)]} {village} 的评分记录。", markup=False)
            return
        last = rows[-1]
        periods = any(r.period for r in rows)  # a column only when some run was for a period within the year
        place = last.county + (last.township if last.unit != "township" else "")
        t = Table(title=f"{last.village_name}（{village}，{place}）历年评定")
        t.add_column("年度", no_wrap=True)
        if periods:
            t.add_column("评定期", no_wrap=True)
        t.add_column("总分", no_wrap=True, justify="right")
        t.add_column("等级", min_width=8)
        t.add_column("一票否决", min_width=4, ratio=1)
        # 80 columns: the rubric and the run share a column, one above the other, and stay whole
        # (they were folded mid-word); the rating and the vetoes wrap instead.
        t.add_column("评分标准 / 批次", no_wrap=True)
        for r in rows:
            t.add_row(str(r.year), *((_period_label(r),) if periods else ()), _d(r.total), r.rating_name, r.vetoes or "—",
                      f"{r.rubric_id}@{r.rubric_version}\n{r.run_id}")
        out.print(fit(t))
        for step in steps.values():
            for line in _step_lines(step, village):
                out.print(line, markup=False)


def _step_json(s: RubricStep) -> dict[str, object]:
    return {"from": s.before, "to": s.after, "pairing": s.pairing, "items": list(s.items), "items_changed": s.changed,
            "dimensions": list(s.dimensions), "outline_missing": s.outline_missing}


def _step_lines(s: RubricStep, village: str) -> list[str]:
    when = f"{s.year} 年" if not s.period else _period_words(s.year, s.period)
    lines = [f"{when}起评分标准 {s.before} → {s.after}" + ("，评分项按 crosswalk 对应" if s.pairing else "")
             + "，总分不完全可比："]
    if s.outline_missing:
        lines.append("  · 其中一年的批次由较早版本的 sanzhi 记录，未存评分项对应关系；评分项按编号对比")
    lines += [f"  · {text}" for text in s.items]
    if s.changed:
        lines.append(f"  · 另有 {s.changed} 个评分项的定义有变化")
    if s.dimensions:
        lines.append(f"  · 维度分值：{'；'.join(s.dimensions)}")
    lines.append(f"  逐项对比：sanzhi yoy {village} --year {s.year}" + (f" --period {s.period}" if s.period else ""))
    return lines


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
        stored = _period(year, period)
        if unit is Unit.village and (township is None) == (county is None):
            raise typer.BadParameter("请给出 --township 或 --county 之一")
        if unit is not Unit.village and township is not None:
            raise typer.BadParameter("乡镇、县的排名按县（--county）或全部县列出，不能用 --township")
        if unit is Unit.township and county is None:
            raise typer.BadParameter("乡镇排名请给出 --county（县（市、区）名称）")
        with _open_store(db) as store:
            rows = ranking_of(store, year, township=township, county=county, unit=unit.value, period=stored)
        shown = [r for r in rows if top is None or (r.rank is not None and r.rank <= top)]
        if as_json:
            _dump([{"rank": r.rank, "rank_tier": r.rank_tier, "village_code": r.village.village_code,
                    "village_name": r.village.village_name, "township": r.village.township, "county": r.village.county,
                    "total": r.village.total, "rating": r.village.rating_name, "vetoes": r.village.vetoes,
                    "run_id": r.village.run_id} for r in shown])
            return
        when = _when(year, stored)
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
                      v.village_name if township else f"{v.village_name}\n{v.township}", _d(v.total), v.rating_name,
                      v.vetoes or "")
        out.print(fit(t))


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
        stored = _period(year, period)
        base = base_year or year - 1
        with _open_store(db) as store:
            changes = year_over_year(store, year, base, code=village, township=township, county=county,
                                     items=items or village is not None, unit=unit.value, period=stored)
        if as_json:
            _dump([_change_json(c) for c in changes])
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
    return _signed(p.delta) if p.comparable else "不可比"


def _print_village_change(c: VillageChange, year: int, base: int) -> None:
    out.print(f"{c.village_name}（{c.village_code}）{base} → {year}", markup=False)
    if c.base is None or c.current is None:
        out.print(c.note, markup=False)
        return
    out.print(f"总分 {_d(c.base.total)} → {_d(c.current.total)}（{_signed(c.delta)}）；等级 {c.base.rating_name} → {c.current.rating_name}",
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
            t.add_row(p.id, p.name, _d(p.base), _d(p.current), _cell(p), p.note)
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
                  _d(c.base.total if c.base else None), _d(c.current.total if c.current else None), _signed(c.delta),
                  rating, notes)
    out.print(fit(t))


def periods(
    year: Annotated[int, typer.Option("--year", help="评定年度")],
    village: Annotated[str | None, typer.Argument(help="村（乡镇、县）代码；不给则按 --township / --county 列出")] = None,
    township: TownshipOption = None,
    county: CountyOption = None,
    unit: UnitOption = Unit.village,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """评定期对比（环比）：某年度各评定期（月、季度、半年）的总分与等级，及与上一期相比的变化。"""
    with error_boundary():
        if village is not None:
            unit = Unit(unit_of_code(village))
        elif township is None and county is None and unit is not Unit.county:
            raise typer.BadParameter("请给出一个代码，或 --township / --county 之一")
        with _open_store(db) as store:
            found = period_over_period(store, year, code=village, township=township, county=county,
                                       unit=unit.value)
            years = years_from_periods(store, found)
        if as_json:
            def year_json(code: str) -> dict[str, object] | None:
                y = years.get(code)
                if y is None:
                    return None
                return {"total": y.score.total, "rating": y.rating, "text": y.score.text, "rubric": y.rubric,
                        "rounds": [{"round": r.number, "score": r.score, "how": r.how} for r in y.score.rounds]}

            _dump({code: {"periods": [{"period": s.row.period or str(s.row.year), "label": _period_label(s.row),
                                       "total": s.row.total, "rating": s.row.rating_name, "delta": s.delta,
                                       "comparable": s.comparable, "rubric": f"{s.row.rubric_id}@{s.row.rubric_version}",
                                       "run_id": s.row.run_id} for s in steps],
                          "year_from_periods": year_json(code)}
                   for code, steps in found.items()})
            return
        if not found:
            err.print(f"数据库中没有 {year} 年度的相应评分记录。", markup=False)
            return
        labels: list[str] = []
        for steps in found.values():
            for s_ in steps:
                if _period_label(s_.row) not in labels:
                    labels.append(_period_label(s_.row))
        word = _UNIT_WORDS[unit.value]
        t = Table(title=f"{year} 年度各评定期对比（{len(found)} 个{word}；括号内为与上一期相比）")
        yearly = ("年度（由各期评定）",) if years else ()
        t.add_column(f"{word}代码", no_wrap=True)
        t.add_column(f"{word}名称", min_width=4)
        for col in (*labels, *yearly):
            t.add_column(col, justify="right")
        for code, steps in found.items():
            cells = {_period_label(s_.row): _d(s_.row.total) + (f"（{_signed(s_.delta)}）" if s_.delta else "") for s_ in steps}
            y = years.get(code)
            ycell = ((f"{_d(y.score.total)} {y.rating}" if y.score.total is not None else "无法评定") if y else "—",) if years else ()
            t.add_row(code, steps[-1].row.village_name, *(cells.get(lb, "") for lb in labels), *ycell)
        out.print(fit(t))
        for code, y in years.items():  # how each year was reached: rounds, combination, missing rounds
            err.print(f"{code} 年度：{y.score.text}（{y.rubric} 的 periods 规则）", markup=False)


def register(app: typer.Typer) -> None:
    """Add the query commands to the main `sanzhi` app."""
    app.command("history")(history)
    app.command("ranking")(ranking)
    app.command("yoy")(yoy)
    app.command("periods")(periods)


__all__ = ["history", "periods", "ranking", "register", "yoy"]
