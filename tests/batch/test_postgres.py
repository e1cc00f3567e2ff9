"""The same batch and queries against a real PostgreSQL server give what SQLite gives.

The fixture starts a throwaway server on 127.0.0.1 (initdb + pg_ctl from Debian's
`postgresql` package, run as the `postgres` user when the tests run as root) and removes it
afterwards. Where no server can be started the tests are skipped, saying why.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from sanzhi.batch.queries.history import history
from sanzhi.batch.queries.ranking import ranking
from sanzhi.batch.queries.yoy import year_over_year
from sanzhi.batch.runner import BatchOptions, run_batch
from sanzhi.batch.store import Store, dec
from sanzhi.common.numbers import fmt
from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import assert_same_tree
from tests.batch.helpers import write_villages
from tests.batch.test_queries import _StopAfter

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'sanzhi[postgres]')")

NO_SERVER = "PostgreSQL server not available for this test ({}); install it with `apt-get install postgresql`"


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip(NO_SERVER.format("initdb/pg_ctl not found"))
    prefix: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="sanzhi-pg-"))
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            pytest.skip(NO_SERVER.format("running as root and there is no postgres user"))
        os.chown(root, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", _free_port()
    try:
        subprocess.run([*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--locale=C.UTF-8"], check=True, capture_output=True, timeout=120)
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-l", str(root / "log"), "-w", "-t", "60", "-o",
                        f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off",
                        "start"], check=True, capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError) as e:
        log = (root / "log").read_text(errors="replace")[-2000:] if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(NO_SERVER.format(f"{type(e).__name__}: {getattr(e, 'stderr', b'')!r} {log}"))
    try:
        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute("CREATE DATABASE sanzhi_test")
        yield f"postgresql://postgres@127.0.0.1:{port}/sanzhi_test"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True, timeout=120, check=False)
        shutil.rmtree(root, ignore_errors=True)


def _rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    def norm(v: object) -> object:
        return fmt(dec(v)) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else v  # type: ignore[arg-type]

    out = {}
    for table, cols in (
        ("village_results", ("village_code, village_name, township, county, year, total, rating_tier, rating_name,"
                             " vetoed, vetoes, operative_level, input_sha256, source")),
        ("level_totals", "village_code, level, base, bonus, total"),
        ("dimension_scores", "village_code, dimension_id, level, score, applicable_points"),
        ("item_scores", "village_code, level, scores"),
        ("run_inputs", "source, input_sha256, village_code, status, problems, output_sha256, input_file"),
        ("outputs", "unit, code, format, sha256"),
        ("rubric_parts", "rubric_hash, kind, part_id, name, points, part_hash, position"),
    ):
        out[table] = sorted((tuple(norm(v) for v in r) for r in store.query(f"SELECT {cols} FROM {table}")), key=repr)
    out["runs"] = [tuple(norm(v) for v in r) for r in store.query(
        "SELECT year, rubric_id, rubric_version, rubric_hash, engine_version, status, villages, skipped, inputs_sha256,"
        " started_at, finished_at FROM runs ORDER BY run_key")]
    return out


def test_postgres_store_equals_sqlite(pg_url: str, tmp_path: Path, rubric_v1: CompiledRubric, rubric_v2: CompiledRubric) -> None:
    write_villages(rubric_v1, tmp_path / "in2024", 30, 2024, seed=1, broken={4: "bad yaml"})
    write_villages(rubric_v2, tmp_path / "in2025", 30, 2025, seed=2, broken={8: "missing field"})
    for name, db in (("lite", str(tmp_path / "r.sqlite")), ("pg", pg_url)):
        o24 = BatchOptions(inputs=(tmp_path / "in2024",), out_dir=tmp_path / name / "2024", year=2024, db=db, jobs=2,
                           shard_size=4)
        run_batch(rubric_v1, o24, clock=lambda: "2025-01-10T10:00:00+08:00")
        o25 = replace(o24, inputs=(tmp_path / "in2025",), out_dir=tmp_path / name / "2025", year=2025)
        with pytest.raises(KeyboardInterrupt):  # interrupted, then resumed
            run_batch(rubric_v2, o25, clock=lambda: "2026-01-10T10:00:00+08:00", reporter=_StopAfter(9))
        again = run_batch(rubric_v2, replace(o25, resume=True), clock=lambda: "2026-01-10T10:00:00+08:00")
        assert again.resumed and again.reused > 0
    assert_same_tree(tmp_path / "lite", tmp_path / "pg")
    with Store(str(tmp_path / "r.sqlite")) as lite, Store(pg_url) as pg:
        assert _rows(lite) == _rows(pg)
        code = "330483102001"
        def hist(store: Store) -> list[tuple[object, ...]]:
            return [(r.year, r.total, r.rating_name, r.rubric_hash, r.finished_at) for r in history(store, code)]

        assert hist(lite) == hist(pg) and len(hist(lite)) == 2
        for args in ({"county": "测试县"}, {"township": "第2镇"}):
            a, b = ranking(lite, 2025, **args), ranking(pg, 2025, **args)
            assert [(r.rank, r.village.village_code, r.village.total) for r in a] == \
                   [(r.rank, r.village.village_code, r.village.total) for r in b]
        ya = year_over_year(lite, 2025, 2024, county="测试县", items=True)
        yb = year_over_year(pg, 2025, 2024, county="测试县", items=True)
        assert [(c.village_code, c.delta, c.dimensions, c.items, c.note) for c in ya] == \
               [(c.village_code, c.delta, c.dimensions, c.items, c.note) for c in yb]
        assert len(ya) == 29


def test_postgres_url_password_is_never_kept(pg_url: str, tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    from sanzhi.batch.store import redact

    assert redact("postgresql://u:secret@db.example:5432/x") == "postgresql://u@db.example:5432/x"
    write_villages(rubric_v1, tmp_path / "in", 3, 2025)
    url = pg_url.replace("postgres@", "postgres:pw@")  # trust auth ignores the password
    summary = run_batch(rubric_v1, BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "o", year=2025, db=url,
                                                jobs=1), clock=lambda: "2026-01-01T00:00:00+08:00")
    assert "pw" not in summary.db
    assert "pw" not in (tmp_path / "o" / ".sanzhi-batch" / "state.json").read_text(encoding="utf-8")


def test_postgres_version_1_database_is_migrated(pg_url: str, tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    # Version 1 kept one item_scores row per item and level; rebuild that layout in a database
    # of its own, open it, and every item score must come back the same (json_object_agg path).
    from sanzhi.batch.store import parse_item_scores

    base = pg_url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute("CREATE DATABASE sanzhi_migrate")
    url = base + "/sanzhi_migrate"
    write_villages(rubric_v1, tmp_path / "in", 12, 2025, seed=3)
    run_batch(rubric_v1, BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "o", year=2025, db=url, jobs=1),
              clock=lambda: "2026-01-01T00:00:00+08:00")

    def scores(store: Store) -> dict[tuple[str, str], dict[str, Decimal]]:
        return {(c, lv): parse_item_scores(t) for c, lv, t in store.query("SELECT village_code, level, scores FROM item_scores")}

    with Store(url) as store:
        before = scores(store)
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TABLE item_scores_v1 (run_key INTEGER NOT NULL, village_code TEXT NOT NULL,"
                    " item_id TEXT NOT NULL, level TEXT NOT NULL, score NUMERIC NOT NULL)")
        con.execute("INSERT INTO item_scores_v1 SELECT run_key, village_code, j.key, level, j.value::numeric"
                    " FROM item_scores, jsonb_each_text(item_scores.scores::jsonb) AS j")
        con.execute("DROP TABLE item_scores")
        con.execute("ALTER TABLE item_scores_v1 RENAME TO item_scores")
        con.execute("CREATE INDEX item_scores_village ON item_scores (run_key, village_code)")
        con.execute("ALTER TABLE run_inputs ADD COLUMN pdf_sha256 TEXT")  # versions 1 and 2 had it
        con.execute("DROP TABLE outputs")
        con.execute("UPDATE sanzhi_meta SET value = '1' WHERE key = 'schema_version'")
    with Store(url) as store:
        store.ensure_schema()
        assert store.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'") == [("5",)]
        after = scores(store)
    assert before and after == before


def test_postgres_version_2_database_keeps_its_pdf_hashes(pg_url: str, tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    # Version 2 kept a village's PDF hash in run_inputs.pdf_sha256; rebuild that layout, open it,
    # and the hashes must be in `outputs` (so a resume reuses every village) and the column gone.
    from tests.batch.test_batch_run import FakeReports

    base = pg_url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute("CREATE DATABASE sanzhi_migrate_v2")
    url = base + "/sanzhi_migrate_v2"
    write_villages(rubric_v1, tmp_path / "in", 8, 2025, seed=4)
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "o", year=2025, db=url, jobs=1, formats=("pdf",))
    run_batch(rubric_v1, opts, clock=lambda: "2026-01-01T00:00:00+08:00", reports=FakeReports())

    def village_outputs(store: Store) -> list[tuple[object, ...]]:
        return sorted(store.query("SELECT run_key, code, format, sha256 FROM outputs WHERE unit = 'village'"))

    with Store(url) as store:
        before = village_outputs(store)
    assert len(before) == 8
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("ALTER TABLE run_inputs ADD COLUMN pdf_sha256 TEXT")
        con.execute("UPDATE run_inputs SET pdf_sha256 = o.sha256 FROM outputs o WHERE o.run_key = run_inputs.run_key"
                    " AND o.unit = 'village' AND o.code = run_inputs.village_code AND o.format = 'pdf'")
        con.execute("DROP TABLE outputs")
        con.execute("UPDATE sanzhi_meta SET value = '2' WHERE key = 'schema_version'")
    with Store(url) as store:
        store.ensure_schema()
        assert store.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'") == [("5",)]
        assert village_outputs(store) == before
        assert not store.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'run_inputs'"
                               " AND column_name = 'pdf_sha256'")
    again = run_batch(rubric_v1, replace(opts, resume=True), clock=lambda: "2026-01-01T00:00:00+08:00",
                      reports=FakeReports())
    assert (again.reused, again.processed) == (8, 0)


def test_postgres_database_from_before_input_file_gets_the_column(pg_url: str, tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    # run_inputs.input_file came after schema version 2: an older database gets it, empty, in
    # place (information_schema path), and resumes. SQLite's path: tests/batch/test_sources.py.
    base = pg_url.rsplit("/", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        con.execute("CREATE DATABASE sanzhi_before_input_file")
    url = base + "/sanzhi_before_input_file"
    write_villages(rubric_v1, tmp_path / "in", 6, 2025, seed=4)
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "o", year=2025, db=url, jobs=1)
    run_batch(rubric_v1, opts, clock=lambda: "2026-01-01T00:00:00+08:00")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("ALTER TABLE run_inputs DROP COLUMN input_file")
    again = run_batch(rubric_v1, replace(opts, resume=True), clock=lambda: "2026-01-01T00:00:00+08:00")
    assert (again.reused, again.processed) == (6, 0)
    with Store(url) as store:
        assert store.query("SELECT count(*) FROM run_inputs WHERE input_file IS NULL") == [(6,)]
        assert store.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'") == [("5",)]
