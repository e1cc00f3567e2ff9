"""A township and a county run from a village run stored in PostgreSQL give what SQLite gives.

The server is the throwaway one of tests/batch/test_postgres.py (skipped, saying why, where
none can be started)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sanzhi.batch.queries.history import history
from sanzhi.batch.queries.ranking import ranking
from sanzhi.batch.runner import BatchOptions, run_batch
from sanzhi.batch.store import Store
from sanzhi.batch.units import UnitBatchOptions, run_unit_batch
from tests.batch.test_postgres import pg_url  # noqa: F401  (the fixture)
from tests.units.helpers import (
    COUNTY_RUBRIC,
    TOWNSHIP_DATA,
    TOWNSHIP_RUBRIC,
    VILLAGE_RUBRIC,
    VILLAGES,
    compiled,
)

CLOCK = "2026-01-05T09:00:00+08:00"


def _units(out: Path) -> dict[str, Any]:
    """Every unit file, without the run id and the input hash made from it (random per run)."""
    docs = {}
    for p in sorted((out / "units").rglob("*.json")):
        doc = json.loads(p.read_bytes())
        doc.pop("from_run")
        for u in doc["units"]:
            u.pop("input_sha256")
        docs[p.name] = doc
    return docs


def _published(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "published").rglob("*")) if p.is_file()}


def test_unit_runs_on_postgres_equal_sqlite(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    village, township, county = compiled(VILLAGE_RUBRIC), compiled(TOWNSHIP_RUBRIC), compiled(COUNTY_RUBRIC)
    for name, db in (("lite", str(tmp_path / "r.sqlite")), ("pg", pg_url)):
        v = run_batch(village, BatchOptions(inputs=(VILLAGES,), out_dir=tmp_path / name / "v", year=2025, db=db, jobs=1),
                      clock=lambda: CLOCK)
        run_unit_batch(township, UnitBatchOptions(from_run=v.run_id, out_dir=tmp_path / name / "t", db=db,
                                                  unit_data=(TOWNSHIP_DATA,)), clock=lambda: CLOCK)
        run_unit_batch(county, UnitBatchOptions(from_run=v.run_id, out_dir=tmp_path / name / "c", db=db), clock=lambda: CLOCK)
    for folder in ("t", "c"):
        lite, pg = _units(tmp_path / "lite" / folder), _units(tmp_path / "pg" / folder)
        assert lite and lite == pg
        assert _published(tmp_path / "lite" / folder) == _published(tmp_path / "pg" / folder)
    with Store(str(tmp_path / "r.sqlite")) as a, Store(pg_url) as b:
        for unit, county_name in (("township", "甲县"), ("county", None)):
            ra = ranking(a, 2025, county=county_name, unit=unit)
            rb = ranking(b, 2025, county=county_name, unit=unit)
            assert [(r.rank, r.village.village_code, r.village.total) for r in ra] == \
                   [(r.rank, r.village.village_code, r.village.total) for r in rb] and ra
        ha, hb = history(a, "330100001"), history(b, "330100001")
        assert [(h.year, h.total, h.unit) for h in ha] == [(h.year, h.total, h.unit) for h in hb] and ha
