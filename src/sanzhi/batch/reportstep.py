"""The report step of a batch: each village's reports and each county's summary, in every
wanted format of `sanzhi.reports.formats`.

A `ReportStep` is shipped to every worker, so it must pickle and builds its heavy state (the
rubric slice the reports print; the PDF renderer, via the formats' `prepare`) lazily, once per
process. `FormatReports` renders through the format registry; tests plug in a stand-in.

The report date printed in every report is the day the run started (kept with the run), so a
resumed run prints the same date as an uninterrupted one and the files stay identical.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

from sanzhi.reports.formats import get_format
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.compile import CompiledRubric

if TYPE_CHECKING:
    from sanzhi.reports.village import RubricInfo
    from sanzhi.scoring.units import UnitResult

__all__ = ["FormatReports", "ReportStep"]


class ReportStep(Protocol):
    """Renders report files for a batch; `formats` are registry names, bytes come back in that order."""

    def prepare(self, formats: Sequence[str]) -> None: ...

    def village(self, compiled: CompiledRubric, result: VillageResult, input_sha256: str, report_date: date,
                formats: Sequence[str]) -> tuple[bytes, ...]: ...

    def summary(self, compiled: CompiledRubric, results: Sequence[tuple[VillageResult, str | None]],
                skipped: Sequence[tuple[str, str]], report_date: date, formats: Sequence[str]) -> tuple[bytes, ...]: ...


class FormatReports:
    """Reports through `sanzhi.reports.formats`; the view model is built once for all formats.

    Characters missing from the font print as boxes: a batch keeps such a report (the CLI's
    `sanzhi score` is where they are listed).
    """

    def __init__(self) -> None:
        self._info: tuple[str, RubricInfo] | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"_info": None}  # rebuilt in each process

    def __setstate__(self, state: dict[str, object]) -> None:
        self._info = None

    def _rubric_info(self, compiled: CompiledRubric) -> RubricInfo:
        from sanzhi.reports.village import rubric_info

        if self._info is None or self._info[0] != compiled.content_hash:
            self._info = (compiled.content_hash, rubric_info(compiled))
        return self._info[1]

    def prepare(self, formats: Sequence[str]) -> None:
        for name in formats:
            setup = get_format(name).prepare
            if setup is not None:
                setup()

    def village(self, compiled: CompiledRubric, result: VillageResult, input_sha256: str, report_date: date,
                formats: Sequence[str]) -> tuple[bytes, ...]:
        from sanzhi.reports.formats import VillageDoc
        from sanzhi.reports.village import build_village_report

        view = build_village_report(self._rubric_info(compiled), result, input_sha256=input_sha256,
                                    report_date=report_date)
        doc = VillageDoc(view, result, input_sha256, report_date)
        return tuple(get_format(name).village(doc).data for name in formats)

    def unit(self, compiled: CompiledRubric, unit: UnitResult, input_sha256: str, report_date: date,
             formats: Sequence[str]) -> tuple[bytes, ...]:
        """A township's or county's report (sanzhi.batch.units): the village report's formats, with
        the aggregates and the villages behind them (sanzhi.reports.unit)."""
        from sanzhi.reports.formats import VillageDoc
        from sanzhi.reports.unit import build_unit_report

        namespace = compiled.village_namespace
        view = build_unit_report(self._rubric_info(compiled), unit, input_sha256=input_sha256, report_date=report_date,
                                 display=namespace.display if namespace is not None else {})
        doc = VillageDoc(view, unit.result, input_sha256, report_date)
        return tuple(get_format(name).village(doc).data for name in formats)

    def summary(self, compiled: CompiledRubric, results: Sequence[tuple[VillageResult, str | None]],
                skipped: Sequence[tuple[str, str]], report_date: date, formats: Sequence[str]) -> tuple[bytes, ...]:
        from sanzhi.reports.formats import SummaryDoc
        from sanzhi.reports.summary import build_summary_report

        view = build_summary_report(self._rubric_info(compiled), results, report_date=report_date, skipped=skipped)
        doc = SummaryDoc(view, results, report_date)
        return tuple(get_format(name).summary(doc).data for name in formats)
