"""`sanzhi rubric diff | impact | sensitivity | test`: tools for the bodies that maintain a rubric.

Registered on the `rubric` command group by `register(rubric_app)` in sanzhi.cli. Each
command parses its arguments, calls a runner here (reading files, a process pool for large
batches) over the pure core (sanzhi.standard.diff, sanzhi.scoring.impact,
sanzhi.standard.rubric_tests), and prints a Chinese table or JSON.
"""

import gc
import hashlib
import json
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import typer
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from sanzhi import api
from sanzhi.boundary import error_boundary, render_user_error
from sanzhi.errors import DataError, Diagnostic, ExitCode, Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.files import SHEET_SUFFIXES, iter_village_files, read_text_village
from sanzhi.jsonsource import load_data_text
from sanzhi.numbers import fmt
from sanzhi.reports.json_output import to_data
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.impact import (
    Carry,
    ImpactReport,
    ImpactTally,
    ItemPairs,
    SensitivityReport,
    SensitivityTally,
    VillageDelta,
    VillageSensitivity,
    carry_plan,
    compare_results,
    impact_report,
    item_pairs,
    operative_values,
    sensitivity,
    sensitivity_report,
    translate_assessment,
)
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import find_bundled
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.diff import (
    STATUS_ZH,
    WHAT_ZH,
    EntryDiff,
    RubricDiff,
    diff_rubrics,
    item_id_map,
    text_hunks,
)
from sanzhi.standard.rubric_tests import Actual, Difference, compare
from sanzhi.yamlsource import SourceMap, load_yaml

FORMAT_VERSION = 1
_CHUNK = 200  # villages per task sent to a worker process
_POOL_MIN = 400  # fewer villages than this are scored in-process


def _console() -> Console:
    # Built per call so COLUMNS set by the caller (tests, scripts) is honoured.
    return Console(highlight=False, soft_wrap=False)


def _json_out(kind: str, data: object) -> None:
    doc = {"format": f"sanzhi.{kind}", "schema_version": FORMAT_VERSION, **to_data(data)}  # type: ignore[dict-item]
    sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


# =========================================================================== rubric diff


def render_diff(d: RubricDiff) -> Group:
    head = Text()
    head.append(f"评分标准对比：{d.a.ref} → {d.b.ref}\n", style="bold")
    for label, r in (("旧", d.a), ("新", d.b)):
        draft = "，征求意见稿" if r.status == "draft" else ""
        head.append(f"  {label}：{r.title}（{r.effective_date} 起施行{draft}，满分 {r.total_points} 分）\n")
    if d.crosswalk:
        head.append(f"  评分项对应：{d.crosswalk}\n")
    counts = d.counts()
    if not d.entries:
        head.append("两者内容相同。\n")
        return Group(head)
    summary = []
    for what in WHAT_ZH:
        if what in counts:
            parts = "、".join(f"{STATUS_ZH[s]} {n}" for s, n in sorted(counts[what].items(), key=lambda kv: list(STATUS_ZH).index(kv[0])))
            summary.append(f"{WHAT_ZH[what]}：{parts}")
    head.append("  " + "；".join(summary) + "\n")
    parts: list[Any] = [head]
    for title, kinds in (("维度与指标", ("dimension", "indicator")), ("评分项", ("item",)),
                         ("一票否决与等级", ("veto", "tier", "setting")), ("填报字段", ("field", "attribute", "derived"))):
        rows = [e for e in d.entries if e.what in kinds]
        if rows:
            parts.append(_diff_table(title, rows))
    for w in d.warnings:
        parts.append(Text(f"注意：{w}"))
    return Group(*parts)


def _id_cell(e: EntryDiff) -> str:
    """"4.1.1"; "2.3.2 → 2.3.3" when renumbered; split and merged one id a line."""
    if e.what == "setting":
        return "—"
    old, new = "\n".join(e.old_ids), "\n".join(e.new_ids)
    if not e.old_ids or not e.new_ids or e.old_ids == e.new_ids:
        return old or new
    return f"{old}\n→ {new}" if len(e.old_ids) + len(e.new_ids) > 2 else f"{old} → {new}"


_SHORT = 24  # texts up to this many characters are shown whole
_RULE_WHOLE = 48  # a changed rule this short is shown whole, old then new


def _change_text(label: str, old: str | None, new: str | None) -> str:
    if old is None:
        return f"{label}：{new}"
    if new is None:
        return f"{label}：{old} → （无）"
    if len(old) <= _SHORT and len(new) <= _SHORT:
        return f"{label}：{old} → {new}"
    hunks = text_hunks(old, new)
    if len(hunks) > 3 or any(len(a) > 40 or len(b) > 40 for a, b in hunks):
        return f"{label}改写为：{new}"  # mostly rewritten: the new text reads better than fragments
    return f"{label}：" + "\n  ".join(f"{a} → {b}" for a, b in hunks)


def _rules_text(old: str | None, new: str | None) -> str:
    gone = old.split("\n") if old else []
    came = new.split("\n") if new else []
    if len(gone) == len(came):
        return "\n".join(_change_text("规则", a, b) if len(a) > _RULE_WHOLE or len(b) > _RULE_WHOLE else f"规则：{a}\n    → {b}"
                         for a, b in zip(gone, came))
    return "\n".join([*(f"规则（删）：{a}" for a in gone), *(f"规则（增）：{b}" for b in came)])


def _diff_table(title: str, rows: list[EntryDiff]) -> Table:
    mixed = len({e.what for e in rows}) > 1
    table = Table(title=title, title_justify="left", show_lines=True)
    if mixed:
        table.add_column("类别", no_wrap=True)
    table.add_column("编号", no_wrap=True)
    table.add_column("变化", overflow="fold", max_width=10)
    table.add_column("名称", overflow="fold", max_width=16)
    table.add_column("说明", overflow="fold", ratio=1)
    for e in rows:
        name = e.new_name or e.old_name or ""
        if e.old_name and e.new_name and e.old_name != e.new_name and e.status not in ("split", "merged"):
            name = f"{e.old_name} → {e.new_name}"
        status = STATUS_ZH[e.status] + ("\n（对应表）" if e.via == "crosswalk" else "\n（内容相同）" if e.via == "content" else "")
        notes = []
        for c in e.changes:
            if c.field == "name" or (e.status in ("added", "removed") and c.field in ("points", "place")):
                continue
            if c.field == "rules":
                notes.append(_rules_text(c.old, c.new))
            elif c.field == "place":
                notes.append(f"位置：{_place(c.old)} → {_place(c.new)}")  # type: ignore[arg-type]
            elif e.what == "setting":
                notes.append(_change_text("", c.old, c.new).lstrip("："))
            else:
                notes.append(_change_text(c.label, c.old, c.new))
        if e.status in ("added", "removed"):
            pts = next((c.old or c.new for c in e.changes if c.field == "points"), None)
            place = next((c.old or c.new for c in e.changes if c.field == "place"), None)
            notes.insert(0, "，".join(x for x in (f"{pts} 分" if pts else None, f"位于{_place(place)}" if place else None) if x))
        table.add_row(*((WHAT_ZH[e.what],) if mixed else ()), _id_cell(e), status, name, "\n".join(n for n in notes if n))
    return table


def _place(place: str | None) -> str:
    return "—" if place is None else place if place == "加分项" else f"指标 {place}"


def rubric_diff(
    a: Annotated[str, typer.Argument(help="旧版：内置评分标准 ID@版本，或 YAML 文件")],
    b: Annotated[str, typer.Argument(help="新版（或变体）：内置评分标准 ID@版本，或 YAML 文件")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是表格")] = False,
) -> None:
    """对比两个评分标准版本：新增、删除、改号、移动的评分项，分值与规则、等级与否决项的变化。"""
    with error_boundary():
        ca, _ = api.load_compiled_rubric(a)
        cb, _ = api.load_compiled_rubric(b)
        d = diff_rubrics(ca.rubric, cb.rubric)
        if as_json:
            _json_out("rubric_diff", {"a_hash": ca.content_hash, "b_hash": cb.content_hash, "counts": d.counts(), **to_data(d)})  # type: ignore[dict-item]
        else:
            _console().print(render_diff(d))


# =========================================================================== village files, fast


def _quick_raw(path: Path) -> object | None:
    """The raw data of a village file by the quickest route (JSON: `json.loads`, positions
    only on error), or None when it cannot be read: the positioned reader then says why."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        return load_data_text(text, str(path), code_prefix="D")[0]
    except (OSError, UnicodeDecodeError, DataError):
        return None


_NOWHERE = Location("")


def _read_fast(compiled: CompiledRubric, path: Path, raw: object | None) -> Assessment:
    """An Assessment, or DataError with located diagnostics (re-read positioned on error)."""
    if raw is not None:
        try:
            return read_assessment(compiled, raw, lambda p, k: _NOWHERE)
        except DataError:
            pass
    loaded = read_text_village(compiled, path)
    if loaded.error is not None:
        raise loaded.error
    assert loaded.assessment is not None
    return loaded.assessment


class Failure(NamedTuple):
    source: str
    version: str  # which rubric could not read or score it
    text: str  # rendered Chinese diagnostics
    problems: tuple[dict[str, object], ...]


def _failure(path: Path, version: str, e: DataError) -> Failure:
    return Failure(str(path), version, render_user_error(e), tuple(d.to_dict() for d in e.diagnostics))


def _same_inputs(a: CompiledRubric, b: CompiledRubric) -> bool:
    ra, rb = a.rubric, b.rubric
    return ra.attributes == rb.attributes and ra.fields == rb.fields and ra.review_levels == rb.review_levels


def _retarget(raw: object, target: CompiledRubric, other: CompiledRubric, ids: dict[str, str], carry: Carry) -> object:
    """Raw village data for `other`'s item ids read by `target` (when the versions declare
    different fields): item keys renamed, values of removed fields dropped, rubric ref set."""
    if not isinstance(raw, dict):
        return raw
    out = dict(raw)
    out["rubric"] = target.ref
    known = {s.id for s in (*target.rubric.fields, *target.rubric.attributes)}
    theirs = {s.id for s in (*other.rubric.fields, *other.rubric.attributes)}
    if isinstance(out.get("answers"), dict):
        out["answers"] = {k: v for k, v in out["answers"].items() if k in known or k not in theirs}
    if isinstance(out.get("village"), dict):
        out["village"] = {k: v for k, v in out["village"].items() if k in known or k not in theirs}

    def items(m: object, scales: dict[str, tuple[Decimal, Decimal]] | None) -> object:
        if not isinstance(m, dict):
            return m
        res = {}
        for k, v in m.items():
            t = ids.get(str(k))
            if t is None or (scales is not None and t not in scales):
                continue
            if scales is not None and isinstance(v, dict) and t in scales and isinstance(v.get("score"), (int, Decimal)):
                old, new = scales[t]
                if old != new and old:
                    v = {**v, "score": min(new, (Decimal(v["score"]) * new / old).quantize(carry.precision))}
            res[t] = v
        return res

    for key, scales in (("judgments", carry.judgment_scale), ("evidence", None)):
        if key in out:
            out[key] = items(out[key], scales)  # type: ignore[arg-type]
    if isinstance(out.get("reviews"), list):
        out["reviews"] = [
            {**r, **({"judgments": items(r["judgments"], carry.judgment_scale)} if "judgments" in r else {}),
             **({"scores": items(r["scores"], carry.points_scale)} if "scores" in r else {})} if isinstance(r, dict) else r
            for r in out["reviews"]
        ]
    return out


# =========================================================================== rubric impact


@dataclass(frozen=True)
class _ImpactJob:
    a: CompiledRubric
    b: CompiledRubric
    ids_ab: dict[str, str]
    ids_ba: dict[str, str]
    carry_ab: Carry
    carry_ba: Carry
    same_inputs: bool
    pairs: ItemPairs
    top: int


def _ref_names(raw: object, c: CompiledRubric) -> bool:
    if not isinstance(raw, dict) or not isinstance(raw.get("rubric"), str):
        return False
    rid, _, version = raw["rubric"].partition("@")
    return rid == c.rubric.id and (not version or version == c.rubric.version)


def _impact_one(job: _ImpactJob, path: Path) -> VillageDelta | Failure:
    raw = _quick_raw(path)
    # The data is read with the version it names (A unless it names B), then carried over.
    src, dst = (job.b, job.a) if raw is not None and _ref_names(raw, job.b) and not _ref_names(raw, job.a) else (job.a, job.b)
    ids, carry = (job.ids_ab, job.carry_ab) if src is job.a else (job.ids_ba, job.carry_ba)
    try:
        first = _read_fast(src, path, raw)
    except DataError as e:
        return _failure(path, src.ref, e)
    if job.same_inputs:
        second = translate_assessment(first, carry)
    else:
        try:
            second = read_assessment(dst, _retarget(raw if raw is not None else {}, dst, src, ids, carry), lambda p, k: Location(str(path)))
        except DataError as e:
            return _failure(path, dst.ref, e)
    assess_a, assess_b = (first, second) if src is job.a else (second, first)
    ra, rb = score_village(job.a, assess_a), score_village(job.b, assess_b)
    return compare_results(ra, rb, job.ids_ab, pairs=job.pairs)


_WORKER_JOB: Any = None


def _init_worker(job: Any) -> None:
    global _WORKER_JOB
    _WORKER_JOB = job


def _tally_chunk(paths: list[Path], one: Callable[[Any, Path], Any], tally: Any) -> tuple[Any, list[Failure]]:
    # Each worker sums its own villages: only the tally and the failures travel back.
    failures: list[Failure] = []
    for p in paths:
        out = one(_WORKER_JOB, p)
        if isinstance(out, Failure):
            failures.append(out)
        else:
            tally.add(out)
    return tally, failures


def _impact_chunk(paths: list[Path]) -> tuple[ImpactTally, list[Failure]]:
    return _tally_chunk(paths, _impact_one, ImpactTally(_WORKER_JOB.top))


def _sensitivity_chunk(paths: list[Path]) -> tuple[SensitivityTally, list[Failure]]:
    return _tally_chunk(paths, _sensitivity_one, SensitivityTally())


def _run(job: Any, paths: list[Path], chunk_fn: Callable[[list[Path]], Any], jobs: int | None) -> Iterator[Any]:
    """Chunk results in file order; a process pool when the batch is large enough to pay for it."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < _POOL_MIN:
        _init_worker(job)
        yield chunk_fn(paths)
        return
    chunks = [paths[i:i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    # Forked workers share the parent's objects copy-on-write; frozen, the collector leaves them
    # alone instead of touching (and so copying) every page of the compiled rubrics and modules.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(job,)) as pool:
            yield from pool.map(chunk_fn, chunks)
    finally:
        gc.unfreeze()


def village_paths(data: Sequence[Path]) -> list[Path]:
    paths = list(iter_village_files(list(data)))
    missing = [Diagnostic("D100", "找不到村自评数据文件或文件夹", Location(str(p))) for p in paths if not p.exists()]
    # One village per file here; many-village workbooks are read by `sanzhi score` and `batch`.
    sheets = [Diagnostic("D100", "此命令暂只读取每村一个的 YAML/JSON 文件，不读取工作簿", Location(str(p)),
                         hint="可先用 sanzhi batch 评分，再以 --run 引用该批次中的 YAML/JSON 村文件")
              for p in paths if p.suffix.lower() in SHEET_SUFFIXES]
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
        rows = store.query("SELECT source, input_sha256 FROM run_inputs WHERE run_key = ? AND status = 'scored' ORDER BY source", (run.run_key,))
    paths: list[Path] = []
    tables = missing = changed = 0
    for source, sha in rows:
        path = Path(source)
        if path.suffix.lower() not in (".yaml", ".yml", ".json"):
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


def _data_paths(data: Sequence[Path] | None, run_id: str | None, db: str | None) -> list[Path]:
    paths = village_paths(data or [])
    if run_id is not None:
        stored, notes = stored_run_paths(run_id, db)
        for note in notes:
            typer.echo(f"注意：批次 {run_id} 中{note}。", err=True)
        paths += stored
    if not paths:
        raise typer.BadParameter("请给出村自评数据文件或文件夹，或用 --run 指定一个已存储的批次")
    return paths


def run_impact(a: CompiledRubric, b: CompiledRubric, paths: list[Path], jobs: int | None = None, top: int = 10) -> tuple[ImpactReport, list[Failure]]:
    """Score every village under A and B; the report and the villages that could not be scored."""
    ids_ab = item_id_map(a.rubric, b.rubric)
    ids_ba = item_id_map(b.rubric, a.rubric)
    job = _ImpactJob(a, b, ids_ab, ids_ba, carry_plan(a, b, ids_ab), carry_plan(b, a, ids_ba), _same_inputs(a, b),
                     item_pairs(a, b, ids_ab), top)
    tally, failures = ImpactTally(top), []
    for part, failed in _run(job, paths, _impact_chunk, jobs):
        tally.merge(part)
        failures += failed
    return impact_report(a, b, tally, len(failures)), failures


def _signed(x: Decimal) -> str:
    return ("+" if x > 0 else "") + fmt(x)


def render_impact(r: ImpactReport) -> Group:
    head = Text()
    head.append(f"修订影响：{r.a} → {r.b}\n", style="bold")
    head.append(f"  共 {r.villages} 个村（社区）按两个版本评分")
    head.append(f"，{r.failures} 个因数据问题未能评分\n" if r.failures else "\n")
    if r.villages:
        head.append(f"  等级变化 {r.changed_rating} 个（升 {r.up}，降 {r.down}）；总分变化 {r.score_changed} 个；"
                    f"平均总分 {fmt(r.mean_total_a)} → {fmt(r.mean_total_b)}\n")  # type: ignore[arg-type]
    if not r.villages:
        return Group(head)
    matrix = Table(title="等级变化（行：旧版等级，列：新版等级，单位：村）", title_justify="left")
    cells = {(f.rating_a, f.rating_b): f.villages for f in r.matrix}
    rows = [n for n in r.ratings if any(x == n for x, _ in cells)]
    cols = [n for n in r.ratings if any(y == n for _, y in cells)]
    matrix.add_column("旧版 \\ 新版")
    for c in cols:
        matrix.add_column(c, justify="right")
    matrix.add_column("合计", justify="right")
    for x in rows:
        matrix.add_row(x, *(str(cells.get((x, y), 0)) if x != y else f"[{cells.get((x, y), 0)}]" for y in cols),
                       str(sum(v for (p, _), v in cells.items() if p == x)))
    matrix.add_row("合计", *(str(sum(v for (_, q), v in cells.items() if q == y)) for y in cols), str(r.villages))
    dims = Table(title="各维度变化（平均分）", title_justify="left")
    for col, just in (("维度", "left"), ("分值", "right"), ("旧版平均", "right"), ("新版平均", "right"), ("平均变化", "right"), ("得分变化的村", "right")):
        dims.add_column(col, justify=just)  # type: ignore[arg-type]
    for d in r.dimensions:
        pts = fmt(d.points_a) if d.points_a == d.points_b else f"{fmt(d.points_a) if d.points_a else '—'} → {fmt(d.points_b) if d.points_b else '—'}"
        dims.add_row(f"{d.id} {d.name}", pts, fmt(d.mean_a) if d.mean_a is not None else "—", fmt(d.mean_b) if d.mean_b is not None else "—",
                     _signed(d.mean_delta) if d.mean_delta is not None else "—", str(d.villages_changed))
    movers = Table(title=f"变化最大的 {len(r.movers)} 个村", title_justify="left", show_lines=True)
    for col, just in (("村（社区）", "left"), ("乡镇（街道）", "left"), ("总分", "right"), ("变化", "right"), ("等级", "left"), ("主要变动项", "left")):
        movers.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    for v in r.movers:
        rating = v.rating_a if v.rating_a == v.rating_b else f"{v.rating_a} → {v.rating_b}"
        lines = [_move(m) for m in v.items[:3]]
        if v.residual:
            lines.append(f"（不适用项折算、加分封顶 {_signed(v.residual)}）")
        items = "\n".join(lines)
        movers.add_row(f"{v.name}\n{v.code}", v.township, f"{fmt(v.total_a)} → {fmt(v.total_b)}", _signed(v.delta), rating, items or "—")
    return Group(head, matrix, dims, movers)


def _move(m: Any) -> str:
    if m.item_a is None:
        return f"{m.item_b} {m.name}（新增）得 {fmt(m.score_b)}"
    if m.item_b is None:
        return f"{m.item_a} {m.name}（删除）原得 {fmt(m.score_a)}"
    moved = m.item_a if m.item_a == m.item_b else f"{m.item_a}→{m.item_b}"
    return f"{moved} {m.name} {_signed(m.delta)}"


def _print_failures(failures: list[Failure], limit: int = 5) -> None:
    for f in failures[:limit]:
        typer.echo(f"[{f.version}] {f.text}", err=True)
    if len(failures) > limit:
        typer.echo(f"……另有 {len(failures) - limit} 个村的数据问题未显示。", err=True)


def rubric_impact(
    a: Annotated[str, typer.Argument(help="旧版：内置评分标准 ID@版本，或 YAML 文件")],
    b: Annotated[str, typer.Argument(help="新版（或变体）：内置评分标准 ID@版本，或 YAML 文件")],
    data: Annotated[list[Path] | None, typer.Argument(help="村自评数据文件或文件夹（YAML / JSON）")] = None,
    run_id: Annotated[str | None, typer.Option("--run", help="加入一个已存储批次（sanzhi batch）评过的全部村文件")] = None,
    db: Annotated[str | None, typer.Option("--db", help="结果数据库（默认 $SANZHI_DB 或 ~/.local/share/sanzhi/results.sqlite）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是表格")] = False,
    top: Annotated[int, typer.Option("--top", min=0, help="列出变化最大的村数")] = 10,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="并行进程数（默认：CPU 核数）")] = None,
) -> None:
    """同一批村分别按两个版本评分：等级变化矩阵、变化最大的村及其变动项、各维度变化。"""
    with error_boundary():
        ca, _ = api.load_compiled_rubric(a)
        cb, _ = api.load_compiled_rubric(b)
        report, failures = run_impact(ca, cb, _data_paths(data, run_id, db), jobs, top)
        _print_failures(failures)
        if as_json:
            skipped = [{"source": f.source, "version": f.version, "problems": list(f.problems)} for f in failures]
            _json_out("rubric_impact", {**to_data(report), "skipped": skipped})  # type: ignore[dict-item]
        else:
            _console().print(render_impact(report))
    if failures:
        raise typer.Exit(ExitCode.SOME_SKIPPED if report.villages else ExitCode.INVALID_INPUT)


# =========================================================================== rubric sensitivity


@dataclass(frozen=True)
class _SensitivityJob:
    compiled: CompiledRubric
    step: Decimal


def _sensitivity_one(job: _SensitivityJob, path: Path) -> VillageSensitivity | Failure:
    try:
        assessment = _read_fast(job.compiled, path, _quick_raw(path))
    except DataError as e:
        return _failure(path, job.compiled.ref, e)
    result = score_village(job.compiled, assessment)
    return sensitivity(job.compiled, result, operative_values(job.compiled, assessment), job.step)


def run_sensitivity(c: CompiledRubric, paths: list[Path], step: Decimal = Decimal("0.1"), jobs: int | None = None) -> tuple[SensitivityReport, list[Failure]]:
    tally, failures = SensitivityTally(), []
    for part, failed in _run(_SensitivityJob(c, step), paths, _sensitivity_chunk, jobs):
        tally.merge(part)
        failures += failed
    return sensitivity_report(c, tally, len(failures), step), failures


def render_sensitivity(r: SensitivityReport) -> Group:
    pct = fmt(r.step * 100)
    head = Text()
    head.append(f"权重敏感性：{r.rubric}\n", style="bold")
    head.append(f"  {r.villages} 个村（社区）；每个维度的分值依次调整 ±{pct}%，其余维度按原比例分摊，总分不变；"
                f"维度最低分随其维度同比例调整\n")
    if r.failures:
        head.append(f"  {r.failures} 个村因数据问题未能评分\n")
    table = Table(title="等级发生变化的村数", title_justify="left", show_lines=True)
    for col, just in (("维度", "left"), ("分值", "right"), (f"−{pct}%", "right"), (f"+{pct}%", "right"), ("主要流向", "left")):
        table.add_column(col, justify=just, overflow="fold")  # type: ignore[arg-type]
    for d in r.dimensions:
        flows = [f"−{pct}%：{f.rating_a} → {f.rating_b} {f.villages}" for f in d.minus.flows[:2]]
        flows += [f"+{pct}%：{f.rating_a} → {f.rating_b} {f.villages}" for f in d.plus.flows[:2]]
        table.add_row(f"{d.id} {d.name}", fmt(d.points), _shift(d.minus), _shift(d.plus), "\n".join(flows) or "—")
    return Group(head, table)


def _shift(s: Any) -> str:
    return f"{s.changed}（升 {s.up}，降 {s.down}）" if s.changed else "0"


def rubric_sensitivity(
    ref: Annotated[str, typer.Argument(help="内置评分标准 ID[@版本]，或 YAML 文件")],
    data: Annotated[list[Path] | None, typer.Argument(help="村自评数据文件或文件夹（YAML / JSON）")] = None,
    run_id: Annotated[str | None, typer.Option("--run", help="加入一个已存储批次（sanzhi batch）评过的全部村文件")] = None,
    db: Annotated[str | None, typer.Option("--db", help="结果数据库（默认 $SANZHI_DB 或 ~/.local/share/sanzhi/results.sqlite）")] = None,
    step: Annotated[float, typer.Option("--step", min=0.01, max=0.5, help="权重调整幅度（0.1 即 ±10%）")] = 0.1,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是表格")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="并行进程数（默认：CPU 核数）")] = None,
) -> None:
    """每个维度的权重上下浮动 ±10% 时，有多少村的等级会变化。"""
    with error_boundary():
        c, _ = api.load_compiled_rubric(ref)
        report, failures = run_sensitivity(c, _data_paths(data, run_id, db), Decimal(str(step)), jobs)
        _print_failures(failures)
        if as_json:
            skipped = [{"source": f.source, "version": f.version, "problems": list(f.problems)} for f in failures]
            _json_out("rubric_sensitivity", {**to_data(report), "skipped": skipped})  # type: ignore[dict-item]
        else:
            _console().print(render_sensitivity(report))
    if failures:
        raise typer.Exit(ExitCode.SOME_SKIPPED if report.villages else ExitCode.INVALID_INPUT)


# =========================================================================== rubric test


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


def render_examples(compiled: CompiledRubric, outcomes: list[ExampleOutcome]) -> str:
    lines = [f"示例村测试：{compiled.rubric.title}（{compiled.ref}）"]
    if not outcomes:
        lines.append("该评分标准没有示例村（examples）。")
        return "\n".join(lines)
    for o in outcomes:
        if o.error is not None:
            lines.append(f"✗ {o.name}：示例数据有误")
            lines.extend("    " + line if line else "" for line in o.error.splitlines())
        elif o.passed:
            lines.append(f"✓ {o.name}（总分 {o.total}，{o.rating}）")
        else:
            lines.append(f"✗ {o.name}")
            lines.extend(f"    {d.what}：期望 {d.expected}，实际 {d.actual}" for d in o.differences)
    failed = sum(1 for o in outcomes if not o.passed)
    lines.append(f"共 {len(outcomes)} 个示例村：{len(outcomes) - failed} 个通过，{failed} 个未通过。")
    return "\n".join(lines)


def rubric_test(
    ref: Annotated[str, typer.Argument(help="评分标准 YAML 文件，或内置评分标准 ID[@版本]")],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 而不是文字")] = False,
) -> None:
    """为评分标准自带的示例村（examples）评分，逐项报告与期望得分、等级的差异。"""
    with error_boundary():
        compiled, outcomes = run_examples(ref)
        if as_json:
            _json_out("rubric_test", {"rubric": compiled.ref, "rubric_hash": compiled.content_hash,
                                      "passed": sum(o.passed for o in outcomes), "failed": sum(not o.passed for o in outcomes),
                                      "examples": to_data(outcomes)})
        else:
            typer.echo(render_examples(compiled, outcomes))
    if any(not o.passed for o in outcomes):
        raise typer.Exit(ExitCode.SOME_SKIPPED)


def register(rubric_app: typer.Typer) -> None:
    """Add diff, impact, sensitivity and test to the `sanzhi rubric` command group."""
    rubric_app.command("diff")(rubric_diff)
    rubric_app.command("impact")(rubric_impact)
    rubric_app.command("sensitivity")(rubric_sensitivity)
    rubric_app.command("test")(rubric_test)
