"""Pages of the directly drawn report: nothing runs off a page, headings stay with what follows,
rows taller than a page are split between lines rather than lost."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from sanzhi.reports.direct.flow import MM, PageSpec
from sanzhi.reports.direct.render import render_village_report
from sanzhi.reports.village import Reason, Suggestion, VillageReport
from tests.reports.test_html import REPORT_DATE, jiaxing, mini

SPEC = PageSpec()
FOOTER = ("评分标准", "输入数据哈希", "第 ")
HEADINGS = ("一、评分概况", "二、评分明细", "三、改进建议", "主要失分项")


def placed_text(pdf: bytes) -> list[list[tuple[float, float, str]]]:
    """Per page, every drawn text with its baseline position (x, y) in page coordinates."""
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        found: list[tuple[float, float, str]] = []

        def visit(text: str, cm: list[float], tm: list[float], *_: object, found: list[tuple[float, float, str]] = found) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append((x, y, text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def body_text(pdf: bytes) -> str:
    """The pages' text without their footers, white space removed."""
    lines = [line for page in pypdf.PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines()
             if not line.startswith(FOOTER)]
    return re.sub(r"\s+", "", "".join(lines))


def render(view: VillageReport) -> bytes:
    pdf, _ = render_village_report(view, attached_on=REPORT_DATE)
    return pdf


def assert_within_pages(pdf: bytes) -> None:
    top = SPEC.height - SPEC.top
    for n, texts in enumerate(placed_text(pdf), 1):
        for x, y, text in texts:
            assert SPEC.left - 1 <= x <= SPEC.width - SPEC.right, (n, x, text)
            if y < SPEC.bottom:
                assert text.startswith(FOOTER), (n, y, text)  # only the footer lies in the bottom margin
            assert y < top, (n, y, text)


@pytest.mark.parametrize("v", [*jiaxing(), *mini()], ids=lambda v: v.view.village_name)
def test_bundled_reports_stay_on_their_pages_and_no_page_ends_with_a_heading(v: object) -> None:
    view = v.view  # type: ignore[attr-defined]
    pdf = render(view)
    assert_within_pages(pdf)
    for texts in placed_text(pdf):
        body = [t for t in texts if t[1] >= SPEC.bottom]
        lowest = min(body, key=lambda t: t[1])[2]
        assert not lowest.startswith(HEADINGS), lowest


def _long_reasons(view: VillageReport, n: int) -> VillageReport:
    group = view.groups[0]
    first = group.rows[0]
    reasons = tuple(Reason(f"第{i}条扣分说明：佐证材料缺失，按细则扣分。", True) for i in range(n))
    rows = (first._replace(reasons=reasons), *group.rows[1:])
    return view._replace(groups=(group._replace(rows=rows), *view.groups[1:]))


def test_a_row_taller_than_a_page_is_split_between_lines_and_keeps_every_line() -> None:
    view = _long_reasons(mini()[0].view, 150)
    pdf = render(view)
    assert_within_pages(pdf)
    text = body_text(pdf)
    positions = [text.find(f"第{i}条扣分说明") for i in range(150)]
    assert -1 not in positions and positions == sorted(positions)
    normal = len(pypdf.PdfReader(io.BytesIO(render(mini()[0].view))).pages)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) >= normal + 2


def test_a_suggestion_taller_than_a_page_flows_on() -> None:
    view = mini()[0].view
    advice = "整改建议：" + "按照细则逐项整改，建立台账，定期复核。" * 400
    pdf = render(view._replace(suggestions=(Suggestion("1.1", "测试项", "2", advice, "评定标准", ()),)))
    assert_within_pages(pdf)
    assert advice in body_text(pdf)


def test_page_spec_is_a4_with_the_stylesheet_margins() -> None:
    assert (round(SPEC.width / MM), round(SPEC.height / MM)) == (210, 297)
    assert round(SPEC.content_width / MM) == 182 and round(SPEC.content_height / MM) == 262
