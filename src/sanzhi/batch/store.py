"""The results database: every batch run, per village and item, at every review level.

One schema for both back ends, written in the SQL they share:

- **SQLite** (stdlib `sqlite3`, the default): a file path or `sqlite:///path`. WAL journal,
  `synchronous=NORMAL`, rows inserted with `executemany` in one transaction per shard.
- **PostgreSQL** (`postgresql://…`, needs the `postgres` extra, psycopg 3): the same tables;
  the long item table is loaded with COPY.

Tables (`run_key` is an integer surrogate so the long table stays small):

    runs              one row per batch run: run id, year, rubric id/version/hash, engine
                      version, start/finish time (passed in by the caller, never read from a
                      clock here), combined input hash, counts, status running|complete
    run_inputs        one row per village source (file, or workbook row) of a run: its input
                      sha256, the village code, status scored|failed|duplicate, problems (JSON),
                      the sha256 of its result JSON. It is also the resume manifest. `source` is
                      the text people see (`杏林村.yaml`, `汇总.xlsx，工作表 “村汇总”，第 3 行`),
                      `input_file` the file it came from (NULL: the source is the file itself).
    outputs           every report file a run wrote, by unit (`village`: code is the village
                      code; `summary`: the county), code and format (`pdf`, `html`, … — the
                      names of sanzhi.reports.formats), with its sha256: resume checks each
                      wanted format of a village against it, and the sweep keeps exactly the
                      report files it accounts for.
    village_results   one row per village and run: names, operative total, rating, vetoes
    level_totals      per village, run and review level: base, bonus, total
    dimension_scores  per village, run, dimension and review level
    item_scores       per village, run and review level, every item's score as one JSON object
                      in rubric order, {"1.1.1": 3, "1.1.2": 2.5} (numbers in their exact decimal
                      form): one row instead of one per item keeps a national run's database
                      writes small. SQL reads items with json_each (SQLite) or ::jsonb (PostgreSQL).
    review_corrections per village, run, review level and field: a reviewer's correction of an
                      answer, the value it replaced and the one it set (JSON text; NULL: not
                      answered / struck out), the reviewer and the reason (required on input)
    run_counties      the (year, county) pairs a complete run covered: for each pair the latest
                      complete run is the one that counts (a re-run supersedes)
    rubric_parts      per rubric hash: a hash of every item and dimension definition, so a
                      year-over-year comparison can tell which items are still comparable
    village_values    per village and run, its operative values (attributes and answers as the
                      highest review level left them, derived fields) as one JSON object
                      (sanzhi.batch.values): what township and county rubrics aggregate
    rubric_outlines   per rubric hash: the rubric's outline as JSON (`sanzhi.standard.lineage`:
                      each item's content hash, indicator and dimension, each dimension's points,
                      the crosswalk), so a year-over-year comparison follows renamed and moved
                      items. Written by every run for a rubric hash that has none yet.

A run scores villages (`runs.unit` = village) or, from a stored village run (`runs.from_run`),
townships or counties (`unit` = township | county): a unit's rows sit in the same tables, its
9- or 6-digit code in `village_code`. A run is for a year (`period` = '') or a period within it
(`2025-11`, `2025-Q3`, `2025-H1`); `run_counties` records both, so the latest complete run is
chosen per year, period, unit and county.

The DDL, the schema versions and the migration in place of a database made by an
earlier sanzhi: `sanzhi.batch.migrations`.

Scores are stored as NUMERIC. SQLite gives them back as int/float; `dec()` turns them back into
exact Decimals (they were written from short decimal strings, so `repr` round-trips).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple, Self
from urllib.parse import urlsplit, urlunsplit

from sanzhi.batch.migrations import MIGRATED_FROM, SCHEMA_VERSION, stored_version, upgrade
from sanzhi.common.environment import EnvironmentProblem, environment_diagnostic
from sanzhi.common.errors import Diagnostic, UserError

# How long a write waits for another program's lock on a SQLite database before giving up
# (then: "数据库被占用", see sanzhi.common.environment).
BUSY_TIMEOUT_SECONDS = 60

VILLAGE_COLUMNS = (
    "run_key", "village_code", "village_name", "township", "county", "year", "total", "rating_tier",
    "rating_name", "vetoed", "vetoes", "operative_level", "input_sha256", "source",
)
LEVEL_COLUMNS = ("run_key", "village_code", "level", "base", "bonus", "total")
DIMENSION_COLUMNS = ("run_key", "village_code", "dimension_id", "level", "score", "applicable_points")
ITEM_COLUMNS = ("run_key", "village_code", "level", "scores")
CORRECTION_COLUMNS = ("run_key", "village_code", "level", "field_id", "old_value", "new_value", "reviewer", "reason")
INPUT_COLUMNS = ("run_key", "source", "input_sha256", "village_code", "status", "problems", "output_sha256", "attempt",
                 "input_file")
OUTPUT_COLUMNS = ("run_key", "unit", "code", "format", "sha256")
VALUE_COLUMNS = ("run_key", "village_code", "data")
VILLAGE_UNIT = "village"  # outputs.unit of a village's reports (code: the village code)
SUMMARY_UNIT = "summary"  # outputs.unit of a county's summary reports (code: the county)
# outputs.unit of a township's / county's reports in a unit run (code: its 9- / 6-digit code); also runs.unit
TOWNSHIP_UNIT = "township"
COUNTY_UNIT = "county"
VILLAGE_TABLES = ("village_results", "level_totals", "dimension_scores", "item_scores", "village_values",
                  "review_corrections")


_JSON_KEYS: dict[str, str] = {}


def json_key(item_id: str) -> str:
    """'"<item id>":', remembered: `item_scores.scores` is '{' + ','.join(json_key(id) + score) + '}',
    each score in its exact decimal form (see the worker's `_rows`)."""
    key = _JSON_KEYS.get(item_id)
    if key is None:
        key = _JSON_KEYS[item_id] = json.dumps(item_id, ensure_ascii=False) + ":"
    return key


def parse_item_scores(text: str) -> dict[str, Decimal]:
    """`item_scores.scores` back to exact Decimals (from either back end's JSON text)."""
    scores: dict[str, Decimal] = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    return scores


def dec(value: object) -> Decimal | None:
    """A NUMERIC read back from either back end, as an exact Decimal."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


class StoreError(UserError):
    """The results database cannot be opened or used."""


def store_error(message: str, hint: str | None = None) -> StoreError:
    return StoreError([Diagnostic("O110", message, hint=hint)])


def redact(url: str) -> str:
    """The URL without its password, fit to print and to keep in a state file."""
    if "://" not in url or url.startswith("sqlite"):
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


@dataclass(frozen=True, slots=True)
class RunInfo:
    run_key: int
    run_id: str
    year: int
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    engine_version: str
    started_at: str
    finished_at: str | None
    status: str
    attempt: int
    inputs_sha256: str | None
    villages: int | None
    skipped: int | None
    rank_tiers: str | None
    unit: str = VILLAGE_UNIT  # village | township | county
    period: str = ""  # '' for the year, else 2025-11, 2025-Q3, 2025-H1
    from_run: str | None = None  # a unit run: the village run it aggregated


class Known(NamedTuple):
    """One source as a run recorded it: enough to decide whether a resume may skip it."""

    input_sha256: str
    village_code: str | None
    status: str  # scored | failed | duplicate
    problems: str | None  # JSON list of Diagnostic.to_dict()
    output_sha256: str | None  # the result JSON
    reports: tuple[tuple[str, str], ...] = ()  # (format, sha256) of each report file recorded


_RUN_COLUMNS = ", ".join(RunInfo.__slots__)


class Store:
    """A connection to the results database, SQLite or PostgreSQL, behind one small API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = is_postgres(url)
        self.busy_timeout: float = BUSY_TIMEOUT_SECONDS
        if self.postgres:
            try:
                import psycopg
            except ImportError:
                raise store_error("使用 PostgreSQL 需要安装 psycopg", hint='pip install "sanzhi[postgres]"') from None
            try:
                self._conn: Any = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
            except psycopg.Error as e:
                raise store_error(f"无法连接 PostgreSQL 数据库 {redact(url)}：{str(e).strip()}") from None
        else:
            path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
            self.path = Path(path)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # The busy timeout first: switching to WAL waits for another writer too.
                self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                             timeout=self.busy_timeout)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            except (OSError, sqlite3.Error) as e:
                machine = environment_diagnostic(e, path, self.busy_timeout)
                if machine is not None:
                    raise EnvironmentProblem([machine]) from None
                raise store_error(f"无法打开结果数据库 {path}：{e}") from None
        self._in_tx = False

    # ----------------------------------------------------------------- plumbing

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    def execute(self, sql: str, params: Sequence[object] = ()) -> Any:
        return self._conn.execute(self._sql(sql), tuple(params))

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return list(self.execute(sql, params).fetchall())

    def stream(self, sql: str, params: Sequence[object] = (), size: int = 2000) -> Iterator[tuple[Any, ...]]:
        """Rows one at a time, fetched in blocks, so memory stays flat over big results."""
        if self.postgres:
            with self._conn.cursor(name=None) as cur:
                cur.execute(self._sql(sql), tuple(params))
                while rows := cur.fetchmany(size):
                    yield from rows
        else:
            cur = self._conn.execute(sql, tuple(params))
            while rows := cur.fetchmany(size):
                yield from rows

    def many(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        if self.postgres:
            with self._conn.cursor() as cur:
                cur.executemany(self._sql(sql), list(rows))
        else:
            self._conn.executemany(sql, rows)

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        """Bulk insert: executemany on SQLite, COPY on PostgreSQL."""
        if self.postgres:
            with self._conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            self._conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_tx:
            yield
            return
        self._in_tx = True
        try:
            if self.postgres:
                with self._conn.transaction():
                    yield
            else:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
        finally:
            self._in_tx = False

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ schema

    def ensure_schema(self) -> None:
        """Create the tables, or bring a database made by an earlier sanzhi up to date (see
        sanzhi.batch.migrations); a database of a later version is refused, in words."""
        with self.transaction():
            if self.postgres:  # one schema creation at a time when several batches start together
                self.execute("SELECT pg_advisory_xact_lock(4242001)")
            found = stored_version(self)
            if found is not None and found != SCHEMA_VERSION and found not in MIGRATED_FROM:
                raise store_error(f"结果数据库的结构版本为 {found}，本版 sanzhi 需要 {SCHEMA_VERSION}",
                                  hint="请升级 sanzhi，或换一个数据库文件")
            upgrade(self, found)

    # -------------------------------------------------------------------- runs

    def create_run(self, *, run_id: str, year: int, rubric_id: str, rubric_version: str, rubric_hash: str,
                   engine_version: str, started_at: str, rank_tiers: str | None, options: dict[str, object],
                   unit: str = VILLAGE_UNIT, period: str = "", from_run: str | None = None) -> int:
        with self.transaction():
            self.execute(
                "INSERT INTO runs (run_id, year, rubric_id, rubric_version, rubric_hash, engine_version, started_at,"
                " status, attempt, rank_tiers, options, unit, period, from_run)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'running', 1, ?, ?, ?, ?, ?)",
                (run_id, year, rubric_id, rubric_version, rubric_hash, engine_version, started_at, rank_tiers,
                 json.dumps(options, ensure_ascii=False, sort_keys=True), unit, period, from_run),
            )
            return int(self.query("SELECT run_key FROM runs WHERE run_id = ?", (run_id,))[0][0])

    def run(self, run_id: str) -> RunInfo | None:
        rows = self.query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,))
        return RunInfo(*rows[0]) if rows else None

    def run_by_key(self, run_key: int) -> RunInfo:
        return RunInfo(*self.query(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_key = ?", (run_key,))[0])

    def runs(self) -> list[RunInfo]:
        return [RunInfo(*r) for r in self.query(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY run_key")]

    def reopen_run(self, run_key: int) -> int:
        """A resumed run: a new attempt, status back to running. Returns the attempt number."""
        with self.transaction():
            self.execute("UPDATE runs SET attempt = attempt + 1, status = 'running', finished_at = NULL WHERE run_key = ?",
                         (run_key,))
            self.execute("DELETE FROM run_counties WHERE run_key = ?", (run_key,))
            # Duplicates depend on the other villages: decide them afresh, in plan order.
            self.execute("DELETE FROM run_inputs WHERE run_key = ? AND status = 'duplicate'", (run_key,))
            return int(self.query("SELECT attempt FROM runs WHERE run_key = ?", (run_key,))[0][0])

    def finish_run(self, run_key: int, *, finished_at: str, villages: int, skipped: int, inputs_sha256: str) -> None:
        with self.transaction():
            self.execute("UPDATE runs SET status = 'complete', finished_at = ?, villages = ?, skipped = ?, inputs_sha256 = ?"
                         " WHERE run_key = ?", (finished_at, villages, skipped, inputs_sha256, run_key))
            self.execute("DELETE FROM run_counties WHERE run_key = ?", (run_key,))
            self.execute("INSERT INTO run_counties (run_key, year, county, unit, period)"
                         " SELECT DISTINCT v.run_key, v.year, v.county, r.unit, r.period FROM village_results v"
                         " JOIN runs r ON r.run_key = v.run_key WHERE v.run_key = ?", (run_key,))

    def delete_run(self, run_key: int) -> None:
        with self.transaction():
            for table in (*VILLAGE_TABLES, "run_inputs", "outputs", "run_counties", "runs"):
                self.execute(f"DELETE FROM {table} WHERE run_key = ?", (run_key,))

    # ------------------------------------------------------------- rubric parts

    def has_rubric_parts(self, rubric_hash: str) -> bool:
        return bool(self.query("SELECT 1 FROM rubric_parts WHERE rubric_hash = ? LIMIT 1", (rubric_hash,)))

    def add_rubric_parts(self, rubric_hash: str, parts: Iterable[tuple[str, str, str, str | None, str, int]]) -> None:
        """(kind, part id, name, points, part hash, position) for every item and dimension; once per rubric hash."""
        with self.transaction():
            if self.postgres:
                self.execute("SELECT pg_advisory_xact_lock(4242002)")
            if self.has_rubric_parts(rubric_hash):
                return
            self.insert("rubric_parts", ("rubric_hash", "kind", "part_id", "name", "points", "part_hash", "position"),
                        [(rubric_hash, *p) for p in parts])

    def rubric_outline(self, rubric_hash: str) -> str | None:
        found = self.query("SELECT outline FROM rubric_outlines WHERE rubric_hash = ?", (rubric_hash,))
        return str(found[0][0]) if found else None

    def add_rubric_outline(self, rubric_hash: str, outline: str) -> None:
        """The outline of a rubric (`sanzhi.standard.lineage.outline_json`); once per rubric hash."""
        with self.transaction():
            self.execute("INSERT INTO rubric_outlines (rubric_hash, outline) VALUES (?, ?) ON CONFLICT DO NOTHING",
                         (rubric_hash, outline))

    # ------------------------------------------------------------ run contents

    def known_inputs(self, run_key: int, sources: Sequence[str]) -> dict[str, Known]:
        """What this run has recorded for these sources (the resume manifest)."""
        out: dict[str, Known] = {}
        for i in range(0, len(sources), 500):
            chunk = list(sources[i:i + 500])
            marks = ", ".join("?" * len(chunk))
            for source, *rest in self.query(
                "SELECT source, input_sha256, village_code, status, problems, output_sha256 FROM run_inputs"
                f" WHERE run_key = ? AND source IN ({marks})",
                (run_key, *chunk),
            ):
                out[source] = Known(*rest)
        reports = self.outputs_of(run_key, VILLAGE_UNIT, sorted({k.village_code for k in out.values()
                                                                  if k.status == "scored" and k.village_code}))
        if reports:
            out = {s: k._replace(reports=reports.get(k.village_code, ())) if k.village_code else k
                   for s, k in out.items()}
        return out

    def outputs_of(self, run_key: int, unit: str, codes: Sequence[str]) -> dict[str, tuple[tuple[str, str], ...]]:
        """code → ((format, sha256), …) recorded for these codes of one unit, formats sorted."""
        found: dict[str, list[tuple[str, str]]] = {}
        for i in range(0, len(codes), 500):
            chunk = list(codes[i:i + 500])
            marks = ", ".join("?" * len(chunk))
            for code, fmt, sha in self.query(
                f"SELECT code, format, sha256 FROM outputs WHERE run_key = ? AND unit = ? AND code IN ({marks})",
                (run_key, unit, *chunk),
            ):
                found.setdefault(code, []).append((fmt, sha))
        return {code: tuple(sorted(rows)) for code, rows in found.items()}

    def forget_outputs(self, run_key: int, unit: str, keep_formats: Sequence[str]) -> None:
        """Drop the rows of a unit's reports in formats not in `keep_formats` (no longer wanted)."""
        keep = list(keep_formats)
        marks = ", ".join("?" * len(keep))
        with self.transaction():
            self.execute(f"DELETE FROM outputs WHERE run_key = ? AND unit = ?{f' AND format NOT IN ({marks})' if keep else ''}",
                         (run_key, unit, *keep))

    def holders(self, run_key: int, codes: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
        """village code → [(source, status)] already recorded in this run for those codes."""
        out: dict[str, list[tuple[str, str]]] = {}
        # Sorted here, not by ORDER BY source: with that clause SQLite walks the (run_key, source)
        # key over every input of the run instead of the village-code index, once per shard,
        # and a 100,000-village run spent over a minute in this query.
        found: list[tuple[str, str, str]] = []
        for i in range(0, len(codes), 500):
            chunk = list(codes[i:i + 500])
            marks = ", ".join("?" * len(chunk))
            found += self.query(
                f"SELECT village_code, source, status FROM run_inputs WHERE run_key = ? AND village_code IN ({marks})",
                (run_key, *chunk),
            )
        for code, source, status in sorted(found, key=lambda r: r[1]):
            out.setdefault(code, []).append((source, status))
        return out

    def delete_villages(self, run_key: int, codes: Iterable[str]) -> None:
        """A village's rows, its report outputs included."""
        rows = [(run_key, c) for c in codes]
        if rows:
            for table in VILLAGE_TABLES:
                self.many(f"DELETE FROM {table} WHERE run_key = ? AND village_code = ?", rows)
            self.many(f"DELETE FROM outputs WHERE run_key = ? AND unit = '{VILLAGE_UNIT}' AND code = ?", rows)

    def delete_inputs(self, run_key: int, sources: Iterable[str]) -> None:
        rows = [(run_key, s) for s in sources]
        if rows:
            self.many("DELETE FROM run_inputs WHERE run_key = ? AND source = ?", rows)

    def touch_inputs(self, run_key: int, attempt: int, sources: Iterable[str]) -> None:
        rows = [(attempt, run_key, s) for s in sources]
        if rows:
            self.many("UPDATE run_inputs SET attempt = ? WHERE run_key = ? AND source = ?", rows)

    def mark_duplicate(self, run_key: int, source: str, problems: str) -> None:
        self.execute("UPDATE run_inputs SET status = 'duplicate', problems = ? WHERE run_key = ? AND source = ?",
                     (problems, run_key, source))

    def stale_inputs(self, run_key: int, attempt: int) -> list[tuple[str, str | None, str]]:
        """Sources recorded by an earlier attempt that this attempt did not see: inputs since removed."""
        return [(r[0], r[1], r[2]) for r in self.query(
            "SELECT source, village_code, status FROM run_inputs WHERE run_key = ? AND attempt < ? ORDER BY source",
            (run_key, attempt))]


__all__ = ["COUNTY_UNIT", "OUTPUT_COLUMNS", "SUMMARY_UNIT", "TOWNSHIP_UNIT", "VALUE_COLUMNS", "VILLAGE_UNIT", "Known", "RunInfo", "Store", "StoreError", "dec",
           "is_postgres", "redact"]
