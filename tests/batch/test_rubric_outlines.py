"""Schema 5's `rubric_outlines` on SQLite and PostgreSQL: a version 4 database is migrated in
place (the table created empty), its years are then compared by item id, as before, and the
crosswalk is followed again once new runs have recorded both rubrics' outlines.

The data: jiaxing-sanzhi's bundled samples, 2024 under the 2018 rubric and 2025 under its 2024
revision, which renumbers 2.3.2 as 2.3.3 (content unchanged)."""

from __future__ import annotations

from pathlib import Path

from sanzhi.app.api import load_compiled_rubric
from sanzhi.batch.migrations import SCHEMA_VERSION
from sanzhi.batch.queries.history import history, rubric_steps
from sanzhi.batch.queries.yoy import VillageChange, year_over_year
from sanzhi.batch.runner import BatchOptions, run_batch
from sanzhi.batch.store import Store
from sanzhi.standard.bundled import SAMPLE_DIR
from tests.batch.test_postgres import pg_url  # noqa: F401  (the fixture)

EARLIER = SAMPLE_DIR / "history" / "jiaxing-sanzhi" / "2024"
LATER = SAMPLE_DIR / "jiaxing-sanzhi"
CODE = "330483101001"
CLOCK = "2026-01-05T09:00:00+08:00"


def _run(db: str, out: Path, ref: str, inputs: Path, year: int) -> None:
    compiled, _ = load_compiled_rubric(ref)
    run_batch(compiled, BatchOptions(inputs=(inputs,), out_dir=out, year=year, db=db, jobs=1), clock=lambda: CLOCK)


def _yoy(db: str) -> VillageChange:
    with Store(db) as store:
        store.ensure_schema()
        (change,) = year_over_year(store, 2025, 2024, code=CODE, items=True)
    return change


def _outlines(db: str) -> int:
    with Store(db) as store:
        return int(store.query("SELECT count(*) FROM rubric_outlines")[0][0])


def _migration(db: str, tmp_path: Path) -> None:
    _run(db, tmp_path / "a4", "jiaxing-sanzhi@2018", EARLIER, 2024)
    _run(db, tmp_path / "a5", "jiaxing-sanzhi@2024", LATER, 2025)
    paired = _yoy(db)
    items = {c.id: c for c in paired.items}
    assert paired.pairing and items["2.3.3"].base_id == "2.3.2" and items["2.3.3"].comparable and "2.3.2" not in items

    with Store(db) as store:  # version 4's layout: no outlines
        store.execute("DROP TABLE rubric_outlines")
        store.execute("UPDATE sanzhi_meta SET value = '4' WHERE key = 'schema_version'")
    by_id = _yoy(db)
    with Store(db) as store:
        assert store.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
        assert SCHEMA_VERSION == 5
        (step,) = rubric_steps(store, history(store, CODE))
    assert _outlines(db) == 0 and step.outline_missing and step.pairing is None
    items = {c.id: c for c in by_id.items}
    assert by_id.pairing is None
    assert items["2.3.2"].note == "本年度无此评分项" and items["2.3.3"].note == "上一年度无此评分项"
    assert by_id.current is not None and by_id.base is not None and by_id.delta == paired.delta

    _run(db, tmp_path / "b5", "jiaxing-sanzhi@2024", LATER, 2025)  # a new run records its rubric's outline
    assert _outlines(db) == 1 and _yoy(db).pairing is None  # the base year's rubric still has none
    _run(db, tmp_path / "b4", "jiaxing-sanzhi@2018", EARLIER, 2024)
    assert _outlines(db) == 2
    again = _yoy(db)
    assert again.pairing == paired.pairing and again.items == paired.items and again.dimensions == paired.dimensions


def test_a_version_4_sqlite_database_gets_outlines_from_new_runs(tmp_path: Path) -> None:
    _migration(str(tmp_path / "r.sqlite"), tmp_path)


def test_a_version_4_postgres_database_gets_outlines_from_new_runs(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    _migration(pg_url, tmp_path)
