"""The font and PDF foundation: Chinese text and fonts, glyph gate, URL policy, attachments.

Each test was broken on purpose once (see the final report of the change that added it) to
make sure it can fail.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from sanzhi.reports import fonts as fonts_mod
from sanzhi.reports import pdf as pdf_mod
from sanzhi.reports.fonts import FONT_FAMILY, FontSetupError, configure_fonts, font_dir
from sanzhi.reports.pdf import (
    MissingGlyphError,
    PdfAttachment,
    PdfRenderer,
    RefusedURLError,
    fetch_url,
    get_renderer,
    resolve_asset_url,
)

BASE_CSS = "html { font-family: 'Noto Sans SC', sans-serif; } @page { size: A4; margin: 2cm; }"

# No font-family on the SVG on purpose: SVG <text> ignores the HTML font-family and falls back to
# sans-serif, so this also checks the fontconfig alias (tech notes §1.6, gotcha 1).
CHINESE_HTML = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>测试</title></head>
<body>
<p>三治融合测试：中文、标点。</p>
<p><b>加粗文字</b></p>
<svg width="240" height="60" xmlns="http://www.w3.org/2000/svg">
  <text x="10" y="40" font-size="20">雷达图标签</text>
</svg>
</body></html>"""


def page(body: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"{head}</head><body>{body}</body></html>"
    )


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(p.extract_text() for p in reader.pages)


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """BaseFont name → whether a TrueType program (/FontFile2) is embedded, over all pages
    and the form XObjects they use (WeasyPrint draws SVG into XObjects)."""
    found: dict[str, bool] = {}
    seen: set[int] = set()

    def walk(resources: object) -> None:
        if resources is None or id(resources) in seen:
            return
        seen.add(id(resources))
        res = resources.get_object()  # type: ignore[attr-defined]
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
                found[str(font["/BaseFont"])] = embedded
        for xobject in (res.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for p in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        walk(p.get("/Resources"))
    return found


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer([BASE_CSS])


@pytest.fixture
def fetch_log(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every URL WeasyPrint asked us for, with 'served' or the refusal's exception name."""
    calls: list[tuple[str, str]] = []
    real = pdf_mod.fetch_url

    def spy(url: str) -> pdf_mod.FetchedResource:
        try:
            resource = real(url)
        except Exception as exc:
            calls.append((url, type(exc).__name__))
            raise
        calls.append((url, "served"))
        return resource

    monkeypatch.setattr(pdf_mod, "fetch_url", spy)
    return calls


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records (and blocks) any attempt to resolve a host or open a socket."""
    attempts: list[object] = []

    def blocked(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket.socket, "connect", blocked)
    return attempts


@pytest.fixture
def asset_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway assets folder, so URL-policy tests don't depend on other people's files."""
    root = tmp_path / "assets"
    (root / "css").mkdir(parents=True)
    (root / "css" / "report.css").write_text(
        'body::before { content: "样式已加载"; }', encoding="utf-8"
    )
    monkeypatch.setattr(pdf_mod, "asset_root", lambda: root)
    return root


# --------------------------------------------------------------------------- (a) Chinese + fonts


def test_chinese_text_renders_with_embedded_noto_subsets(renderer: PdfRenderer) -> None:
    pdf = renderer.render_checked(CHINESE_HTML)
    assert pdf.startswith(b"%PDF-")

    text = pdf_text(pdf)
    for phrase in ("三治融合测试：中文、标点。", "加粗文字", "雷达图标签"):
        assert phrase in text

    found = embedded_fonts(pdf)
    # Subset names look like "/ONIMYD+Noto-Sans-SC"; only our two faces may appear.
    names = {re.sub(r"^/[A-Z]{6}\+", "", name) for name in found}
    assert names == {"Noto-Sans-SC", "Noto-Sans-SC-Bold"}, found
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in found), "fonts must be subset"
    assert all(found.values()), f"every font must be embedded as /FontFile2: {found}"


def test_fontconfig_resolves_generic_families_to_noto(renderer: PdfRenderer) -> None:
    conf = configure_fonts()
    assert os.environ["FONTCONFIG_FILE"] == str(conf)
    text = conf.read_text(encoding="utf-8")
    # cachedir before the include, or fontconfig writes into the system cache (§1.6).
    assert text.index("<cachedir>") < text.index("<include")
    assert f"<dir>{font_dir()}</dir>" in text
    for generic in ("sans-serif", "serif"):
        assert (f'<alias binding="strong"><family>{generic}</family>'
                f"<prefer><family>{FONT_FAMILY}</family></prefer></alias>") in text
    assert configure_fonts() == conf  # idempotent

    # No font-family at all: WeasyPrint's default (serif) must still be our font.
    bare = PdfRenderer([])
    names = {re.sub(r"^/[A-Z]{6}\+", "", n) for n in embedded_fonts(bare.render(page("默认字体")))}
    assert names == {"Noto-Sans-SC"}


def test_weasyprint_imported_first_still_gets_our_fonts(tmp_path: Path) -> None:
    # fonts.py documents that import order does not matter, only FontConfiguration creation
    # order; a fresh interpreter proves it (and catches a WeasyPrint upgrade that changes it).
    out = tmp_path / "late.pdf"
    code = (
        "import weasyprint, pathlib, sys\n"
        "from sanzhi.reports.pdf import PdfRenderer\n"
        "pdf = PdfRenderer().render_checked('<html lang=zh-CN><p>先导入<b>加粗</b></p></html>')\n"
        "pathlib.Path(sys.argv[1]).write_bytes(pdf)\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": "/etc/fonts/fonts.conf"}
    subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env, timeout=120)
    names = {re.sub(r"^/[A-Z]{6}\+", "", n) for n in embedded_fonts(out.read_bytes())}
    assert names == {"Noto-Sans-SC", "Noto-Sans-SC-Bold"}


def test_font_check_fails_when_fontconfig_is_not_ours(
    renderer: PdfRenderer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    plain = tmp_path / "plain.conf"
    plain.write_text(
        '<?xml version="1.0"?><fontconfig>'
        f"<cachedir>{tmp_path}/cache</cachedir>"
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include></fontconfig>'
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(plain))
    with pytest.raises(FontSetupError, match="字体配置未生效"):
        pdf_mod._check_font_resolution()


def test_configure_fonts_honours_xdg_and_falls_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Restored by monkeypatch afterwards, so other tests keep the real, already-loaded config.
    monkeypatch.setenv("FONTCONFIG_FILE", os.environ.get("FONTCONFIG_FILE", ""))
    monkeypatch.setattr(fonts_mod, "_configured", None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    conf = configure_fonts()
    assert conf.parent.parent == tmp_path / "xdg" / "sanzhi"
    assert conf.parent.name.startswith("fontconfig-")
    assert f"<cachedir>{conf.parent / 'fc-cache'}</cachedir>" in conf.read_text()

    # An unusable cache home (a file, so even root cannot mkdir in it) → private temp fallback.
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setattr(fonts_mod, "_configured", None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.setattr(fonts_mod.tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    conf = configure_fonts()
    assert conf.is_relative_to(tmp_path / "tmp" / f"sanzhi-{os.getuid()}")
    assert os.environ["FONTCONFIG_FILE"] == str(conf)
    assert oct((tmp_path / "tmp" / f"sanzhi-{os.getuid()}").stat().st_mode & 0o777) == "0o700"


# --------------------------------------------------------------------------- (b) glyph gate


def test_render_checked_raises_for_missing_glyph(renderer: PdfRenderer) -> None:
    with pytest.raises(MissingGlyphError) as info:
        renderer.render_checked(page("<p>村名：𪚥村，𪚥</p>"))
    assert info.value.chars == ("\U0002a6a5",)
    assert "U+2A6A5" in str(info.value)
    assert info.value.pdf is not None and info.value.pdf.startswith(b"%PDF-")


def test_render_checked_passes_rare_but_covered_characters(renderer: PdfRenderer) -> None:
    pdf = renderer.render_checked(page("<p>堃犇燊</p>"))
    assert "堃犇燊" in pdf_text(pdf)


def test_glyph_gate_works_when_weasyprint_logger_is_silenced(
    renderer: PdfRenderer, caplog: pytest.LogCaptureFixture
) -> None:
    # Applications often silence WeasyPrint's noise; the gate must not go blind then, and must
    # not un-silence it either.
    logger = logging.getLogger("weasyprint")
    old = (logger.level, logger.disabled)
    logger.setLevel(logging.CRITICAL)
    logger.disabled = True
    try:
        with caplog.at_level(logging.DEBUG), pytest.raises(MissingGlyphError):
            renderer.render_checked(page("𪚥"))
        assert (logger.level, logger.disabled) == (logging.CRITICAL, True)
        assert not [r for r in caplog.records if r.name == "weasyprint"]
    finally:
        logger.setLevel(old[0])
        logger.disabled = old[1]


# --------------------------------------------------------------------------- (c) URL policy


def test_external_and_local_urls_are_refused(
    fetch_log: list[tuple[str, str]], no_network: list[object], tmp_path: Path
) -> None:
    # A local stylesheet that would *visibly* change the PDF text if it were ever read.
    evil = tmp_path / "evil.css"
    evil.write_text('body::after { content: "SECRET-MARKER"; }')
    css_with_file_url = "body { background-image: url(file:///etc/hostname); }"
    r = PdfRenderer([BASE_CSS, css_with_file_url])

    pdf = r.render(page(
        '<p>正文仍然输出</p><img src="file:///etc/passwd" alt=""><ul><li>条目</li></ul>',
        head=(
            '<link rel="stylesheet" href="http://example.com/x.css">'
            f'<style>@import url("file://{evil}");'
            " li { list-style-image: url(https://example.com/a.png) }</style>"
        ),
    ))

    refused = {url: outcome for url, outcome in fetch_log}
    for url in ("file:///etc/passwd", "http://example.com/x.css", "file:///etc/hostname",
                f"file://{evil}", "https://example.com/a.png"):
        assert refused.get(url) == "RefusedURLError", (url, fetch_log)
    assert "served" not in refused.values()
    assert no_network == []

    text = pdf_text(pdf)
    assert "正文仍然输出" in text
    assert "SECRET-MARKER" not in text
    assert "root:" not in text
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    if hostname:
        assert hostname not in text


def test_policy_refuses_without_weasyprint(no_network: list[object]) -> None:
    for url in ("file:///etc/passwd", "http://example.com/", "ftp://example.com/x",
                "css/report.css", "javascript:alert(1)", "FILE:///etc/passwd"):
        with pytest.raises(RefusedURLError):
            fetch_url(url)
    assert no_network == []
    # data: is allowed on purpose: its bytes are already in the document.
    assert fetch_url("data:text/plain;base64,5Lit5paH").data == "中文".encode()


# --------------------------------------------------------------------------- (d) assets


@pytest.mark.parametrize("url", [
    "sanzhi-asset:../pdf.py",
    "sanzhi-asset:/../pdf.py",
    "sanzhi-asset:css/../../pdf.py",
    "sanzhi-asset:css/../css/report.css",  # stays inside, but ".." is never legitimate here
    "sanzhi-asset:%2e%2e/pdf.py",
    "sanzhi-asset:css%2f..%2f..%2fpdf.py",
    "sanzhi-asset:..%5cpdf.py",
    "sanzhi-asset://localhost/etc/passwd",
    "sanzhi-asset:/etc/passwd",
    "sanzhi-asset:css/missing.css",
    "sanzhi-asset:",
    "sanzhi-asset:css/%ff.css",
    "sanzhi-asset:css/report.css%00",
])
def test_asset_traversal_is_refused(url: str, asset_dir: Path) -> None:
    # ../pdf.py exists next to the fake assets folder, so a leak would find a real file.
    (asset_dir.parent / "pdf.py").write_text("secret")
    with pytest.raises(RefusedURLError):
        resolve_asset_url(url)


def test_asset_symlink_escape_is_refused(asset_dir: Path) -> None:
    outside = asset_dir.parent / "outside.css"
    outside.write_text("secret")
    (asset_dir / "css" / "link.css").symlink_to(outside)
    with pytest.raises(RefusedURLError, match="outside"):
        resolve_asset_url("sanzhi-asset:css/link.css")


def test_assets_are_served_and_traversal_refused_in_a_render(
    renderer: PdfRenderer, asset_dir: Path, fetch_log: list[tuple[str, str]]
) -> None:
    (asset_dir.parent / "evil.css").write_text('body::after { content: "SECRET-MARKER"; }')
    pdf = renderer.render(page(
        "<p>正文</p>",
        head=('<link rel="stylesheet" href="css/report.css">'  # relative to sanzhi-asset:
              '<link rel="stylesheet" href="sanzhi-asset:../evil.css">'),
    ))
    assert dict(fetch_log) == {
        "sanzhi-asset:/css/report.css": "served",
        "sanzhi-asset:../evil.css": "RefusedURLError",
    }
    text = pdf_text(pdf)
    assert "样式已加载" in text
    assert "SECRET-MARKER" not in text


def test_real_asset_folder_serves_shipped_files() -> None:
    resource = fetch_url("sanzhi-asset:fonts/OFL.txt")
    assert b"SIL OPEN FONT LICENSE" in resource.data
    assert resource.mime_type == "text/plain"


# --------------------------------------------------------------------------- (e) attachments


def test_attachments_round_trip(renderer: PdfRenderer) -> None:
    scores = '{"村": "示范村", "总分": 92.5}'.encode()
    binary = bytes(range(256)) * 4
    pdf = renderer.render(
        page("<p>附件测试</p>"),
        attachments=[("评分明细.json", scores, "村级评分明细"), PdfAttachment("raw.bin", binary)],
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    # Exactly these names: WeasyPrint's mojibake /F name must not show up as a second entry.
    assert dict(reader.attachments) == {"评分明细.json": [scores], "raw.bin": [binary]}
    described = {f.name: f.description for f in reader.attachment_list}
    assert described["评分明细.json"] == "村级评分明细"
    subtypes = {f.name: f.subtype for f in reader.attachment_list}
    assert subtypes["评分明细.json"] == "/application/json"


# --------------------------------------------------------------------------- process-wide reuse


def test_get_renderer_is_cached_per_stylesheets() -> None:
    a = get_renderer((BASE_CSS,))
    assert get_renderer((BASE_CSS,)) is a
    assert get_renderer(("p { color: red }",)) is not a
