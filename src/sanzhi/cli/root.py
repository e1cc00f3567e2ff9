"""The `sanzhi` app: every command group registered in one place, and the entry point.

Each command group lives in its own module (score, rubric, batch, queries) and only parses
arguments, calls sanzhi.app (or sanzhi.batch), and prints.
"""

from typing import Annotated

import typer

from sanzhi import __version__
from sanzhi.cli import batch, queries, rubric, samples, score, zh

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False,
                  help="sanzhi：三治融合（自治·法治·德治）村（社区）评定评分工具。")
zh.install()  # usage errors and help headings in Chinese, like everything else sanzhi says


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"sanzhi {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    _version: Annotated[bool, typer.Option("--version", "-V", callback=_print_version, is_eager=True,
                                           help="显示版本并退出。")] = False,
) -> None:
    """sanzhi：三治融合（自治·法治·德治）村（社区）评定评分工具。"""


def version() -> None:
    """显示版本。"""
    typer.echo(f"sanzhi {__version__}")


rubric.register(app)
score.register(app)
app.command("version")(version)
batch.register(app)
queries.register(app)
samples.register(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
