"""The PDF step of a batch, pluggable: per-village reports and the run's summary report.

A `PdfStep` (see `sanzhi.batch.work.PdfStep`) is shipped to every worker, so it must pickle
and should build its heavy state (fonts, CSS, the WeasyPrint renderer) lazily, once per
process. `load_pdf_step()` returns the one backed by `sanzhi.reports`, or None while this
installation has no PDF reports; `sanzhi batch --pdf` then says so and stops.
"""

from __future__ import annotations

import importlib.util

from sanzhi.batch.work import PdfStep


def load_pdf_step() -> PdfStep | None:
    if importlib.util.find_spec("sanzhi.reports.pool") is None:
        return None
    return None


__all__ = ["load_pdf_step"]
