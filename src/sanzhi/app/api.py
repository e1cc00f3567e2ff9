"""Use cases wiring files to the pure core; the CLI and library users call these."""

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from sanzhi.common.environment import EnvironmentProblem, environment_diagnostic
from sanzhi.common.errors import DataError, Diagnostic, Location, RubricError, UserError, os_reason
from sanzhi.inputs.files import read_villages
from sanzhi.inputs.loaded import LoadedVillage, LoadFailure
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import (
    SampleSet,
    UnitSamples,
    bundled_rubrics,
    find_bundled,
    sample_files,
    sample_sets,
    unit_samples,
)
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


def samples_for(compiled: CompiledRubric, year: int | None = None) -> list[Path]:
    """The bundled sample villages of the rubric's id (any version: files written for another
    version are carried to this one when read); with `year`, those of that assessment year."""
    if year is None:
        files = sample_files(compiled.rubric.id)
        if not files:
            raise RubricError([Diagnostic("R002", f"评分标准 {compiled.ref} 没有内置示例村数据")])
        return files
    sets = sample_sets(compiled.rubric.id)
    found = next((s for s in sets if s.year == year), None)
    if found is None:
        years = "、".join(str(s.year) for s in sets)
        raise RubricError([Diagnostic("R002", f"评分标准 {compiled.ref} 没有 {year} 年度的内置示例村数据",
                                      expected=f"示例村数据的年度：{years}" if years else None,
                                      hint="sanzhi samples list 列出全部内置示例村数据")])
    return list(found.files)


class CopiedSamples(NamedTuple):
    sample_set: SampleSet
    folder: Path  # DEST/<year>


def copy_samples(rubric_ref: str, dest: Path, *, force: bool = False) -> list[CopiedSamples]:
    """The bundled sample villages of a rubric id copied to DEST/<year>/, one folder per year
    (so each is one `sanzhi batch … --year Y`). An existing file with other content is left
    alone and reported (O151) unless `force`; a destination that cannot be a folder (a file
    there) is O152, and the machine's refusals (no permission, read-only, a full disk) are
    `sanzhi.common.environment`'s O140–O143, as everywhere else."""
    rubric_id = rubric_ref.partition("@")[0]
    sets = sample_sets(rubric_id)
    if not sets:
        known = "、".join(sorted({b.id for b in bundled_rubrics() if sample_sets(b.id) or unit_samples(b.id)}))
        raise RubricError([Diagnostic("R002", f"没有评分标准 {rubric_id} 的内置示例村数据", expected=f"之一：{known}")])
    _copy_files([(f, dest / str(s.year) / f.name) for s in sets for f in s.files], force=force)
    return [CopiedSamples(s, dest / str(s.year)) for s in sets]


def copy_unit_samples(rubric_ref: str, dest: Path, *, force: bool = False) -> UnitSamples | None:
    """A township or county rubric's samples copied to DEST/villages/ (the village batch it
    reads) and DEST/units/ (the units' own data); None for a rubric without unit samples.
    Refusals as for `copy_samples`."""
    samples = unit_samples(rubric_ref.partition("@")[0])
    if samples is None:
        return None
    _copy_files([(f, dest / "villages" / f.name) for f in samples.villages]
                + [(f, dest / "units" / f.name) for f in samples.units], force=force)
    return samples


def _copy_files(pairs: Sequence[tuple[Path, Path]], *, force: bool) -> None:
    clashes = [Diagnostic("O151", "文件已存在且内容不同，未覆盖", Location(str(target)), hint="换一个目录，或加 --force 覆盖")
               for source, target in pairs if target.exists() and target.read_bytes() != source.read_bytes()]
    if clashes and not force:
        raise UserError(clashes)
    for source, target in pairs:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
        except OSError as e:
            machine = environment_diagnostic(e)
            if machine is not None:  # no permission, read-only, a full disk: the machine's (exit 4)
                raise EnvironmentProblem([machine]) from None
            # A file where the folder should be, and the like: the destination given (exit 2).
            raise UserError([Diagnostic("O152", f"无法写入示例村数据：{os_reason(e)}", Location(str(target.parent)),
                                        hint="换一个目录（DEST 应为文件夹或尚不存在）")]) from None


def carried_note(carried: Mapping[str, int], target: str) -> list[str]:
    """One line per version villages were carried from (`sanzhi.inputs.retarget`), said once a run."""
    return [f"{n} 个村的数据按 {ref} 填报，已换算为 {target} 评分：改号、移动的评分项随之对应，酌情评分和核定分按新旧分值"
            f"等比例换算，已删除评分项的数据略去，新增的填报项视为未填报（见 README“版本”一节）"
            for ref, n in carried.items()]


def _sha256_tag(blob: bytes) -> str:
    return "sha256:" + hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True, slots=True)
class ScoredSource:
    """A village source (file or workbook row) read and scored."""

    loaded: LoadedVillage
    result: VillageResult

    @property
    def assessment(self) -> Assessment:
        return self.loaded.assessment

    @property
    def source(self) -> str:
        """Where the village's data came from, as messages and reports show it."""
        return self.loaded.source.display()

    @property
    def input_sha256(self) -> str:
        return _sha256_tag(self.loaded.input_bytes)


@dataclass(frozen=True, slots=True)
class RejectedSource:
    """A village source whose data could not be read: the problems, all at once."""

    loaded: LoadFailure

    @property
    def error(self) -> DataError:
        return self.loaded.error

    @property
    def source(self) -> str:
        return self.loaded.source.display()


#: What scoring one village source gives: one of the two, never a pair of optionals.
SourceOutcome = ScoredSource | RejectedSource


def score_paths(compiled: CompiledRubric, paths: list[Path]) -> Iterator[SourceOutcome]:
    """Score every village file; a bad village yields its error and the run goes on."""
    for loaded in read_villages(compiled, paths):
        if isinstance(loaded, LoadedVillage):
            yield ScoredSource(loaded, score_village(compiled, loaded.assessment))
        else:
            yield RejectedSource(loaded)


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
    outcomes: Sequence[SourceOutcome],
    *,
    dirs: Mapping[str, Path],
    jobs: int | None = None,
    report_date: date,
    max_tasks_per_child: int | None = None,
) -> ReportFiles:
    """Write a report per scored village and one run summary in each format of `dirs`
    (format name → folder, e.g. ``{"pdf": Path("out/pdf")}``; see `sanzhi.reports.formats`).

    Villages whose data could not be read are listed in the summary, not reported.
    `jobs` is the number of worker processes (default: every core; 1 renders in-process).
    `report_date` is printed on every report; pass it in (the CLI passes today), so the
    same input gives the same report.
    """
    from sanzhi.common.pool import default_workers
    from sanzhi.reports.formats import FORMATS
    from sanzhi.reports.pool import (
        SUMMARY_STEM,
        SummaryJob,
        VillageJob,
        report_filename,
        write_reports_parallel,
    )
    from sanzhi.reports.village import rubric_info, signatories

    wanted = [(f, dirs[f.name]) for f in FORMATS if f.name in dirs]  # registry order: the order files are written
    if not wanted:
        return ReportFiles(())
    for _, folder in wanted:
        folder.mkdir(parents=True, exist_ok=True)
    info = rubric_info(compiled)
    scored = sorted((o for o in outcomes if isinstance(o, ScoredSource)), key=lambda o: o.result.village_code)
    village_jobs = [
        VillageJob(o.result, o.input_sha256, signatories(info, o.assessment),
                   {f.name: folder / report_filename(o.result, f.suffix) for f, folder in wanted})
        for o in scored
    ]
    skipped = tuple(
        (o.source, o.error.diagnostics[0].one_line() if o.error.diagnostics else "数据有误")
        for o in outcomes
        if isinstance(o, RejectedSource)
    )
    summary = SummaryJob(tuple((o.result, o.input_sha256) for o in scored), skipped,
                         {f.name: folder / f"{SUMMARY_STEM}{f.suffix}" for f, folder in wanted})
    # The summary goes first so that, in parallel runs, it is not left alone at the end.
    all_jobs: list[VillageJob | SummaryJob] = [summary, *village_jobs]
    workers = min(jobs or default_workers(), len(all_jobs))  # no idle workers to start up
    done = list(write_reports_parallel(
        info, all_jobs, report_date=report_date, workers=workers,
        max_tasks_per_child=max_tasks_per_child, formats=[f.name for f, _ in wanted],
    ))
    order = {j.result.village_code: i for i, j in enumerate(village_jobs)}
    done.sort(key=lambda w: order.get(w.key, len(order)))
    return ReportFiles(tuple(done))
