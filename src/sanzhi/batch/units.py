"""A township or county run from a stored village run:
`sanzhi batch --rubric UNIT_RUBRIC --from-run RUN_ID [UNIT_DATA…] -o OUT`.

The unit rubric (`unit: township | county`, sanzhi.standard.units) reads `reads: ID@VERSION`;
the village run must have been scored with exactly that rubric (same content hash). Its
villages are streamed from the database in code order (sanzhi.batch.facts) and cut into units
by the prefix of their 12-digit code — 9 digits for a township, 6 for a county, the layout of
`villages/<6>/<9>/<12>` — each unit named after its villages' township or county field. A unit
is scored by the pure engine (sanzhi.scoring.units) from its aggregates and, when given, its
own data file (village data format, `village.code` the unit's code). Outputs are those of a
village batch, for units:

    units/<county code>/<code>.json         the unit's result and its aggregates, with the villages behind them
                                            (sanzhi.batch.unit_json)
    units/<county code>/<code>.pdf|.html|.docx   its report in each wanted format
    published/…                             rankings, lists and 红黑榜 across units (sanzhi.batch.publish_units)
    summary.json, skipped.csv

and the run is stored like a village run (`runs.unit` township | county, `runs.from_run`), so
`history`, `ranking --unit` and `yoy --unit` work for units. A unit run is cheap (a national run
of 100,000 villages gives 5,000 townships): it is made in one process and, on `--resume`, made
again whole.

Errors a person can act on, all at once (exit 2): the run is missing, unfinished, not a village
run, scored with another rubric, from before villages' values were stored; a unit data file is
unreadable, for another year, twice for one unit, or for a unit with no villages in the run.
"""

from __future__ import annotations

import collections
import hashlib
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from sanzhi import __version__
from sanzhi.batch import publish_units
from sanzhi.batch.facts import VillageRecord, has_values, stream_villages
from sanzhi.batch.files import atomic_write, sha256_tag
from sanzhi.batch.folder import folder_lock, read_state, write_state
from sanzhi.batch.queries.ranking import rank_tiers_json
from sanzhi.batch.result_rows import result_rows
from sanzhi.batch.runner import BatchSummary, NullReporter, Reporter, record_rubric, resolve_db
from sanzhi.batch.store import (
    DIMENSION_COLUMNS,
    INPUT_COLUMNS,
    ITEM_COLUMNS,
    LEVEL_COLUMNS,
    OUTPUT_COLUMNS,
    VILLAGE_COLUMNS,
    VILLAGE_UNIT,
    RunInfo,
    Store,
    redact,
)
from sanzhi.batch.unit_json import unit_json
from sanzhi.batch.yearly import period_options
from sanzhi.common.errors import Diagnostic, Location, UserError
from sanzhi.inputs.files import read_villages
from sanzhi.inputs.loaded import LoadedVillage, LoadFailure
from sanzhi.reports.formats import FORMATS, get_format
from sanzhi.scoring.assessment import Assessment, Village
from sanzhi.scoring.units import (
    UnitResult,
    VillageFacts,
    compute_aggregates,
    score_unit,
)
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.units import CODE_DIGITS, UNIT_NAMES

UNITS_DIR = "units"


@dataclass(frozen=True, slots=True)
class UnitBatchOptions:
    from_run: str  # the village run's id, as `sanzhi batch` printed it (批次 RUN_ID 完成)
    out_dir: Path
    unit_data: tuple[Path, ...] = ()  # the units' own data: files or folders
    db: str | None = None
    formats: tuple[str, ...] = ()
    year: int | None = None  # when given, the village run's year must be it
    period: str | None = None  # when given, the village run's period must be it ('' for the year)
    resume: bool = False


class UnitReports(Protocol):
    """Renders a unit's report in each wanted format (sanzhi.batch.reportstep.FormatReports)."""

    def prepare(self, formats: Sequence[str]) -> None: ...

    def unit(self, compiled: CompiledRubric, unit: UnitResult, input_sha256: str, report_date: date,
             formats: Sequence[str]) -> tuple[bytes, ...]: ...


def unit_path(out_dir: Path, code: str, suffix: str = ".json") -> Path:
    """units/<county code>/<code><suffix>: a county's townships together, the county beside them."""
    return out_dir / UNITS_DIR / code[:6] / f"{code}{suffix}"


def _error(code: str, message: str, *, hint: str | None = None, expected: str | None = None, found: str | None = None,
           where: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, Location(where) if where else None, expected=expected, found=found, hint=hint)


def check_village_run(store: Store, compiled: CompiledRubric, opts: UnitBatchOptions) -> RunInfo:
    """The stored village run a unit run reads, or every reason it cannot be read."""
    run = store.run(opts.from_run)
    if run is None:
        known = [r.run_id for r in store.runs() if r.unit == VILLAGE_UNIT and r.status == "complete"][-5:]
        raise UserError([_error("O160", f"结果数据库中没有批次 {opts.from_run}",
                                hint=("最近完成的村级批次：" + "、".join(known)) if known else "先运行村级批次（sanzhi batch 村数据… --rubric …）",
                                found=opts.from_run)])
    problems = []
    if run.unit != VILLAGE_UNIT:
        problems.append(_error("O161", f"批次 {run.run_id} 是{UNIT_NAMES.get(run.unit, run.unit)}批次，不是村级批次",
                               hint="--from-run 须是村级批次的编号"))
    if run.status != "complete":
        problems.append(_error("O161", f"村级批次 {run.run_id} 尚未完成（{run.status}）", hint="先用 --resume 续跑完该批次"))
    ref = f"{run.rubric_id}@{run.rubric_version}"
    if ref != compiled.reads_ref:
        problems.append(_error("O162", f"村级批次 {run.run_id} 用 {ref} 评分，而本评分标准 {compiled.ref} 汇总的是 {compiled.reads_ref}",
                               expected=compiled.reads_ref, found=ref,
                               hint="请用与 reads 一致的村级批次，或改用汇总该评分标准的乡镇（县）评分标准"))
    elif run.rubric_hash != compiled.reads_hash:
        problems.append(_error("O162", f"村级批次 {run.run_id} 所用的 {ref} 与本评分标准读取的 {compiled.reads_ref} 内容不同",
                               expected=compiled.reads_hash, found=run.rubric_hash,
                               hint="同一版本的村级评分标准被修改过：请用修改后的评分标准重新运行村级批次"))
    if opts.year is not None and run.year != opts.year:
        problems.append(_error("O163", f"村级批次 {run.run_id} 是 {run.year} 年度的，与 --year {opts.year} 不符",
                               expected=str(opts.year), found=str(run.year)))
    if opts.period is not None and run.period != opts.period:
        problems.append(_error("O163", f"村级批次 {run.run_id} 的评定期为 {run.period or f'{run.year} 年度'}，与 --period {opts.period} 不符",
                               expected=opts.period, found=run.period or str(run.year)))
    if not problems and not has_values(store, run.run_key) and run.villages:
        problems.append(_error("O164", f"村级批次 {run.run_id} 没有保存各村的填报数据（由旧版 sanzhi 运行），无法汇总",
                               hint="请用本版 sanzhi 重新运行该村级批次"))
    if problems:
        raise UserError(problems)
    return run


def _read_unit_data(compiled: CompiledRubric, paths: Sequence[Path], year: int, codes: set[str]) -> dict[str, LoadedVillage]:
    """The units' own data by unit code; every problem at once."""
    out: dict[str, LoadedVillage] = {}
    problems: list[Diagnostic] = []
    unit_word = UNIT_NAMES[compiled.unit]
    for p in paths:
        if not p.exists():
            problems.append(Diagnostic("D100", "找不到输入文件或文件夹", Location(str(p))))
    if problems:
        raise UserError(problems)
    for loaded in read_villages(compiled, list(paths)):
        if isinstance(loaded, LoadFailure):
            problems.extend(loaded.error.diagnostics)
            continue
        v = loaded.assessment.village
        where = loaded.source.location()
        if v.code in out:
            problems.append(Diagnostic("D160", f"{unit_word} {v.code} 的自身填报有两份：{out[v.code].source.display()} 与本文件",
                                       where, path="village › code", hint="每个单位只能有一份自身填报数据"))
        elif v.code not in codes:
            problems.append(Diagnostic("D161", f"村级批次中没有{unit_word} {v.code} 的村", where, path="village › code",
                                       found=v.code, hint=f"{unit_word}代码须是其所辖村 12 位代码的前 {CODE_DIGITS[compiled.unit]} 位"))
        elif v.year != year:
            problems.append(Diagnostic("D150", f"评定年度为 {v.year}，与村级批次年度 {year} 不符", where, path="village › year",
                                       expected=str(year), found=str(v.year)))
        else:
            out[v.code] = loaded
    if problems:
        raise UserError(problems)
    return out


def _most_common(names: Sequence[str]) -> str:
    """The name most villages give (ties: the first village's)."""
    counts = collections.Counter(names)
    best = max(counts.values())
    return next(n for n in names if counts[n] == best)


def _groups(records: Iterator[VillageRecord], digits: int) -> Iterator[tuple[str, list[VillageRecord]]]:
    current: str | None = None
    members: list[VillageRecord] = []
    for r in records:
        prefix = r.code[:digits]
        if prefix != current:
            if members:
                yield current, members  # type: ignore[misc]
            current, members = prefix, []
        members.append(r)
    if members:
        yield current, members  # type: ignore[misc]


def _unit_assessment(compiled: CompiledRubric, code: str, members: Sequence[VillageRecord], year: int,
                     own: LoadedVillage | None) -> Assessment:
    county = _most_common([m.county for m in members])
    if compiled.unit == "township":
        name = township = _most_common([m.township for m in members])
    else:
        name, township = county, ""
    if own is None:
        return Assessment(Village(code, name, township, county, year, date(year, 12, 31)), {}, {})
    a = own.assessment
    return Assessment(Village(code, name, township, county, year, a.village.assessed_on), a.attributes, a.answers,
                      a.judgments, a.evidence, a.reviews, a.assessor)


def score_units(compiled: CompiledRubric, store: Store, village_run: RunInfo,
                own: dict[str, LoadedVillage]) -> Iterator[tuple[UnitResult, str, LoadedVillage | None]]:
    """(unit result, input hash, own data) for every unit of the village run, in code order."""
    assert compiled.village_namespace is not None
    reads = frozenset(n for a in compiled.aggregates for n in a.reads)
    digits = CODE_DIGITS[compiled.unit]
    records = stream_villages(store, village_run.run_key, compiled.village_namespace, reads)
    for code, members in _groups(records, digits):
        facts: list[VillageFacts] = [m.facts for m in members]
        loaded = own.get(code)
        aggregates = compute_aggregates(compiled, facts)
        assessment = _unit_assessment(compiled, code, members, village_run.year, loaded)
        result = score_unit(compiled, assessment, aggregates, len(members))
        # What the unit was scored from: the village run and its own data, if any.
        sha = sha256_tag(f"{village_run.run_id}\n".encode() + (loaded.input_bytes if loaded else b""))
        yield result, sha, loaded


def _unit_codes(store: Store, run_key: int, digits: int) -> set[str]:
    return {c for (c,) in store.query(f"SELECT DISTINCT substr(village_code, 1, {digits}) FROM village_results WHERE run_key = ?",
                                      (run_key,))}


def run_unit_batch(compiled: CompiledRubric, opts: UnitBatchOptions, *, clock: Callable[[], str],
                   reporter: Reporter | None = None, reports: UnitReports | None = None) -> BatchSummary:
    """Score every township (or county) of a stored village run; store and publish like a village run."""
    reporter = reporter or NullReporter()
    if reports is None:
        from sanzhi.batch.reportstep import FormatReports

        reports = FormatReports()
    t_start = time.perf_counter()
    out_dir = opts.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with folder_lock(out_dir):
        state = read_state(out_dir)
        if state is not None and not opts.resume:
            raise UserError([Diagnostic(
                "O131", f"输出目录 {out_dir} 中已有一次批次运行（{state.get('run_id')}，{state.get('status')}）",
                hint="重新汇总请加 --resume（整批重做），或换一个新的输出目录")])
        db = opts.db or (state or {}).get("db") or resolve_db(None)
        with Store(db) as store:
            return _run(compiled, opts, store, db, state, clock, reporter, reports, t_start)


def _run(compiled: CompiledRubric, opts: UnitBatchOptions, store: Store, db: str, state: dict[str, Any] | None,
         clock: Callable[[], str], reporter: Reporter, reports: UnitReports, t_start: float) -> BatchSummary:
    out_dir = opts.out_dir
    formats = tuple(f.name for f in FORMATS if f.name in opts.formats)
    store.ensure_schema()
    village_run = check_village_run(store, compiled, opts)
    codes = _unit_codes(store, village_run.run_key, CODE_DIGITS[compiled.unit])
    own = _read_unit_data(compiled, opts.unit_data, village_run.year, codes)
    previous = store.run(state["run_id"]) if state and state.get("run_id") else None
    if previous is not None:  # --resume of a unit run: made again whole
        reporter.note(f"重新汇总：上一次的{UNIT_NAMES[compiled.unit]}批次 {previous.run_id} 整批重做")
        store.delete_run(previous.run_key)
    for sub in (UNITS_DIR, publish_units.PUBLISHED_DIR):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    r = compiled.rubric
    period = village_run.period
    run_id = f"{period or village_run.year}-{r.id}-{uuid.uuid4().hex[:12]}"
    run_key = store.create_run(
        run_id=run_id, year=village_run.year, rubric_id=r.id, rubric_version=r.version, rubric_hash=compiled.content_hash,
        engine_version=__version__, started_at=clock(), rank_tiers=rank_tiers_json(r.rating, r.vetoes),
        options={"formats": list(formats), "from_run": village_run.run_id, "inputs": [str(p) for p in opts.unit_data],
                 **period_options(r)},
        unit=compiled.unit, period=period, from_run=village_run.run_id)
    record_rubric(store, compiled)
    state_doc = {"format": "sanzhi.batch-state", "run_id": run_id, "db": redact(db), "year": village_run.year,
                 "period": period, "unit": compiled.unit, "from_run": village_run.run_id, "rubric": compiled.ref,
                 "rubric_hash": compiled.content_hash, "formats": list(formats), "status": "running"}
    write_state(out_dir, state_doc)
    report_date = date.fromisoformat(store.run_by_key(run_key).started_at[:10])
    if formats:
        reports.prepare(formats)
    t_plan = time.perf_counter()
    reporter.start(len(codes))
    rows: dict[str, list[tuple[object, ...]]] = {t: [] for t in ("village_results", "level_totals", "dimension_scores",
                                                                  "item_scores", "run_inputs", "outputs")}
    scored = 0
    for unit, sha, loaded in score_units(compiled, store, village_run, own):
        result = unit.result
        code = result.village_code
        blob = unit_json(unit, sha, village_run, compiled)
        atomic_write(unit_path(out_dir, code), blob)
        source = loaded.source.display() if loaded else f"汇总：村级批次 {village_run.run_id}"
        v, lv, dims, items = result_rows(run_key, result, sha, source)
        rows["village_results"].append(v)
        rows["level_totals"].extend(lv)
        rows["dimension_scores"].extend(dims)
        rows["item_scores"].extend(items)
        rows["run_inputs"].append((run_key, f"{code} {source}", sha, code, "scored", None, sha256_tag(blob), 1,
                                   loaded.source.file if loaded else None))
        if formats:
            for fmt, data in zip(formats, reports.unit(compiled, unit, sha, report_date, formats), strict=True):
                atomic_write(unit_path(out_dir, code, get_format(fmt).suffix), data)
                rows["outputs"].append((run_key, compiled.unit, code, fmt, sha256_tag(data)))
        scored += 1
        reporter.advance(1)
    columns = {"village_results": VILLAGE_COLUMNS, "level_totals": LEVEL_COLUMNS, "dimension_scores": DIMENSION_COLUMNS,
               "item_scores": ITEM_COLUMNS, "run_inputs": INPUT_COLUMNS, "outputs": OUTPUT_COLUMNS}
    with store.transaction():
        for table, table_rows in rows.items():
            store.insert(table, columns[table], table_rows)
    t_score = time.perf_counter()
    published = publish_units.publish(store, run_key, compiled, out_dir, period_label=publish_units.period_label(village_run))
    done = publish_units.write_summary(store, run_key, compiled, village_run, out_dir, published)
    t_publish = time.perf_counter()
    store.finish_run(run_key, finished_at=clock(), villages=scored, skipped=0, inputs_sha256=_inputs_hash(rows["run_inputs"]))
    write_state(out_dir, {**state_doc, "status": "complete"})
    reporter.stop()
    summary = BatchSummary(run_id=run_id, db=redact(db), out_dir=out_dir, scored=scored, processed=scored)
    ratings: dict[str, int] = done["ratings"]  # type: ignore[assignment]
    summary.ratings = {k: n for k, n in ratings.items() if n}
    summary.vetoed = done["vetoed"]  # type: ignore[assignment]
    summary.seconds = time.perf_counter() - t_start
    summary.timings = {"setup": t_plan - t_start, "score": t_score - t_plan, "sweep": 0.0, "publish": t_publish - t_score}
    return summary


def _inputs_hash(inputs: Sequence[tuple[object, ...]]) -> str:
    h = hashlib.sha256()
    for row in sorted(inputs, key=lambda r: str(r[1])):
        h.update(f"{row[1]}\t{row[2]}\n".encode())
    return "sha256:" + h.hexdigest()


__all__ = [
    "UNITS_DIR",
    "UnitBatchOptions",
    "UnitReports",
    "check_village_run",
    "run_unit_batch",
    "score_units",
    "unit_path",
]
