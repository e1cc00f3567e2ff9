"""The PDF step of a batch, pluggable: per-village reports and per-county summary reports.

A `PdfStep` (see `sanzhi.batch.work.PdfStep`) is shipped to every worker, so it must pickle
and builds its heavy state (fonts, CSS, the WeasyPrint renderer, the rubric slice) lazily,
once per process. `load_pdf_step()` returns the step backed by `sanzhi.reports.pool`, or
None where this installation has no PDF reports (`sanzhi batch --pdf` then says so).

The report date printed in every PDF is the day the run started (kept with the run), so a
resumed run prints the same date as an uninterrupted one and the files stay identical.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from datetime import date
from typing import Any

from sanzhi.batch.work import PdfStep
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.compile import CompiledRubric


class ReportsPdfStep:
    """PDFs through `sanzhi.reports.pool` (WeasyPrint), one renderer per worker process."""

    def __init__(self) -> None:
        self._info: tuple[str, Any] | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"_info": None}  # rebuilt in each process

    def _rubric_info(self, compiled: CompiledRubric) -> Any:
        from sanzhi.reports.village import rubric_info

        if self._info is None or self._info[0] != compiled.content_hash:
            self._info = (compiled.content_hash, rubric_info(compiled))
        return self._info[1]

    def village_pdf(self, compiled: CompiledRubric, result: VillageResult, input_sha256: str, report_date: date) -> bytes:
        from sanzhi.reports import pool
        from sanzhi.reports.pdf import MissingGlyphError

        try:
            pdf = pool.render_village_pdf(self._rubric_info(compiled), result, input_sha256=input_sha256,
                                          report_date=report_date)
        except MissingGlyphError as e:  # rare characters print as boxes; the report is still wanted
            assert e.pdf is not None
            pdf = e.pdf
        return pdf

    def summary_pdf(self, compiled: CompiledRubric, results: Sequence[tuple[VillageResult, str | None]],
                    skipped: Sequence[tuple[str, str]], report_date: date) -> bytes:
        from sanzhi.reports import pool
        from sanzhi.reports.pdf import MissingGlyphError

        try:
            pdf = pool.render_summary_pdf(self._rubric_info(compiled), results, report_date=report_date, skipped=skipped)
        except MissingGlyphError as e:
            assert e.pdf is not None
            pdf = e.pdf
        return pdf


def load_pdf_step() -> PdfStep | None:
    if importlib.util.find_spec("sanzhi.reports.pool") is None:
        return None
    return ReportsPdfStep()


__all__ = ["ReportsPdfStep", "load_pdf_step"]
