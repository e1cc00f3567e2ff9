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
- The screen file must show Chinese on any machine, also one without a Chinese font: the
  screen sheet names the usual system fonts first (Microsoft YaHei, PingFang SC, Noto Sans CJK
  SC, Source Han Sans) and, as the last resort before ``sans-serif``, the shipped Noto Sans SC
  cut down to this report's characters, embedded as a ``data:`` URL (:func:`_embedded_font`).
  Only the regular face is embedded (~85 KB of WOFF for a village report); the browser
  emboldens it where a heading needs bold and no system font is there.
"""

import base64
import functools
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from sanzhi.reports import fontsubset
from sanzhi.reports.fonts import FONT_FILES, font_dir
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
#: The family name of the embedded font; screen.css lists it last before sans-serif. Not "Noto
#: Sans SC": an @font-face of that name would hide a Noto Sans SC installed on the machine.
EMBEDDED_FAMILY = "sanzhi Noto Sans SC"
_FONT_SLOT = "/* sanzhi: embedded font */"
# Always in the embedded font, whatever the report's text: printable ASCII and the full-width
# punctuation a reader may type into the page (find-in-page) or that a browser substitutes.
_ALWAYS = frozenset(chr(c) for c in range(0x20, 0x7F)) | frozenset("，。、；：？！“”‘’（）《》【】—…·")


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
    # Our own package files, checked above, and a fixed slot: safe to mark as markup.
    sheets = "\n".join(_css(name).strip() for name in _SCREEN_CSS_FILES)
    return Markup(f"{_FONT_SLOT}\n{sheets}")


@functools.cache
def _regular_font() -> bytes:
    return (font_dir() / FONT_FILES[0]).read_bytes()


def _embedded_font(html: str) -> str:
    """An @font-face rule with the regular face cut down to the characters of `html`.

    Every character of the page counts (markup is ASCII, which is always included), so the
    font covers each one the shipped font has, rare ones in names included.
    """
    woff = fontsubset.web_font(_regular_font(), _ALWAYS | set(html))
    data = base64.b64encode(woff).decode("ascii")
    return (f'@font-face {{ font-family: "{EMBEDDED_FAMILY}"; font-weight: 400; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')


def _render(name: str, standalone: bool, **context: object) -> str:
    template = environment().get_template(name)
    if not standalone:
        return template.render(standalone=False, css=Markup(""), **context)
    html = template.render(standalone=True, css=_inline_css(), **context)
    return html.replace(_FONT_SLOT, _embedded_font(html), 1)


def render_village_html(report: VillageReport, *, standalone: bool = False) -> str:
    """The village report as HTML: for the PDF renderer, or (`standalone`) as a screen file."""
    return _render("village_report.html.j2", standalone, r=report)


def render_summary_html(report: SummaryReport, *, standalone: bool = False) -> str:
    """The run summary (ranking, distributions, averages, vetoes) as HTML."""
    return _render("summary_report.html.j2", standalone, s=report)
