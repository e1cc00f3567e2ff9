"""fastparse reads report HTML into the very tree tinyhtml5 (WeasyPrint's parser) builds.

Compared element by element (tag, attributes, text, tail) for the village and summary
reports of every bundled rubric's samples and of the test data (names with markup in them
included); markup it cannot read the same way is refused, never misread.
"""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
import tinyhtml5

from sanzhi.app import api
from sanzhi.reports.fastparse import parse_report_html
from sanzhi.reports.html import render_summary_html, render_village_html
from sanzhi.reports.summary import build_summary_report
from sanzhi.reports.village import build_village_report, rubric_info
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import bundled_rubrics, sample_files
from tests.reports.test_html import jiaxing, mini, summary_html

Node = tuple[str, list[tuple[str, str]], str | None, str | None]


def flat(element: ET.Element) -> list[Node]:
    return [(e.tag, sorted(e.attrib.items()), e.text, e.tail) for e in element.iter()]


def assert_same_tree(html: str) -> None:
    fast = parse_report_html(html)
    assert fast is not None, "refused report markup"
    assert flat(fast) == flat(tinyhtml5.parse(html, namespace_html_elements=False))


def sample_reports(rubric: str) -> list[str]:
    compiled, _ = api.load_compiled_rubric(rubric)
    info = rubric_info(compiled)
    day = date(2026, 1, 15)
    pages: list[str] = []
    results: list[tuple[VillageResult, str | None]] = []
    for o in api.score_paths(compiled, [sample_files(rubric)[0].parent]):
        if o.result is not None:
            pages.append(render_village_html(build_village_report(
                info, o.result, input_sha256=o.input_sha256, report_date=day)))
            results.append((o.result, o.input_sha256))
    return [*pages, render_summary_html(build_summary_report(info, results, report_date=day))]


@pytest.mark.parametrize("rubric", sorted({r.id for r in bundled_rubrics() if sample_files(r.id)}))
def test_bundled_samples_parse_to_tinyhtml5s_tree(rubric: str) -> None:
    for html in sample_reports(rubric):
        assert_same_tree(html)


def test_test_data_reports_parse_to_tinyhtml5s_tree() -> None:
    for villages in (mini(), jiaxing()):
        for v in villages:
            assert_same_tree(render_village_html(v.view))
        assert_same_tree(summary_html(villages))


@pytest.mark.parametrize("markup", [
    "<p>a &nbsp; b</p>",  # an entity expat does not know
    "<p>a<!-- c --></p>",
    "<style>p > a { color: red }</style>",
    "<pre>\nx</pre>",
    "<base href=\"x\"><p>a</p>",
    "<p title=\"a\nb\">a</p>",
    "<p>\x01</p>",
    "<p>unclosed",
    "<table><tr><td>a</td></tr><tbody></tbody><tr><td>b</td></tr></table>",
])
def test_markup_it_cannot_read_the_same_way_is_refused(markup: str) -> None:
    html = f"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<title>t</title>\n</head>\n<body>\n{markup}\n</body>\n</html>\n"
    assert parse_report_html(html) is None


def test_non_report_markup_is_refused() -> None:
    assert parse_report_html("<p>村</p>") is None
