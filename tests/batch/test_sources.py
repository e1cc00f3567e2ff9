"""A village's source in the results database: the text people see, and the file it came from.

A workbook row is recorded as `县汇总.csv，第 7 行` (run_inputs.source, skipped.csv) with its
file beside it (run_inputs.input_file), so a resume knows whether the file is still there
without taking the text apart; a database written before input_file existed still resumes.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from sanzhi.batch.runner import BatchOptions, NullReporter, run_batch
from sanzhi.batch.store import Store
from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import assert_same_tree
from tests.batch.helpers import write_many_csv, write_villages

STARTED = "2026-01-05T09:00:00+08:00"


def _inputs(root: Path, compiled: CompiledRubric) -> Path:
    write_villages(compiled, root / "in" / "files", 12, 2025)
    write_many_csv(compiled, root / "in" / "sheets" / "县汇总.csv", range(100, 116), 2025, bad_rows=(104,))
    return root / "in"


def _opts(root: Path, inputs: Path, out: str = "out", db: str = "r.sqlite") -> BatchOptions:
    return BatchOptions(inputs=(inputs,), out_dir=root / out, year=2025, db=str(root / db), jobs=1, shard_size=5)


def _rows(db: Path) -> list[tuple[str, str | None, str]]:
    with sqlite3.connect(db) as con:
        return sorted(con.execute("SELECT source, input_file, status FROM run_inputs").fetchall())


def test_workbook_rows_record_their_file_and_a_resume_reuses_them(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    inputs = _inputs(tmp_path, rubric_v1)
    opts = _opts(tmp_path, inputs)
    first = run_batch(rubric_v1, opts, clock=lambda: STARTED, reporter=NullReporter())
    assert (first.scored, first.skipped) == (27, 1)
    sheet = str(inputs / "sheets" / "县汇总.csv")
    rows = _rows(tmp_path / "r.sqlite")
    from_sheet = [r for r in rows if r[0].startswith(sheet)]
    assert len(from_sheet) == 16 and {r[1] for r in from_sheet} == {sheet}
    assert (f"{sheet}，第 7 行", sheet, "failed") in from_sheet  # row 7: index 104, the bad one
    assert all(s == f for s, f, _ in rows if s not in {x[0] for x in from_sheet})  # a village file is its own file
    again = run_batch(rubric_v1, dataclasses.replace(opts, resume=True), clock=lambda: STARTED)
    assert (again.reused, again.processed) == (28, 0)


def test_a_renamed_workbook_is_forgotten_up_front_not_taken_for_a_duplicate(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    inputs = _inputs(tmp_path, rubric_v1)
    opts = _opts(tmp_path, inputs)
    run_batch(rubric_v1, opts, clock=lambda: STARTED)
    (inputs / "sheets" / "县汇总.csv").rename(inputs / "sheets" / "海宁市汇总.csv")
    reporter = NullReporter()
    again = run_batch(rubric_v1, dataclasses.replace(opts, resume=True), clock=lambda: STARTED, reporter=reporter)
    assert (again.scored, again.skipped, again.reused, again.processed) == (27, 1, 12, 16)
    assert not any("D151" in p for p in reporter.problems), reporter.problems  # no village taken for a duplicate
    assert not [r for r in _rows(tmp_path / "r.sqlite") if "县汇总.csv" in r[0]]
    run_batch(rubric_v1, _opts(tmp_path, inputs, "clean", "clean.sqlite"), clock=lambda: STARTED)
    assert_same_tree(tmp_path / "out", tmp_path / "clean")


def test_a_database_from_before_input_file_resumes_to_the_same_outputs(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    inputs = _inputs(tmp_path, rubric_v1)
    opts = _opts(tmp_path, inputs)
    run_batch(rubric_v1, opts, clock=lambda: STARTED)
    with sqlite3.connect(tmp_path / "r.sqlite") as con:  # the table as an earlier sanzhi made it
        con.execute("ALTER TABLE run_inputs DROP COLUMN input_file")
    with Store(str(tmp_path / "r.sqlite")) as store:
        store.ensure_schema()  # adds the column back, empty, and leaves the version alone
        assert store.query("SELECT count(*) FROM run_inputs WHERE input_file IS NULL") == [(28,)]
        assert store.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'") == [("5",)]
    again = run_batch(rubric_v1, dataclasses.replace(opts, resume=True), clock=lambda: STARTED)
    # Village files were their own source: reused. The rows named no file: read again, once.
    assert (again.scored, again.skipped, again.reused, again.processed) == (27, 1, 12, 16)
    run_batch(rubric_v1, _opts(tmp_path, inputs, "clean", "clean.sqlite"), clock=lambda: STARTED)
    assert_same_tree(tmp_path / "out", tmp_path / "clean")
    third = run_batch(rubric_v1, dataclasses.replace(opts, resume=True), clock=lambda: STARTED)
    assert (third.reused, third.processed) == (28, 0)
