"""Shard outcomes into the database, in plan order, a few shards per transaction.

What one outcome does: an unchanged village is touched (its attempt number), a failed one is
recorded with its problems, a scored one gets its rows, its result and report hashes, unless
its village code was seen before in the run — then neither copy is scored (`duplicate`) and
their files are removed. A village redone drops what its source gave before.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from sanzhi.batch.files import atomic_write, report_path, result_path
from sanzhi.batch.store import (
    CORRECTION_COLUMNS,
    DIMENSION_COLUMNS,
    INPUT_COLUMNS,
    ITEM_COLUMNS,
    LEVEL_COLUMNS,
    OUTPUT_COLUMNS,
    VALUE_COLUMNS,
    VILLAGE_COLUMNS,
    VILLAGE_UNIT,
    Known,
    Store,
)
from sanzhi.batch.sweep import remove_village_files
from sanzhi.batch.work import Failed, ScoredVillage, ShardResult, Unchanged
from sanzhi.common.errors import Diagnostic, Location

__all__ = ["COMMIT_EVERY_SECONDS", "COMMIT_EVERY_VILLAGES", "COMMIT_WHEN_IDLE_SECONDS", "Ingest", "ProblemSink", "diagnostic_from_dict",
           "problems_json"]


class ProblemSink(Protocol):
    """Where per-village problems go (the runner's reporter)."""

    def problem(self, lines: Sequence[str]) -> None: ...


def diagnostic_from_dict(d: Mapping[str, Any]) -> Diagnostic:
    """A problem as recorded in `run_inputs.problems` (Diagnostic.to_dict()), back as a Diagnostic."""
    loc = None
    if d.get("file") is not None:
        loc = Location(d["file"], d.get("line"), d.get("column"), d.get("sheet"), d.get("row"), d.get("cell_column"))
    return Diagnostic(d["code"], d["message"], loc, d.get("path"), d.get("expected"), d.get("found"), d.get("hint"),
                      d.get("severity", "error"))


def problems_json(problems: Sequence[Mapping[str, object]]) -> str:
    return json.dumps(list(problems), ensure_ascii=False, separators=(",", ":"))


# A transaction spans several shards: a township shard holds ~15 villages, and a commit per
# shard cost the feeding process ~0.5 ms of CPU each. What a crash loses is at most this much
# work, which --resume redoes (the files it rewrites come out the same bytes). The runner also
# commits whenever the next result keeps it waiting longer than COMMIT_WHEN_IDLE_SECONDS:
# finished work is never held uncommitted while the workers are slower than the feeding process
# (with reports, always).
COMMIT_EVERY_VILLAGES = 1000
COMMIT_EVERY_SECONDS = 0.5
COMMIT_WHEN_IDLE_SECONDS = 0.1


class Ingest:
    """Writes shard outcomes to the database, in plan order, in transactions of a few shards."""

    def __init__(self, store: Store, run_key: int, attempt: int, out_dir: Path, remote: bool,
                 reporter: ProblemSink) -> None:
        self.store, self.run_key, self.attempt = store, run_key, attempt
        self.out_dir, self.remote, self.reporter = out_dir, remote, reporter
        self.processed = self.reused = 0
        self.carried: dict[str, int] = {}  # rubric version named by the file → villages carried from it
        self._tx: contextlib.ExitStack | None = None
        self._tx_villages = 0
        self._tx_started = 0.0

    @property
    def uncommitted(self) -> bool:
        """Outcomes are waiting in an open transaction."""
        return self._tx is not None

    def commit(self) -> None:
        if self._tx is not None:
            tx, self._tx = self._tx, None
            tx.close()

    def _rollback(self, exc: BaseException) -> None:
        if self._tx is not None:
            tx, self._tx = self._tx, None
            with contextlib.suppress(BaseException):
                tx.__exit__(type(exc), exc, exc.__traceback__)

    def ingest(self, result: ShardResult, known: Mapping[str, Known]) -> None:
        """Ingest one shard. Between calls the open transaction holds whole shards only, so an
        interruption there (Ctrl-C while waiting for workers) commits them; an error inside a
        shard rolls the open transaction back, and --resume redoes those villages."""
        if self._tx is None:
            self._tx = contextlib.ExitStack()
            self._tx.enter_context(self.store.transaction())
            self._tx_villages, self._tx_started = 0, time.monotonic()
        try:
            self._ingest(result, known)
        except BaseException as e:
            self._rollback(e)
            raise
        self._tx_villages += len(result.outcomes)
        if self._tx_villages >= COMMIT_EVERY_VILLAGES or time.monotonic() - self._tx_started >= COMMIT_EVERY_SECONDS:
            self.commit()

    def _dup_problem(self, source: str, code: str, other: str) -> tuple[dict[str, object], ...]:
        d = Diagnostic("D151", f"村代码 {code} 重复：与 {other} 的村代码相同，两者均未评分", Location(source),
                       path="village › code", hint="每个村只能有一份自评数据；请删除或更正重复的一份")
        return (d.to_dict(),)

    def _ingest(self, result: ShardResult, known: Mapping[str, Known]) -> None:
        rk, store = self.run_key, self.store
        codes = [o.code for o in result.outcomes if isinstance(o, ScoredVillage)]
        holders = store.holders(rk, codes) if codes else {}
        pending: dict[str, ScoredVillage] = {}
        dup_in_shard: dict[str, str] = {}
        inputs: list[tuple[object, ...]] = []
        touched: list[str] = []
        for o in result.outcomes:
            old = known.get(o.source)
            if isinstance(o, Unchanged):
                touched.append(o.source)
                self.reused += 1
                if o.known.status == "failed":
                    self.reporter.problem([diagnostic_from_dict(p).one_line() for p in json.loads(o.known.problems or "[]")])
                continue
            if (isinstance(o, Failed) and old is not None and old.status == "failed"
                    and old.input_sha256 == o.input_sha256 and old.problems == problems_json(o.problems)):
                touched.append(o.source)  # a workbook row read again (in the main process) and failing alike
                self.reused += 1
                self.reporter.problem(o.lines)
                continue
            self.processed += 1
            if old is not None:  # redone: forget what this source gave before
                store.delete_inputs(rk, [o.source])
                if old.status == "scored" and old.village_code:
                    store.delete_villages(rk, [old.village_code])
                    if not (isinstance(o, ScoredVillage) and o.code == old.village_code):
                        remove_village_files(self.out_dir, old.village_code)
            if isinstance(o, Failed):
                inputs.append((rk, o.source, o.input_sha256, o.code, "failed", problems_json(o.problems), None,
                               self.attempt, o.file))
                self.reporter.problem(o.lines)
                continue
            assert isinstance(o, ScoredVillage)
            if o.carried_from is not None:
                self.carried[o.carried_from] = self.carried.get(o.carried_from, 0) + 1
            others = [(s, st) for s, st in holders.get(o.code, []) if s != o.source and st in ("scored", "duplicate")]
            if not others and o.code not in pending and o.code not in dup_in_shard:
                pending[o.code] = o
                continue
            # The same village code again: neither copy is scored.
            first = others[0][0] if others else (pending[o.code].source if o.code in pending else dup_in_shard[o.code])
            problems = self._dup_problem(o.source, o.code, first)
            inputs.append((rk, o.source, o.input_sha256, o.code, "duplicate", problems_json(problems), None,
                           self.attempt, o.file))
            self.reporter.problem([diagnostic_from_dict(p).one_line() for p in problems])
            remove_village_files(self.out_dir, o.code)
            if o.code in pending:
                p = pending.pop(o.code)
                dup_in_shard[o.code] = p.source
                pp = self._dup_problem(p.source, p.code, o.source)
                inputs.append((rk, p.source, p.input_sha256, p.code, "duplicate", problems_json(pp), None,
                               self.attempt, p.file))
                self.reporter.problem([diagnostic_from_dict(x).one_line() for x in pp])
            for s, st in others:
                if st == "scored":
                    store.delete_villages(rk, [o.code])
                    pp = self._dup_problem(s, o.code, o.source)
                    store.mark_duplicate(rk, s, problems_json(pp))
                    self.reporter.problem([diagnostic_from_dict(x).one_line() for x in pp])
            holders.setdefault(o.code, []).append((o.source, "duplicate"))
        if pending:
            if self.remote:  # the bytes came back with the task: written here
                for sv in pending.values():
                    assert sv.json_bytes is not None
                    atomic_write(result_path(self.out_dir, sv.code), sv.json_bytes)
                    for r in sv.reports:
                        assert r.data is not None
                        atomic_write(report_path(self.out_dir, sv.code, r.format), r.data)
            scored = list(pending.values())
            store.insert("village_results", VILLAGE_COLUMNS, [s.village_row for s in scored])
            store.insert("level_totals", LEVEL_COLUMNS, [r for s in scored for r in s.level_rows])
            store.insert("dimension_scores", DIMENSION_COLUMNS, [r for s in scored for r in s.dimension_rows])
            store.insert("item_scores", ITEM_COLUMNS, [r for s in scored for r in s.item_rows])
            store.insert("village_values", VALUE_COLUMNS, [s.values_row for s in scored if s.values_row is not None])
            store.insert("review_corrections", CORRECTION_COLUMNS, [r for s in scored for r in s.correction_rows])
            store.insert("outputs", OUTPUT_COLUMNS,
                         [(rk, VILLAGE_UNIT, sv.code, r.format, r.sha256) for sv in scored for r in sv.reports])
            inputs.extend((rk, sv.source, sv.input_sha256, sv.code, "scored", None, sv.output_sha256, self.attempt,
                           sv.file) for sv in scored)
        if inputs:
            store.insert("run_inputs", INPUT_COLUMNS, inputs)
        store.touch_inputs(rk, self.attempt, touched)
