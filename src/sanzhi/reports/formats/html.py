"""The screen format: one self-contained HTML file per report (the print CSS plus a screen sheet inlined)."""

from sanzhi.reports.formats.base import Rendered, ReportFormat, SummaryDoc, VillageDoc

__all__ = ["FORMAT"]


def village(doc: VillageDoc) -> Rendered:
    from sanzhi.reports.html import render_village_html

    return Rendered(render_village_html(doc.view, standalone=True).encode("utf-8"))


def summary(doc: SummaryDoc) -> Rendered:
    from sanzhi.reports.html import render_summary_html

    return Rendered(render_summary_html(doc.view, standalone=True).encode("utf-8"))


FORMAT = ReportFormat(
    name="html",
    suffix=".html",
    score_help="在此文件夹生成网页版（单个 HTML 文件）报告",
    batch_help="同时生成每村网页版（单个 HTML 文件）报告与汇总",
    village=village,
    summary=summary,
)
