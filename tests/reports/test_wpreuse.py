"""What sanzhi does once per process inside WeasyPrint gives the same PDF bytes as WeasyPrint.

The renderer uses its own user-agent stylesheet and remembers computed styles, line breaks
and glyph runs (sanzhi.reports.pdf, sanzhi.reports.wpreuse); `pdf.plain()` switches all of it
back to WeasyPrint's own code. Every report here is rendered both ways and compared byte for byte,
also when the remembered entries are hit (the second render of the same village) and when
another village reuses entries made by the first.
"""

import gc
from collections.abc import Callable

import pytest

from sanzhi.common.identity_cache import clear_all
from sanzhi.reports import pdf as pdf_mod
from sanzhi.reports import wpreuse
from sanzhi.reports.html import print_stylesheets, render_village_html
from sanzhi.reports.pdf import MissingGlyphError, get_renderer
from tests.reports.test_html import REPORT_DATE, Scored, jiaxing, mini, summary_html

ATTACHMENT = ("result.json", '{"village": "村"}'.encode(), "评分结果")


def render(html: str) -> bytes:
    """As the report writers render (same renderer, an attachment, a fixed date)."""
    return get_renderer(print_stylesheets()).render_checked(
        html, attachments=[ATTACHMENT], attached_on=REPORT_DATE)


def village_pdf(v: Scored) -> bytes:
    return render(render_village_html(v.view))


def summary_pdf(villages: tuple[Scored, ...]) -> bytes:
    return render(summary_html(villages))


@pytest.mark.parametrize("villages", [jiaxing, mini], ids=["jiaxing", "mini"])
def test_village_reports_are_the_same_bytes_as_weasyprints_own_code(
    villages: Callable[[], tuple[Scored, ...]],
) -> None:
    chosen = villages()[:3]
    with pdf_mod.plain():
        expected = [village_pdf(v) for v in chosen]
    before = wpreuse.stats()
    first = [village_pdf(v) for v in chosen]
    again = [village_pdf(v) for v in chosen]
    after = wpreuse.stats()
    assert first == expected
    assert again == expected
    # The second round was served from what the first remembered.
    for kind in ("line_hits", "draw_hits", "style_hits"):
        assert after[kind] > before[kind], kind


def test_summary_report_is_the_same_bytes_as_weasyprints_own_code() -> None:
    villages = jiaxing()
    with pdf_mod.plain():
        expected = summary_pdf(villages)
    assert summary_pdf(villages) == expected
    assert summary_pdf(villages) == expected


def test_missing_glyphs_are_reported_every_time_and_never_remembered() -> None:
    renderer = get_renderer()
    html = "<html><body><p>村名：𪚥村</p><p>村名：𪚥村</p></body></html>"
    with pdf_mod.plain(), pytest.raises(MissingGlyphError) as plain_info:
        renderer.render_checked(html)
    for _ in range(2):
        with pytest.raises(MissingGlyphError) as info:
            renderer.render_checked(html)
        assert info.value.chars == ("\U0002a6a5",)
        assert info.value.pdf == plain_info.value.pdf


def test_plain_switches_off_the_text_memo() -> None:
    v = jiaxing()[0]
    village_pdf(v)
    before = wpreuse.stats()
    with pdf_mod.plain():
        village_pdf(v)
    assert wpreuse.stats() == before


def test_other_weasyprint_renders_in_the_process_run_weasyprints_own_code() -> None:
    """Reuse is on only inside sanzhi's renderer: a plain WeasyPrint call (the benchmark's naive
    render, an application embedding sanzhi) remembers and reuses nothing."""
    import weasyprint

    get_renderer()  # installs the patches
    village_pdf(jiaxing()[0])
    before = wpreuse.stats()
    weasyprint.HTML(string="<p>村名：杏林村</p>").write_pdf()
    assert wpreuse.stats() == before


def test_report_css_has_no_viewport_units() -> None:
    """A remembered style keeps the page size of the document it was first made for, which only
    viewport and page units (vw, vh, vmin, vmax, pw, ph, …) would read."""
    import re

    from sanzhi.reports.pdf import asset_root

    for sheet in (asset_root() / "css").glob("*.css"):
        assert not re.search(r"\d(vw|vh|vi|vb|vmin|vmax|pw|ph)\b", sheet.read_text()), sheet.name


def test_full_caches_evict_and_reports_stay_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded memory: with tiny limits the caches drop their oldest entries over and over
    within one report (and the Pango fonts of dropped drawings go with them), and the PDFs are
    still WeasyPrint's bytes."""
    v = mini()[0]
    with pdf_mod.plain():
        expected = village_pdf(v)
    wpreuse.clear()
    for cache, limit in ((wpreuse._line_cache, 7), (wpreuse._draw_cache, 7), (wpreuse._style_cache, 5),
                         (wpreuse._initial_styles, 1), (wpreuse._blobs, 1)):
        monkeypatch.setattr(cache, "limit", limit)
    before = wpreuse.stats()
    assert village_pdf(v) == expected
    assert village_pdf(v) == expected
    sizes = wpreuse.stats()
    assert sizes["lines"] <= 7 and sizes["draws"] <= 7 and sizes["styles"] <= 5
    assert sizes["draw_hits"] > before["draw_hits"]  # what survived an eviction was still used
    # Only the fonts the surviving drawings use are still referenced.
    gc.collect()
    used: set[int] = set()
    for _, _, kept in wpreuse._draw_cache.entries():
        assert isinstance(kept, tuple)  # (font configuration, the held fonts)
        used.update(id(held) for held in kept[1])
    assert {id(held) for held in wpreuse._fonts.values()} == used


def test_clear_and_clear_all_forget_everything_and_let_the_fonts_go() -> None:
    for forget in (wpreuse.clear, clear_all):
        village_pdf(mini()[0])
        assert wpreuse._fonts and all(wpreuse.stats()[k] for k in ("lines", "draws", "styles"))
        forget()
        gc.collect()
        assert not wpreuse._fonts and not any(wpreuse.stats()[k] for k in ("lines", "draws", "styles"))
        assert not wpreuse._initial_styles and not wpreuse._blobs
