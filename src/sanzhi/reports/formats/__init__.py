"""Report formats, one registration each (see :class:`ReportFormat`).

Adding a format: a module here with a ``FORMAT`` object (suffix, village and summary
renderers, the CLI help texts), its line in :data:`FORMATS`, and its tests. Everything else —
`sanzhi score --NAME DIR`, `sanzhi batch --NAME`, the report pool, the batch's outputs table,
resume and the sweep — goes through this registry.
"""

from sanzhi.reports.formats import docx, html, pdf
from sanzhi.reports.formats.base import Rendered, ReportFormat, SummaryDoc, VillageDoc

__all__ = ["FORMATS", "Rendered", "ReportFormat", "SummaryDoc", "VillageDoc", "get_format"]

#: Every report format, in the order their files are written and their options listed.
FORMATS: tuple[ReportFormat, ...] = (pdf.FORMAT, html.FORMAT, docx.FORMAT)

_BY_NAME = {f.name: f for f in FORMATS}


def get_format(name: str) -> ReportFormat:
    """The registered format called `name` (KeyError for an unknown one: a programming error)."""
    return _BY_NAME[name]
