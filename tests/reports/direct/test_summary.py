"""The directly drawn run summary against WeasyPrint's rendering of the same summary's HTML, as
test_render.py does for villages: the same text in the same order outside the charts, the same
number of pages, nothing off a page, every page numbered, the stamp once a page."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

import pypdf
import pytest

from sanzhi.reports.direct.render import render_summary_report
from sanzhi.reports.direct.summary import footer_lines, summary_title
from sanzhi.reports.formats.pdf import renderer
from sanzhi.reports.html import render_summary_html
from sanzhi.reports.summary import SummaryReport, build_summary_report
from tests.reports.direct.test_flow import SPEC, placed_text
from tests.reports.direct.test_render import PAGE_NUMBER, pages_text, producer
from tests.reports.test_html import REPORT_DATE, Scored, jiaxing, mini

SKIPPED = [("bad.yaml", "bad.yaml:3:1: D112 “年份”取值无效")]


class Case(NamedTuple):
    name: str
    view: SummaryReport


def summary(villages: tuple[Scored, ...], *, skipped: Sequence[tuple[str, str]] = ()) -> SummaryReport:
    return build_summary_report(villages[0].info, [(v.result, v.input_sha256) for v in villages],
                                report_date=REPORT_DATE, skipped=skipped)


def cases() -> list[Case]:
    clean = tuple(v for v in jiaxing() if v.result.rating.tier is not None)  # no vetoes, all rated
    return [
        Case("jiaxing", summary(jiaxing())),  # vetoed and gate-blocked villages: 三 starts a page
        Case("mini-skipped", summary(mini(), skipped=SKIPPED)),
        Case("jiaxing-rated", summary(clean)),  # nothing to list: 三 follows on
        Case("one-village", summary(jiaxing()[:1])),
    ]


def direct(view: SummaryReport) -> bytes:
    pdf, missing = render_summary_report(view, attached_on=REPORT_DATE)
    assert missing == ()
    return pdf


def weasy(view: SummaryReport) -> bytes:
    return renderer().render(render_summary_html(view))


def body_text(pdf: bytes, view: SummaryReport) -> str:
    """What the summary says, white space removed, without the footers (page numbers and the
    stamp, which the head prints in its body and every later page in its footer)."""
    text = PAGE_NUMBER.sub("", re.sub(r"\s+", "", "".join(pages_text(pdf))))
    for line in footer_lines(view):
        text = text.replace(re.sub(r"\s+", "", line), "")
    return text


def chart_free(text: str, view: SummaryReport) -> str:
    """The text without the charts' labels (drawn in reading order here, in markup order by
    WeasyPrint): the dimension names, the tiers, the bins, and the numbers."""
    labels = {*view.dim_names, *(c.name for c in view.rating_counts), *(c.name for c in view.score_counts)}
    for label in sorted(labels, key=len, reverse=True):
        text = text.replace(re.sub(r"\s+", "", label), "")
    return re.sub(r"[\d./·<≥–%-]+", "", text)


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_the_direct_summary_says_what_weasyprint_prints_from_the_html(case: Case) -> None:
    ours, theirs = direct(case.view), weasy(case.view)
    a, b = body_text(ours, case.view), body_text(theirs, case.view)
    assert Counter(a) == Counter(b)  # every character, as often
    assert chart_free(a, case.view) == chart_free(b, case.view)  # in the same order outside the charts
    assert len(pages_text(ours)) == len(pages_text(theirs))


def test_the_exceptions_start_a_page_when_they_list_villages_and_follow_on_otherwise() -> None:
    listed, clean = cases()[0].view, cases()[2].view
    assert listed.vetoed and listed.gate_blocked and not clean.vetoed and not clean.gate_blocked
    for view, starts in ((listed, True), (clean, False)):
        pages = [re.sub(r"\s+", "", p) for p in pages_text(direct(view))]
        (third,) = [p for p in pages if "三、一票否决与不予评定" in p]
        assert third.startswith("三、一票否决与不予评定") is starts
    pages = [re.sub(r"\s+", "", p) for p in pages_text(direct(listed))]
    (third,) = [p for p in pages if "三、一票否决与不予评定" in p]
    assert "一票否决的村（社区）" in third and "未达申报门槛的村（社区）" in third


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_nothing_runs_off_a_page_and_every_page_is_numbered_with_the_stamp_once(case: Case) -> None:
    pdf = direct(case.view)
    footer = ("评分标准", "结果数据哈希", "第 ")
    for n, texts in enumerate(placed_text(pdf), 1):
        for x, y, text in texts:
            # Charts may reach past the right margin as in the HTML (their SVG is wider than a
            # .pair cell); their labels still start inside the page.
            assert SPEC.left - 1 <= x <= SPEC.width - SPEC.right, (n, x, text)
            assert y < SPEC.height - SPEC.top, (n, y, text)
            if y < SPEC.bottom:
                assert text.startswith(footer), (n, y, text)
    pages = pages_text(pdf)
    a, b = (re.sub(r"\s+", "", line) for line in footer_lines(case.view))
    for n, page in enumerate(pages, 1):
        flat = re.sub(r"\s+", "", page)
        assert flat.endswith(f"第{n}页/共{len(pages)}页"), n
        assert flat.count(a) == 1 and flat.count(b) == 1, n  # the head on page 1, the footer after


def test_title_is_the_html_title_and_the_same_summary_gives_the_same_bytes() -> None:
    view = cases()[0].view
    meta = pypdf.PdfReader(io.BytesIO(direct(view))).metadata
    html_title = re.search(r"<title>(.*?)</title>", render_summary_html(view))
    assert html_title is not None and meta is not None
    assert meta.title == summary_title(view) == html_title.group(1)
    direct(cases()[1].view)
    assert direct(view) == direct(view)


def test_without_uharfbuzz_the_summary_falls_back_to_weasyprint(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanzhi.reports import fontsubset
    from sanzhi.reports.formats import SummaryDoc
    from sanzhi.reports.formats.pdf import summary as pdf_summary

    villages = mini()
    view = summary(villages)
    doc = SummaryDoc(view, [(v.result, v.input_sha256) for v in villages], REPORT_DATE)
    fast = pdf_summary(doc).data
    monkeypatch.setattr(fontsubset, "available", lambda: False)
    slow = pdf_summary(doc).data
    assert "WeasyPrint" in producer(slow) and producer(fast).startswith("sanzhi")
    assert body_text(slow, view) == body_text(weasy(view), view)
    for pdf in (fast, slow):
        assert "results.json" in pypdf.PdfReader(io.BytesIO(pdf)).attachments
