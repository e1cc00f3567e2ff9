"""`sanzhi history CODE`: a village's (township's, county's) totals and ratings over the years, and the rubric changes between them."""

from typing import Annotated

import typer
from rich.table import Table

from sanzhi.batch.queries.history import RubricStep, rubric_steps
from sanzhi.batch.queries.history import history as history_of
from sanzhi.batch.queries.rows import unit_of_code
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.queries.common import (
    UNIT_WORDS,
    DbOption,
    JsonOption,
    cell_number,
    dump,
    err,
    open_store,
    out,
    period_label,
    period_words,
)
from sanzhi.reports.terminal import fit


def history(
    village: Annotated[str, typer.Argument(help="村代码（12 位统计用区划代码）")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """某村历年的总分与等级；评分标准换版的年份列出改号、移动的评分项。"""
    with error_boundary():
        with open_store(db) as store:
            rows = history_of(store, village)
            steps = {(s.year, s.period): s for s in rubric_steps(store, rows)}
        if as_json:
            dump([{"year": r.year, **({"period": r.period} if r.period else {}), "village_code": r.village_code, "village_name": r.village_name, "township": r.township,
                    "county": r.county, "total": r.total, "rating": r.rating_name, "rating_tier": r.rating_tier,
                    "vetoed": r.vetoed, "vetoes": r.vetoes, "rubric": f"{r.rubric_id}@{r.rubric_version}",
                    "rubric_hash": r.rubric_hash, "run_id": r.run_id,
                    "rubric_change": _step_json(steps[r.year, r.period]) if (r.year, r.period) in steps else None}
                   for r in rows])
            return
        if not rows:
            err.print(f"数据库中没有{UNIT_WORDS[unit_of_code(village)]} {village} 的评分记录。", markup=False)
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
            t.add_row(str(r.year), *((period_label(r),) if periods else ()), cell_number(r.total), r.rating_name, r.vetoes or "—",
                      f"{r.rubric_id}@{r.rubric_version}\n{r.run_id}")
        out.print(fit(t))
        for step in steps.values():
            for line in _step_lines(step, village):
                out.print(line, markup=False)


def _step_json(s: RubricStep) -> dict[str, object]:
    return {"from": s.before, "to": s.after, "pairing": s.pairing, "items": list(s.items), "items_changed": s.changed,
            "dimensions": list(s.dimensions), "outline_missing": s.outline_missing}


def _step_lines(s: RubricStep, village: str) -> list[str]:
    when = f"{s.year} 年" if not s.period else period_words(s.year, s.period)
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
