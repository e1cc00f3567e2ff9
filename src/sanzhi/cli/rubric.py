"""`sanzhi rubric list|show|check|schema`; the revision tools (diff, impact, …) join from rubric_tools."""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from sanzhi.app import api
from sanzhi.cli import rubric_tables, rubric_tools
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.screen import Screen
from sanzhi.common.diagnostics import render_user_error
from sanzhi.common.errors import ExitCode, UserError
from sanzhi.reports import terminal
from sanzhi.standard.bundled import bundled_rubrics
from sanzhi.standard.jsonschema import rubric_schema_json

out = Screen()


class Format(str, Enum):
    human = "human"
    line = "line"
    json = "json"


def rubric_list() -> None:
    """列出内置评分标准。"""
    with error_boundary():
        listed = tuple((b, api.load_compiled_rubric(b.ref)[0]) for b in bundled_rubrics())
        out.print(terminal.rubric_list(listed))


def rubric_show(ref: Annotated[str, typer.Argument(help="内置评分标准 ID[@版本]，或 YAML 文件路径")]) -> None:
    """以树形显示评分标准的维度、指标、评分项与分值。"""
    with error_boundary():
        compiled, _ = api.load_compiled_rubric(ref)
        out.print(terminal.rubric_tree(compiled))


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


def rubric_schema(output: Annotated[Path | None, typer.Option("-o", "--output", help="写入文件（默认输出到终端）")] = None) -> None:
    """输出评分标准文件的 JSON Schema，供编辑器补全与校验。"""
    with error_boundary():
        text = rubric_schema_json()
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")


def register(app: typer.Typer) -> None:
    """Add the `rubric` command group to the main `sanzhi` app."""
    rubric_app = typer.Typer(no_args_is_help=True, help="评分标准：列出、查看、检查、导出 JSON Schema；版本对比（diff）、修订影响（impact）、权重敏感性（sensitivity）、示例村测试（test）；评分表导入（import）与导出（export）。")
    rubric_app.command("list")(rubric_list)
    rubric_app.command("show")(rubric_show)
    rubric_app.command("check")(rubric_check)
    rubric_app.command("schema")(rubric_schema)
    rubric_tools.register(rubric_app)  # rubric diff / impact / sensitivity / test
    rubric_tables.register(rubric_app)  # rubric import / export: 评分表 tables in and out
    app.add_typer(rubric_app, name="rubric")


__all__ = ["register"]
