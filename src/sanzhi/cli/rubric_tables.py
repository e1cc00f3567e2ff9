"""`sanzhi rubric import TABLE -o DRAFT.yaml` and `sanzhi rubric export REF -o OUT`.

Registered on the `rubric` command group by `register(rubric_app)`; each command parses its
arguments, calls `sanzhi.app.rubric_tables` and prints in Chinese.
"""

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from sanzhi.app import rubric_tables
from sanzhi.cli.boundary import error_boundary
from sanzhi.common.diagnostics import render_human, render_user_error
from sanzhi.common.errors import ExitCode


def rubric_import(
    table: Annotated[Path, typer.Argument(help="评分表文件：Excel（.xlsx）、CSV（.csv，UTF-8 或 GBK）或 Word（.docx）")],
    output: Annotated[Path, typer.Option("-o", "--output", help="写出的评分标准草案 YAML 文件")],
    rubric_id: Annotated[str | None, typer.Option("--id", help="草案的评分标准 ID（默认：取自表格标题或文件名）")] = None,
    version: Annotated[str | None, typer.Option("--version", help="草案的版本（默认：表中写明的版本，否则为 1）")] = None,
    title: Annotated[str | None, typer.Option("--title", help="草案的名称（默认：表格标题或文件名）")] = None,
    effective: Annotated[datetime | None, typer.Option("--effective-date", formats=["%Y-%m-%d"],
                                                       help="施行日期 YYYY-MM-DD（表中未写明时使用）")] = None,
) -> None:
    """把标准化机构现有的评分表（项目 | 评定标准 | 分值 | 评分细则 | 考核方法）导入为评分标准草案。"""
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise typer.BadParameter(f"草案文件须以 .yaml 结尾，实际为 “{output.name}”", param_hint="-o")
    with error_boundary():
        report = rubric_tables.import_table(table, output, rubric_id=rubric_id, version=version, title=title,
                                            effective_date=effective.date() if effective else None)
        if report.warnings:
            typer.echo(render_human(report.warnings), err=True)
            typer.echo("", err=True)
        items, recognized, judged = report.counts()
        reread = report.imported.draft.reread
        if report.imported.machine:
            how = f"（按导出表的机读数据还原{f'，{len(reread)} 项按表格中修改后的文字重新识别' if reread else ''}）"
        else:
            how = f"：{recognized} 项按识别出的规则计分，{judged} 项含评审判断"
        typer.echo(f"已写出评分标准草案 {output}：{items} 个评分项{how}。", err=True)
        if report.check_error is not None:
            typer.echo("草案尚未通过 sanzhi rubric check，须先修改以下问题：\n", err=True)
            typer.echo(render_user_error(report.check_error), err=True)
            raise typer.Exit(ExitCode.SOME_SKIPPED)
        if report.check_warnings:
            typer.echo(render_human(report.check_warnings, {str(output): report.text}), err=True)
        typer.echo(f"✓ {output}：草案通过 sanzhi rubric check；请逐条复核上面的警告和草案开头列出的待补内容。", err=True)


def rubric_export(
    ref: Annotated[str, typer.Argument(help="内置评分标准 ID[@版本]，或 YAML 文件路径")],
    output: Annotated[Path, typer.Option("-o", "--output", help="输出文件：.xlsx（Excel，含机读数据）、.docx（Word）或 .pdf")],
) -> None:
    """把评分标准导出为可印发的评分表（Excel / Word / PDF，A4 横向）。"""
    formats = rubric_tables.export_formats()
    if output.suffix.lower() not in formats:
        raise typer.BadParameter(f"输出文件须以 {'、'.join(formats)} 之一结尾，实际为 “{output.name}”", param_hint="-o")
    with error_boundary():
        compiled = rubric_tables.export_rubric(ref, output)
        typer.echo(f"已导出 {compiled.ref} 的评分表：{output}", err=True)


def register(rubric_app: typer.Typer) -> None:
    rubric_app.command("import")(rubric_import)
    rubric_app.command("export")(rubric_export)


__all__ = ["register"]
