"""What a worker does with one shard: read, score, write, and hand back compact rows.

Runs in any process (inline, a local pool worker, a Dask worker), so everything here is
plain picklable data and pure functions of it. One bad village becomes a `Failed` outcome
with located diagnostics; it never stops the shard.

Resume: a shard carries what the run already recorded for its sources (`Known`). A village
whose input bytes hash the same, scored under the same run (hence the same rubric hash),
with its result file and the report file of every wanted format still present and hashing
as recorded, comes back `Unchanged` without being parsed or scored again.

Where its output files go, and how they are written: sanzhi.batch.files; its database rows:
sanzhi.batch.result_rows.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sanzhi.batch.files import (
    atomic_write,
    file_matches,
    forget_made_folders,
    report_path,
    result_path,
    sha256_tag,
    village_stem,
)
from sanzhi.batch.reportstep import ReportStep
from sanzhi.batch.result_rows import correction_rows, result_rows
from sanzhi.batch.serialize import village_json
from sanzhi.batch.store import Known
from sanzhi.batch.values import values_json
from sanzhi.common.errors import DataError, Diagnostic, Location
from sanzhi.inputs.loaded import Source
from sanzhi.inputs.read import read_input, read_village
from sanzhi.reports.formats import get_format
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.engine import score_with_values
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.compile import CompiledRubric


@dataclass(frozen=True, slots=True)
class WorkContext:
    """Everything a worker needs, shipped once per worker process."""

    compiled: CompiledRubric
    run_key: int
    year: int
    out_dir: str
    formats: tuple[str, ...]  # report formats wanted (sanzhi.reports.formats names), in registry order
    reports: ReportStep  # renders them (see sanzhi.batch.reportstep)
    local_files: bool  # True: read inputs and write outputs here; False: bytes travel with the task
    report_date: date  # printed in the reports: the day the run started


class FileRef(NamedTuple):
    """A one-village text file; `blob` is filled in when the worker cannot see the file system."""

    source: str
    path: str
    blob: bytes | None = None

    @property
    def key(self) -> str:
        """The source as the run records it (`run_inputs.source`)."""
        return self.source

    @property
    def file(self) -> str:
        return self.path


class RowRef(NamedTuple):
    """A village already read (a workbook row, or scoring bodies' forms merged), to be scored."""

    source: Source  # the workbook, sheet and row; or the forms
    assessment: Assessment
    input_bytes: bytes

    @property
    def key(self) -> str:
        """The source as the run records it (`run_inputs.source`): its display text; for merged
        bodies' forms the village and folder, which stay the same when a form is added or removed."""
        if self.source.parts:
            folder = os.path.dirname(self.source.parts[0]) or "."
            return f"{folder}（村代码 {self.assessment.village.code} 的评分部门表）"
        return self.source.display()

    @property
    def file(self) -> str:
        """The input file(s), one a line (`run_inputs.input_file`: a resume forgets the source when one is gone)."""
        return "\n".join(self.source.files())


class Shard(NamedTuple):
    seq: int  # position in the plan (not `index`: that is tuple.index)
    key: str  # township (workbook rows) or folder (files): what the shard groups
    refs: tuple[FileRef | RowRef, ...]
    known: Mapping[str, Known]


class ReportFile(NamedTuple):
    """One report a worker rendered for a village."""

    format: str
    sha256: str
    data: bytes | None  # only when the caller writes the files


class ScoredVillage(NamedTuple):
    """A village a worker scored: its database rows and what its files hash to."""

    source: str  # as recorded: the file, or the display text of a workbook row (`Source.display`)
    file: str  # the input file it came from (the workbook, for a row)
    input_sha256: str
    code: str
    village_row: tuple[object, ...]
    level_rows: tuple[tuple[object, ...], ...]
    dimension_rows: tuple[tuple[object, ...], ...]
    item_rows: tuple[tuple[object, ...], ...]
    correction_rows: tuple[tuple[object, ...], ...]  # review_corrections: a reviewer's corrections and reasons
    output_sha256: str  # the result JSON
    json_bytes: bytes | None  # only when the caller writes the files
    reports: tuple[ReportFile, ...]  # one per wanted format, in the context's order
    values_row: tuple[object, ...] | None = None  # village_values: the operative values (sanzhi.batch.values)
    carried_from: str | None = None  # the rubric version the file names, when carried to the one scored


class Failed(NamedTuple):
    source: str
    file: str
    input_sha256: str
    code: str | None
    problems: tuple[dict[str, object], ...]  # Diagnostic.to_dict()
    lines: tuple[str, ...]  # one line per problem: file:line:col / sheet, row: CODE message


class Unchanged(NamedTuple):
    source: str
    input_sha256: str
    known: Known


VillageOutcome = ScoredVillage | Failed | Unchanged


class ShardResult(NamedTuple):
    seq: int
    outcomes: tuple[VillageOutcome, ...]
    seconds: float


# ------------------------------------------------------------------------------ reading
# One-village files are read by `sanzhi.inputs.read` (the reader `sanzhi score` uses too).


def _failed(source: str, file: str, sha: str, code: str | None, diags: list[Diagnostic]) -> Failed:
    return Failed(source, file, sha, code, tuple(d.to_dict() for d in diags), tuple(d.one_line() for d in diags))


# ------------------------------------------------------------------------------ scoring


def _rows(ctx: WorkContext, result: VillageResult, sha: str, source: str) -> tuple[Any, Any, Any, Any, Any]:
    return (*result_rows(ctx.run_key, result, sha, source), correction_rows(ctx.run_key, result))


def _unchanged(ctx: WorkContext, known: Known | None, sha: str) -> bool:
    if known is None or known.input_sha256 != sha:
        return False
    if known.status == "failed":  # bad data fails alike; a worker that died may have been killed (memory): retried
        return f'"code":"{CRASHED}"' not in (known.problems or "")
    if known.status != "scored" or known.village_code is None:
        return False
    if not file_matches(result_path(ctx.out_dir, known.village_code), known.output_sha256):
        return False
    recorded = dict(known.reports)
    return all(file_matches(report_path(ctx.out_dir, known.village_code, fmt), recorded.get(fmt)) for fmt in ctx.formats)


def process(ctx: WorkContext, ref: FileRef | RowRef, known: Known | None) -> VillageOutcome:
    """One village, start to finish."""
    source, file = ref.key, ref.file
    if isinstance(ref, FileRef):
        blob = ref.blob if ref.blob is not None else read_input(ref.path, source)
        if isinstance(blob, DataError):
            return _failed(source, file, sha256_tag(b""), None, blob.diagnostics)
        sha = sha256_tag(blob)
        if _unchanged(ctx, known, sha):
            return Unchanged(source, sha, known)  # type: ignore[arg-type]
        read = read_village(ctx.compiled, source, blob)
        if isinstance(read, DataError):
            return _failed(source, file, sha, None, read.diagnostics)
        assessment, carried_from = read
    else:
        carried_from = None
        sha = sha256_tag(ref.input_bytes)
        if _unchanged(ctx, known, sha):
            return Unchanged(source, sha, known)  # type: ignore[arg-type]
        assessment = ref.assessment
    village = assessment.village
    if village.year != ctx.year:
        return _failed(source, file, sha, village.code, [Diagnostic(
            "D150", f"评定年度为 {village.year}，与本批次年度 {ctx.year} 不符", Location(source),
            path="village › year", expected=str(ctx.year), found=str(village.year))])
    try:
        result, values = score_with_values(ctx.compiled, assessment)
        json_bytes = village_json(result, sha)
        rendered = ctx.reports.village(ctx.compiled, result, sha, ctx.report_date, ctx.formats) if ctx.formats else ()
    except Exception as e:  # noqa: BLE001 - a bug on one village must not stop the county
        log_internal(source)
        return _failed(source, file, sha, village.code, [Diagnostic(
            "S900", f"内部错误（{type(e).__name__}: {e}），该村未评分；这是 sanzhi 的缺陷，请反馈", Location(source))])
    village_row, level_rows, dim_rows, item_rows, fix_rows = _rows(ctx, result, sha, source)
    if ctx.local_files:
        stem = village_stem(ctx.out_dir, village.code)
        atomic_write(stem + ".json", json_bytes)
        for fmt, data in zip(ctx.formats, rendered, strict=True):
            atomic_write(stem + get_format(fmt).suffix, data)
        json_out = None
    else:
        json_out = json_bytes
    reports = tuple(ReportFile(fmt, sha256_tag(data), None if ctx.local_files else data)
                    for fmt, data in zip(ctx.formats, rendered, strict=True))
    return ScoredVillage(source, file, sha, village.code, village_row, level_rows, dim_rows, item_rows, fix_rows,
                         sha256_tag(json_bytes), json_out, reports, (ctx.run_key, village.code, values_json(values)),
                         carried_from)


CRASHED = "S901"  # the code of a village whose worker process died under it


def crashed(ref: FileRef | RowRef, how: str) -> Failed:
    """The outcome of a village whose worker died while scoring it alone (see the local executor)."""
    source, file = ref.key, ref.file
    if isinstance(ref, RowRef):
        sha, code = sha256_tag(ref.input_bytes), ref.assessment.village.code
    else:
        blob = ref.blob if ref.blob is not None else read_input(ref.path, source)
        sha, code = sha256_tag(blob if isinstance(blob, bytes) else b""), None
    log_internal(source, f"the worker process died ({how})\n")
    return _failed(source, file, sha, code, [Diagnostic(
        CRASHED, f"评分进程在处理该村时异常退出：{how}；该村未评分，其余村不受影响", Location(source),
        hint="若是内存不足，请减少 --jobs 后加 --resume 续跑（续跑会重试该村）；否则这是 sanzhi 的缺陷，请连同错误日志反馈")])


def log_internal(source: str, what: str | None = None) -> None:
    try:
        from sanzhi.common.errorlog import log_path

        with log_path().open("a", encoding="utf-8") as log:
            log.write(f"batch: village {source}\n{what or traceback.format_exc()}\n")
    except OSError:
        pass


# ------------------------------------------------------------------------------ shards

def setup_worker(ctx: WorkContext) -> WorkContext:
    """Pool setup, once per worker process: the report formats' per-process state (the PDF
    renderer) is built before the worker settles, and the folder cache starts empty (folders a
    parent made may have been swept since)."""
    forget_made_folders()
    if ctx.formats:
        ctx.reports.prepare(ctx.formats)
    return ctx


def run_shard(ctx: WorkContext, shard: Shard) -> ShardResult:
    import time

    t0 = time.perf_counter()
    outcomes = tuple(process(ctx, ref, shard.known.get(ref.key)) for ref in shard.refs)
    return ShardResult(shard.seq, outcomes, time.perf_counter() - t0)


__all__ = [
    "CRASHED",
    "Failed",
    "FileRef",
    "ReportFile",
    "RowRef",
    "ScoredVillage",
    "Shard",
    "ShardResult",
    "Unchanged",
    "VillageOutcome",
    "WorkContext",
    "crashed",
    "log_internal",
    "process",
    "run_shard",
    "setup_worker",
]
