"""Report HTML from jinja2 templates: the same markup feeds the PDF renderer and the screen file.

Why this shape:

- One ``Environment`` with ``autoescape=True`` (village names and free text are data, never
  markup), ``StrictUndefined`` (a missing field fails loudly instead of printing an empty
  cell) and a ``PackageLoader`` (templates ship inside the package).
- ``trim_blocks``/``lstrip_blocks`` so block tags leave no stray newlines: a newline inside
  Chinese text prints as a space (tech notes §1.6).
- Templates receive finished view models (:mod:`sanzhi.reports.village`,
  :mod:`sanzhi.reports.summary`) and do no arithmetic.
- For the PDF the CSS is *not* in the HTML: the renderer parses :func:`print_stylesheets` once
  per process. The screen file (``standalone=True``) inlines the same CSS plus a screen sheet,
  so it is one self-contained file with no external URL.
"""

import functools
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from sanzhi.reports.summary import SummaryReport
from sanzhi.reports.village import VillageReport

__all__ = [
    "environment",
    "print_stylesheets",
    "render_summary_html",
    "render_village_html",
]

_CSS_FILES = ("report.css",)
_SCREEN_CSS_FILES = ("report.css", "screen.css")


@functools.cache
def environment() -> Environment:
    """The process-wide template environment (templates are compiled once and cached)."""
    return Environment(
        loader=PackageLoader("sanzhi.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


@functools.cache
def _css(name: str) -> str:
    text = (resources.files("sanzhi.reports") / "assets" / "css" / name).read_text(encoding="utf-8")
    if "</" in text:  # it is inlined into <style>; this could end the element early
        raise ValueError(f"{name} must not contain '</'")
    return text


def print_stylesheets() -> tuple[str, ...]:
    """The CSS sources for the PDF renderer (pass to ``pdf.get_renderer``)."""
    return tuple(_css(name) for name in _CSS_FILES)


def _inline_css() -> Markup:
    # Our own package file, checked above: safe to mark as markup.
    return Markup("\n".join(_css(name).strip() for name in _SCREEN_CSS_FILES))


def render_village_html(report: VillageReport, *, standalone: bool = False) -> str:
    """The village report as HTML: for the PDF renderer, or (`standalone`) as a screen file."""
    template = environment().get_template("village_report.html.j2")
    css = _inline_css() if standalone else Markup("")
    return template.render(r=report, standalone=standalone, css=css)


def render_summary_html(report: SummaryReport, *, standalone: bool = False) -> str:
    """The run summary (ranking, distributions, averages, vetoes) as HTML."""
    template = environment().get_template("summary_report.html.j2")
    css = _inline_css() if standalone else Markup("")
    return template.render(s=report, standalone=standalone, css=css)
