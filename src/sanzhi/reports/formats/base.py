"""What a report format is: one object that names its suffix and renders both report views.

A format receives finished view models (:mod:`sanzhi.reports.village`,
:mod:`sanzhi.reports.summary`) with the data a format may attach (the PDF embeds the result
JSON), and returns the file's bytes. It writes nothing itself: the callers (report pool,
batch) decide where files go and write them atomically.

The CLI builds its options from the registry, so format modules import their renderers
(jinja2, WeasyPrint, python-docx) inside the functions that use them, not at import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the registry is imported by every CLI command: it stays light
    from sanzhi.reports.summary import SummaryReport
    from sanzhi.reports.village import VillageReport
    from sanzhi.scoring.results import VillageResult

__all__ = ["Rendered", "ReportFormat", "SummaryDoc", "VillageDoc"]


class VillageDoc(NamedTuple):
    """One village's report, ready to render: its view and the data behind it."""

    view: VillageReport
    result: VillageResult
    input_sha256: str | None
    report_date: date


class SummaryDoc(NamedTuple):
    """A run summary, ready to render: its view and the results it summarises."""

    view: SummaryReport
    results: Sequence[tuple[VillageResult, str | None]]
    report_date: date


class Rendered(NamedTuple):
    """A rendered file; `missing_glyphs` are characters the font lacks (printed as boxes)."""

    data: bytes
    missing_glyphs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportFormat:
    """A report format. `name` is its key everywhere: jobs, the batch's `outputs` table and
    the CLI option (`--NAME`). The help texts are the CLI's, in Chinese.

    `prepare`, when given, is run once in every process that will render many reports, before
    the first (the PDF renderer: fonts, fontconfig check, parsed CSS); rendering must work
    without it too (it then happens on first use).

    `notice`, when given, says (in Chinese) what about this machine makes the format worse, or
    None; the CLI asks once per run, in the main process, when the format is wanted, so a run
    with many worker processes says it once.
    """

    name: str
    suffix: str
    score_help: str  # `sanzhi score --NAME DIR`
    batch_help: str  # `sanzhi batch --NAME`
    village: Callable[[VillageDoc], Rendered]
    summary: Callable[[SummaryDoc], Rendered]
    prepare: Callable[[], object] | None = None
    notice: Callable[[], str | None] | None = None
