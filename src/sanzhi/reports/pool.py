"""Report files, one village at a time or many in parallel: view model → HTML → PDF → disk.

Why it is shaped like this:

- A PDF costs a few hundred milliseconds of pure-Python layout, so a county run uses every
  core through a ``ProcessPoolExecutor``. Threads would not help (the GIL; and a renderer
  serialises its own renders).
- Each worker builds its renderer once, in the pool *initializer*: one ``FontConfiguration``
  and the parsed CSS are reused for every report that worker writes (tech notes §2), which
  keeps both time and memory flat. The initializer also tunes the cyclic garbage collector
  for WeasyPrint's allocation pattern (:func:`prepare_worker`): GC was a quarter of the time.
- The ``fork`` start method where the platform has it: workers start in milliseconds and
  share the parent's imported modules and the rubric slice copy-on-write. The standard
  library refuses ``max_tasks_per_child`` with ``fork``, so asking for worker recycling
  switches to ``forkserver`` (or ``spawn``), whose workers pay the imports once each.
- Workers write the files themselves and send back only paths, so PDF bytes never cross a
  pipe; at most a few jobs per worker are in flight, so memory does not grow with the size of
  the run.
- A village whose text has a character missing from the font still gets its PDF (with boxes
  for those characters); the characters come back in :class:`Written` for the CLI to report.
"""

import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from datetime import date
from pathlib import Path
from typing import NamedTuple

from sanzhi.common.gcpolicy import fewer_collections, settle_worker
from sanzhi.reports.html import print_stylesheets, render_summary_html, render_village_html
from sanzhi.reports.json_convert import village_data
from sanzhi.reports.json_output import dumps_results, encode_json
from sanzhi.reports.pdf import MissingGlyphError, PdfRenderer, get_renderer
from sanzhi.reports.summary import build_summary_report
from sanzhi.reports.village import RubricInfo, Signatory, build_village_report
from sanzhi.scoring.results import VillageResult

__all__ = [
    "SummaryJob",
    "VillageJob",
    "Written",
    "default_workers",
    "prepare_worker",
    "render_summary_pdf",
    "render_village_pdf",
    "report_filename",
    "report_gc",
    "write_reports_parallel",
    "write_summary",
    "write_village",
]

SUMMARY_STEM = "summary"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class VillageJob(NamedTuple):
    """One village report to write: its result and where each format goes (None: skip)."""

    result: VillageResult
    input_sha256: str | None
    people: tuple[Signatory, ...] | None
    pdf_path: Path | None
    html_path: Path | None


class SummaryJob(NamedTuple):
    results: tuple[tuple[VillageResult, str | None], ...]
    skipped: tuple[tuple[str, str], ...]
    pdf_path: Path | None
    html_path: Path | None


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


def default_workers() -> int:
    """Cores this process may use (its CPU affinity where the OS reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------- one document


def _renderer() -> PdfRenderer:
    return get_renderer(print_stylesheets())


def _checked(html: str, attachments: Sequence[tuple[str, bytes, str]], day: date) -> tuple[bytes, tuple[str, ...]]:
    try:
        return _renderer().render_checked(html, attachments=attachments, attached_on=day), ()
    except MissingGlyphError as e:
        assert e.pdf is not None
        return e.pdf, e.chars


def _result_attachment(result: VillageResult, input_sha256: str | None) -> tuple[str, bytes, str]:
    blob = encode_json(village_data(result, input_sha256))
    return (f"{result.village_code}-result.json", blob,
            "本报告的评分结果数据（sanzhi result_data），可用于复核")


def render_village_pdf(
    info: RubricInfo,
    result: VillageResult,
    *,
    input_sha256: str | None,
    report_date: date,
    people: Sequence[Signatory] | None = None,
) -> bytes:
    """One village's PDF report, with its result JSON attached; raises MissingGlyphError."""
    view = build_village_report(info, result, input_sha256=input_sha256, report_date=report_date,
                                people=people)
    html = render_village_html(view)
    return _renderer().render_checked(html, attachments=[_result_attachment(result, input_sha256)],
                                      attached_on=report_date)


def render_summary_pdf(
    info: RubricInfo,
    results: Sequence[tuple[VillageResult, str | None]],
    *,
    report_date: date,
    skipped: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The run summary PDF, with the whole results file attached; raises MissingGlyphError."""
    view = build_summary_report(info, results, report_date=report_date, skipped=skipped)
    attachment = ("results.json", dumps_results(results), "本次评定全部村（社区）的评分结果")
    return _renderer().render_checked(render_summary_html(view), attachments=[attachment], attached_on=report_date)


def write_village(info: RubricInfo, job: VillageJob, report_date: date) -> Written:
    """Write one village's PDF and/or screen HTML, as the job says."""
    view = build_village_report(info, job.result, input_sha256=job.input_sha256,
                                report_date=report_date, people=job.people)
    paths: list[Path] = []
    missing: tuple[str, ...] = ()
    if job.pdf_path is not None:
        pdf, missing = _checked(render_village_html(view),
                                [_result_attachment(job.result, job.input_sha256)], report_date)
        _write_bytes(job.pdf_path, pdf)
        paths.append(job.pdf_path)
    if job.html_path is not None:
        _write_bytes(job.html_path, render_village_html(view, standalone=True).encode("utf-8"))
        paths.append(job.html_path)
    return Written(job.result.village_code, tuple(paths), missing)


def write_summary(info: RubricInfo, job: SummaryJob, report_date: date) -> Written:
    view = build_summary_report(info, job.results, report_date=report_date, skipped=job.skipped)
    paths: list[Path] = []
    missing: tuple[str, ...] = ()
    if job.pdf_path is not None:
        attachment = ("results.json", dumps_results(job.results), "本次评定全部村（社区）的评分结果")
        pdf, missing = _checked(render_summary_html(view), [attachment], report_date)
        _write_bytes(job.pdf_path, pdf)
        paths.append(job.pdf_path)
    if job.html_path is not None:
        _write_bytes(job.html_path, render_summary_html(view, standalone=True).encode("utf-8"))
        paths.append(job.html_path)
    return Written(SUMMARY_STEM, tuple(paths), missing)


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

_worker: tuple[RubricInfo, date] | None = None

# Rendering allocates a few million short-lived objects per report, some in cycles: with the
# default thresholds GC was a quarter of the render time (see sanzhi.common.gcpolicy).
report_gc = fewer_collections


def prepare_worker(needs_pdf: bool = True) -> None:
    """Set up a process that will render many reports: renderer first, then the collector.

    The renderer (fonts, fontconfig check, parsed CSS) is built once, before the first job.
    Then every object alive now (modules, fonts, stylesheets, the rubric) is frozen out of the
    cyclic collector's sight: they live as long as the worker, and re-scanning them in every
    full collection was most of the GC cost. Only for processes sanzhi owns (pool workers):
    freezing is process-wide.
    """
    if needs_pdf:
        _renderer()
    settle_worker()


def _init_worker(info: RubricInfo, report_date: date, needs_pdf: bool) -> None:
    global _worker
    _worker = (info, report_date)
    prepare_worker(needs_pdf)


def _run(job: VillageJob | SummaryJob) -> Written:
    assert _worker is not None, "worker not initialised"
    info, report_date = _worker
    if isinstance(job, SummaryJob):
        return write_summary(info, job, report_date)
    return write_village(info, job, report_date)


def _context(max_tasks_per_child: int | None) -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if max_tasks_per_child is None and "fork" in methods:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["sanzhi.reports.pool"])
    return ctx


def write_reports_parallel(
    info: RubricInfo,
    jobs: Iterable[VillageJob | SummaryJob],
    *,
    report_date: date,
    workers: int | None = None,
    max_tasks_per_child: int | None = None,
    in_flight_per_worker: int = 4,
    pdf: bool = True,
) -> Iterator[Written]:
    """Write every job's files, yielding each :class:`Written` as it finishes (in any order).

    `workers` defaults to every usable core; with 1 everything runs in this process.
    `max_tasks_per_child` recycles each worker after that many reports (a guard against
    memory growth in WeasyPrint or its C libraries; measured flat, so off by default).
    `pdf=False` (HTML only) skips building a PDF renderer in each worker.
    """
    workers = workers or default_workers()
    if workers == 1:
        global _worker
        previous, _worker = _worker, (info, report_date)
        try:
            for job in jobs:
                with report_gc():  # not across the yield: the caller's code runs there
                    written = _run(job)
                yield written
        finally:
            _worker = previous
        return
    pending = iter(jobs)
    in_flight: set[Future[Written]] = set()
    context = _context(max_tasks_per_child)
    if pdf and context.get_start_method() == "fork":
        # Import WeasyPrint and build the renderer once, here: forked workers inherit both
        # instead of each paying ~0.6 s of imports and set-up (a cold one-village run starts
        # two workers, for the village and the summary).
        _renderer()
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(info, report_date, pdf),
        max_tasks_per_child=max_tasks_per_child,
    ) as pool:
        try:
            while True:
                for job in pending:
                    in_flight.add(pool.submit(_run, job))
                    if len(in_flight) >= workers * in_flight_per_worker:
                        break
                if not in_flight:
                    return
                done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
