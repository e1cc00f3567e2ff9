"""The `sanzhi` command line: parse arguments, call sanzhi.api, print. Nothing else."""

import json
import sys
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sanzhi import __version__, api, cli_zh
from sanzhi.boundary import error_boundary, render_user_error
from sanzhi.errors import ExitCode, UserError
from sanzhi.gcpolicy import fewer_collections
from sanzhi.reports import terminal
from sanzhi.reports.json_output import dumps_results
from sanzhi.standard.bundled import bundled_rubrics
from sanzhi.standard.jsonschema import rubric_schema_json

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
                  help="sanzhi：三治融合（自治·法治·德治）村（社区）评定评分工具。")
rubric_app = typer.Typer(no_args_is_help=True, help="评分标准：列出、查看、检查、导出 JSON Schema。")
app.add_typer(rubric_app, name="rubric")
out = Console()
err = Console(stderr=True)
cli_zh.install()  # usage errors and help headings in Chinese, like everything else sanzhi says


class Format(str, Enum):
    human = "human"
    line = "line"
    json = "json"


@rubric_app.command("list")
def rubric_list() -> None:
    """列出内置评分标准。"""
    with error_boundary():
        listed = tuple((b, api.load_compiled_rubric(b.ref)[0]) for b in bundled_rubrics())
        out.print(terminal.rubric_list(listed))


@rubric_app.command("show")
def rubric_show(ref: Annotated[str, typer.Argument(help="内置评分标准 ID[@版本]，或 YAML 文件路径")]) -> None:
    """以树形显示评分标准的维度、指标、评分项与分值。"""
    with error_boundary():
        compiled, _ = api.load_compiled_rubric(ref)
        out.print(terminal.rubric_tree(compiled))


@rubric_app.command("check")
def rubric_check(
    files: Annotated[list[Path], typer.Argument(help="要检查的评分标准 YAML 文件")],
    format: Annotated[Format, typer.Option("--format", help="输出格式：human / line / json")] = Format.human,
) -> None:
    """检查评分标准文件：一次列出全部问题（文件:行:列、位置、期望与实际）。"""
    failed = False
    with error_boundary(format.value):
        for f in files:
            try:
                _, warnings = api.load_compiled_rubric(str(f))
            except UserError as e:
                failed = True
                # Machine-readable formats go to stdout so they can be piped; the human form is a message.
                typer.echo(render_user_error(e, format.value), err=format is Format.human)
                continue
            if warnings:
                typer.echo(render_user_error(UserError(warnings), format.value), err=format is Format.human)
            if format is Format.human:
                typer.echo(f"✓ {f}：检查通过", err=True)
    raise typer.Exit(ExitCode.INVALID_INPUT if failed else ExitCode.OK)


@rubric_app.command("schema")
def rubric_schema(output: Annotated[Path | None, typer.Option("-o", "--output", help="写入文件（默认输出到终端）")] = None) -> None:
    """输出评分标准文件的 JSON Schema，供编辑器补全与校验。"""
    with error_boundary():
        text = rubric_schema_json()
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")


from sanzhi.cli_rubric_tools import register as _register_rubric_tools

_register_rubric_tools(rubric_app)  # rubric diff / impact / sensitivity / test


@app.command()
def score(
    data: Annotated[list[Path] | None, typer.Argument(help="村自评数据文件或文件夹（YAML / JSON / Excel 自评表 / CSV 汇总表）")] = None,
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="评分标准 ID[@版本] 或 YAML 文件")] = "jiaxing-sanzhi",
    samples: Annotated[bool, typer.Option("--samples", help="为该评分标准的内置示例村评分")] = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="结果 JSON 文件")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="在终端输出 JSON 而不是表格")] = False,
    detail: Annotated[bool, typer.Option("--detail", help="逐项显示得分与扣分原因")] = False,
    pdf_dir: Annotated[Path | None, typer.Option("--pdf", help="在此文件夹生成每个村的 PDF 评定报告和汇总报告")] = None,
    html_dir: Annotated[Path | None, typer.Option("--html", help="在此文件夹生成网页版（单个 HTML 文件）报告")] = None,
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
        scored = [o for o in outcomes if o.result is not None]
        failed = [o for o in outcomes if o.loaded.error is not None]
        for o in failed:
            typer.echo(render_user_error(o.loaded.error), err=True)  # type: ignore[arg-type]
        failures = [{"source": o.loaded.source, "problems": [d.to_dict() for d in o.loaded.error.diagnostics]} for o in failed]  # type: ignore[union-attr]
        blob = dumps_results(((o.result, o.input_sha256) for o in scored), failures)  # type: ignore[misc]
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(blob)
        if as_json:
            sys.stdout.buffer.write(blob)
        elif scored:
            results = [o.result for o in scored]
            out.print(terminal.results_table(results))  # type: ignore[arg-type]
            for r in results:
                if detail:
                    out.print(terminal.village_detail(r))  # type: ignore[arg-type]
                for line in terminal.rating_lines(r):  # type: ignore[arg-type]
                    out.print(line, highlight=False, soft_wrap=True)
        if pdf_dir is not None or html_dir is not None:
            day = report_date.date() if report_date else date.today()
            files = api.write_reports(compiled, outcomes, pdf_dir=pdf_dir, html_dir=html_dir, jobs=jobs, report_date=day)
            err.print(f"已生成 {len(scored)} 个村的评定报告和 1 份汇总报告：{'、'.join(str(d) for d in (pdf_dir, html_dir) if d)}", highlight=False)
            for key, chars in files.missing_glyphs:
                err.print(f"警告：{key} 的报告中有字体缺少的字符，显示为方框：{'、'.join(chars)}", highlight=False)
        if failed:
            err.print(f"{len(scored)} 个村已评分，{len(failed)} 个村数据有误已跳过。", highlight=False)
    if failed:
        raise typer.Exit(ExitCode.SOME_SKIPPED if scored else ExitCode.INVALID_INPUT)


class FormLayout(str, Enum):
    village = "village"
    many = "many"


@app.command()
def form(
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件：.xlsx（加 --csv 或以 .csv 结尾时为 CSV）")],
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="评分标准 ID[@版本] 或 YAML 文件")] = "jiaxing-sanzhi",
    layout: Annotated[FormLayout, typer.Option("--layout", help="village：单村自评表；many：多村汇总表（每行一个村）")] = FormLayout.village,
    as_csv: Annotated[bool, typer.Option("--csv", help="输出多村汇总表的 CSV 模板（UTF-8 带 BOM，Excel 可直接打开）")] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的文件")] = False,
) -> None:
    """按评分标准生成自评表：单村自评表（Excel），或多村汇总表模板（Excel / CSV）。"""
    from sanzhi.inputs.forms import write_form

    with error_boundary():
        if output.exists() and not force:
            raise typer.BadParameter(f"文件已存在：{output}（可能是已填好的表格；确需覆盖请加 --force）", param_hint="-o")
        compiled, _ = api.load_compiled_rubric(rubric)
        written = write_form(compiled, output, layout.value, as_csv)
        err.print(f"已生成 {written}（评分标准 {compiled.ref}）", highlight=False)


@app.command()
def version() -> None:
    """显示版本。"""
    typer.echo(f"sanzhi {__version__}")


from sanzhi.cli_batch import register as _register_batch

_register_batch(app)


def main() -> None:
    app()


__all__ = ["app", "json", "main"]
