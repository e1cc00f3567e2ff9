"""What sanzhi does once per process inside WeasyPrint gives the same PDF bytes as WeasyPrint.

The renderer uses its own user-agent stylesheet and remembers computed styles, line breaks
and glyph runs (sanzhi.reports.pdf, sanzhi.reports.wpreuse); `pdf.plain()` switches all of it
back to WeasyPrint's own code. Every report here is rendered both ways and compared byte for byte,
also when the remembered entries are hit (the second render of the same village) and when
another village reuses entries made by the first.
"""

from collections.abc import Callable

import pytest

from sanzhi.reports import pdf as pdf_mod
from sanzhi.reports import wpreuse
from sanzhi.reports.html import print_stylesheets, render_village_html
from sanzhi.reports.pdf import MissingGlyphError, get_renderer
from tests.reports.test_html import REPORT_DATE, Scored, jiaxing, mini, summary_html

ATTACHMENT = ("result.json", b'{"village": "\u6751"}', "评分结果")


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


def test_full_caches_are_cleared_and_reports_stay_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bounded memory: with tiny limits the caches are cleared over and over within one report,
    and the PDFs are still WeasyPrint's bytes."""
    v = mini()[0]
    with pdf_mod.plain():
        expected = village_pdf(v)
    wpreuse.clear()
    monkeypatch.setattr(wpreuse, "_MAX_ENTRIES", 7)
    monkeypatch.setattr(wpreuse, "_MAX_STYLES", 5)
    assert village_pdf(v) == expected
    assert village_pdf(v) == expected
    sizes = wpreuse.stats()
    assert sizes["lines"] <= 7 and sizes["draws"] <= 7 and sizes["styles"] <= 5
