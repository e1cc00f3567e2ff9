"""Township and county runs from a stored village run: hand-computed figures from the database,
outputs, queries, reports, errors, the v3 → v4 migration, and properties against the villages'
result files."""

from __future__ import annotations

import csv
import json
import sqlite3
import tempfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanzhi.batch.files import result_path
from sanzhi.batch.queries.history import history
from sanzhi.batch.queries.ranking import ranking
from sanzhi.batch.runner import BatchOptions, BatchSummary, run_batch
from sanzhi.batch.serialize import read_result_file
from sanzhi.batch.store import Store
from sanzhi.batch.units import UnitBatchOptions, run_unit_batch, unit_path
from sanzhi.common.errors import UserError
from sanzhi.common.numbers import EXACT
from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import run_sanzhi
from tests.units.helpers import (
    COUNTY_RUBRIC,
    TOWNSHIP_DATA,
    TOWNSHIP_RUBRIC,
    VILLAGE_RUBRIC,
    VILLAGES,
    compiled,
    d,
    expected,
)

EXPECTED = expected()
CLOCK = "2026-01-05T09:00:00+08:00"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("SANZHI_DB", raising=False)


@pytest.fixture(scope="module")
def rubrics() -> tuple[CompiledRubric, CompiledRubric, CompiledRubric]:
    return compiled(VILLAGE_RUBRIC), compiled(TOWNSHIP_RUBRIC), compiled(COUNTY_RUBRIC)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, rubrics) -> tuple[Path, BatchSummary, BatchSummary, BatchSummary]:
    village, township, county = rubrics
    work = tmp_path_factory.mktemp("units")
    db = str(work / "r.sqlite")
    v = run_batch(village, BatchOptions(inputs=(VILLAGES,), out_dir=work / "v", year=2025, db=db, jobs=1), clock=lambda: CLOCK)
    t = run_unit_batch(township, UnitBatchOptions(from_run=v.run_id, out_dir=work / "t", unit_data=(TOWNSHIP_DATA,), db=db,
                                                  formats=("pdf", "docx")), clock=lambda: CLOCK)
    c = run_unit_batch(county, UnitBatchOptions(from_run=v.run_id, out_dir=work / "c", db=db), clock=lambda: CLOCK)
    return work, v, t, c


def _unit_doc(out: Path, code: str) -> dict[str, Any]:
    doc = json.loads(unit_path(out, code).read_bytes())
    assert doc["format"] == "sanzhi.unit-results" and len(doc["units"]) == 1
    unit: dict[str, Any] = doc["units"][0]
    return unit


@pytest.mark.parametrize("level,folder", [("township", "t"), ("county", "c")])
def test_unit_files_hold_the_hand_computed_scores(runs, level: str, folder: str) -> None:
    work = runs[0]
    for code, spec in EXPECTED[level].items():
        u = _unit_doc(work / folder, code)
        assert (u["village_code"], u["village_name"], u["unit"], u["villages"]) == (code, spec["name"], level, spec["villages"])
        aggs = {a["id"]: a for a in u["aggregates"]}
        for aid, want in spec["aggregates"].items():
            assert d(aggs[aid]["value"]) == d(want["value"]), (code, aid)
            if "text" in want:
                assert aggs[aid]["text"] == want["text"]
        items = {it["id"]: it for it in u["items"]}
        for iid, want in spec["items"].items():
            assert d(items[iid]["score"]) == d(want["score"] if isinstance(want, dict) else want), (code, iid)
        assert d(u["total"]) == d(spec["total"]) and u["rating"]["name"] == spec["rating"], code


def test_the_township_short_by_one_village_lists_it(runs) -> None:
    work = runs[0]
    u = _unit_doc(work / "t", "330100001")
    share = next(a for a in u["aggregates"] if a["id"] == "adviser_share")
    call = share["calls"][0]
    assert (call["counted"], call["villages"], call["missing"]) == (3, 4, 0)
    assert call["listed"] == [{"code": "330100001003", "name": "丙村", "value": False}]
    item = next(it for it in u["items"] if it["id"] == "1.1.1")
    assert [f["text"] for f in item["levels"][-1]["findings"]] == ["法律顾问未全覆盖：法律顾问覆盖率 3/4 = 75 %，未达到 100 %，扣 1 分"]


def test_unit_reports_list_the_villages_behind_each_aggregate(runs) -> None:
    from pypdf import PdfReader

    work = runs[0]
    text = "\n".join(p.extract_text() for p in PdfReader(unit_path(work / "t", "330100001", ".pdf")).pages)
    assert "三治融合乡镇（街道）评定报告" in text and "四、汇总指标与所涉村（社区）" in text
    after = text[text.index("法律顾问覆盖率 3/4 = 75 %"):]
    assert "330100001003 丙村 未满足" in after
    assert "本村" not in text
    from docx import Document

    doc = Document(str(unit_path(work / "t", "330100001", ".docx")))
    words = "\n".join(p.text for p in doc.paragraphs)
    assert "法律顾问覆盖率 3/4 = 75 %" in words and "四、汇总指标与所涉村（社区）" in words


def test_units_are_stored_and_queried_like_villages(runs) -> None:
    work, v, t, _ = runs
    with Store(str(work / "r.sqlite")) as store:
        ranked = ranking(store, 2025, county="甲县", unit="township")
        assert [(r.rank, r.village.village_code) for r in ranked] == [(1, "330100002"), (2, "330100001")]
        yi = ranking(store, 2025, county="乙县", unit="township")
        assert [(r.rank, r.village.village_name, r.village.rating_name) for r in yi] == [(None, "C镇", "不予评定")]
        counties = ranking(store, 2025, unit="county")
        assert [(r.rank, r.village.village_code) for r in counties] == [(1, "330100"), (2, "330200")]
        # the village ranking of the county is not touched by the township run of the same county and year
        villages = ranking(store, 2025, county="甲县")
        assert len(villages) == 7 and all(len(r.village.village_code) == 12 for r in villages)
        hist = history(store, "330100001")
        assert [(h.year, h.total, h.unit, h.run_id) for h in hist] == [(2025, Decimal("13.1"), "township", t.run_id)]
        run = store.run(t.run_id)
        assert run is not None and (run.unit, run.from_run, run.status) == ("township", v.run_id, "complete")
        outputs = store.query("SELECT unit, code, format FROM outputs WHERE run_key = ? ORDER BY code, format", (run.run_key,))
        assert outputs == [("township", c, f) for c in ("330100001", "330100002", "330200001") for f in ("docx", "pdf")]
        # Unit rubrics' outlines are recorded as villages' are: a township's yoy follows a crosswalk too.
        hashes = [r[0] for r in store.query("SELECT DISTINCT rubric_hash FROM runs ORDER BY rubric_hash")]
        assert len(hashes) == 3 and all(store.rubric_outline(h) is not None for h in hashes)


def test_published_township_lists_and_red_black(runs) -> None:
    work = runs[0]
    folder = work / "t" / "published" / "甲县"
    with (folder / "甲县-乡镇排名.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["评定期", "排名", "乡镇代码", "乡镇名称", "所属县", "总分", "等级", "一票否决"]
    assert rows[1:] == [["2025年度", "1", "330100002", "B镇", "甲县", "16.9", "合格", ""],
                        ["2025年度", "2", "330100001", "A镇", "甲县", "13.1", "合格", ""]]
    with (work / "t" / "published" / "乙县" / "乙县-乡镇红黑榜.csv").open(encoding="utf-8-sig") as f:
        rb = list(csv.reader(f))
    assert rb[1:] == [["2025年度", "黑榜", "", "330200001", "C镇", "15.4", "不予评定", "一票否决：辖区有村总分低于 3 分"]]
    summary = json.loads((work / "t" / "summary.json").read_text(encoding="utf-8"))
    assert (summary["unit"], summary["units"], summary["period_label"]) == ("township", 3, "2025年度")


def test_rerun_with_resume_gives_the_same_files(runs, rubrics, tmp_path: Path) -> None:
    work, v, _, _ = runs
    township = rubrics[1]
    opts = UnitBatchOptions(from_run=v.run_id, out_dir=tmp_path / "t", unit_data=(TOWNSHIP_DATA,), db=str(work / "r.sqlite"))
    run_unit_batch(township, opts, clock=lambda: CLOCK)
    first = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "t").rglob("*") if p.is_file() and ".sanzhi" not in str(p)}
    with pytest.raises(UserError) as e:
        run_unit_batch(township, opts, clock=lambda: CLOCK)
    assert e.value.diagnostics[0].code == "O131"
    run_unit_batch(township, replace(opts, resume=True), clock=lambda: CLOCK)
    again = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "t").rglob("*") if p.is_file() and ".sanzhi" not in str(p)}
    assert first == again


def _codes(e: pytest.ExceptionInfo[UserError]) -> list[str]:
    return [x.code for x in e.value.diagnostics]


def test_clear_errors(runs, rubrics, tmp_path: Path) -> None:
    work, v, t, _ = runs
    _, township, _ = rubrics
    db = str(work / "r.sqlite")

    def run(**kw: Any) -> None:
        opts = UnitBatchOptions(**{"from_run": v.run_id, "out_dir": tmp_path / f"o{len(list(tmp_path.iterdir()))}", "db": db, **kw})
        run_unit_batch(township, opts, clock=lambda: CLOCK)

    with pytest.raises(UserError) as e:
        run(from_run="2025-nope")
    assert _codes(e) == ["O160"] and v.run_id in (e.value.diagnostics[0].hint or "")
    with pytest.raises(UserError) as e:
        run(from_run=t.run_id)  # a township run is not a village run
    assert "O161" in _codes(e)
    with pytest.raises(UserError) as e:
        run(year=2024)
    assert _codes(e) == ["O163"]
    # a unit with no villages in the run; a second file for the same unit
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.yaml").write_text('village: {code: "330300001", year: 2025}\nanswers: {meetings: 1}\n', encoding="utf-8")
    (tmp_path / "data" / "y.yaml").write_text((TOWNSHIP_DATA / "330100001.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(UserError) as e:
        run(unit_data=(tmp_path / "data", TOWNSHIP_DATA))
    assert sorted(_codes(e)) == ["D160", "D161"]
    # a village run scored with another rubric than the one the township rubric reads
    other = compiled(Path(__file__).parents[1] / "batch" / "data" / "county-v1.yaml")
    from tests.batch.helpers import write_villages

    write_villages(other, tmp_path / "other-in", 4, 2025)
    o = run_batch(other, BatchOptions(inputs=(tmp_path / "other-in",), out_dir=tmp_path / "other", year=2025, db=db, jobs=1),
                  clock=lambda: CLOCK)
    with pytest.raises(UserError) as e:
        run(from_run=o.run_id)
    assert _codes(e) == ["O162"]
    assert e.value.diagnostics[0].expected == "unit-test-village@1" and e.value.diagnostics[0].found == "batch-test@1"


# Version 3's layout, rebuilt from a current database: no village values, no unit or period, no
# rubric outlines.
TO_VERSION_3 = """
    DROP TABLE village_values;
    DROP TABLE rubric_outlines;
    ALTER TABLE runs DROP COLUMN unit;
    ALTER TABLE runs DROP COLUMN period;
    ALTER TABLE runs DROP COLUMN from_run;
    ALTER TABLE run_counties DROP COLUMN unit;
    ALTER TABLE run_counties DROP COLUMN period;
    UPDATE sanzhi_meta SET value = '3' WHERE key = 'schema_version';
"""


def test_a_version_3_database_is_migrated_and_its_runs_cannot_be_aggregated(rubrics, tmp_path: Path) -> None:
    village, township, _ = rubrics
    db = tmp_path / "r.sqlite"
    v = run_batch(village, BatchOptions(inputs=(VILLAGES,), out_dir=tmp_path / "v", year=2025, db=str(db), jobs=1),
                  clock=lambda: CLOCK)
    con = sqlite3.connect(str(db))
    con.executescript(TO_VERSION_3)
    con.close()
    with Store(str(db)) as store:
        store.ensure_schema()
        assert store.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'") == [("5",)]
        assert store.query("SELECT unit, period, from_run FROM runs") == [("village", "", None)]
        assert store.query("SELECT DISTINCT unit, period FROM run_counties") == [("village", "")]
        assert [r.total for r in history(store, "330100001001")] == [Decimal(10)]
        assert len(ranking(store, 2025, county="甲县")) == 7
    with pytest.raises(UserError) as e:
        run_unit_batch(township, UnitBatchOptions(from_run=v.run_id, out_dir=tmp_path / "t", db=str(db)), clock=lambda: CLOCK)
    assert _codes(e) == ["O164"]


def test_cli_county_workflow(tmp_path: Path) -> None:
    db = str(tmp_path / "r.sqlite")
    done = run_sanzhi("batch", str(VILLAGES), "--rubric", str(VILLAGE_RUBRIC), "--year", "2025", "-o", "v", "--db", db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    run_id = done.stderr.split("批次 ", 1)[1].split(" 完成", 1)[0]
    town = run_sanzhi("batch", "--rubric", str(TOWNSHIP_RUBRIC), "--from-run", run_id, str(TOWNSHIP_DATA), "-o", "t",
                      "--db", db, cwd=tmp_path)
    assert town.returncode == 0, town.stderr
    assert "评分 3 个乡镇" in town.stderr
    ranked = run_sanzhi("ranking", "--year", "2025", "--county", "甲县", "--unit", "township", "--db", db, "--json", cwd=tmp_path)
    assert [(r["rank"], r["village_name"]) for r in json.loads(ranked.stdout)] == [(1, "B镇"), (2, "A镇")]
    wrong = run_sanzhi("batch", "--rubric", str(TOWNSHIP_RUBRIC), "-o", "t2", "--db", db, cwd=tmp_path)
    assert wrong.returncode == 2 and "--from-run" in wrong.stderr
    village_from = run_sanzhi("batch", str(VILLAGES), "--rubric", str(VILLAGE_RUBRIC), "--year", "2025", "--from-run", run_id,
                              "-o", "v2", "--db", db, cwd=tmp_path)
    assert village_from.returncode == 2 and "只用于乡镇或县评分标准" in village_from.stderr


# ------------------------------------------------------------------------------ properties

_VILLAGE = st.fixed_dictionaries({
    "households": st.integers(1, 3000),
    "legal_adviser": st.sampled_from([True, False, None]),
    "grids": st.one_of(st.none(), st.integers(0, 9)),
    "disputes": st.integers(0, 6),
    "incident": st.booleans(),
    "township": st.integers(1, 3),
})


def _write(folder: Path, villages: list[dict[str, Any]]) -> None:
    counts: dict[int, int] = {}
    for v in villages:
        n = counts[v["township"]] = counts.get(v["township"], 0) + 1
        code = f"33010000{v['township']}{n:03d}"
        answers = {k: v[k] for k in ("legal_adviser", "grids", "disputes", "incident") if v[k] is not None}
        doc = {"village": {"code": code, "name": f"村{code[-4:]}", "township": f"第{v['township']}镇", "county": "甲县",
                           "year": 2025, "households": v["households"]}, "answers": answers}
        (folder / f"{code}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _pct(n: int, of: int) -> Decimal:
    return EXACT.divide(Decimal(n * 100), Decimal(of))


@settings(max_examples=15, deadline=None)
@given(st.lists(_VILLAGE, min_size=1, max_size=14))
def test_stored_aggregates_equal_the_figures_from_the_villages_files(villages: list[dict[str, Any]]) -> None:
    village, township = compiled(VILLAGE_RUBRIC), compiled(TOWNSHIP_RUBRIC)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "in").mkdir()
        _write(root / "in", villages)
        db = str(root / "r.sqlite")
        v = run_batch(village, BatchOptions(inputs=(root / "in",), out_dir=root / "v", year=2025, db=db, jobs=1), clock=lambda: CLOCK)
        run_unit_batch(township, UnitBatchOptions(from_run=v.run_id, out_dir=root / "t", db=db), clock=lambda: CLOCK)
        inputs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (root / "in").glob("*.json")}
        for town in sorted({c[:9] for c in inputs}):
            codes = sorted(c for c in inputs if c.startswith(town))
            results = [read_result_file(result_path(root / "v", c))[0] for c in codes]
            answers = [inputs[c]["answers"] for c in codes]
            households = [inputs[c]["village"]["households"] for c in codes]
            n = len(codes)
            grids = [a["grids"] for a in answers if "grids" in a]
            want = {
                "adviser_share": _pct(sum(1 for a in answers if a.get("legal_adviser") is True), n),
                "demo_share": _pct(sum(1 for r in results if r.rating.name == "示范"), n),
                "vetoed_villages": Decimal(sum(1 for r in results if r.vetoes)),
                "mean_total": EXACT.divide(sum((r.total for r in results), Decimal(0)), Decimal(n)),
                "min_total": min(r.total for r in results),
                "grids_per_1000": EXACT.divide(Decimal(sum(grids)) * 1000, Decimal(sum(households))) if grids else None,
            }
            got = {a["id"]: (None if a["value"] is None else Decimal(a["value"])) for a in _unit_doc(root / "t", town)["aggregates"]}
            assert got == want, town


_FACT = st.fixed_dictionaries({"legal_adviser": st.booleans(), "total": st.integers(0, 10)})


@given(st.lists(_FACT, min_size=1, max_size=30), st.data())
def test_adding_a_village_that_meets_the_condition_never_lowers_a_share(facts: list[dict[str, Any]], data: st.DataObject) -> None:
    from sanzhi.scoring.units import VillageFacts, compute_aggregates

    township = compiled(TOWNSHIP_RUBRIC)

    def share(rows: list[dict[str, Any]]) -> Decimal:
        villages = [VillageFacts(f"{i:012d}", "村", {"legal_adviser": r["legal_adviser"], "total": Decimal(r["total"]),
                                                      "rating": "示范" if r["total"] >= 9 else "未达标", "vetoed": False,
                                                      "households": 100})
                    for i, r in enumerate(rows)]
        return {a.id: a.value for a in compute_aggregates(township, villages)}["adviser_share"]  # type: ignore[return-value]

    before = share(facts)
    where = data.draw(st.integers(0, len(facts)))
    after = share([*facts[:where], {"legal_adviser": True, "total": data.draw(st.integers(0, 10))}, *facts[where:]])
    assert after >= before
    assert after == 100 or after > before or before == 100



def test_aggregates_data_is_what_the_generic_converter_gives(rubrics) -> None:
    from sanzhi.batch.unit_json import aggregates_data
    from sanzhi.reports.json_output import to_data
    from sanzhi.scoring.units import compute_aggregates
    from tests.units.helpers import direct_facts

    village, township, county = rubrics
    facts = direct_facts(village)
    for rubric in (township, county):
        aggs = compute_aggregates(rubric, facts)
        assert aggregates_data(aggs) == to_data(aggs) and any(c.listed for a in aggs for c in a.calls)
