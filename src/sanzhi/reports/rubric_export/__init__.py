"""`sanzhi rubric export`: a rubric as the printable 评分标准 table an office publishes.

One writer per output format, registered by suffix in `WRITERS`; each takes the rubric and
its `TableLayout` (sanzhi.standard.tables.layout: every text already in words) and returns
the file's bytes, the same bytes for the same rubric. This is not the village-report format
registry (reports/formats): a rubric table is another document.

    .xlsx  XlsxWriter: editable, A4 landscape, header row on every page, merged category
           cells, 小计 per category; plus the protected "机读数据" sheet that brings the
           rubric back exactly through `sanzhi rubric import`
    .docx  python-docx: editable Word table, the same layout
    .pdf   HTML through the report renderer (WeasyPrint, bundled Noto Sans SC)
"""

from collections.abc import Callable

from sanzhi.reports.rubric_export.docx import write_docx
from sanzhi.reports.rubric_export.pdf import write_pdf
from sanzhi.reports.rubric_export.xlsx import write_xlsx
from sanzhi.standard.models import Rubric
from sanzhi.standard.tables.layout import TableLayout

Writer = Callable[[Rubric, TableLayout], bytes]

WRITERS: dict[str, Writer] = {
    ".xlsx": write_xlsx,
    ".docx": write_docx,
    ".pdf": write_pdf,
}

__all__ = ["WRITERS", "Writer"]
