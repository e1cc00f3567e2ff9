"""Consoles for the commands' output, built when used rather than when the module is imported.

Why: rich fixes a Console's width from COLUMNS at construction. A module-level Console made
while COLUMNS was set (an exported shell variable, a test runner) kept that width for the
whole process, so `COLUMNS=80 sanzhi …` called in-process (tests, scripts) drew at another
width. A `Screen` makes a fresh Console for each print, so the width is always today's.
"""

from typing import Any

from rich.console import Console


class Screen:
    """`print` like a rich Console's, on a Console made for that call."""

    def __init__(self, **options: Any) -> None:
        self.options = options

    def console(self) -> Console:
        return Console(**self.options)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        self.console().print(*objects, **kwargs)


__all__ = ["Screen"]
