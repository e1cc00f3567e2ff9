"""`sanzhi periods`: the rounds of a year (months, quarters, halves) side by side, each against the one before, and the year they make."""

from typing import Annotated

import typer
from rich.table import Table

from sanzhi.batch.queries.periods import period_over_period
from sanzhi.batch.queries.rows import unit_of_code
from sanzhi.batch.yearly import years_from_periods
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.queries.common import (
    UNIT_WORDS,
    CountyOption,
    DbOption,
    JsonOption,
    TownshipOption,
    Unit,
    UnitOption,
    cell_number,
    dump,
    err,
    open_store,
    out,
    period_label,
    signed,
)
from sanzhi.reports.terminal import fit


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
        with open_store(db) as store:
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

            dump({code: {"periods": [{"period": s.row.period or str(s.row.year), "label": period_label(s.row),
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
                if period_label(s_.row) not in labels:
                    labels.append(period_label(s_.row))
        word = UNIT_WORDS[unit.value]
        t = Table(title=f"{year} 年度各评定期对比（{len(found)} 个{word}；括号内为与上一期相比）")
        yearly = ("年度（由各期评定）",) if years else ()
        t.add_column(f"{word}代码", no_wrap=True)
        t.add_column(f"{word}名称", min_width=4)
        for col in (*labels, *yearly):
            t.add_column(col, justify="right")
        for code, steps in found.items():
            cells = {period_label(s_.row): cell_number(s_.row.total) + (f"（{signed(s_.delta)}）" if s_.delta else "") for s_ in steps}
            y = years.get(code)
            ycell = ((f"{cell_number(y.score.total)} {y.rating}" if y.score.total is not None else "无法评定") if y else "—",) if years else ()
            t.add_row(code, steps[-1].row.village_name, *(cells.get(lb, "") for lb in labels), *ycell)
        out.print(fit(t))
        for code, y in years.items():  # how each year was reached: rounds, combination, missing rounds
            err.print(f"{code} 年度：{y.score.text}（{y.rubric} 的 periods 规则）", markup=False)
