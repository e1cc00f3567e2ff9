"""`sanzhi history`, `ranking`, `yoy`, `periods`: queries over the stored runs, one module per
command (what they share in common.py). Tables to stdout, `--json` for scripts."""

import typer

from sanzhi.cli.queries.history import history
from sanzhi.cli.queries.periods import periods
from sanzhi.cli.queries.ranking import ranking
from sanzhi.cli.queries.yoy import yoy


def register(app: typer.Typer) -> None:
    """Add the query commands to the main `sanzhi` app."""
    app.command("history")(history)
    app.command("ranking")(ranking)
    app.command("yoy")(yoy)
    app.command("periods")(periods)


__all__ = ["register"]
