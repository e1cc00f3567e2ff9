"""The `sanzhi` command line: one module per command group, all thin over sanzhi.app."""

from sanzhi.cli.root import app, main

__all__ = ["app", "main"]
