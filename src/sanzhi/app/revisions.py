"""Runs behind `sanzhi rubric impact | sensitivity | test`: village files read fast, scored
under two rubric versions (or with shifted weights) in a process pool, and a rubric's own
example villages scored.

The pure comparisons live in sanzhi.scoring.impact and sanzhi.standard.rubric_tests; this module
does the I/O and the parallelism; sanzhi.cli.rubric_tools parses arguments and prints.
"""

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from sanzhi.app import api
from sanzhi.common.diagnostics import render_user_error
from sanzhi.common.errors import DataError, Diagnostic, Location
from sanzhi.common.numbers import fmt
from sanzhi.common.pool import WorkerPool
from sanzhi.common.yaml_source import SourceMap, load_yaml
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.files import input_files, is_one_village, is_workbook
from sanzhi.inputs.read import ParsedVillage, assess, parse_village, read_input
from sanzhi.inputs.retarget import Retarget, carry_assessment, retarget_plan
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.impact import (
    ImpactReport,
    ImpactTally,
    ItemPairs,
    SensitivityReport,
    SensitivityTally,
    VillageDelta,
    VillageSensitivity,
    compare_results,
    impact_report,
    item_pairs,
    operative_values,
    sensitivity,
    sensitivity_report,
)
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import find_bundled
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.rubric_tests import Actual, Difference, compare

_CHUNK = 200  # villages per task sent to a worker process
_POOL_MIN = 400  # fewer villages than this are scored in-process


def _parse(path: Path) -> ParsedVillage | DataError:
    """A village file parsed by the one reader (`sanzhi.inputs.read`; JSON by its fast path,
    positions computed only when a problem needs them)."""
    data = read_input(str(path))
    return data if isinstance(data, DataError) else parse_village(str(path), data)


class Failure(NamedTuple):
    source: str
    version: str  # which rubric could not read or score it
    text: str  # rendered Chinese diagnostics
    problems: tuple[dict[str, object], ...]


def _failure(path: Path, version: str, e: DataError) -> Failure:
    return Failure(str(path), version, render_user_error(e), tuple(d.to_dict() for d in e.diagnostics))


@dataclass(frozen=True)
class _ImpactJob:
    a: CompiledRubric
    b: CompiledRubric
    ab: Retarget  # A's data carried to B
    ba: Retarget
    pairs: ItemPairs
    top: int


def _ref_names(raw: object, c: CompiledRubric) -> bool:
    if not isinstance(raw, dict) or not isinstance(raw.get("rubric"), str):
        return False
    rid, _, version = raw["rubric"].partition("@")
    return rid == c.rubric.id and (not version or version == c.rubric.version)


def _impact_one(job: _ImpactJob, path: Path) -> VillageDelta | Failure:
    parsed = _parse(path)
    raw = None if isinstance(parsed, DataError) else parsed.raw
    # The data is read with the version it names (A unless it names B), then carried over.
    src, dst = (job.b, job.a) if raw is not None and _ref_names(raw, job.b) and not _ref_names(raw, job.a) else (job.a, job.b)
    plan = job.ab if src is job.a else job.ba
    first = parsed if isinstance(parsed, DataError) else assess(src, parsed)
    if isinstance(first, DataError):
        return _failure(path, src.ref, first)
    try:
        second = carry_assessment(plan, first, raw if raw is not None else {}, lambda p, k: Location(str(path)))
    except DataError as e:
        return _failure(path, dst.ref, e)
    assess_a, assess_b = (first, second) if src is job.a else (second, first)
    ra, rb = score_village(job.a, assess_a), score_village(job.b, assess_b)
    return compare_results(ra, rb, job.ab.ids, pairs=job.pairs)


def _tally_chunk(job: Any, paths: list[Path], one: Callable[[Any, Path], Any], tally: Any) -> tuple[Any, list[Failure]]:
    # Each worker sums its own villages: only the tally and the failures travel back.
    failures: list[Failure] = []
    for p in paths:
        out = one(job, p)
        if isinstance(out, Failure):
            failures.append(out)
        else:
            tally.add(out)
    return tally, failures


def _impact_chunk(job: "_ImpactJob", paths: list[Path]) -> tuple[ImpactTally, list[Failure]]:
    return _tally_chunk(job, paths, _impact_one, ImpactTally(job.top))


def _sensitivity_chunk(job: "_SensitivityJob", paths: list[Path]) -> tuple[SensitivityTally, list[Failure]]:
    return _tally_chunk(job, paths, _sensitivity_one, SensitivityTally())


def _run(job: Any, paths: list[Path], chunk_fn: Callable[[Any, list[Path]], Any], jobs: int | None) -> Iterator[Any]:
    """Chunk results in file order; a process pool when the batch is large enough to pay for it."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < _POOL_MIN:
        yield chunk_fn(job, paths)
        return
    chunks = [paths[i:i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    with WorkerPool(workers, job) as pool:
        yield from pool.map(chunk_fn, chunks)


def village_paths(data: Sequence[Path]) -> list[Path]:
    paths = [Path(f) for f in input_files(list(data))]
    missing = [Diagnostic("D100", "找不到村自评数据文件或文件夹", Location(str(p))) for p in paths if not p.exists()]
    # One village per file here; many-village workbooks are read by `sanzhi score` and `batch`.
    sheets = [Diagnostic("D100", "此命令暂只读取每村一个的 YAML/JSON 文件，不读取工作簿", Location(str(p)),
                         hint="可先用 sanzhi batch 评分，再以 --run 引用该批次中的 YAML/JSON 村文件")
              for p in paths if is_workbook(str(p))]
    if missing or sheets:
        raise DataError(missing + sheets)
    return paths


def stored_run_paths(run_id: str, db: str | None) -> tuple[list[Path], list[str]]:
    """The village files a stored batch run scored (`sanzhi batch`), and notes on what could
    not be used: sources that are workbook rows, missing, or changed since the run."""
    from sanzhi.batch.runner import resolve_db
    from sanzhi.batch.store import Store, is_postgres

    url = resolve_db(db)
    if not is_postgres(url) and not Path(url.removeprefix("sqlite:///")).exists():
        raise DataError([Diagnostic("O111", f"结果数据库不存在：{url}", hint="先运行 sanzhi batch，或用 --db 指定数据库")])
    with Store(url) as store:
        store.ensure_schema()
        run = store.run(run_id)
        if run is None:
            known = "、".join(r.run_id for r in store.runs()[-5:]) or "（无）"
            raise DataError([Diagnostic("O112", f"数据库中没有批次 {run_id}", expected=f"最近的批次：{known}")])
        rows = store.query("SELECT source, input_file, input_sha256 FROM run_inputs WHERE run_key = ? AND status = 'scored'"
                           " ORDER BY source", (run.run_key,))
    paths: list[Path] = []
    tables = missing = changed = 0
    for source, file, sha in rows:
        path = Path(file or source)  # input_file is NULL in rows an older sanzhi wrote: there the source is the file
        if source != str(path) or not is_one_village(str(path)):  # a workbook row
            tables += 1
        elif not path.is_file():
            missing += 1
        else:
            if hashlib.sha256(path.read_bytes()).hexdigest() != str(sha).removeprefix("sha256:"):
                changed += 1
            paths.append(path)
    notes = []
    if tables:
        notes.append(f"{tables} 个村来自工作簿行，本命令只读取 YAML/JSON 村文件，未纳入")
    if missing:
        notes.append(f"{missing} 个村的数据文件已不在原位置，未纳入")
    if changed:
        notes.append(f"{changed} 个村的数据文件在批次之后被修改过，按现在的内容评分")
    return paths, notes


def run_impact(a: CompiledRubric, b: CompiledRubric, paths: list[Path], jobs: int | None = None, top: int = 10) -> tuple[ImpactReport, list[Failure]]:
    """Score every village under A and B; the report and the villages that could not be scored."""
    ab, ba = retarget_plan(a, b), retarget_plan(b, a)
    job = _ImpactJob(a, b, ab, ba, item_pairs(a, b, ab.ids), top)
    tally, failures = ImpactTally(top), []
    for part, failed in _run(job, paths, _impact_chunk, jobs):
        tally.merge(part)
        failures += failed
    return impact_report(a, b, tally, len(failures)), failures


@dataclass(frozen=True)
class _SensitivityJob:
    compiled: CompiledRubric
    step: Decimal


def _sensitivity_one(job: _SensitivityJob, path: Path) -> VillageSensitivity | Failure:
    parsed = _parse(path)
    assessment = parsed if isinstance(parsed, DataError) else assess(job.compiled, parsed)
    if isinstance(assessment, DataError):
        return _failure(path, job.compiled.ref, assessment)
    result = score_village(job.compiled, assessment)
    return sensitivity(job.compiled, result, operative_values(job.compiled, assessment), job.step)


def run_sensitivity(c: CompiledRubric, paths: list[Path], step: Decimal = Decimal("0.1"), jobs: int | None = None) -> tuple[SensitivityReport, list[Failure]]:
    tally, failures = SensitivityTally(), []
    for part, failed in _run(_SensitivityJob(c, step), paths, _sensitivity_chunk, jobs):
        tally.merge(part)
        failures += failed
    return sensitivity_report(c, tally, len(failures), step), failures


class ExampleOutcome(NamedTuple):
    name: str
    passed: bool
    differences: tuple[Difference, ...]
    error: str | None  # the example's village data is invalid (rendered diagnostics)
    total: str | None
    rating: str | None


def actual_of(r: VillageResult) -> Actual:
    return Actual(
        total=r.total,
        self_total=r.totals[0].total,
        tier=r.rating.tier,
        rating=r.rating.name,
        dimensions={d.id: d.score for d in r.dimensions},
        items={it.id: it.score for it in (*r.items, *r.bonus_items)},
        vetoes=tuple(v.id for v in r.vetoes),
    )


def _rubric_file(ref: str) -> tuple[Path, str]:
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return path, str(path)
    b = find_bundled(ref)
    return b.path, b.path.name


def run_examples(ref: str) -> tuple[CompiledRubric, list[ExampleOutcome]]:
    """Score every example village of a rubric and compare with its expectation."""
    compiled, _ = api.load_compiled_rubric(ref)
    path, display = _rubric_file(ref)
    text = path.read_text(encoding="utf-8")
    _, source = load_yaml(text, display)
    out = []
    for n, ex in enumerate(compiled.rubric.examples):
        raw = {"village": ex.village, "answers": ex.answers, "judgments": ex.judgments, "evidence": ex.evidence, "reviews": list(ex.reviews)}

        def locate(p: Sequence[str | int], key: bool, n: int = n, source: SourceMap = source) -> Location:
            return source.locate(("examples", n, *p), key=key)

        try:
            assessment = read_assessment(compiled, raw, locate)
        except DataError as e:
            e.sources = {display: text}
            out.append(ExampleOutcome(ex.name, False, (), render_user_error(e), None, None))
            continue
        result = score_village(compiled, assessment)
        diffs = tuple(compare(ex, actual_of(result)))
        out.append(ExampleOutcome(ex.name, not diffs, diffs, None, fmt(result.total), result.rating.name))
    return compiled, out
