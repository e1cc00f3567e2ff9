"""Use cases wiring files to the pure core; the CLI and library users call these."""

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sanzhi.common.errors import Diagnostic, RubricError
from sanzhi.inputs.files import Loaded, read_villages
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import find_bundled, sample_files
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.loader import load_rubric_file

if TYPE_CHECKING:
    from sanzhi.reports.pool import Written


def load_compiled_rubric(ref: str) -> tuple[CompiledRubric, list[Diagnostic]]:
    """A rubric file path, or a bundled ID / ID@VERSION."""
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_rubric_file(path)
    return load_rubric_file(find_bundled(ref).path, display_name=find_bundled(ref).path.name)


def samples_for(compiled: CompiledRubric) -> list[Path]:
    files = sample_files(compiled.rubric.id)
    if not files:
        raise RubricError([Diagnostic("R002", f"评分标准 {compiled.ref} 没有内置示例村数据")])
    return files


@dataclass(frozen=True, slots=True)
class Outcome:
    loaded: Loaded
    result: VillageResult | None

    @property
    def input_sha256(self) -> str:
        return "sha256:" + hashlib.sha256(self.loaded.input_bytes).hexdigest()


def score_paths(compiled: CompiledRubric, paths: list[Path]) -> Iterator[Outcome]:
    """Score every village file; a bad village yields its error and the run goes on."""
    for loaded in read_villages(compiled, paths):
        result = score_village(compiled, loaded.assessment) if loaded.assessment is not None else None
        yield Outcome(loaded, result)


@dataclass(frozen=True, slots=True)
class ReportFiles:
    """What :func:`write_reports` wrote: one entry per village (by code), then the summary."""

    written: tuple["Written", ...]

    @property
    def paths(self) -> tuple[Path, ...]:
        return tuple(p for w in self.written for p in w.paths)

    @property
    def missing_glyphs(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(village code or "summary", characters printed as boxes) where any were."""
        return tuple((w.key, w.missing_glyphs) for w in self.written if w.missing_glyphs)


def write_reports(
    compiled: CompiledRubric,
    outcomes: Sequence[Outcome],
    *,
    pdf_dir: Path | None = None,
    html_dir: Path | None = None,
    jobs: int | None = None,
    report_date: date,
    max_tasks_per_child: int | None = None,
) -> ReportFiles:
    """Write a report per scored village and one run summary, as PDF and/or screen HTML.

    Villages whose data could not be read are listed in the summary, not reported.
    `jobs` is the number of worker processes (default: every core; 1 renders in-process).
    `report_date` is printed on every report; pass it in (the CLI passes today), so the
    same input gives the same report.
    """
    from sanzhi.reports.pool import (
        SUMMARY_STEM,
        SummaryJob,
        VillageJob,
        default_workers,
        report_filename,
        write_reports_parallel,
    )
    from sanzhi.reports.village import rubric_info, signatories

    if pdf_dir is None and html_dir is None:
        return ReportFiles(())
    for folder in (pdf_dir, html_dir):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    info = rubric_info(compiled)
    scored = sorted((o for o in outcomes if o.result is not None), key=lambda o: o.result.village_code)  # type: ignore[union-attr]
    village_jobs = [
        VillageJob(
            o.result,  # type: ignore[arg-type]
            o.input_sha256,
            signatories(info, o.loaded.assessment),
            pdf_dir / report_filename(o.result, ".pdf") if pdf_dir else None,  # type: ignore[arg-type]
            html_dir / report_filename(o.result, ".html") if html_dir else None,  # type: ignore[arg-type]
        )
        for o in scored
    ]
    skipped = tuple(
        (o.loaded.source, o.loaded.error.diagnostics[0].one_line() if o.loaded.error.diagnostics else "数据有误")
        for o in outcomes
        if o.result is None and o.loaded.error is not None
    )
    summary = SummaryJob(
        tuple((o.result, o.input_sha256) for o in scored),  # type: ignore[misc]
        skipped,
        pdf_dir / f"{SUMMARY_STEM}.pdf" if pdf_dir else None,
        html_dir / f"{SUMMARY_STEM}.html" if html_dir else None,
    )
    # The summary goes first so that, in parallel runs, it is not left alone at the end.
    all_jobs = [summary, *village_jobs]
    workers = min(jobs or default_workers(), len(all_jobs))  # no idle workers to start up
    done = list(write_reports_parallel(
        info, all_jobs, report_date=report_date, workers=workers,
        max_tasks_per_child=max_tasks_per_child, pdf=pdf_dir is not None,
    ))
    order = {j.result.village_code: i for i, j in enumerate(village_jobs)}
    done.sort(key=lambda w: order.get(w.key, len(order)))
    return ReportFiles(tuple(done))
