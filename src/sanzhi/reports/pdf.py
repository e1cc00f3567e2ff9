"""HTML → PDF with WeasyPrint: with :mod:`sanzhi.reports.wpreuse`, the only code in sanzhi
that imports weasyprint.

Why it is shaped like this:

- weasyprint is imported lazily, inside functions, after :func:`configure_fonts`, so that
  importing sanzhi stays cheap (weasyprint costs ~0.5 s) and the fonts are always set up first.
- One :class:`PdfRenderer` per process reuses one ``FontConfiguration`` and the parsed CSS:
  flat memory and no temp-file churn over thousands of reports (tech notes §2). Use processes,
  not threads, for parallelism; a renderer serialises its own renders with a lock.
- Work that is the same for every report is done once per process, inside WeasyPrint too: our
  own user-agent stylesheet (``assets/css/ua.css``, WeasyPrint's cut down to what our
  templates use: a sixth of a report's time went on styles for pseudo-elements that never
  exist), the markup read with expat (:mod:`sanzhi.reports.fastparse`, into the tree
  WeasyPrint's pure-Python parser builds), and remembered styles, line breaks and glyph runs
  (:mod:`sanzhi.reports.wpreuse`). All of it gives the same PDF bytes as WeasyPrint's own
  code, which :func:`plain` switches back to (tests compare the two).
- Reports never read the network or arbitrary local files. Every URL in HTML/CSS/SVG goes through
  :func:`fetch_url`, which serves only our own assets (``sanzhi-asset:css/report.css`` →
  ``src/sanzhi/reports/assets/css/report.css``) and ``data:`` URLs, and refuses everything else.

``data:`` URLs are allowed on purpose: their bytes are already inside the document being
rendered, so they add no way to read anything; templates may want inline chart images. Any URL
*inside* such a resource (an SVG referencing ``file:``) goes through the same fetcher.

A refused or missing resource does not stop the render (WeasyPrint logs it and leaves it out);
:data:`LOG` records each refusal at WARNING with the URL and the reason.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import mimetypes
import os
import re
import threading
import urllib.parse
import warnings
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple, Self
from urllib.request import DataHandler, Request

from sanzhi.common.errors import SanzhiError
from sanzhi.reports import fastparse, fontsubset, wpreuse
from sanzhi.reports.fonts import FONT_FAMILY, FontSetupError, configure_fonts

__all__ = [
    "ASSET_BASE_URL",
    "ASSET_SCHEME",
    "FetchedResource",
    "MissingGlyphError",
    "PdfAttachment",
    "PdfRenderer",
    "RefusedURLError",
    "asset_root",
    "fetch_url",
    "get_renderer",
    "plain",
    "resolve_asset_url",
]

LOG = logging.getLogger(__name__)

ASSET_SCHEME = "sanzhi-asset"
#: Default base URL: relative references in HTML/CSS resolve inside the assets folder.
ASSET_BASE_URL = f"{ASSET_SCHEME}:"

# urllib's urljoin only resolves relative references for schemes it knows as hierarchical.
# Without this, `url(img/logo.png)` against base "sanzhi-asset:" stays the bare relative string.
# Appending is idempotent-guarded and affects no other scheme.
if ASSET_SCHEME not in urllib.parse.uses_relative:
    urllib.parse.uses_relative.append(ASSET_SCHEME)

_NOTDEF_PREFIX = ".notdef glyph rendered"
_CODEPOINT_RE = re.compile(r"\(U\+([0-9A-Fa-f]{4,6})\)")


class RefusedURLError(ValueError):
    """A URL the report renderer will not fetch (WeasyPrint catches it and logs it)."""


class MissingGlyphError(SanzhiError):
    """Some characters have no glyph in the report font and would print as boxes (tofu).

    `chars` lists each such character once, in order of first appearance; `pdf` is the PDF that
    was produced anyway, for callers that prefer to warn and keep it.
    """

    def __init__(self, chars: Sequence[str], pdf: bytes | None = None) -> None:
        self.chars: tuple[str, ...] = tuple(dict.fromkeys(chars))
        self.pdf = pdf
        listed = "、".join(f"“{c}”(U+{ord(c):04X})" for c in self.chars)
        super().__init__(
            f"报告字体（{FONT_FAMILY}）缺少以下 {len(self.chars)} 个字符的字形，"
            f"PDF 中会显示为方框：{listed}"
        )


class PdfAttachment(NamedTuple):
    """A file embedded in the PDF. A plain ``(name, data, description)`` tuple works too.

    The MIME type recorded in the PDF is guessed from `name`'s extension (WeasyPrint 70 does
    not take one), so give names a meaningful extension such as ``scores.json``.
    """

    name: str
    data: bytes
    description: str = ""


@dataclass(frozen=True, slots=True)
class FetchedResource:
    url: str
    data: bytes
    mime_type: str


# --------------------------------------------------------------------------- URL policy


def asset_root() -> Path:
    """The folder that ``sanzhi-asset:`` URLs resolve into (``sanzhi/reports/assets``)."""
    return Path(str(resources.files("sanzhi.reports") / "assets"))


def _refuse(url: str, reason: str) -> RefusedURLError:
    LOG.warning("refused URL %.200s: %s", url, reason)
    return RefusedURLError(f"sanzhi refuses {url[:200]!r}: {reason}")


def resolve_asset_url(url: str) -> Path:
    """Map ``sanzhi-asset:REL/PATH`` to a file under :func:`asset_root`, or raise RefusedURLError.

    Refused: other schemes, an authority (``sanzhi-asset://host/…``), any ``..`` segment (also
    percent-encoded), backslashes, NUL, and anything that resolves (through symlinks) outside the
    assets folder or is not an existing file. Query and fragment are ignored. One leading ``/``
    is accepted because ``urljoin("sanzhi-asset:", "css/x.css")`` produces it.
    """
    scheme, sep, rest = url.partition(":")
    if not sep or scheme.lower() != ASSET_SCHEME:
        raise _refuse(url, "not a sanzhi-asset: URL")
    rest = re.split(r"[?#]", rest, maxsplit=1)[0]
    if rest.startswith("//"):
        raise _refuse(url, "sanzhi-asset: URLs take no host")
    try:
        rel = urllib.parse.unquote(rest.removeprefix("/"), errors="strict")
    except UnicodeDecodeError:
        raise _refuse(url, "percent-encoding is not UTF-8") from None
    parts = rel.split("/")
    if (not rel or "\\" in rel or "\0" in rel
            or any(part in ("", ".", "..") for part in parts)):
        raise _refuse(url, "path traversal or malformed asset path")
    root = asset_root().resolve()
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root):
        raise _refuse(url, "resolves outside the assets folder")
    if not target.is_file():
        raise _refuse(url, "no such asset")
    return target


def fetch_url(url: str) -> FetchedResource:
    """The fetch policy for every URL a report references; pure Python, no weasyprint.

    Serves ``sanzhi-asset:`` files and decodes ``data:`` URLs; raises RefusedURLError for
    everything else (``file:``, ``http(s):``, ``ftp:``, relative leftovers, …) without touching
    the network or the filesystem.
    """
    scheme = url.partition(":")[0].lower() if ":" in url else ""
    if scheme == ASSET_SCHEME:
        path = resolve_asset_url(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FetchedResource(url, path.read_bytes(), mime)
    if scheme == "data":
        try:
            with DataHandler().data_open(Request(url)) as response:
                return FetchedResource(url, response.read(), response.headers.get_content_type())
        except ValueError as exc:
            raise _refuse(url, f"malformed data: URL ({exc})") from None
    raise _refuse(url, f"scheme {scheme or '(none)'!r} is not allowed")


# --------------------------------------------------------------------------- weasyprint glue


def _weasyprint() -> ModuleType:
    """Import weasyprint only after our fontconfig file is in place."""
    configure_fonts()
    # WeasyPrint warns at import when the system lacks libharfbuzz-subset; sanzhi subsets with
    # uharfbuzz and does not need it (`subsetting_notice` says when that is not so), and the
    # warning came once from every process that imported WeasyPrint.
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset will be required", category=DeprecationWarning)
    import weasyprint

    _install_subsetter()
    wpreuse.install()
    import pydyf

    if not isinstance(pydyf.zlib, _Zlib):
        pydyf.zlib = _Zlib()
    return weasyprint


_local = threading.local()

#: zlib level for the PDF's streams in sanzhi's renders. pydyf writes level 9; at 6 the
#: streams (mostly the two font subsets, ~750 KB before compression) come out ~1 % larger in
#: 40 % of the time: ~8 % of a village report's time was zlib at level 9.
PDF_ZLIB_LEVEL = 6


class _Zlib:
    """Stands in for the zlib module inside pydyf: compressobj at PDF_ZLIB_LEVEL while sanzhi
    renders, as asked for otherwise (another WeasyPrint user in the process is unaffected)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        if getattr(_local, "rendering", False):
            level = PDF_ZLIB_LEVEL
        return zlib.compressobj(level, *args, **kwargs)


@contextlib.contextmanager
def _rendering() -> Iterator[None]:
    saved = getattr(_local, "rendering", False)
    _local.rendering = True
    try:
        yield
    finally:
        _local.rendering = saved


@contextlib.contextmanager
def plain() -> Iterator[None]:
    """Render with WeasyPrint's own code for the block (this thread): its parser and user-agent
    stylesheet, nothing remembered across documents (the output options, such as
    PDF_ZLIB_LEVEL, stay sanzhi's). The PDFs are the same bytes; for tests and the benchmark."""
    saved = getattr(_local, "plain", False)
    _local.plain = True
    try:
        yield
    finally:
        _local.plain = saved


@functools.cache
def _report_html_class() -> type:
    """``weasyprint.HTML`` with sanzhi's user-agent stylesheet, parsed once per process, and
    the document read by :mod:`sanzhi.reports.fastparse` (expat) where it can.

    ``_ua_stylesheets`` is the hook WeasyPrint itself overrides for forms; the counter styles
    stay WeasyPrint's (``_ua_counter_style``).
    """
    import weasyprint
    from weasyprint.html import UA_COUNTER_STYLE

    sheet = weasyprint.CSS(string=(asset_root() / "css" / "ua.css").read_text(encoding="utf-8"),
                           counter_style=UA_COUNTER_STYLE)

    import cssselect2
    from weasyprint.urls import ensure_url

    class ReportHTML(weasyprint.HTML):
        def __init__(self, *, string: str, base_url: str, url_fetcher: Any) -> None:
            tree = None if getattr(_local, "plain", False) else fastparse.parse_report_html(string)
            if tree is None:
                super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
                return
            # What HTML.__init__ sets, from the tree tinyhtml5 would have built (fastparse
            # refuses markup with a <base> element, so the base URL is the one given).
            self.base_url = ensure_url(base_url)
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            if forms or getattr(_local, "plain", False):
                return super()._ua_stylesheets(forms)
            return [sheet]

    return ReportHTML


def _install_subsetter() -> None:
    """Make WeasyPrint subset fonts with :mod:`sanzhi.reports.fontsubset` (uharfbuzz).

    ``Font.subset`` is replaced process-wide, once; the replacement falls back to WeasyPrint's
    own method (libharfbuzz-subset or fontTools) for any font uharfbuzz cannot subset. Only for
    the WeasyPrint version sanzhi pins: the method's contract is an internal one.
    """
    import weasyprint
    from weasyprint.pdf import fonts as pdf_fonts

    font_class: Any = pdf_fonts.Font
    original = font_class.subset
    if getattr(original, "_sanzhi", False) or not fontsubset.available():
        return
    if not weasyprint.__version__.startswith("70."):  # pragma: no cover - pinned to 70.0
        LOG.warning("WeasyPrint %s: sanzhi's font subsetter not installed", weasyprint.__version__)
        return

    def subset(self: Any, to_unicode: dict[int, str], hinting: bool) -> None:
        if to_unicode:
            data = fontsubset.subset_font(
                self.file_content, self.index, to_unicode.keys(),
                hinting=hinting, notdef_outline=bool(self.missing),
            )
            if data is not None:
                self.file_content = data
                return
        original(self, to_unicode, hinting)

    subset._sanzhi = True  # type: ignore[attr-defined]
    subset.__wrapped__ = original  # type: ignore[attr-defined]
    font_class.subset = subset


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetOnlyURLFetcher(URLFetcher):
        """WeasyPrint 70 fetcher (a URLFetcher subclass, as its ``fetch()`` helper expects)."""

        def __init__(self) -> None:
            # An empty allow-list makes the inherited urllib path refuse everything too, in case
            # some WeasyPrint code calls the parent machinery instead of fetch().
            super().__init__(allowed_protocols=(), fail_on_errors=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            resource = fetch_url(url)
            content_type = resource.mime_type
            if content_type.startswith("text/") or content_type == "image/svg+xml":
                content_type += "; charset=utf-8"  # our assets are UTF-8; don't let it guess
            return URLFetcherResponse(resource.url, resource.data, {"Content-Type": content_type})

    return AssetOnlyURLFetcher


def _check_font_resolution() -> None:
    """Fail early, in Chinese, if fontconfig does not give us Noto Sans SC for sans-serif.

    Catches a missing/overridden FONTCONFIG_FILE or fonts dropped by packaging, which would
    otherwise only show as boxes in the PDFs. Uses WeasyPrint's own fontconfig binding, so it
    tests exactly the library WeasyPrint uses; skipped if those internals change.
    """
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except ImportError:  # pragma: no cover - internals moved in another WeasyPrint version
        LOG.debug("cannot check fontconfig resolution with this WeasyPrint")
        return
    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    match = ffi.NULL
    try:
        fontconfig.FcPatternAddString(pattern, b"family", b"sans-serif")
        fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        family = file = ""
        if match != ffi.NULL:
            value = ffi.new("FcChar8 **")
            if fontconfig.FcPatternGetString(match, b"family", 0, value) == 0:
                family = ffi.string(value[0]).decode()
            if fontconfig.FcPatternGetString(match, b"file", 0, value) == 0:
                file = ffi.string(value[0]).decode()
    finally:
        if match != ffi.NULL:
            fontconfig.FcPatternDestroy(match)
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)
    if family != FONT_FAMILY:
        raise FontSetupError(
            f"字体配置未生效：sans-serif 解析为 “{family or '无'}”（{file or '无文件'}），"
            f"而不是 “{FONT_FAMILY}”。请检查 FONTCONFIG_FILE 是否被改动。"
        )
    LOG.debug("sans-serif resolves to %s (%s)", family, file)


def subsetting_notice() -> str | None:
    """What to tell the user when reports cannot be made fast: uharfbuzz (a dependency) is
    missing, which only a broken install does, so village reports fall back from the direct
    route to WeasyPrint (measured ~5x slower per report), and fonts are subset by fontTools too
    when the system has no libharfbuzz-subset (~30x). None otherwise (the usual case). Said by
    the CLI once a run (`ReportFormat.notice`), not by each process that renders."""
    if fontsubset.available():
        return None
    install = f"pip install uharfbuzz=={fontsubset.UHARFBUZZ_VERSION}"
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:  # pragma: no cover
        harfbuzz_subset = None
    if harfbuzz_subset is not None:
        return f"注意：未安装 uharfbuzz（sanzhi 的依赖，安装不完整）：村报告改由 WeasyPrint 排版，每份约慢 5 倍（{install}）"
    return (f"注意：未安装 uharfbuzz，系统也没有 libharfbuzz-subset：村报告改由 WeasyPrint 排版、"
            f"fontTools 子集化字体，每份约慢 30 倍（{install}）")


class _NotdefCollector(logging.Filter):
    """Collects WeasyPrint's '.notdef glyph rendered' records from one thread.

    A logger *filter* rather than a handler, so that it still sees the records when the
    application has silenced the 'weasyprint' logger (a higher level, or
    ``disable_existing_loggers``); it then lets through only what would have passed anyway.
    """

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__()
        self.chars: list[str] = []
        self._thread = threading.get_ident()
        self._logger = logger
        self._was_disabled = logger.disabled
        self._old_level = logger.level
        self._passes_from = logger.getEffectiveLevel()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.thread == self._thread and record.getMessage().startswith(_NOTDEF_PREFIX):
            self.chars.extend(_chars_of(record))
        return not self._was_disabled and record.levelno >= self._passes_from

    def __enter__(self) -> Self:
        if self._logger.manager.disable >= logging.WARNING:
            raise RuntimeError("logging.disable() hides WeasyPrint warnings; cannot check glyphs")
        self._logger.disabled = False
        if not self._logger.isEnabledFor(logging.WARNING):
            self._logger.setLevel(logging.WARNING)
        self._logger.addFilter(self)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeFilter(self)
        self._logger.setLevel(self._old_level)
        self._logger.disabled = self._was_disabled


def _chars_of(record: logging.LogRecord) -> list[str]:
    # WeasyPrint 70 logs the character itself as the first argument; the "(U+XXXX)" in the text
    # is the fallback if that ever changes.
    args = record.args if isinstance(record.args, tuple) else ()
    if args and isinstance(args[0], str) and args[0]:
        return list(args[0])
    return [chr(int(m, 16)) for m in _CODEPOINT_RE.findall(record.getMessage())]


class PdfRenderer:
    """Turns report HTML into PDF bytes. Create one per process (see :func:`get_renderer`).

    `stylesheets` are CSS source strings, parsed once; `url()` references in them resolve
    against `base_url` (by default the assets folder). Not for concurrent use from several
    threads: renders are serialised by a lock, so use processes for parallelism.
    """

    def __init__(self, stylesheets: Sequence[str] = (), *, base_url: str = ASSET_BASE_URL) -> None:
        weasyprint = _weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        _check_font_resolution()
        self._weasyprint = weasyprint
        self._lock = threading.Lock()
        self._fetcher = _fetcher_class()()
        self._font_config = FontConfiguration()
        self._stylesheets = [
            weasyprint.CSS(
                string=css, base_url=base_url, url_fetcher=self._fetcher,
                font_config=self._font_config,
            )
            for css in stylesheets
        ]

    def render(
        self,
        html: str,
        *,
        attachments: Sequence[tuple[str, bytes, str]] = (),
        base_url: str = ASSET_BASE_URL,
        attached_on: datetime.date | None = None,
    ) -> bytes:
        """Render `html` to PDF bytes, embedding each ``(name, data, description)`` attachment.

        `attached_on` stamps the attachments' creation and modification dates (midnight UTC);
        without it WeasyPrint stamps the current time, and the same report made twice differs.
        """
        with self._lock:
            return self._render(html, attachments, base_url, attached_on)

    def render_checked(
        self,
        html: str,
        *,
        attachments: Sequence[tuple[str, bytes, str]] = (),
        base_url: str = ASSET_BASE_URL,
        attached_on: datetime.date | None = None,
    ) -> bytes:
        """Like :meth:`render`, but raise MissingGlyphError if any character printed as tofu."""
        with self._lock, _NotdefCollector(logging.getLogger("weasyprint")) as collector:
            pdf = self._render(html, attachments, base_url, attached_on)
        if collector.chars:
            raise MissingGlyphError(collector.chars, pdf)
        return pdf

    def _render(
        self, html: str, attachments: Sequence[tuple[str, bytes, str]], base_url: str,
        attached_on: datetime.date | None,
    ) -> bytes:
        wp = self._weasyprint
        document = _report_html_class()(string=html, base_url=base_url, url_fetcher=self._fetcher)
        stamp = (datetime.datetime(attached_on.year, attached_on.month, attached_on.day, tzinfo=datetime.UTC)
                 if attached_on is not None else None)
        embedded = [
            wp.Attachment(
                string=bytes(data), name=name, description=description or None,
                url_fetcher=self._fetcher, created=stamp, modified=stamp,
            )
            for name, data, description in attachments
        ]
        with _fixed_font_timestamp(), _rendering(), wpreuse.reuse(not getattr(_local, "plain", False)):
            pdf: bytes = document.write_pdf(
                stylesheets=self._stylesheets, font_config=self._font_config,
                attachments=embedded or None, finisher=_unicode_attachment_names,
            )
        return pdf


# 2000-01-01 00:00 UTC, as in the published XLSX files.
_FONT_EPOCH = "946684800"


@contextlib.contextmanager
def _fixed_font_timestamp() -> Iterator[None]:
    """Without libharfbuzz-subset, WeasyPrint subsets fonts with fontTools, which stamps the
    subset's `head.modified` with the current time: the same report made twice would differ.
    fontTools takes that time from SOURCE_DATE_EPOCH when set (reproducible-builds.org), so set
    it for the duration of the render; a value the user set is respected. Callers hold the lock.
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = _FONT_EPOCH
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _unicode_attachment_names(document: Any, pdf: Any) -> None:
    """Make each attachment's /F name the same text string as its /UF name.

    WeasyPrint 70 writes /F as raw UTF-8 bytes, which readers decode as PDFDocEncoding, so
    "评分.json" shows up as "è¯„åˆ†.json" next to the correct /UF name (pypdf lists both).
    The /F String object is also the key in the EmbeddedFiles name tree, so it is fixed in place.
    """
    for obj in pdf.objects:
        if isinstance(obj, dict) and obj.get("Type") == "/Filespec" and "UF" in obj:
            obj["F"].string = obj["UF"].string


@functools.lru_cache(maxsize=8)
def get_renderer(stylesheets: tuple[str, ...] = ()) -> PdfRenderer:
    """The process-wide renderer for these stylesheets (created on first use, then reused).

    Bounded so that callers passing ever-new CSS strings cannot grow memory without limit.
    Safe with ``fork``: a child inherits the parent's renderer and uses its own copy.
    """
    return PdfRenderer(stylesheets)
