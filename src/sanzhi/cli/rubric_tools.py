"""`sanzhi rubric diff | impact | sensitivity | test`: tools for the bodies that maintain a rubric.

Registered on the `rubric` command group by `register(rubric_app)` in sanzhi.cli. Each
command parses its arguments, calls a runner in sanzhi.app.revisions (reading files, a process
pool for large batches) over the pure core (sanzhi.standard.diff, sanzhi.scoring.impact,
sanzhi.standard.rubric_tests), and prints a Chinese table or JSON.
"""

import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from sanzhi.app import api
from sanzhi.app.revisions import (
    ExampleOutcome,
    Failure,
    run_examples,
    run_impact,
    run_sensitivity,
    stored_run_paths,
    village_paths,
)
from sanzhi.cli.boundary import error_boundary
from sanzhi.common.errors import ExitCode
from sanzhi.common.numbers import fmt
from sanzhi.reports.json_output import to_data
from sanzhi.reports.terminal import fit
from sanzhi.scoring.impact import ImpactReport, SensitivityReport
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.diff import (
    STATUS_ZH,
    WHAT_ZH,
    EntryDiff,
    RubricDiff,
    diff_rubrics,
    text_hunks,
)

FORMAT_VERSION = 1


def _data_paths(data: Sequence[Path] | None, run_id: str | None, db: str | None) -> list[Path]:
    paths = village_paths(data or [])
    if run_id is not None:
        stored, notes = stored_run_paths(run_id, db)
        for note in notes:
            typer.echo(f"注意：批次 {run_id} 中{note}。", err=True)
        paths += stored
    if not paths:
        raise typer.BadParameter("请给出村自评数据文件或文件夹，或用 --run 指定一个已存储的批次")
    return paths


def _console() -> Console:
    # Built per call so COLUMNS set by the caller (tests, scripts) is honoured.
    return Console(highlight=False, soft_wrap=False)


def _json_out(kind: str, data: object) -> None:
    doc = {"format": f"sanzhi.{kind}", "schema_version": FORMAT_VERSION, **to_data(data)}  # type: ignore[dict-item]
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


# =========================================================================== rubric diff


def render_diff(d: RubricDiff) -> Group:
    head = Text()
    head.append(f"评分标准对比：{d.a.ref} → {d.b.ref}\n", style="bold")
    for label, r in (("旧", d.a), ("新", d.b)):
        draft = "，征求意见稿" if r.status == "draft" else ""
        head.append(f"  {label}：{r.title}（{r.effective_date} 起施行{draft}，满分 {r.total_points} 分）\n")
    if d.crosswalk:
        head.append(f"  评分项对应：{d.crosswalk}\n")
    counts = d.counts()
    if not d.entries:
        head.append("两者内容相同。\n")
        return Group(head)
    summary = []
    for what in WHAT_ZH:
        if what in counts:
            tally = "、".join(f"{STATUS_ZH[s]} {n}" for s, n in sorted(counts[what].items(), key=lambda kv: list(STATUS_ZH).index(kv[0])))
            summary.append(f"{WHAT_ZH[what]}：{tally}")
    head.append("  " + "；".join(summary) + "\n")
    parts: list[Any] = [head]
    for title, kinds in (("维度与指标", ("dimension", "indicator")), ("评分项", ("item",)),
                         ("一票否决与等级", ("veto", "tier", "setting")), ("填报字段", ("field", "attribute", "derived"))):
        rows = [e for e in d.entries if e.what in kinds]
        if rows:
            parts.append(_diff_table(title, rows))
    for w in d.warnings:
        parts.append(Text(f"注意：{w}"))
    return Group(*parts)


def _id_cell(e: EntryDiff) -> str:
    """"4.1.1"; "2.3.2 → 2.3.3" when renumbered; split and merged one id a line."""
    if e.what == "setting":
        return "—"
    old, new = "\n".join(e.old_ids), "\n".join(e.new_ids)
    if not e.old_ids or not e.new_ids or e.old_ids == e.new_ids:
        return old or new
    return f"{old}\n→ {new}" if len(e.old_ids) + len(e.new_ids) > 2 else f"{old} → {new}"


_SHORT = 24  # texts up to this many characters are shown whole
_RULE_WHOLE = 48  # a changed rule this short is shown whole, old then new


def _change_text(label: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"{label}：{new}"
    if new is None:
        return f"{label}：{old} → （无）"
    if len(old) <= _SHORT and len(new) <= _SHORT:
        return f"{label}：{old} → {new}"
    hunks = text_hunks(old, new)
    if len(hunks) > 3 or any(len(a) > 40 or len(b) > 40 for a, b in hunks):
        return f"{label}改写为：{new}"  # mostly rewritten: the new text reads better than fragments
    return f"{label}：" + "\n  ".join(f"{a} → {b}" for a, b in hunks)


def _rules_text(old: str | None, new: str | None) -> str:
    gone = old.split("\n") if old else []
    came = new.split("\n") if new else []
    if len(gone) == len(came):
        return "\n".join(_change_text("规则", a, b) if len(a) > _RULE_WHOLE or len(b) > _RULE_WHOLE else f"规则：{a}\n    → {b}"
                         for a, b in zip(gone, came))
    return "\n".join([*(f"规则（删）：{a}" for a in gone), *(f"规则（增）：{b}" for b in came)])


def _diff_table(title: str, rows: list[EntryDiff]) -> Table:
    mixed = len({e.what for e in rows}) > 1
    table = Table(title=title, title_justify="left", show_lines=True)
    if mixed:
        table.add_column("类别", no_wrap=True)
    table.add_column("编号", no_wrap=True)
    table.add_column("变化", overflow="fold", max_width=10)
    table.add_column("名称", overflow="fold", max_width=16)
    table.add_column("说明", overflow="fold", ratio=1)
    for e in rows:
        name = e.new_name or e.old_name or ""
        if e.old_name and e.new_name and e.old_name != e.new_name and e.status not in ("split", "merged"):
            name = f"{e.old_name} → {e.new_name}"
        status = STATUS_ZH[e.status] + ("\n（对应表）" if e.via == "crosswalk" else "\n（内容相同）" if e.via == "content" else "")
        notes = []
        for c in e.changes:
            if c.field == "name" or (e.status in ("added", "removed") and c.field in ("points", "place")):
                continue
            if c.field == "rules":
                notes.append(_rules_text(c.old, c.new))
            elif c.field == "place":
                notes.append(f"位置：{_place(c.old)} → {_place(c.new)}")
            elif e.what == "setting":
                notes.append(_change_text("", c.old, c.new).lstrip("："))
            else:
                notes.append(_change_text(c.label, c.old, c.new))
        if e.status in ("added", "removed"):
            pts = next((c.old or c.new for c in e.changes if c.field == "points"), None)
            place = next((c.old or c.new for c in e.changes if c.field == "place"), None)
            notes.insert(0, "，".join(x for x in (f"{pts} 分" if pts else None, f"位于{_place(place)}" if place else None) if x))
        table.add_row(*((WHAT_ZH[e.what],) if mixed else ()), _id_cell(e), status, name, "\n".join(n for n in notes if n))
    return fit(table)


def _place(place: str | None) -> str:
    return "—" if place is None else place if place == "加分项" else f"指标 {place}"


def rubric_diff(
    a: Annotated[str, typer.Argument(help="旧版：内置评分标准 ID@版本，或 YAML 文件")],
    b: Annotated[str, typer.Argument(help="新版（或变体）：内置评分标准 ID@版本，或 YAML 文件")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是表格")] = False,
) -> None:
    """对比两个评分标准版本：新增、删除、改号、移动的评分项，分值与规则、等级与否决项的变化。"""
    with error_boundary():
        ca, _ = api.load_compiled_rubric(a)
        cb, _ = api.load_compiled_rubric(b)
        d = diff_rubrics(ca.rubric, cb.rubric)
        if as_json:
            _json_out("rubric_diff", {"a_hash": ca.content_hash, "b_hash": cb.content_hash, "counts": d.counts(), **to_data(d)})  # type: ignore[dict-item]
        else:
            _console().print(render_diff(d))


# =========================================================================== rubric impact


def _signed(x: Decimal) -> str:
    return ("+" if x > 0 else "") + fmt(x)


def render_impact(r: ImpactReport) -> Group:
    head = Text()
    head.append(f"修订影响：{r.a} → {r.b}\n", style="bold")
    head.append(f"  共 {r.villages} 个村（社区）按两个版本评分")
    head.append(f"，{r.failures} 个因数据问题未能评分\n" if r.failures else "\n")
    if r.villages:
        head.append(f"  等级变化 {r.changed_rating} 个（升 {r.up}，降 {r.down}）；总分变化 {r.score_changed} 个；"
                    f"平均总分 {fmt(r.mean_total_a)} → {fmt(r.mean_total_b)}\n")  # type: ignore[arg-type]
    if not r.villages:
        return Group(head)
    matrix = Table(title="等级变化（行：旧版等级，列：新版等级，单位：村）", title_justify="left")
    cells = {(f.rating_a, f.rating_b): f.villages for f in r.matrix}
    rows = [n for n in r.ratings if any(x == n for x, _ in cells)]
    cols = [n for n in r.ratings if any(y == n for _, y in cells)]
    matrix.add_column("旧版 \\ 新版")
    for c in cols:
        matrix.add_column(c, justify="right")
    matrix.add_column("合计", justify="right")
    for x in rows:
        matrix.add_row(x, *(str(cells.get((x, y), 0)) if x != y else f"[{cells.get((x, y), 0)}]" for y in cols),
                       str(sum(v for (p, _), v in cells.items() if p == x)))
    matrix.add_row("合计", *(str(sum(v for (_, q), v in cells.items() if q == y)) for y in cols), str(r.villages))
    dims = Table(title="各维度变化（平均分）", title_justify="left")
    for col, just in (("维度", "left"), ("分值", "right"), ("旧版平均", "right"), ("新版平均", "right"), ("平均变化", "right"), ("得分变化的村", "right")):
        dims.add_column(col, justify=just)  # type: ignore[arg-type]
    for d in r.dimensions:
        pts = fmt(d.points_a) if d.points_a is not None and d.points_a == d.points_b else f"{fmt(d.points_a) if d.points_a else '—'} → {fmt(d.points_b) if d.points_b else '—'}"
        dims.add_row(f"{d.id} {d.name}", pts, fmt(d.mean_a) if d.mean_a is not None else "—", fmt(d.mean_b) if d.mean_b is not None else "—",
                     _signed(d.mean_delta) if d.mean_delta is not None else "—", str(d.villages_changed))
    movers = Table(title=f"变化最大的 {len(r.movers)} 个村", title_justify="left", show_lines=True)
    movers.add_column("村（社区）", no_wrap=True)  # name, code and township on three lines: room for the items
    movers.add_column("总分", justify="right")  # "84 → 86.3", on two lines when narrow
    movers.add_column("变化", justify="right", no_wrap=True)
    movers.add_column("等级")
    movers.add_column("主要变动项", ratio=1)
    for v in r.movers:
        rating = v.rating_a if v.rating_a == v.rating_b else f"{v.rating_a} → {v.rating_b}"
        lines = [_move(m) for m in v.items[:3]]
        if v.residual:
            lines.append(f"（不适用项折算、加分封顶 {_signed(v.residual)}）")
        items = "\n".join(lines)
        movers.add_row(f"{v.name}\n{v.code}\n{v.township}", f"{fmt(v.total_a)} → {fmt(v.total_b)}", _signed(v.delta), rating, items or "—")
    return Group(head, fit(matrix), fit(dims), fit(movers))


def _move(m: Any) -> str:
    if m.item_a is None:
        return f"{m.item_b} {m.name}（新增）得 {fmt(m.score_b)}"
    if m.item_b is None:
        return f"{m.item_a} {m.name}（删除）原得 {fmt(m.score_a)}"
    moved = m.item_a if m.item_a == m.item_b else f"{m.item_a}→{m.item_b}"
    return f"{moved} {m.name} {_signed(m.delta)}"


def _print_failures(failures: list[Failure], limit: int = 5) -> None:
    for f in failures[:limit]:
        typer.echo(f"[{f.version}] {f.text}", err=True)
    if len(failures) > limit:
        typer.echo(f"……另有 {len(failures) - limit} 个村的数据问题未显示。", err=True)


def rubric_impact(
    a: Annotated[str, typer.Argument(help="旧版：内置评分标准 ID@版本，或 YAML 文件")],
    b: Annotated[str, typer.Argument(help="新版（或变体）：内置评分标准 ID@版本，或 YAML 文件")],
    data: Annotated[list[Path] | None, typer.Argument(help="村自评数据文件或文件夹（YAML / JSON）")] = None,
    run_id: Annotated[str | None, typer.Option("--run", help="加入一个已存储批次（sanzhi batch）评过的全部村文件")] = None,
    db: Annotated[str | None, typer.Option("--db", help="结果数据库（默认 $SANZHI_DB 或 ~/.local/share/sanzhi/results.sqlite）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是表格")] = False,
    top: Annotated[int, typer.Option("--top", min=0, help="列出变化最大的村数")] = 10,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="并行进程数（默认：CPU 核数）")] = None,
) -> None:
    """同一批村分别按两个版本评分：等级变化矩阵、变化最大的村及其变动项、各维度变化。"""
    with error_boundary():
        ca, _ = api.load_compiled_rubric(a)
        cb, _ = api.load_compiled_rubric(b)
        report, failures = run_impact(ca, cb, _data_paths(data, run_id, db), jobs, top)
        _print_failures(failures)
        if as_json:
            skipped = [{"source": f.source, "version": f.version, "problems": list(f.problems)} for f in failures]
            _json_out("rubric_impact", {**to_data(report), "skipped": skipped})  # type: ignore[dict-item]
        else:
            _console().print(render_impact(report))
    if failures:
        raise typer.Exit(ExitCode.SOME_SKIPPED if report.villages else ExitCode.INVALID_INPUT)


# =========================================================================== rubric sensitivity


def render_sensitivity(r: SensitivityReport) -> Group:
    pct = fmt(r.step * 100)
    head = Text()
    head.append(f"权重敏感性：{r.rubric}\n", style="bold")
    head.append(f"  {r.villages} 个村（社区）；每个维度的分值依次调整 ±{pct}%，其余维度按原比例分摊，总分不变；"
                f"维度最低分随其维度同比例调整\n")
    if r.failures:
        head.append(f"  {r.failures} 个村因数据问题未能评分\n")
    table = Table(title="等级发生变化的村数", title_justify="left", show_lines=True)
    for col, just in (("维度", "left"), ("分值", "right"), (f"−{pct}%", "right"), (f"+{pct}%", "right"), ("主要流向", "left")):
        table.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    for d in r.dimensions:
        flows = [f"−{pct}%：{f.rating_a} → {f.rating_b} {f.villages}" for f in d.minus.flows[:2]]
        flows += [f"+{pct}%：{f.rating_a} → {f.rating_b} {f.villages}" for f in d.plus.flows[:2]]
        table.add_row(f"{d.id} {d.name}", fmt(d.points), _shift(d.minus), _shift(d.plus), "\n".join(flows) or "—")
    return Group(head, fit(table))


def _shift(s: Any) -> str:
    return f"{s.changed}（升 {s.up}，降 {s.down}）" if s.changed else "0"


def rubric_sensitivity(
    ref: Annotated[str, typer.Argument(help="内置评分标准 ID[@版本]，或 YAML 文件")],
    data: Annotated[list[Path] | None, typer.Argument(help="村自评数据文件或文件夹（YAML / JSON）")] = None,
    run_id: Annotated[str | None, typer.Option("--run", help="加入一个已存储批次（sanzhi batch）评过的全部村文件")] = None,
    db: Annotated[str | None, typer.Option("--db", help="结果数据库（默认 $SANZHI_DB 或 ~/.local/share/sanzhi/results.sqlite）")] = None,
    step: Annotated[float, typer.Option("--step", min=0.01, max=0.5, help="权重调整幅度（0.1 即 ±10%）")] = 0.1,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是表格")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="并行进程数（默认：CPU 核数）")] = None,
) -> None:
    """每个维度的权重上下浮动 ±10% 时，有多少村的等级会变化。"""
    with error_boundary():
        c, _ = api.load_compiled_rubric(ref)
        report, failures = run_sensitivity(c, _data_paths(data, run_id, db), Decimal(str(step)), jobs)
        _print_failures(failures)
        if as_json:
            skipped = [{"source": f.source, "version": f.version, "problems": list(f.problems)} for f in failures]
            _json_out("rubric_sensitivity", {**to_data(report), "skipped": skipped})  # type: ignore[dict-item]
        else:
            _console().print(render_sensitivity(report))
    if failures:
        raise typer.Exit(ExitCode.SOME_SKIPPED if report.villages else ExitCode.INVALID_INPUT)


# =========================================================================== rubric test


def render_examples(compiled: CompiledRubric, outcomes: list[ExampleOutcome]) -> str:
    lines = [f"示例村测试：{compiled.rubric.title}（{compiled.ref}）"]
    if not outcomes:
        lines.append("该评分标准没有示例村（examples）。")
        return "\n".join(lines)
    for o in outcomes:
        if o.error is not None:
            lines.append(f"✗ {o.name}：示例数据有误")
            lines.extend("    " + line if line else "" for line in o.error.splitlines())
        elif o.passed:
            lines.append(f"✓ {o.name}（总分 {o.total}，{o.rating}）")
        else:
            lines.append(f"✗ {o.name}")
            lines.extend(f"    {d.what}：期望 {d.expected}，实际 {d.actual}" for d in o.differences)
    failed = sum(1 for o in outcomes if not o.passed)
    lines.append(f"共 {len(outcomes)} 个示例村：{len(outcomes) - failed} 个通过，{failed} 个未通过。")
    return "\n".join(lines)


def rubric_test(
    ref: Annotated[str, typer.Argument(help="评分标准 YAML 文件，或内置评分标准 ID[@版本]")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是文字")] = False,
) -> None:
    """为评分标准自带的示例村（examples）评分，逐项报告与期望得分、等级的差异。"""
    with error_boundary():
        compiled, outcomes = run_examples(ref)
        if as_json:
            _json_out("rubric_test", {"rubric": compiled.ref, "rubric_hash": compiled.content_hash,
                                      "passed": sum(o.passed for o in outcomes), "failed": sum(not o.passed for o in outcomes),
                                      "examples": to_data(outcomes)})
        else:
            typer.echo(render_examples(compiled, outcomes))
    if any(not o.passed for o in outcomes):
        raise typer.Exit(ExitCode.SOME_SKIPPED)


def register(rubric_app: typer.Typer) -> None:
    """Add diff, impact, sensitivity and test to the `sanzhi rubric` command group."""
    rubric_app.command("diff")(rubric_diff)
    rubric_app.command("impact")(rubric_impact)
    rubric_app.command("sensitivity")(rubric_sensitivity)
    rubric_app.command("test")(rubric_test)
