"""Report files, one village at a time or many in parallel: view model → each format → disk.

Why it is shaped like this:

- A PDF costs a few hundred milliseconds of pure-Python layout, so a county run uses every
  core through a process pool (:class:`sanzhi.common.pool.WorkerPool`: fork start, or fork
  server when workers are recycled; frozen, settled workers that die with their parent).
  Threads would not help (the GIL; and a renderer serialises its own renders).
- Each worker prepares the formats it will write once, in the pool's setup: the PDF renderer's
  ``FontConfiguration`` and parsed CSS are reused for every report that worker writes (tech
  notes §2), which keeps both time and memory flat.
- A job names its outputs as format → path (:mod:`sanzhi.reports.formats`); the view model is
  built once per job and handed to each format.
- Workers write the files themselves and send back only paths, so report bytes never cross a
  pipe; at most a few jobs per worker are in flight, so memory does not grow with the size of
  the run.
- A village whose text has a character missing from the font still gets its PDF (with boxes
  for those characters); the characters come back in :class:`Written` for the CLI to report.
"""

import os
import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import NamedTuple

from sanzhi.common.gcpolicy import fewer_collections, settle_worker
from sanzhi.common.pool import WorkerPool, default_workers, start_context
from sanzhi.reports.formats import FORMATS, SummaryDoc, VillageDoc, get_format
from sanzhi.reports.summary import build_summary_report
from sanzhi.reports.village import RubricInfo, Signatory, build_village_report
from sanzhi.scoring.results import VillageResult

__all__ = [
    "SUMMARY_STEM",
    "SummaryJob",
    "VillageJob",
    "Written",
    "prepare_worker",
    "report_filename",
    "report_gc",
    "write_reports_parallel",
    "write_summary",
    "write_village",
]

SUMMARY_STEM = "summary"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class VillageJob(NamedTuple):
    """One village report to write: its result and the file of each wanted format (name → path)."""

    result: VillageResult
    input_sha256: str | None
    people: tuple[Signatory, ...] | None
    outputs: Mapping[str, Path]


class SummaryJob(NamedTuple):
    results: tuple[tuple[VillageResult, str | None], ...]
    skipped: tuple[tuple[str, str], ...]
    outputs: Mapping[str, Path]


class Written(NamedTuple):
    """What one job wrote. `missing_glyphs` lists characters the font lacks (printed as boxes)."""

    key: str  # village code, or "summary"
    paths: tuple[Path, ...]
    missing_glyphs: tuple[str, ...] = ()


def report_filename(result: VillageResult, suffix: str) -> str:
    """``330483101201-杏林村.pdf``: code first (unique, sorts by township), then the name.

    The name is data: path separators, control and shell-special characters are replaced,
    and it is cut short so that the file name stays well below file-system limits.
    """
    name = _UNSAFE.sub("_", result.village_name).strip(" .") or "村"
    return f"{_UNSAFE.sub('_', result.village_code)}-{name[:40]}{suffix}"


# --------------------------------------------------------------------------- one document


def write_village(info: RubricInfo, job: VillageJob, report_date: date) -> Written:
    """Write one village's report in every format the job names."""
    view = build_village_report(info, job.result, input_sha256=job.input_sha256,
                                report_date=report_date, people=job.people)
    doc = VillageDoc(view, job.result, job.input_sha256, report_date)
    missing: list[str] = []
    for name, path in job.outputs.items():
        rendered = get_format(name).village(doc)
        _write_bytes(path, rendered.data)
        missing += rendered.missing_glyphs
    return Written(job.result.village_code, tuple(job.outputs.values()), tuple(dict.fromkeys(missing)))


def write_summary(info: RubricInfo, job: SummaryJob, report_date: date) -> Written:
    view = build_summary_report(info, job.results, report_date=report_date, skipped=job.skipped)
    doc = SummaryDoc(view, job.results, report_date)
    missing: list[str] = []
    for name, path in job.outputs.items():
        rendered = get_format(name).summary(doc)
        _write_bytes(path, rendered.data)
        missing += rendered.missing_glyphs
    return Written(SUMMARY_STEM, tuple(job.outputs.values()), tuple(dict.fromkeys(missing)))


def _write_bytes(path: Path, data: bytes) -> None:
    """Write via a temporary name and rename, so a crash never leaves half a report."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- worker processes

# Rendering allocates a few million short-lived objects per report, some in cycles: with the
# default thresholds GC was a quarter of the render time (see sanzhi.common.gcpolicy).
report_gc = fewer_collections


def _prepare(formats: Collection[str] | None) -> None:
    for f in FORMATS:
        if f.prepare is not None and (formats is None or f.name in formats):
            f.prepare()


def prepare_worker(formats: Collection[str] | None = None) -> None:
    """Set up a process that will render many reports (what each pool worker does): the
    formats' per-process state first (the PDF renderer), then the collector is settled.
    Only for processes sanzhi owns: freezing is process-wide. `None`: every format."""
    _prepare(formats)
    settle_worker()


class _State(NamedTuple):
    info: RubricInfo
    report_date: date
    formats: tuple[str, ...] | None  # to prepare in each worker; None: every format


def _setup(state: _State) -> _State:
    _prepare(state.formats)
    return state


def _run(state: _State, job: VillageJob | SummaryJob) -> Written:
    with report_gc():  # in-process runs too; in a settled worker this changes nothing
        if isinstance(job, SummaryJob):
            return write_summary(state.info, job, state.report_date)
        return write_village(state.info, job, state.report_date)


def write_reports_parallel(
    info: RubricInfo,
    jobs: Iterable[VillageJob | SummaryJob],
    *,
    report_date: date,
    workers: int | None = None,
    max_tasks_per_child: int | None = None,
    in_flight_per_worker: int = 4,
    formats: Collection[str] | None = None,
) -> Iterator[Written]:
    """Write every job's files, yielding each :class:`Written` as it finishes (in any order).

    `workers` defaults to every usable core; with 1 everything runs in this process.
    `max_tasks_per_child` recycles each worker after that many reports (a guard against
    memory growth in WeasyPrint or its C libraries; measured flat, so off by default).
    `formats` are the ones the jobs use, prepared once in each worker (None: every format).
    """
    state = _State(info, report_date, tuple(formats) if formats is not None else None)
    workers = workers or default_workers()
    if workers > 1 and start_context(recycle=max_tasks_per_child is not None).get_start_method() == "fork":
        # Import WeasyPrint and build the renderer once, here: forked workers inherit both
        # instead of each paying ~0.6 s of imports and set-up (a cold one-village run starts
        # two workers, for the village and the summary).
        _prepare(state.formats)
    with WorkerPool(workers, state, setup=_setup, max_tasks_per_child=max_tasks_per_child,
                    preload=("sanzhi.reports.pool",)) as pool:
        yield from pool.unordered(_run, jobs, in_flight_per_worker)
