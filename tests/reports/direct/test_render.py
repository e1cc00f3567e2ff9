"""The directly drawn village report against WeasyPrint's rendering of the same report's HTML.

The HTML template and report.css are the screen form, sanzhi.reports.direct.village the print
form of one view model; these tests keep the two saying the same thing: the same text in the same
order (the footers, drawn per page, compared apart), the same number of pages, and bytes that
depend on nothing but the report.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pypdf
import pytest

from sanzhi.reports.direct.render import render_village_report
from sanzhi.reports.direct.village import footer_lines
from sanzhi.reports.formats.pdf import renderer
from sanzhi.reports.html import render_village_html
from sanzhi.reports.village import VillageReport
from tests.reports.test_html import REPORT_DATE, Scored, jiaxing, mini

PAGE_NUMBER = re.compile(r"第\d+页/共\d+页")


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def body_text(pdf: bytes, view: VillageReport) -> str:
    """Everything the report says, white space removed, without the page footers (page numbers
    and the stamp, which the cover prints in its body and every later page in its footer)."""
    text = re.sub(r"\s+", "", "".join(pages_text(pdf)))
    text = PAGE_NUMBER.sub("", text)
    for line in footer_lines(view):
        text = text.replace(re.sub(r"\s+", "", line), "")
    return text


def chart_free(text: str, view: VillageReport) -> str:
    """The text without what the two PDFs put in a different order: the charts' labels, which
    the direct PDF draws in reading order and WeasyPrint in markup order (the dimension names,
    numbers, the scale's "本村" marker, a bar chart's "/"), and the list bullets, which
    WeasyPrint draws after the page's text."""
    for label in sorted({d.name for d in view.dimensions} | {view.subject}, key=len, reverse=True):
        text = text.replace(label, "")
    return re.sub(r"[\d./·•]+", "", text)


def producer(pdf: bytes) -> str:
    meta = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    return str(meta.producer if meta else "")


def direct(view: VillageReport) -> bytes:
    pdf, missing = render_village_report(view, attached_on=REPORT_DATE)
    assert missing == ()
    return pdf


def weasy(view: VillageReport) -> bytes:
    return renderer().render(render_village_html(view))


def samples() -> list[Scored]:
    return [*jiaxing()[:4], *mini()]


@pytest.mark.parametrize("v", samples(), ids=lambda v: v.view.village_name)
def test_the_direct_pdf_says_what_weasyprint_prints_from_the_html(v: Scored) -> None:
    ours, theirs = direct(v.view), weasy(v.view)
    a, b = body_text(ours, v.view), body_text(theirs, v.view)
    assert Counter(a) == Counter(b)  # every character, as often
    assert chart_free(a, v.view) == chart_free(b, v.view)  # and in the same order outside the charts
    assert len(pages_text(ours)) == len(pages_text(theirs))


def test_every_page_is_numbered_and_every_later_page_carries_the_stamp() -> None:
    v = jiaxing()[0]
    pages = pages_text(direct(v.view))
    a, b = (re.sub(r"\s+", "", line) for line in footer_lines(v.view))
    for n, page in enumerate(pages, 1):
        flat = re.sub(r"\s+", "", page)
        assert flat.endswith(f"第{n}页/共{len(pages)}页"), n
        assert flat.count(a) == 1 and flat.count(b) == 1, n  # the cover in its body, the rest in the footer


def test_same_report_same_bytes_whatever_was_rendered_before() -> None:
    first, second = jiaxing()[:2]
    alone = direct(first.view)
    direct(second.view)
    assert direct(first.view) == alone
    assert alone != direct(second.view)


def test_a_character_the_font_lacks_is_reported_and_the_report_still_made() -> None:
    v = mini()[0]
    pdf, missing = render_village_report(v.view._replace(village_name="𪚥村"), attached_on=REPORT_DATE)
    assert missing == ("\U0002a6a5",)
    assert len(pages_text(pdf)) == len(pages_text(direct(v.view)))


def test_data_is_drawn_as_text_and_the_pdf_refers_to_nothing_outside() -> None:
    v = mini()[0]
    name = '<img src="file:///etc/passwd">村 http://example.com'
    pdf, _ = render_village_report(v.view._replace(village_name=name), attached_on=REPORT_DATE)
    assert name.replace(" ", "") in re.sub(r"\s+", "", pages_text(pdf)[0])
    for marker in (b"/URI", b"/Launch", b"/JavaScript", b"/GoToR", b"/XObject"):
        assert marker not in pdf


def test_without_uharfbuzz_village_reports_fall_back_to_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    # A broken install (uharfbuzz missing): the direct route cannot measure or subset, so the
    # report is rendered from its HTML instead — slower, the same words (the run says so once).
    from sanzhi.reports import fontsubset
    from sanzhi.reports.formats import VillageDoc
    from sanzhi.reports.formats.pdf import village

    v = mini()[0]
    doc = VillageDoc(v.view, v.result, v.input_sha256, REPORT_DATE)
    fast = village(doc).data
    monkeypatch.setattr(fontsubset, "available", lambda: False)
    slow = village(doc).data
    assert "WeasyPrint" in producer(slow) and producer(fast).startswith("sanzhi")
    assert body_text(slow, v.view) == body_text(weasy(v.view), v.view)
