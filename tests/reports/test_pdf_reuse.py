"""What sanzhi does once per process inside WeasyPrint gives the same PDF bytes as WeasyPrint.

The renderer uses its own user-agent stylesheet and remembers line breaks and glyph runs
(sanzhi.reports.pdf, sanzhi.reports.textmemo); `pdf.plain()` switches both back to
WeasyPrint's own code. Every report here is rendered both ways and compared byte for byte,
also when the remembered entries are hit (the second render of the same village) and when
another village reuses entries made by the first.
"""

import pytest

from sanzhi.reports import pdf as pdf_mod
from sanzhi.reports import textmemo
from sanzhi.reports.pdf import MissingGlyphError, get_renderer
from sanzhi.reports.pool import render_summary_pdf, render_village_pdf
from tests.reports.test_html import REPORT_DATE, Scored, jiaxing, mini


def village_pdf(v: Scored) -> bytes:
    return render_village_pdf(v.info, v.result, input_sha256=v.input_sha256, report_date=REPORT_DATE,
                              people=v.view.signatories)


def summary_pdf(villages: tuple[Scored, ...]) -> bytes:
    return render_summary_pdf(villages[0].info, [(v.result, v.input_sha256) for v in villages],
                              report_date=REPORT_DATE)


@pytest.mark.parametrize("villages", [jiaxing, mini], ids=["jiaxing", "mini"])
def test_village_reports_are_the_same_bytes_as_weasyprints_own_code(villages) -> None:  # type: ignore[no-untyped-def]
    chosen = villages()[:3]
    with pdf_mod.plain():
        expected = [village_pdf(v) for v in chosen]
    before = textmemo.stats()
    first = [village_pdf(v) for v in chosen]
    again = [village_pdf(v) for v in chosen]
    after = textmemo.stats()
    assert first == expected
    assert again == expected
    # The second round was served from what the first remembered.
    assert after["line_hits"] > before["line_hits"] and after["draw_hits"] > before["draw_hits"]


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
    before = textmemo.stats()
    with pdf_mod.plain():
        village_pdf(v)
    assert textmemo.stats() == before
