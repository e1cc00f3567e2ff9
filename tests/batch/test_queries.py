"""History, ranking and year-over-year on two years of data (the rubric changed in between)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhi.app.api import ScoredSource, score_paths
from sanzhi.batch.queries.ranking import RankTier, assign_ranks, parse_rank_tiers, rank_order
from sanzhi.batch.queries.rows import VillageRow
from sanzhi.batch.queries.yoy import year_over_year
from sanzhi.batch.runner import BatchOptions, NullReporter, run_batch
from sanzhi.batch.store import Store
from sanzhi.cli import app
from sanzhi.common.errors import UserError
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.compile import CompiledRubric
from tests.batch.helpers import write_villages

N = 40
TOWN = "第3镇"


class _StopAfter(NullReporter):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.left = n

    def advance(self, n: int) -> None:
        self.left -= n
        if self.left <= 0:
            raise KeyboardInterrupt


def _expected(results: list[VillageResult], township: str | None = None) -> list[tuple[int | None, str]]:
    rows = sorted((r for r in results if township is None or r.township == township),
                  key=lambda r: (bool(r.vetoes), -r.total, r.village_code))
    out, rank, prev = [], 0, None
    for i, r in enumerate(rows, start=1):
        if r.vetoes:
            out.append((None, r.village_code))
            continue
        if r.total != prev:
            rank, prev = i, r.total
        out.append((rank, r.village_code))
    return out


@pytest.fixture(scope="module")
def two_years(tmp_path_factory: pytest.TempPathFactory, rubric_v1: CompiledRubric, rubric_v2: CompiledRubric):
    root = tmp_path_factory.mktemp("years")
    db = str(root / "r.sqlite")
    write_villages(rubric_v1, root / "in2024", N, 2024, seed=1)
    write_villages(rubric_v2, root / "in2025", N, 2025, seed=2, broken={5: "bad value"})
    base = BatchOptions(inputs=(root / "in2024",), out_dir=root / "out2024", year=2024, db=db, jobs=1)
    run_batch(rubric_v1, base, clock=lambda: "2025-01-10T10:00:00+08:00")
    # An early 2025 run over other data, superseded by the run below.
    write_villages(rubric_v2, root / "early2025", N, 2025, seed=9)
    run_batch(rubric_v2, replace(base, inputs=(root / "early2025",), out_dir=root / "early", year=2025),
              clock=lambda: "2026-01-05T10:00:00+08:00")
    run_batch(rubric_v2, replace(base, inputs=(root / "in2025",), out_dir=root / "out2025", year=2025),
              clock=lambda: "2026-01-10T10:00:00+08:00")
    # An interrupted 2025 run over yet other data: never finished, so it counts for nothing.
    write_villages(rubric_v2, root / "late2025", N, 2025, seed=7)
    with pytest.raises(KeyboardInterrupt):
        run_batch(rubric_v2, replace(base, inputs=(root / "late2025",), out_dir=root / "late", year=2025, shard_size=5),
                  clock=lambda: "2026-01-11T10:00:00+08:00", reporter=_StopAfter(10))
    r2024 = [o.result for o in score_paths(rubric_v1, sorted((root / "in2024").rglob("*.json"))) if isinstance(o, ScoredSource)]
    r2025 = [o.result for o in score_paths(rubric_v2, sorted((root / "in2025").rglob("*.json"))) if isinstance(o, ScoredSource)]
    return root, db, {r.village_code: r for r in r2024}, {r.village_code: r for r in r2025}


def _cli(*args: str) -> object:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_history_gives_each_year_from_its_latest_complete_run(two_years) -> None:
    _, db, r2024, r2025 = two_years
    code = next(iter(r2025))
    rows = _cli("history", code, "--db", db, "--json")
    assert [(h["year"], Decimal(h["total"]), h["rating"], h["rubric"]) for h in rows] == [
        (2024, r2024[code].total, r2024[code].rating.name, "batch-test@1"),
        (2025, r2025[code].total, r2025[code].rating.name, "batch-test@2"),
    ]
    broken = sorted(set(r2024) - set(r2025))
    assert len(broken) == 1
    assert [h["year"] for h in _cli("history", broken[0], "--db", db, "--json")] == [2024]


def test_ranking_by_township_and_county(two_years) -> None:
    _, db, r2024, r2025 = two_years
    rows = _cli("ranking", "--year", "2025", "--township", TOWN, "--db", db, "--json")
    assert [(r["rank"], r["village_code"]) for r in rows] == _expected(list(r2025.values()), TOWN)
    assert all(Decimal(r["total"]) == r2025[r["village_code"]].total for r in rows)
    assert any(r["rank"] is None for r in rows) and rows[-1]["vetoes"]
    county = _cli("ranking", "--year", "2024", "--county", "测试县", "--db", db, "--json")
    assert [(r["rank"], r["village_code"]) for r in county] == _expected(list(r2024.values()))
    top = _cli("ranking", "--year", "2024", "--county", "测试县", "--top", "3", "--db", db, "--json")
    assert top == [r for r in county if r["rank"] is not None and r["rank"] <= 3]


def test_ranking_tiers_by_rank() -> None:
    def row(code: str, total: str, vetoed: bool = False) -> VillageRow:
        return VillageRow(code, code, "镇", "县", 2025, Decimal(total), None, "x", vetoed, "", "self", 1, "r",
                          "id", "1", "h", None, None)

    rows = rank_order([row("1", "90"), row("2", "95"), row("3", "90"), row("4", "99", vetoed=True),
                       row("5", "80"), row("6", "70")])
    tiers = (RankTier("先进", top=1), RankTier("良好", share=Decimal("0.6")))
    ranked = assign_ranks(rows, tiers)
    assert [(r.rank, r.rank_tier, r.village.village_code) for r in ranked] == [
        (1, "先进", "2"), (2, "良好", "1"), (2, "良好", "3"), (4, None, "5"), (5, None, "6"), (None, None, "4")]
    assert parse_rank_tiers(json.dumps([{"name": "先进", "top": 1}, {"name": "良好", "share": "0.6"}])) == tiers


def test_year_over_year_flags_what_the_rubric_change_made_incomparable(two_years) -> None:
    _, db, r2024, r2025 = two_years
    code = min(set(r2024) & set(r2025))
    (c,) = _cli("yoy", code, "--year", "2025", "--db", db, "--json")
    b, n = r2024[code], r2025[code]
    assert (Decimal(c["base"]["total"]), Decimal(c["current"]["total"]), Decimal(c["delta"])) == (b.total, n.total, n.total - b.total)
    assert c["comparable"] is False and "batch-test@1 → batch-test@2" in c["note"]
    dims = {d["id"]: d for d in c["dimensions"]}
    assert dims["1"]["comparable"] is True and dims["2"]["comparable"] is False
    assert Decimal(dims["1"]["delta"]) == n.dimensions[0].score - b.dimensions[0].score
    items = {i["id"]: i for i in c["items"]}
    assert [items[i]["comparable"] for i in ("1.1.1", "1.1.2", "2.1.1", "2.1.2")] == [True, True, False, False]
    assert "分值 5 → 6" in items["2.1.1"]["note"] and "分值 5 → 4" in items["2.1.2"]["note"]
    assert Decimal(items["1.1.2"]["delta"]) == n.items[1].score - b.items[1].score

    town = _cli("yoy", "--year", "2025", "--township", TOWN, "--db", db, "--json")
    assert {t["village_code"] for t in town} == {k for k, v in r2025.items() if v.township == TOWN}
    assert all(t["items"] == [] and len(t["dimensions"]) == 2 for t in town)
    text = CliRunner().invoke(app, ["yoy", "--year", "2025", "--township", TOWN, "--db", db])
    assert text.exit_code == 0 and "不可比" in text.stdout


def test_same_rubric_both_years_is_comparable(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    write_villages(rubric_v1, tmp_path / "a", 8, 2024, seed=3)
    write_villages(rubric_v1, tmp_path / "b", 8, 2025, seed=4)
    db = str(tmp_path / "r.sqlite")
    for year, folder in ((2024, "a"), (2025, "b")):
        run_batch(rubric_v1, BatchOptions(inputs=(tmp_path / folder,), out_dir=tmp_path / f"o{year}", year=year, db=db,
                                          jobs=1), clock=lambda: "2026-01-01T00:00:00+08:00")
    with Store(db) as store:
        changes = year_over_year(store, 2025, 2024, county="测试县", items=True)
    assert len(changes) == 8
    assert all(c.comparable and c.note == "" for c in changes)
    assert all(d.comparable for c in changes for d in (*c.dimensions, *c.items))


def test_queries_on_a_missing_database_say_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["history", "330483101001", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "结果数据库不存在" in result.output


def test_a_version_1_database_is_migrated_and_answers_the_same(two_years, tmp_path: Path) -> None:
    # Version 1 kept one item_scores row per item and level (and, like version 2, the PDF hash
    # in run_inputs). Rebuild that layout from a current database, open it, and the item
    # comparisons must come out as before.
    import shutil
    import sqlite3

    _, db, _, _ = two_years
    old = tmp_path / "v1.sqlite"
    shutil.copy(db, old)
    con = sqlite3.connect(old)
    con.executescript("""
        CREATE TABLE item_scores_v1 (run_key INTEGER NOT NULL, village_code TEXT NOT NULL, item_id TEXT NOT NULL,
                                     level TEXT NOT NULL, score NUMERIC NOT NULL);
        INSERT INTO item_scores_v1 SELECT run_key, village_code, j.key, level, j.value
            FROM item_scores, json_each(item_scores.scores) AS j;
        DROP TABLE item_scores;
        ALTER TABLE item_scores_v1 RENAME TO item_scores;
        CREATE INDEX item_scores_village ON item_scores (run_key, village_code);
        ALTER TABLE run_inputs ADD COLUMN pdf_sha256 TEXT;
        DROP TABLE outputs;
        UPDATE sanzhi_meta SET value = '1' WHERE key = 'schema_version';
    """)
    con.close()
    with Store(str(old)) as store:
        store.ensure_schema()
        assert store.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'") == [("5",)]
        migrated = year_over_year(store, 2025, 2024, county="测试县", items=True)
    with Store(db) as store:
        current = year_over_year(store, 2025, 2024, county="测试县", items=True)
    assert [c.items for c in migrated] == [c.items for c in current]
    assert any(c.items for c in current)


def test_a_database_from_a_newer_sanzhi_is_refused(tmp_path: Path) -> None:
    with Store(str(tmp_path / "x.sqlite")) as store:
        store.ensure_schema()
        store.execute("UPDATE sanzhi_meta SET value = '9' WHERE key = 'schema_version'")
        store._conn.commit()
    with Store(str(tmp_path / "x.sqlite")) as store, pytest.raises(UserError, match="结构版本为 9"):
        store.ensure_schema()
