"""The PDF format, with the result data attached: a village's (township's, county's) report and
the run summary, drawn directly (:mod:`sanzhi.reports.direct`). WeasyPrint renders them from
their HTML only on a broken install without uharfbuzz."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from sanzhi.reports.formats.base import Rendered, ReportFormat, SummaryDoc, VillageDoc

if TYPE_CHECKING:
    from sanzhi.reports.pdf import PdfRenderer
    from sanzhi.reports.village import RubricInfo, Signatory
    from sanzhi.scoring.results import VillageResult

__all__ = ["FORMAT", "render_summary_pdf", "render_village_pdf"]


def renderer() -> PdfRenderer:
    """This process's renderer (built on first use, then reused)."""
    from sanzhi.reports.html import print_stylesheets
    from sanzhi.reports.pdf import get_renderer

    return get_renderer(print_stylesheets())


def _result_attachment(result: VillageResult, input_sha256: str | None) -> tuple[str, bytes, str]:
    from sanzhi.reports.json_convert import village_data
    from sanzhi.reports.json_output import encode_json

    blob = encode_json(village_data(result, input_sha256))
    return (f"{result.village_code}-result.json", blob,
            "本报告的评分结果数据（sanzhi result_data），可用于复核")


def _results_attachment(results: Sequence[tuple[VillageResult, str | None]]) -> tuple[str, bytes, str]:
    from sanzhi.reports.json_output import dumps_results

    return ("results.json", dumps_results(results), "本次评定全部村（社区）的评分结果")


def _checked(html: str, attachment: tuple[str, bytes, str], day: date) -> Rendered:
    """The PDF even when the font lacks a character (it prints as a box): the report is still
    wanted, and the characters go back to the caller to report."""
    from sanzhi.reports.pdf import MissingGlyphError

    try:
        return Rendered(renderer().render_checked(html, attachments=[attachment], attached_on=day))
    except MissingGlyphError as e:
        assert e.pdf is not None
        return Rendered(e.pdf, e.chars)


def village(doc: VillageDoc) -> Rendered:
    """The PDF even when the font lacks a character (it prints as a box); the characters go
    back to the caller to report. Drawn directly; only a broken install without uharfbuzz
    (which the direct route measures and subsets with) falls back to WeasyPrint and the
    report's HTML, slowly (`subsetting_notice` says so once a run)."""
    from sanzhi.reports import fontsubset

    attachment = _result_attachment(doc.result, doc.input_sha256)
    if not fontsubset.available():
        from sanzhi.reports.html import render_village_html

        return _checked(render_village_html(doc.view), attachment, doc.report_date)
    from sanzhi.reports.direct.render import render_village_report

    pdf, missing = render_village_report(doc.view, attachments=[attachment], attached_on=doc.report_date)
    return Rendered(pdf, missing)


def summary(doc: SummaryDoc) -> Rendered:
    """The run summary, drawn directly like a village's report (and with the same fallback)."""
    from sanzhi.reports import fontsubset

    attachment = _results_attachment(doc.results)
    if not fontsubset.available():
        from sanzhi.reports.html import render_summary_html

        return _checked(render_summary_html(doc.view), attachment, doc.report_date)
    from sanzhi.reports.direct.render import render_summary_report

    pdf, missing = render_summary_report(doc.view, attachments=[attachment], attached_on=doc.report_date)
    return Rendered(pdf, missing)


FORMAT = ReportFormat(
    name="pdf",
    suffix=".pdf",
    score_help="在此文件夹生成每个村的 PDF 评定报告和汇总报告",
    batch_help="同时生成每村 PDF 报告与汇总 PDF",
    village=village,
    summary=summary,
    prepare=lambda: _prepare(),
    notice=lambda: _subsetting_notice(),
)


def _prepare() -> None:
    """A worker's set-up: the faces the reports measure with. WeasyPrint is not set up: only
    the fallback of a broken install needs it, and builds it on first use."""
    from sanzhi.reports.direct.text import face

    face(False), face(True)


def _subsetting_notice() -> str | None:
    from sanzhi.reports import fontsubset

    if fontsubset.available():  # the usual case: no need to load the WeasyPrint route's module
        return None
    from sanzhi.reports.pdf import subsetting_notice

    return subsetting_notice()


def render_village_pdf(
    info: RubricInfo,
    result: VillageResult,
    *,
    input_sha256: str | None,
    report_date: date,
    people: Sequence[Signatory] | None = None,
) -> bytes:
    """One village's PDF report, with its result JSON attached; raises MissingGlyphError."""
    from sanzhi.reports.pdf import MissingGlyphError
    from sanzhi.reports.village import build_village_report

    view = build_village_report(info, result, input_sha256=input_sha256, report_date=report_date, people=people)
    rendered = village(VillageDoc(view, result, input_sha256, report_date))
    if rendered.missing_glyphs:
        raise MissingGlyphError(rendered.missing_glyphs, rendered.data)
    return rendered.data


def render_summary_pdf(
    info: RubricInfo,
    results: Sequence[tuple[VillageResult, str | None]],
    *,
    report_date: date,
    skipped: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The run summary PDF, with the whole results file attached; raises MissingGlyphError."""
    from sanzhi.reports.pdf import MissingGlyphError
    from sanzhi.reports.summary import build_summary_report

    view = build_summary_report(info, results, report_date=report_date, skipped=skipped)
    rendered = summary(SummaryDoc(view, results, report_date))
    if rendered.missing_glyphs:
        raise MissingGlyphError(rendered.missing_glyphs, rendered.data)
    return rendered.data
