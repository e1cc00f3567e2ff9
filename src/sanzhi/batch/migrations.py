"""The results database's schema, its versions, and the migration of an older database in place.

`sanzhi.batch.store` describes the tables and holds the API over them; this module holds their
DDL (one text for SQLite and PostgreSQL: only the surrogate key's type, `{serial}`, differs) and
what `Store.ensure_schema` does to a database made by an earlier sanzhi. The version is kept in
`sanzhi_meta` (key `schema_version`); a database of a version not listed below is refused.

Schema versions, and what each step does to a database of the version before:

1. The first: `runs`, `run_inputs` (with the report PDF's hash in `pdf_sha256`),
   `village_results`, `level_totals`, `dimension_scores`, `item_scores` with one row per
   village, run, level and item, `outputs`, `run_counties`, `rubric_parts`.
2. `item_scores` holds one row per village, run and level, every item's score in one JSON
   object; a version 1 table is renamed `item_scores_v1`, folded (`json_group_object` on SQLite,
   `json_object_agg` on PostgreSQL) and dropped.
3. `outputs` records every report file of a village by format: the `pdf_sha256` of versions 1
   and 2 moves there (format `pdf`) and the column is dropped.
4. Units and periods: `runs` and `run_counties` get `unit` and `period`, `runs` gets `from_run`
   (every existing run is an annual village run); `village_values` is created empty (those runs
   stored no values: a unit run from them is refused, in words).
5. `rubric_outlines`, created empty: an outline is made from the rubric itself, which the
   database does not hold, so a rubric recorded only before has none and its years are compared
   by item id (`rubric_parts`), as before, until a new run with that rubric records one.

Additive changes that needed no version of their own, applied to any existing database:
`run_inputs.input_file` (added to versions 1 and 2 — NULL: the source is the file itself) and
the table `review_corrections` (created by `TABLES` like any missing table; earlier runs simply
have no rows there).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

SCHEMA_VERSION = 5
# The versions `upgrade` migrates from (SCHEMA_VERSION itself needs nothing).
MIGRATED_FROM = (1, 2, 3, 4)

# Created first, on its own: the schema version it holds decides what `upgrade` does next.
META_TABLE = "CREATE TABLE IF NOT EXISTS sanzhi_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"

TABLES = """
CREATE TABLE IF NOT EXISTS runs (
    run_key {serial},
    run_id TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    rubric_id TEXT NOT NULL,
    rubric_version TEXT NOT NULL,
    rubric_hash TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    inputs_sha256 TEXT,
    villages INTEGER,
    skipped INTEGER,
    rank_tiers TEXT,
    options TEXT,
    unit TEXT NOT NULL DEFAULT 'village',
    period TEXT NOT NULL DEFAULT '',
    from_run TEXT
);
CREATE TABLE IF NOT EXISTS run_inputs (
    run_key INTEGER NOT NULL,
    source TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    village_code TEXT,
    status TEXT NOT NULL,
    problems TEXT,
    output_sha256 TEXT,
    attempt INTEGER NOT NULL,
    input_file TEXT,
    PRIMARY KEY (run_key, source)
);
CREATE INDEX IF NOT EXISTS run_inputs_code ON run_inputs (run_key, village_code);
CREATE TABLE IF NOT EXISTS village_results (
    run_key INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    village_name TEXT NOT NULL,
    township TEXT NOT NULL,
    county TEXT NOT NULL,
    year INTEGER NOT NULL,
    total NUMERIC NOT NULL,
    rating_tier TEXT,
    rating_name TEXT NOT NULL,
    vetoed INTEGER NOT NULL,
    vetoes TEXT NOT NULL,
    operative_level TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (run_key, village_code)
);
CREATE INDEX IF NOT EXISTS village_results_code ON village_results (village_code);
CREATE INDEX IF NOT EXISTS village_results_township ON village_results (year, township);
CREATE INDEX IF NOT EXISTS village_results_county ON village_results (year, county);
CREATE INDEX IF NOT EXISTS village_results_run_county ON village_results (run_key, county);
CREATE TABLE IF NOT EXISTS level_totals (
    run_key INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    level TEXT NOT NULL,
    base NUMERIC NOT NULL,
    bonus NUMERIC NOT NULL,
    total NUMERIC NOT NULL,
    PRIMARY KEY (run_key, village_code, level)
);
CREATE TABLE IF NOT EXISTS dimension_scores (
    run_key INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    dimension_id TEXT NOT NULL,
    level TEXT NOT NULL,
    score NUMERIC NOT NULL,
    applicable_points NUMERIC NOT NULL,
    PRIMARY KEY (run_key, village_code, dimension_id, level)
);
CREATE TABLE IF NOT EXISTS item_scores (
    run_key INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    level TEXT NOT NULL,
    scores TEXT NOT NULL,
    PRIMARY KEY (run_key, village_code, level)
);
CREATE TABLE IF NOT EXISTS review_corrections (
    run_key INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    level TEXT NOT NULL,
    field_id TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reviewer TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (run_key, village_code, level, field_id)
);
CREATE TABLE IF NOT EXISTS outputs (
    run_key INTEGER NOT NULL,
    unit TEXT NOT NULL,
    code TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (run_key, unit, code, format)
);
CREATE TABLE IF NOT EXISTS run_counties (
    run_key INTEGER NOT NULL,
    year INTEGER NOT NULL,
    county TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT 'village',
    period TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_key, year, county)
);
CREATE INDEX IF NOT EXISTS run_counties_year ON run_counties (year, county);
CREATE TABLE IF NOT EXISTS village_values (
    run_key INTEGER NOT NULL,
    village_code TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_key, village_code)
);
CREATE TABLE IF NOT EXISTS rubric_parts (
    rubric_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    part_id TEXT NOT NULL,
    name TEXT NOT NULL,
    points NUMERIC,
    part_hash TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (rubric_hash, kind, part_id)
);
CREATE TABLE IF NOT EXISTS rubric_outlines (
    rubric_hash TEXT PRIMARY KEY,
    outline TEXT NOT NULL
);
"""


class Database(Protocol):
    """What a migration needs of the store (`sanzhi.batch.store.Store`), in its SQL dialect."""

    postgres: bool

    def execute(self, sql: str, params: Sequence[object] = ()) -> Any: ...

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...


def stored_version(db: Database) -> int | None:
    """The schema version the database records (creating `sanzhi_meta`); None: a new database."""
    db.execute(META_TABLE)
    row = db.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'")
    return int(row[0][0]) if row else None


def upgrade(db: Database, found: int | None) -> None:
    """Create every missing table and bring a version `found` database (None: new, or one of
    MIGRATED_FROM) to SCHEMA_VERSION, recording it. Runs inside the caller's transaction."""
    serial = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" if db.postgres else "INTEGER PRIMARY KEY"
    if found == 1:
        db.execute("ALTER TABLE item_scores RENAME TO item_scores_v1")
    for stmt in TABLES.format(serial=serial).split(";"):
        if stmt.strip():
            db.execute(stmt)
    if found is not None:
        _add_input_file(db)
    if found == 1:
        _migrate_item_scores_v1(db)
    if found in (1, 2):
        _migrate_pdf_sha256_v2(db)
    if found in (1, 2, 3):
        _migrate_units_v3(db)
    # 4 → 5 needs no step of its own: `rubric_outlines`, one of TABLES, was created empty above.
    if found is None:
        db.execute("INSERT INTO sanzhi_meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    elif found != SCHEMA_VERSION:
        db.execute("UPDATE sanzhi_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))


def _columns(db: Database, table: str) -> set[str]:
    if db.postgres:
        return {r[0] for r in db.query("SELECT column_name FROM information_schema.columns"
                                       " WHERE table_schema = current_schema() AND table_name = ?", (table,))}
    return {r[1] for r in db.query(f"PRAGMA table_info({table})")}


def _add_input_file(db: Database) -> None:
    """`run_inputs.input_file`, added in place to a database made before it existed (versions
    1 and 2). NULL means the source is the file itself — true of every one-village file; a
    workbook row so recorded names no file, so a resume takes it as gone and reads it again.
    """
    if "input_file" not in _columns(db, "run_inputs"):
        db.execute("ALTER TABLE run_inputs ADD COLUMN input_file TEXT")


def _migrate_item_scores_v1(db: Database) -> None:
    """Version 1 kept one row per item and level; fold them into one JSON object per level."""
    agg = "json_object_agg(item_id, score)::text" if db.postgres else "json_group_object(item_id, score)"
    db.execute(f"INSERT INTO item_scores (run_key, village_code, level, scores)"
               f" SELECT run_key, village_code, level, {agg} FROM item_scores_v1"
               f" GROUP BY run_key, village_code, level")
    db.execute("DROP TABLE item_scores_v1")


def _migrate_pdf_sha256_v2(db: Database) -> None:
    """Versions 1 and 2 kept a scored village's PDF hash in `run_inputs.pdf_sha256`; move it
    into `outputs` (created just before) and drop the column. 'village' is the unit of a
    village's reports (`sanzhi.batch.store.VILLAGE_UNIT`), as the DDL's defaults spell it."""
    db.execute("INSERT INTO outputs (run_key, unit, code, format, sha256)"
               " SELECT run_key, 'village', village_code, 'pdf', pdf_sha256 FROM run_inputs"
               " WHERE status = 'scored' AND village_code IS NOT NULL AND pdf_sha256 IS NOT NULL")
    db.execute("ALTER TABLE run_inputs DROP COLUMN pdf_sha256")


def _migrate_units_v3(db: Database) -> None:
    """Version 3 had annual village runs only: `runs` and `run_counties` get `unit` and `period`
    (every existing run is an annual village run), `runs` gets `from_run`; `village_values` is
    created empty (those runs stored no values: a unit run from them is refused, in words)."""
    for table, columns in (("runs", (("unit", "TEXT NOT NULL DEFAULT 'village'"), ("period", "TEXT NOT NULL DEFAULT ''"),
                                     ("from_run", "TEXT"))),
                           ("run_counties", (("unit", "TEXT NOT NULL DEFAULT 'village'"),
                                             ("period", "TEXT NOT NULL DEFAULT ''")))):
        have = _columns(db, table)
        for name, decl in columns:
            if name not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {decl}")


__all__ = ["MIGRATED_FROM", "SCHEMA_VERSION", "TABLES", "Database", "stored_version", "upgrade"]
