"""`sanzhi score` and `sanzhi form`: score village files, write reports; generate the self-assessment forms."""

import sys
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from sanzhi.app import api
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.formats import format_notices, format_options
from sanzhi.cli.screen import Screen
from sanzhi.common.diagnostics import render_user_error
from sanzhi.common.errors import ExitCode
from sanzhi.common.gcpolicy import fewer_collections
from sanzhi.reports import terminal
from sanzhi.reports.json_output import dumps_results

out = Screen()
err = Screen(stderr=True)


@format_options("folder")
def score(
    data: Annotated[list[Path] | None, typer.Argument(help="村自评数据文件或文件夹（YAML / JSON / Excel 自评表 / CSV 汇总表）")] = None,
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="评分标准 ID[@版本] 或 YAML 文件")] = "jiaxing-sanzhi",
    samples: Annotated[bool, typer.Option("--samples", help="为该评分标准的内置示例村评分")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="结果 JSON 文件")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="在终端输出 JSON 而不是表格")] = False,
    detail: Annotated[bool, typer.Option("--detail", help="逐项显示得分与扣分原因")] = False,
    *,
    formats: dict[str, Path | None],  # --pdf DIR, --html DIR, …: one option per report format (sanzhi.cli.formats)
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="生成报告的并行进程数（默认：全部 CPU 核）")] = None,
    report_date: Annotated[datetime | None, typer.Option("--report-date", formats=["%Y-%m-%d"], help="报告上印的日期 YYYY-MM-DD（默认：今天）")] = None,
) -> None:
    """按评分标准为村（社区）自评数据评分，输出汇总、等级与主要失分项；可生成 PDF / HTML 报告。"""
    with error_boundary(), fewer_collections():
        compiled, _ = api.load_compiled_rubric(rubric)
        paths = list(data or [])
        if samples:
            paths += api.samples_for(compiled)
        if not paths:
            raise typer.BadParameter("请给出村自评数据文件，或使用 --samples")
        outcomes = list(api.score_paths(compiled, paths))
        scored = [o for o in outcomes if isinstance(o, api.ScoredSource)]
        failed = [o for o in outcomes if isinstance(o, api.RejectedSource)]
        for o in failed:
            typer.echo(render_user_error(o.error), err=True)
        failures: list[dict[str, object]] = [{"source": o.source, "problems": [d.to_dict() for d in o.error.diagnostics]} for o in failed]
        blob = dumps_results(((o.result, o.input_sha256) for o in scored), failures)
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(blob)
        if as_json:
            sys.stdout.buffer.write(blob)
        elif scored:
            results = [o.result for o in scored]
            out.print(terminal.results_table(results))
            for r in results:
                if detail:
                    out.print(terminal.village_detail(r))
                for line in terminal.rating_lines(r):
                    out.print(line, highlight=False, soft_wrap=True)
        dirs = {name: folder for name, folder in formats.items() if folder is not None}
        if dirs:
            for notice in format_notices(dirs):
                err.print(notice, highlight=False)
            day = report_date.date() if report_date else date.today()
            files = api.write_reports(compiled, outcomes, dirs=dirs, jobs=jobs, report_date=day)
            err.print(f"已生成 {len(scored)} 个村的评定报告和 1 份汇总报告：{'、'.join(str(d) for d in dirs.values())}", highlight=False)
            for key, chars in files.missing_glyphs:
                err.print(f"警告：{key} 的报告中有字体缺少的字符，显示为方框：{'、'.join(chars)}", highlight=False)
        carried: dict[str, int] = {}
        for done in scored:
            came = done.loaded.carried_from
            if came is not None:
                carried[came] = carried.get(came, 0) + 1
        for line in api.carried_note(dict(sorted(carried.items())), compiled.ref):
            err.print(line, highlight=False)
        if failed:
            err.print(f"{len(scored)} 个村已评分，{len(failed)} 个村数据有误已跳过。", highlight=False)
    if failed:
        raise typer.Exit(ExitCode.SOME_SKIPPED if scored else ExitCode.INVALID_INPUT)


class FormLayout(str, Enum):
    village = "village"
    many = "many"


def form(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件：.xlsx（加 --csv 或以 .csv 结尾时为 CSV）")],
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="评分标准 ID[@版本] 或 YAML 文件")] = "jiaxing-sanzhi",
    layout: Annotated[FormLayout, typer.Option("--layout", help="village：单村自评表；many：多村汇总表（每行一个村）")] = FormLayout.village,
    as_csv: Annotated[bool, typer.Option("--csv", help="输出多村汇总表的 CSV 模板（UTF-8 带 BOM，Excel 可直接打开）")] = False,
    by_body: Annotated[bool, typer.Option("--by-body", help="按评分部门（scored_by）每个部门一份单村自评表，写入 -o 指定的文件夹")] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件")] = False,
) -> None:
    """按评分标准生成自评表：单村自评表（Excel），或多村汇总表模板（Excel / CSV）；--by-body 每个评分部门一份。"""
    from sanzhi.inputs.forms import write_body_forms, write_form

    with error_boundary():
        if by_body:
            if layout is not FormLayout.village or as_csv:
                raise typer.BadParameter("--by-body 只生成单村自评表，不能与 --layout many 或 --csv 同用", param_hint="--by-body")
            compiled, _ = api.load_compiled_rubric(rubric)
            for path in write_body_forms(compiled, output, force):
                err.print(f"已生成 {path}（评分标准 {compiled.ref}）", highlight=False)
            return
        if output.exists() and not force:
            raise typer.BadParameter(f"文件已存在：{output}（可能是已填好的表格；确需覆盖请加 --force）", param_hint="-o")
        compiled, _ = api.load_compiled_rubric(rubric)
        written = write_form(compiled, output, layout.value, as_csv)
        err.print(f"已生成 {written}（评分标准 {compiled.ref}）", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `score` and `form` to the main `sanzhi` app."""
    app.command("score")(score)
    app.command("form")(form)


__all__ = ["register"]
