"""`sanzhi batch`, `history`, `ranking`, `yoy`: the batch commands, registered into the main app.

Parses arguments, calls `sanzhi.batch`, prints. Progress and problems go to stderr; query
results to stdout (`--json` for scripts).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from sanzhi.app import api
from sanzhi.batch.runner import BatchOptions, BatchSummary, run_batch
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.formats import format_notices, format_options
from sanzhi.cli.screen import Screen
from sanzhi.common.errors import ExitCode
from sanzhi.common.gcpolicy import fewer_collections

out = Screen(highlight=False)
err = Screen(stderr=True, highlight=False, soft_wrap=True)
MAX_PROBLEMS_SHOWN = 50


class ExecutorKind(str, Enum):
    local = "local"
    dask = "dask"


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:,.0f} 村/秒")


class RichReporter:
    """A progress bar on stderr (villages done, rate, time left); problems printed above it."""

    def __init__(self, console: Console, out_dir: Path) -> None:
        self.console = console
        self.out_dir = out_dir
        self.shown = 0
        self.hidden = 0
        self.progress = Progress(
            TextColumn("评分"), BarColumn(), MofNCompleteColumn(), TextColumn("村"), _Rate(),
            TextColumn("已用"), TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
            console=console, transient=True, refresh_per_second=4,
        )
        self.task: Any = None

    def start(self, total: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task("batch", total=total)

    def add_total(self, n: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, total=(self.progress.tasks[0].total or 0) + n)

    def advance(self, n: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def problem(self, lines: Sequence[str]) -> None:
        if self.shown < MAX_PROBLEMS_SHOWN:
            self.shown += 1
            for line in lines:
                self.console.print(f"跳过 {line}", markup=False)
        else:
            self.hidden += 1

    def note(self, text: str) -> None:
        self.console.print(text, markup=False)

    def stop(self) -> None:
        self.progress.stop()
        if self.hidden:
            self.console.print(f"……另有 {self.hidden} 个村的问题未在此列出，全部见 {self.out_dir / 'skipped.csv'}", markup=False)
            self.hidden = 0


def _print_summary(s: BatchSummary, year: int | str, ref: str) -> None:
    rate = s.processed / s.seconds if s.seconds > 0 else 0.0
    head = f"批次 {s.run_id} 完成：{year} 年度评分 {s.scored} 个村" if isinstance(year, int) else f"批次 {s.run_id} 完成：{year}评分 {s.scored} 个村"
    if s.skipped:
        head += f"，{s.skipped} 个村数据有误已跳过"
    if s.resumed:
        head += f"（续跑：沿用 {s.reused} 个村，重做 {s.processed} 个村）"
    err.print(head, markup=False)
    t = s.timings
    stages = f"（准备 {t.get('setup', 0):.1f}，评分 {t.get('score', 0):.1f}，清理 {t.get('sweep', 0):.1f}，名单与汇总 {t.get('publish', 0):.1f}）" if t else ""
    err.print(f"用时 {s.seconds:.1f} 秒{stages}，{rate:,.0f} 村/秒", markup=False)
    if s.ratings:
        err.print("等级：" + " · ".join(f"{k} {v}" for k, v in s.ratings.items()) + f"；一票否决 {s.vetoed} 个村", markup=False)
    err.print(f"结果：{s.out_dir / 'villages'}；名单：{s.out_dir / 'published'}；汇总：{s.out_dir / 'summary.json'}", markup=False)
    if s.skipped:
        err.print(f"跳过的村及原因：{s.out_dir / 'skipped.csv'}", markup=False)
    err.print(f"数据库：{s.db}", markup=False)
    for line in api.carried_note(s.carried, ref):
        err.print(line, markup=False)


@format_options("switch")
def batch(
    *,
    inputs: Annotated[list[Path] | None, typer.Argument(
        help="村自评数据：文件夹（YAML/JSON 每村一个文件）、文件或多村工作簿；用 --from-run 汇总乡镇（县）时为乡镇（县）自身填报数据（可不给）",
        show_default=False)] = None,
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="评分标准 ID[@版本] 或 YAML 文件")],
    year: Annotated[int | None, typer.Option("--year", help="评定年度；数据中年度不符的村会被跳过")] = None,
    period: Annotated[str | None, typer.Option("--period", help="评定期：2025-11（月）、2025-Q3（季度）、2025-H1（半年）；代替 --year")] = None,
    from_run: Annotated[str | None, typer.Option("--from-run", help="乡镇（县）评分标准：所汇总的村级批次编号（村级批次完成时显示在“批次”之后）")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="输出目录：每村结果、名单、汇总")],
    samples: Annotated[bool, typer.Option("--samples", help="加入该评分标准该年度的内置示例村数据（见 sanzhi samples list）")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", help="并行进程数（默认：全部核心）")] = None,
    formats: dict[str, bool],  # --pdf, --html, …: one switch per report format (sanzhi.cli.formats)
    resume: Annotated[bool, typer.Option("--resume", help="续跑中断的批次：输入与评分标准未变的村不再重做")] = False,
    db: Annotated[str | None, typer.Option("--db", help="结果数据库：SQLite 文件路径，或 postgresql://… URL（默认 $SANZHI_DB 或 ~/.local/share/sanzhi/results.sqlite）")] = None,
    executor: Annotated[ExecutorKind, typer.Option("--executor", help="local：本机进程池；dask：Dask 分布式集群")] = ExecutorKind.local,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask 调度器地址，如 tcp://主机:8786")] = None,
    shard_size: Annotated[int, typer.Option("--shard-size", help="每个任务的村数", min=1)] = 200,
) -> None:
    """年度（或按评定期）批量评定：为全部村评分，写出每村结果、名单（XLSX/CSV）与汇总，并存入结果数据库；
    乡镇、县评分标准用 --from-run 汇总一次村级批次。"""
    summary = None
    with error_boundary(), fewer_collections():
        compiled, _ = api.load_compiled_rubric(rubric)
        wanted = tuple(name for name, on in formats.items() if on)
        if compiled.unit != "village":
            if samples:
                raise typer.BadParameter(f"--samples 只用于村级评分标准，而 {compiled.ref} 汇总村级批次（用 --from-run）")
            summary = _unit_batch(compiled, inputs or [], from_run, year, period, output, wanted, resume, db)
            return
        if from_run is not None:
            raise typer.BadParameter(f"--from-run 只用于乡镇或县评分标准，而 {compiled.ref} 是村级评分标准")
        the_year, stored = _year_and_period(year, period)
        paths = list(inputs or [])
        if samples:
            paths += api.samples_for(compiled, the_year)
        if not paths:
            raise typer.BadParameter("请给出村自评数据（文件夹或文件），或使用 --samples")
        opts = BatchOptions(inputs=tuple(paths), out_dir=output, year=the_year, db=db, jobs=jobs, formats=wanted,
                            resume=resume, executor=executor.value, scheduler=scheduler, shard_size=shard_size,
                            period=stored)
        reporter = RichReporter(err.console(), output)
        for notice in format_notices(wanted):
            reporter.note(notice)
        try:
            summary = run_batch(compiled, opts, clock=_now, reporter=reporter)
        except KeyboardInterrupt:
            reporter.stop()
            err.print(f"已中断。已完成的村已保存；用相同命令加 --resume 续跑：输出目录 {output}", markup=False)
            raise typer.Exit(ExitCode.INTERRUPTED) from None
        _print_summary(summary, _period_words(the_year, stored) if stored else the_year, compiled.ref)
    if summary is not None and summary.skipped:
        raise typer.Exit(ExitCode.SOME_SKIPPED)


def _year_and_period(year: int | None, period: str | None) -> tuple[int, str]:
    """--year and/or --period → (year, runs.period): one of them is required; they must agree."""
    from sanzhi.common.periods import PeriodError, parse_period

    if period is None:
        if year is None:
            raise typer.BadParameter("请给出 --year（评定年度）或 --period（评定期）")
        return year, ""
    try:
        p = parse_period(period)
    except PeriodError as e:
        raise typer.BadParameter(str(e)) from None
    if year is not None and year != p.year:
        raise typer.BadParameter(f"--year {year} 与 --period {period} 的年度不符")
    return p.year, p.stored


def _period_words(year: int, stored: str) -> str:
    from sanzhi.common.periods import stored_period

    return stored_period(year, stored).label


def _unit_batch(compiled: Any, inputs: list[Path], from_run: str | None, year: int | None, period: str | None,
                output: Path, wanted: tuple[str, ...], resume: bool, db: str | None) -> BatchSummary:
    from sanzhi.batch.units import UnitBatchOptions, run_unit_batch
    from sanzhi.standard.units import UNIT_NAMES

    if from_run is None:
        raise typer.BadParameter(f"{compiled.ref} 是{UNIT_NAMES[compiled.unit]}评分标准：请用 --from-run 给出所汇总的村级批次编号")
    stored = None
    if period is not None:
        _, stored = _year_and_period(year, period)
    opts = UnitBatchOptions(from_run=from_run, out_dir=output, unit_data=tuple(inputs), db=db, formats=wanted,
                            year=year, period=stored, resume=resume)
    reporter = RichReporter(err.console(), output)
    for notice in format_notices(wanted):
        reporter.note(notice)
    summary = run_unit_batch(compiled, opts, clock=_now, reporter=reporter)
    word = {"township": "乡镇", "county": "县"}[compiled.unit]
    s = summary
    err.print(f"批次 {s.run_id} 完成：汇总村级批次 {from_run}，评分 {s.scored} 个{word}（{UNIT_NAMES[compiled.unit]}）", markup=False)
    err.print(f"用时 {s.seconds:.1f} 秒（汇总与评分 {s.timings.get('score', 0):.1f}，名单与汇总 {s.timings.get('publish', 0):.1f}）",
              markup=False)
    if s.ratings:
        err.print("等级：" + " · ".join(f"{k} {v}" for k, v in s.ratings.items()) + f"；一票否决 {s.vetoed} 个{word}", markup=False)
    err.print(f"结果：{s.out_dir / 'units'}；名单：{s.out_dir / 'published'}；汇总：{s.out_dir / 'summary.json'}", markup=False)
    err.print(f"数据库：{s.db}", markup=False)
    return summary


def register(app: typer.Typer) -> None:
    """Add the batch commands to the main `sanzhi` app."""
    app.command("batch")(batch)


__all__ = ["RichReporter", "batch", "register"]
