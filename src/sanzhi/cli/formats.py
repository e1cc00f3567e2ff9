"""One CLI option per registered report format (`--pdf`, `--html`, …), in one place.

A command declares a parameter named ``formats``; :func:`format_options` replaces it, in the
signature typer reads, by an option per format of `sanzhi.reports.formats` (at the same
position, with the format's Chinese help), and calls the command with ``formats`` set to
``{name: value}`` for every format. `sanzhi score` takes a folder per format (``--pdf DIR``),
`sanzhi batch` a switch (``--pdf/--no-pdf``).
"""

import functools
import inspect
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer

from sanzhi.reports.formats import FORMATS

__all__ = ["format_notices", "format_options"]

F = TypeVar("F", bound=Callable[..., Any])


def _option(name: str, kind: Literal["folder", "switch"], help_text: str) -> inspect.Parameter:
    if kind == "folder":
        return inspect.Parameter(f"{name}_dir", inspect.Parameter.KEYWORD_ONLY, default=None,
                                 annotation=Annotated[Path | None, typer.Option(f"--{name}", help=help_text)])
    return inspect.Parameter(f"{name}_wanted", inspect.Parameter.KEYWORD_ONLY, default=False,
                             annotation=Annotated[bool, typer.Option(f"--{name}/--no-{name}", help=help_text)])


def format_notices(wanted: Iterable[str]) -> list[str]:
    """What the wanted formats have to say about this machine (`ReportFormat.notice`), asked
    once here in the main process: a run with many workers says it once, not once each."""
    names = set(wanted)
    return [text for f in FORMATS if f.name in names and f.notice is not None and (text := f.notice()) is not None]


def format_options(kind: Literal["folder", "switch"]) -> Callable[[F], F]:
    """Decorate a command whose ``formats`` parameter receives ``{format name: folder or bool}``."""

    def decorate(command: F) -> F:
        signature = inspect.signature(command, eval_str=True)
        options = [_option(f.name, kind, f.score_help if kind == "folder" else f.batch_help) for f in FORMATS]
        params: list[inspect.Parameter] = []
        for p in signature.parameters.values():
            # All keyword-only (typer passes keywords): the options may then sit between others.
            params += options if p.name == "formats" else [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)]
        names = {f.name: o.name for f, o in zip(FORMATS, options, strict=True)}

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            chosen = {name: kwargs.pop(param) for name, param in names.items()}
            return command(**kwargs, formats=chosen)

        wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper  # type: ignore[return-value]

    return decorate
