"""A batch run from start to finish: plan, score in parallel, store, publish — resumably.

Design (why it is shaped like this):

- **Streaming.** Shards flow from the plan to the executor through a bounded window and
  come back in plan order; their rows go to the database (`sanzhi.batch.ingest`) in
  transactions of a few shards and are then dropped. Per-village JSON files (and a report per
  wanted format, `sanzhi.reports.formats`) are written as they come. The published
  lists and summaries are made at the end from the database. Memory does not grow with N.
- **Nothing lost.** A bad village is a `Failed` outcome (file/row/reason), recorded and
  reported; the run goes on and ends with exit code 1.
- **Nothing repeated.** Every output is written to a temporary file and renamed. The
  database's `run_inputs` table is the resume manifest, committed with the shard's rows.
  `--resume` reuses the run (same run id) when the rubric hash and year are unchanged and
  skips every village whose input hash is unchanged and whose output files — the result and
  a report in every format wanted now — still hash as recorded (`outputs` table); the rest
  are redone. Villages that appeared twice (same code) are decided afresh each attempt, in
  plan order. At the end a sweep (`sanzhi.batch.sweep`) removes any output no longer backed
  by the database (a killed writer's temporary file, a village whose input went away, a
  format no longer wanted), so a resumed run leaves exactly the files an uninterrupted one
  would.
- **State file.** `OUT_DIR/.sanzhi-batch/state.json` names the run and the database
  (password removed); a lock file keeps two batches out of one folder (`sanzhi.batch.folder`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol, cast

from sanzhi import __version__
from sanzhi.batch import publish as pub
from sanzhi.batch.executors import Executor, make_executor
from sanzhi.batch.files import atomic_write, result_path
from sanzhi.batch.folder import folder_lock, read_state, write_state
from sanzhi.batch.ingest import COMMIT_WHEN_IDLE_SECONDS, Ingest, diagnostic_from_dict
from sanzhi.batch.plan import check_inputs, count_text_files, list_files, plan_shards
from sanzhi.batch.queries.ranking import rank_tiers_json
from sanzhi.batch.reportstep import FormatReports, ReportStep
from sanzhi.batch.serialize import read_result_file
from sanzhi.batch.sheets import safe_name
from sanzhi.batch.store import OUTPUT_COLUMNS, SUMMARY_UNIT, VILLAGE_UNIT, Known, Store, redact
from sanzhi.batch.sweep import sweep
from sanzhi.batch.work import Shard, ShardResult, WorkContext
from sanzhi.batch.yearly import period_options
from sanzhi.common.environment import EnvironmentProblem, environment_diagnostic
from sanzhi.common.errors import Diagnostic, UserError
from sanzhi.reports.formats import FORMATS, get_format
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.lineage import outline, outline_json

DEFAULT_SHARD_SIZE = 200
# A task's outcomes are committed when it comes back. Scoring costs ~0.5 ms a village, but a
# report ~0.3–0.6 s a format: a 200-village shard with PDFs was minutes of work, all lost to
# a kill (`--resume` reused nothing). With reports, a task holds at most this many renders —
# a few seconds of one core — whatever the shard size asked for.
REPORT_RENDERS_PER_TASK = 4


def task_size(shard_size: int, formats: Sequence[str]) -> int:
    """Villages per task: the shard size, bounded by the renders per task when reports are made."""
    if not formats:
        return shard_size
    return max(1, min(shard_size, REPORT_RENDERS_PER_TASK // len(formats)))


def default_db_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "sanzhi" / "results.sqlite"


def resolve_db(explicit: str | None) -> str:
    return explicit or os.environ.get("SANZHI_DB") or str(default_db_path())


@dataclass(frozen=True, slots=True)
class BatchOptions:
    inputs: tuple[Path, ...]
    out_dir: Path
    year: int
    db: str | None = None  # path or URL; None: the resumed run's, $SANZHI_DB, or the default file
    jobs: int | None = None  # None: one worker per core
    formats: tuple[str, ...] = ()  # report formats per village and county (sanzhi.reports.formats names)
    resume: bool = False
    executor: str = "local"  # local | dask
    scheduler: str | None = None
    shard_size: int = DEFAULT_SHARD_SIZE
    period: str = ""  # '' the year; else a period within it (2025-11, 2025-Q3, 2025-H1: sanzhi.common.periods)


class Reporter(Protocol):
    """Where progress and per-village problems go (the CLI: a rich progress bar on stderr)."""

    def start(self, total: int) -> None: ...

    def add_total(self, n: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def problem(self, lines: Sequence[str]) -> None: ...

    def note(self, text: str) -> None: ...

    def stop(self) -> None: ...


class NullReporter:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []

    def start(self, total: int) -> None: ...

    def add_total(self, n: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def problem(self, lines: Sequence[str]) -> None:
        self.problems.extend(lines)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def stop(self) -> None: ...


@dataclass
class BatchSummary:
    run_id: str
    db: str
    out_dir: Path
    scored: int = 0  # villages with results at the end of the run
    skipped: int = 0  # villages reported and skipped (bad data, duplicate codes)
    reused: int = 0  # villages a resume did not redo
    processed: int = 0  # villages read and scored (or failed) in this invocation
    resumed: bool = False
    seconds: float = 0.0
    ratings: dict[str, int] = field(default_factory=dict)
    vetoed: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    carried: dict[str, int] = field(default_factory=dict)  # villages read from files naming another version, by version


def rubric_parts(compiled: CompiledRubric) -> list[tuple[str, str, str, str | None, str, int]]:
    """A hash of every dimension and item definition, for year-over-year comparability."""
    from sanzhi.common.numbers import fmt

    def h(model: Any) -> str:
        blob = json.dumps(model.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()

    r = compiled.rubric
    parts: list[tuple[str, str, str, str | None, str, int]] = [
        ("dimension", d.id, d.name, fmt(d.points), h(d), i) for i, d in enumerate(r.dimensions)
    ]
    parts += [("item", ci.item.id, ci.item.name, fmt(ci.item.points), h(ci.item), i) for i, ci in enumerate(compiled.items)]
    return parts


def record_rubric(store: Store, compiled: CompiledRubric) -> None:
    """What a later year-over-year comparison needs of the run's rubric, stored once per rubric
    hash: its parts' hashes and its outline (`sanzhi.standard.lineage`). Village and unit runs alike."""
    if not store.has_rubric_parts(compiled.content_hash):
        store.add_rubric_parts(compiled.content_hash, rubric_parts(compiled))
    if store.rubric_outline(compiled.content_hash) is None:
        store.add_rubric_outline(compiled.content_hash, outline_json(outline(compiled.rubric)))


# ------------------------------------------------------------------------------ finish


def _summary_path(out_dir: Path, county: str, fmt: str, label: str = "") -> Path:
    name = safe_name(county)
    stem = f"{name}-{safe_name(label)}" if label else name
    return out_dir / pub.PUBLISHED_DIR / name / f"{stem}-汇总报告{get_format(fmt).suffix}"


def _summary_reports(store: Store, run_key: int, compiled: CompiledRubric, out_dir: Path, step: ReportStep,
                     formats: tuple[str, ...], report_date: date, label: str = "") -> None:
    """A summary report per county in each wanted format, from the village files just written
    (memory: one county), recorded in `outputs`; those of an earlier attempt not made now go."""
    old = {(code, fmt) for code, fmt in store.query(
        "SELECT code, format FROM outputs WHERE run_key = ? AND unit = ?", (run_key, SUMMARY_UNIT))}
    counties = sorted(c for (c,) in store.query("SELECT DISTINCT county FROM village_results WHERE run_key = ?", (run_key,)))
    rows: list[tuple[object, ...]] = []
    if formats:
        skipped = [(source, diagnostic_from_dict(json.loads(problems)[0]).message if problems and problems != "[]" else status)
                   for source, status, problems in sorted(store.query(
                       "SELECT source, status, problems FROM run_inputs WHERE run_key = ? AND status <> 'scored'", (run_key,)))]
        step.prepare(formats)
        for county in counties:
            codes = sorted(c for (c,) in store.query(
                "SELECT village_code FROM village_results WHERE run_key = ? AND county = ?", (run_key, county)))
            results = [read_result_file(result_path(out_dir, c)) for c in codes]
            blobs = step.summary(compiled, results, skipped if len(counties) == 1 else [], report_date, formats)
            for fmt, blob in zip(formats, blobs, strict=True):
                atomic_write(_summary_path(out_dir, county, fmt, label), blob)
                rows.append((run_key, SUMMARY_UNIT, county, fmt, "sha256:" + hashlib.sha256(blob).hexdigest()))
    made = {(r[2], r[3]) for r in rows}
    for county, fmt in sorted(old - made):
        with contextlib.suppress(FileNotFoundError):
            _summary_path(out_dir, county, fmt, label).unlink()
    with store.transaction():
        store.execute("DELETE FROM outputs WHERE run_key = ? AND unit = ?", (run_key, SUMMARY_UNIT))
        store.insert("outputs", OUTPUT_COLUMNS, rows)


def _forget_missing(store: Store, run_key: int) -> None:
    """Before a resume: drop what earlier attempts recorded for files that are gone (renamed, deleted).

    Done up front so that a renamed file is not taken for a duplicate of its old self. A
    source's file is `input_file` (a workbook row: its workbook; bodies' forms merged: each form,
    one a line); where that is NULL (a row written by a sanzhi that did not record it), the source itself.
    """
    gone = [(s, c, st) for s, f, c, st in store.stream(
        "SELECT source, input_file, village_code, status FROM run_inputs WHERE run_key = ?", (run_key,))
        if not all(os.path.exists(x) for x in (f or s).split("\n"))]  # merged bodies' forms: one file a line
    if gone:
        with store.transaction():
            store.delete_inputs(run_key, [s for s, _, _ in gone])
            store.delete_villages(run_key, [c for _, c, st in gone if st == "scored" and c])


def _inputs_hash(store: Store, run_key: int) -> str:
    h = hashlib.sha256()
    rows = sorted(store.stream("SELECT source, input_sha256 FROM run_inputs WHERE run_key = ?", (run_key,)))
    for source, sha in rows:
        h.update(f"{source}\t{sha}\n".encode())
    return "sha256:" + h.hexdigest()


# ------------------------------------------------------------------------------ run


def run_batch(
    compiled: CompiledRubric,
    opts: BatchOptions,
    *,
    clock: Callable[[], str],
    reporter: Reporter | None = None,
    reports: ReportStep | None = None,
    executor: Executor | None = None,
) -> BatchSummary:
    """Run (or resume) a batch. `clock()` gives the time to record: sanzhi reads no clock itself here.
    `reports` renders the report formats of `opts.formats` (default: through the format registry)."""
    reporter = reporter or NullReporter()
    reports = reports or FormatReports()
    t_start = time.perf_counter()
    problems = check_inputs(opts.inputs)
    if problems:
        raise UserError(problems)
    out_dir = opts.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    executor = executor or make_executor(opts.executor, opts.jobs, opts.scheduler)  # fail fast: before any state
    try:
        with folder_lock(out_dir):
            state = read_state(out_dir)
            if state is not None and not opts.resume:
                raise UserError([Diagnostic(
                    "O131", f"输出目录 {out_dir} 中已有一次批次运行（{state.get('run_id')}，{state.get('status')}）",
                    hint="续跑（只重做未完成或已变化的村）请加 --resume；重新评分请换一个新的输出目录")])
            db = opts.db or (state or {}).get("db") or resolve_db(None)
            store = Store(db)
            try:
                return _run(compiled, opts, store, db, state, clock, reporter, reports, executor, t_start)
            except Exception as e:
                # A full disk, a read-only folder, a database another program holds: said as
                # such, with the database named; what was committed stays for --resume.
                machine = environment_diagnostic(e, None if store.postgres else redact(db), store.busy_timeout)
                if machine is not None:
                    raise EnvironmentProblem([machine]) from e
                raise
            finally:
                store.close()
    finally:
        executor.close(cancel=True)


def _run(compiled: CompiledRubric, opts: BatchOptions, store: Store, db: str, state: dict[str, Any] | None,
         clock: Callable[[], str], reporter: Reporter, reports: ReportStep, executor: Executor,
         t_start: float) -> BatchSummary:
    out_dir = opts.out_dir
    formats = tuple(f.name for f in FORMATS if f.name in opts.formats)  # registry order, known names only
    store.ensure_schema()
    r = compiled.rubric
    run = store.run(state["run_id"]) if state and state.get("run_id") else None
    resumed = False
    if run is not None and run.rubric_hash == compiled.content_hash and run.year == opts.year and run.period == opts.period:
        attempt = store.reopen_run(run.run_key)
        run_key, run_id, resumed = run.run_key, run.run_id, True
        reporter.note(f"续跑批次 {run_id}（第 {attempt} 次）：输入与评分标准未变的村不再重做")
    else:
        if state is not None:
            why = "数据库中找不到该批次" if run is None else "评分标准、年度或评定期已变化"
            reporter.note(f"不能续跑上一次批次（{why}），全部重新评分")
            if run is not None and run.status != "complete":
                store.delete_run(run.run_key)
        run_id = f"{opts.period or opts.year}-{r.id}-{uuid.uuid4().hex[:12]}"
        run_key = store.create_run(
            run_id=run_id, year=opts.year, rubric_id=r.id, rubric_version=r.version, rubric_hash=compiled.content_hash,
            engine_version=__version__, started_at=clock(), rank_tiers=rank_tiers_json(r.rating, r.vetoes),
            options={"formats": list(formats), "executor": opts.executor, "inputs": [str(p) for p in opts.inputs],
                     **period_options(r)},
            period=opts.period)
        attempt = 1
    if resumed:
        _forget_missing(store, run_key)
    record_rubric(store, compiled)
    write_state(out_dir, {"format": "sanzhi.batch-state", "run_id": run_id, "db": redact(db), "year": opts.year,
                           "rubric": compiled.ref, "rubric_hash": compiled.content_hash, "formats": list(formats),
                           **({"period": opts.period} if opts.period else {}), "status": "running"})

    summary = BatchSummary(run_id=run_id, db=redact(db), out_dir=out_dir, resumed=resumed)
    report_date = date.fromisoformat(store.run_by_key(run_key).started_at[:10])
    ctx = WorkContext(compiled, run_key, opts.year, str(out_dir), formats, reports,
                      local_files=not executor.remote, report_date=report_date)
    ingest = Ingest(store, run_key, attempt, out_dir, executor.remote, reporter)
    t_plan = time.perf_counter()
    try:
        executor.start(ctx)
        files = list_files(opts.inputs, skip=out_dir)
        n_files, _ = count_text_files(files)
        reporter.start(n_files)
        window = max(2, executor.workers * 3)
        pending: deque[tuple[Any, Mapping[str, Known], int, bool]] = deque()
        in_flight = 0
        shards = plan_shards(compiled, files, shard_size=task_size(opts.shard_size, formats), ship_bytes=executor.remote,
                             known=lambda sources: store.known_inputs(run_key, sources) if resumed else {},
                             on_rows=reporter.add_total)

        def drain_one() -> None:
            nonlocal in_flight
            handle, known, size, is_future = pending.popleft()
            if is_future and ingest.uncommitted and not executor.wait(handle, COMMIT_WHEN_IDLE_SECONDS):
                ingest.commit()  # what is done is recorded before waiting on the workers
            result = executor.result(handle) if is_future else handle
            if is_future:
                in_flight -= 1
            ingest.ingest(result, known)
            reporter.advance(size)

        for item in shards:
            if isinstance(item, Shard):
                pending.append((executor.submit(item), item.known, len(item.refs), True))
                in_flight += 1
            else:  # a workbook row that could not be read: already an outcome
                known = store.known_inputs(run_key, [item.source]) if resumed else {}
                pending.append((ShardResult(-1, (item,), 0.0), known, 1, False))
            while pending and (not pending[0][3] or in_flight >= window):
                drain_one()
        while pending:
            drain_one()
        ingest.commit()
    except BaseException:
        ingest.commit()  # whole shards only (see Ingest.ingest): what is done stays done
        executor.close(cancel=True)
        reporter.stop()
        raise
    executor.close()
    t_score = time.perf_counter()

    if attempt > 1:  # inputs an earlier attempt saw that are gone now
        for source, code, status in store.stale_inputs(run_key, attempt):
            with store.transaction():
                store.delete_inputs(run_key, [source])
                if status == "scored" and code:
                    store.delete_villages(run_key, [code])
    store.forget_outputs(run_key, VILLAGE_UNIT, keep_formats=formats)  # a format wanted before, not now
    sweep(store, run_key, out_dir)
    t_sweep = time.perf_counter()
    label = pub.period_file_label(opts.year, opts.period)  # '' for the year: the file names stay as they were
    published = pub.publish(store, run_key, compiled, out_dir, workers=opts.jobs or os.cpu_count() or 1, period_label=label)
    data = pub.write_summary(store, run_key, compiled, opts.year, out_dir, published, period=opts.period)
    _summary_reports(store, run_key, compiled, out_dir, reports, formats, report_date, label)
    t_publish = time.perf_counter()
    counts: dict[str, int] = data["villages"]  # type: ignore[assignment]
    store.finish_run(run_key, finished_at=clock(), villages=counts["scored"], skipped=counts["skipped"],
                     inputs_sha256=_inputs_hash(store, run_key))
    write_state(out_dir, {"format": "sanzhi.batch-state", "run_id": run_id, "db": redact(db), "year": opts.year,
                           "rubric": compiled.ref, "rubric_hash": compiled.content_hash, "formats": list(formats),
                           **({"period": opts.period} if opts.period else {}), "status": "complete"})
    reporter.stop()
    summary.scored, summary.skipped = counts["scored"], counts["skipped"]
    summary.reused, summary.processed = ingest.reused, ingest.processed
    summary.carried = dict(sorted(ingest.carried.items()))
    ratings = cast(dict[str, int], data["ratings"])
    summary.ratings = {k: v for k, v in ratings.items() if v}
    summary.vetoed = data["vetoed"]  # type: ignore[assignment]
    summary.seconds = time.perf_counter() - t_start
    summary.timings = {"setup": t_plan - t_start, "score": t_score - t_plan, "sweep": t_sweep - t_score,
                       "publish": t_publish - t_sweep}
    return summary


__all__ = [
    "BatchOptions",
    "BatchSummary",
    "NullReporter",
    "Reporter",
    "default_db_path",
    "record_rubric",
    "resolve_db",
    "run_batch",
]
