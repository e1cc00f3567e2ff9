"""A batch over generated villages with a few broken ones: outputs, reports, database."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from sanzhi import __version__
from sanzhi.app.api import ScoredSource, score_paths
from sanzhi.batch.files import result_path
from sanzhi.batch.runner import BatchOptions, NullReporter, run_batch
from sanzhi.batch.serialize import village_data
from sanzhi.batch.store import parse_item_scores
from sanzhi.cli import app
from sanzhi.common.errors import UserError
from sanzhi.common.numbers import fmt
from sanzhi.reports.json_output import result_data
from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import assert_same_tree, run_sanzhi
from tests.batch.helpers import RUBRIC_V1, write_villages

N = 60
BROKEN = {7: "bad value", 20: "bad yaml", 33: "missing field", 50: "wrong year"}
STARTED = "2026-01-05T09:00:00+08:00"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory, rubric_v1: CompiledRubric) -> Path:
    root = tmp_path_factory.mktemp("county")
    write_villages(rubric_v1, root / "in", N, 2025, broken=BROKEN)
    return root


@pytest.fixture(scope="module")
def batch_run(county: Path, rubric_v1: CompiledRubric, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("run")
    reporter = NullReporter()
    opts = BatchOptions(inputs=(county / "in",), out_dir=work / "out", year=2025, db=str(work / "r.sqlite"), jobs=2,
                        shard_size=7)
    summary = run_batch(rubric_v1, opts, clock=lambda: STARTED, reporter=reporter)
    return work, summary, reporter


def test_bad_villages_are_reported_and_skipped(batch_run, county: Path) -> None:
    work, summary, reporter = batch_run
    assert (summary.scored, summary.skipped) == (N - len(BROKEN), len(BROKEN))
    codes = {line.split(": ")[1].split()[0] for line in reporter.problems}
    assert codes == {"D112", "D100", "D111", "D150"}
    with (work / "out" / "skipped.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(BROKEN)
    assert all(r["来源"].startswith(str(county / "in")) and r["问题"] for r in rows)
    summary_json = json.loads((work / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary_json["villages"] == {"scored": N - len(BROKEN), "skipped": len(BROKEN)}
    assert sum(summary_json["ratings"].values()) == N - len(BROKEN)


def test_village_files_hold_what_score_gives(batch_run, county: Path, rubric_v1: CompiledRubric) -> None:
    work, _, _ = batch_run
    files = sorted((county / "in").rglob("*.json"))
    outcomes = [o for o in score_paths(rubric_v1, files) if isinstance(o, ScoredSource) and o.result.year == 2025]
    assert len(outcomes) == N - len(BROKEN)
    for o in outcomes:
        path = result_path(work / "out", o.result.village_code)
        doc = json.loads(path.read_bytes())
        assert doc["format"] == "sanzhi.results" and doc["failures"] == []
        # the fast serializer gives the same data as the reference one
        assert doc["villages"] == [json.loads(json.dumps(result_data(o.result, o.input_sha256), ensure_ascii=False))]
        fast, ref = village_data(o.result, o.input_sha256), result_data(o.result, o.input_sha256)
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(ref, ensure_ascii=False)  # same keys, same order
    assert len(list((work / "out" / "villages").rglob("*.json"))) == N - len(BROKEN)
    assert not list((work / "out").rglob(".*.tmp"))


def test_database_holds_runs_villages_levels_and_items(batch_run, county: Path, rubric_v1: CompiledRubric) -> None:
    work, summary, _ = batch_run
    db = sqlite3.connect(work / "r.sqlite")
    run = db.execute("SELECT run_id, year, rubric_id, rubric_version, rubric_hash, engine_version, started_at, status,"
                     " villages, skipped, inputs_sha256, run_key FROM runs").fetchall()
    assert len(run) == 1
    run_id, year, rid, rver, rhash, engine, started, status, villages, skipped, inputs_hash, rk = run[0]
    assert (run_id, year, rid, rver, rhash, engine, started, status) == (
        summary.run_id, 2025, "batch-test", "1", rubric_v1.content_hash, __version__, STARTED, "complete")
    assert (villages, skipped) == (N - len(BROKEN), len(BROKEN)) and inputs_hash.startswith("sha256:")
    assert db.execute("SELECT count(*), count(DISTINCT input_sha256) FROM run_inputs").fetchone() == (N, N)
    assert dict(db.execute("SELECT status, count(*) FROM run_inputs GROUP BY status").fetchall()) == {
        "scored": N - len(BROKEN), "failed": len(BROKEN)}
    files = sorted((county / "in").rglob("*.json"))
    outcomes = [o for o in score_paths(rubric_v1, files) if isinstance(o, ScoredSource) and o.result.year == 2025]
    for o in outcomes[:10]:
        r = o.result
        total, rating, vetoed, sha = db.execute(
            "SELECT total, rating_name, vetoed, input_sha256 FROM village_results WHERE run_key = ? AND village_code = ?",
            (rk, r.village_code)).fetchone()
        assert (Decimal(repr(total)), rating, bool(vetoed), sha) == (r.total, r.rating.name, bool(r.vetoes), o.input_sha256)
        items = {(i, lvl): Decimal(repr(s)) for i, lvl, s in db.execute(
            "SELECT j.key, level, j.value FROM item_scores, json_each(item_scores.scores) AS j"
            " WHERE run_key = ? AND village_code = ?", (rk, r.village_code))}
        assert items == {(it.id, ls.level): ls.score for it in r.items for ls in it.levels}
        (text,) = db.execute("SELECT scores FROM item_scores WHERE run_key = ? AND village_code = ? AND level = ?",
                             (rk, r.village_code, r.operative_level)).fetchone()
        assert list(parse_item_scores(text).items()) == [
            (it.id, ls.score) for it in r.items for ls in it.levels if ls.level == r.operative_level]
        levels = db.execute("SELECT level, total FROM level_totals WHERE run_key = ? AND village_code = ?",
                            (rk, r.village_code)).fetchall()
        assert [(lv, fmt(Decimal(repr(t)))) for lv, t in levels] == [(t.level, fmt(t.total)) for t in r.totals]
        dims = db.execute("SELECT dimension_id, score FROM dimension_scores WHERE run_key = ? AND village_code = ?"
                          " ORDER BY dimension_id", (rk, r.village_code)).fetchall()
        assert [(d, Decimal(repr(s))) for d, s in dims] == [(d.id, d.score) for d in r.dimensions]
    assert db.execute("SELECT count(*) FROM item_scores").fetchone()[0] == N - len(BROKEN)  # one level each
    parts = db.execute("SELECT kind, part_id FROM rubric_parts ORDER BY kind, position").fetchall()
    assert parts == [("dimension", "1"), ("dimension", "2"), ("item", "1.1.1"), ("item", "1.1.2"), ("item", "2.1.1"),
                     ("item", "2.1.2")]
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"village_results_code", "village_results_township", "run_inputs_code"} <= indexes


def test_published_lists(batch_run) -> None:
    work, _, _ = batch_run
    county_dir = work / "out" / "published" / "测试县"
    wb = load_workbook(county_dir / "测试县-评定结果.xlsx", read_only=True)
    assert wb.sheetnames == ["排名", "示范", "达标", "未达标", "不予评定", "一票否决", "红黑榜"]
    ranking = list(wb["排名"].iter_rows(values_only=True))
    assert ranking[0] == ("县排名", "乡镇排名", "村代码", "村名称", "乡镇", "总分", "等级", "一票否决")
    body = ranking[1:]
    assert len(body) == N - len(BROKEN)
    ranked = [r for r in body if r[0] is not None]
    totals = [Decimal(str(r[5])) for r in ranked]
    assert totals == sorted(totals, reverse=True)
    assert all(r[0] is None and r[7] for r in body[len(ranked):]), "vetoed villages come last, unranked"
    with (county_dir / "测试县-排名.csv").open(encoding="utf-8-sig") as f:
        csv_rows = list(csv.reader(f))
    assert len(csv_rows) == len(ranking)
    vetoes = list(wb["一票否决"].iter_rows(values_only=True))[1:]
    assert len(vetoes) == len(body) - len(ranked) > 0
    redblack = list(wb["红黑榜"].iter_rows(values_only=True))[1:]
    towns = {r[0] for r in redblack}
    assert towns == {"第1镇", "第2镇", "第3镇", "第4镇"}
    assert {r[1] for r in redblack} == {"红榜", "黑榜"}
    # One township workbook per county, a sheet per township: its ranking with 红黑榜 marked.
    twb = load_workbook(county_dir / "测试县-乡镇排名与红黑榜.xlsx", read_only=True)
    assert twb.sheetnames == sorted(towns)
    marked = []
    for town in twb.sheetnames:
        rows = list(twb[town].iter_rows(values_only=True))
        assert rows[0] == ("乡镇排名", "村代码", "村名称", "总分", "等级", "一票否决", "红黑榜", "原因")
        assert sorted(r[1] for r in rows[1:]) == sorted(r[2] for r in body if r[4] == town)
        marked += [(town, r[6], r[0], r[1], r[2], r[3], r[4], r[7]) for r in rows[1:] if r[6] is not None]
    key = lambda r: (r[0], r[1], r[3])
    assert sorted(marked, key=key) == sorted(redblack, key=key)


def test_a_second_run_into_the_same_folder_needs_resume(batch_run, county: Path, rubric_v1: CompiledRubric) -> None:
    work, _, _ = batch_run
    opts = BatchOptions(inputs=(county / "in",), out_dir=work / "out", year=2025, db=str(work / "r.sqlite"), jobs=1)
    with pytest.raises(UserError) as e:
        run_batch(rubric_v1, opts, clock=lambda: STARTED)
    assert e.value.diagnostics[0].code == "O131" and "--resume" in (e.value.diagnostics[0].hint or "")


def test_duplicate_village_codes_are_all_skipped(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    paths = write_villages(rubric_v1, tmp_path / "in", 12, 2025)
    copy = tmp_path / "in" / "zz-extra" / "copy.json"
    copy.parent.mkdir()
    copy.write_bytes(paths[3].read_bytes())
    code = json.loads(copy.read_text(encoding="utf-8"))["village"]["code"]
    reporter = NullReporter()
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "out", year=2025, db=str(tmp_path / "r.sqlite"),
                        jobs=1, shard_size=4)
    summary = run_batch(rubric_v1, opts, clock=lambda: STARTED, reporter=reporter)
    assert (summary.scored, summary.skipped) == (11, 2)
    assert sum("D151" in p for p in reporter.problems) == 2
    assert not result_path(tmp_path / "out", code).exists()
    db = sqlite3.connect(tmp_path / "r.sqlite")
    assert db.execute("SELECT count(*) FROM village_results WHERE village_code = ?", (code,)).fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM item_scores WHERE village_code = ?", (code,)).fetchone() == (0,)


def test_cli_batch_exit_codes_progress_and_summary(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    write_villages(rubric_v1, tmp_path / "in", 20, 2025, broken={4: "bad value"})
    proc = run_sanzhi("batch", "in", "--rubric", str(RUBRIC_V1), "--year", "2025", "-o", "out", "--db", "r.sqlite",
                      "--jobs", "2", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "跳过 in/town101/330483101001.json:" in proc.stderr and "D112" in proc.stderr
    assert "评分 19 个村，1 个村数据有误已跳过" in proc.stderr
    assert "村/秒" in proc.stderr
    assert proc.stdout == ""
    (tmp_path / "in" / "town101" / "330483101001.json").unlink()
    proc = run_sanzhi("batch", "in", "--rubric", str(RUBRIC_V1), "--year", "2025", "-o", "out2", "--db", "r.sqlite",
                      cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = run_sanzhi("batch", "nowhere", "--rubric", str(RUBRIC_V1), "--year", "2025", "-o", "out3", cwd=tmp_path)
    assert proc.returncode == 2 and "找不到输入" in proc.stderr


def test_report_step_is_pluggable_and_resumable(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    write_villages(rubric_v1, tmp_path / "in", 10, 2025)
    step = FakeReports()
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "out", year=2025, db=str(tmp_path / "r.sqlite"),
                        jobs=1, formats=("pdf",))
    run_batch(rubric_v1, opts, clock=lambda: STARTED, reports=step)
    pdfs = sorted((tmp_path / "out" / "villages").rglob("*.pdf"))
    assert len(pdfs) == 10 and pdfs[0].read_bytes().startswith(b"%PDF-fake ")
    summary_pdf = tmp_path / "out" / "published" / "测试县" / "测试县-汇总报告.pdf"
    assert summary_pdf.read_bytes() == f"%PDF-fake summary 10 {STARTED[:10]}".encode()
    pdfs[0].write_bytes(b"torn")  # a damaged output is redone on resume
    again = run_batch(rubric_v1, _resume(opts), clock=lambda: STARTED, reports=step)
    assert (again.reused, again.processed) == (9, 1)
    assert pdfs[0].read_bytes().startswith(b"%PDF-fake ")


def _resume(opts: BatchOptions) -> BatchOptions:
    from dataclasses import replace

    return replace(opts, resume=True)


class FakeReports:
    """A stand-in report step: deterministic bytes from the result, per format."""

    def prepare(self, formats) -> None:
        pass

    def village(self, compiled, result, input_sha256, report_date, formats) -> tuple[bytes, ...]:
        return tuple(f"%{f.upper()}-fake {result.village_code} {fmt(result.total)} {input_sha256} {report_date}".encode()
                     for f in formats)

    def summary(self, compiled, results, skipped, report_date, formats) -> tuple[bytes, ...]:
        return tuple(f"%{f.upper()}-fake summary {len(results)} {report_date}".encode() for f in formats)


def test_cli_commands_are_registered() -> None:
    result = CliRunner().invoke(app, ["--help"])
    for cmd in ("batch", "history", "ranking", "yoy"):
        assert cmd in result.output


def test_same_inputs_same_outputs(tmp_path: Path, county: Path, rubric_v1: CompiledRubric) -> None:
    """Inline (one process) and a pool with a different shard size write identical files."""
    a = BatchOptions(inputs=(county / "in",), out_dir=tmp_path / "a", year=2025, db=str(tmp_path / "a.sqlite"), jobs=1)
    b = BatchOptions(inputs=(county / "in",), out_dir=tmp_path / "b", year=2025, db=str(tmp_path / "b.sqlite"), jobs=2,
                     shard_size=3)
    run_batch(rubric_v1, a, clock=lambda: STARTED)
    run_batch(rubric_v1, b, clock=lambda: STARTED)
    assert_same_tree(tmp_path / "a", tmp_path / "b")


def test_real_pdfs_are_written_and_reproducible(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    pytest.importorskip("sanzhi.reports.pool")
    from pypdf import PdfReader

    write_villages(rubric_v1, tmp_path / "in", 3, 2025)
    for name in ("a", "b"):
        run_batch(rubric_v1, BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / name, year=2025,
                                          db=str(tmp_path / f"{name}.sqlite"), jobs=1, formats=("pdf",)),
                  clock=lambda: STARTED)
    assert_same_tree(tmp_path / "a", tmp_path / "b")
    pdfs = sorted((tmp_path / "a" / "villages").rglob("*.pdf"))
    assert len(pdfs) == 3
    reader = PdfReader(pdfs[0])
    assert len(reader.pages) >= 1 and list(reader.attachments) == [f"{pdfs[0].stem}-result.json"]
    assert PdfReader(tmp_path / "a" / "published" / "测试县" / "测试县-汇总报告.pdf").pages


def test_many_village_sheets_and_files_together(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    from tests.batch.helpers import write_many_csv

    write_villages(rubric_v1, tmp_path / "in" / "files", 20, 2025)
    sheet = tmp_path / "in" / "sheets" / "县汇总.csv"
    write_many_csv(rubric_v1, sheet, range(100, 130), 2025, bad_rows=(104,))
    (tmp_path / "in" / "sheets" / "~$县汇总.xlsx").write_bytes(b"lock file")  # ignored
    reporter = NullReporter()
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "out", year=2025, db=str(tmp_path / "r.sqlite"),
                        jobs=2, shard_size=4)
    summary = run_batch(rubric_v1, opts, clock=lambda: STARTED, reporter=reporter)
    assert (summary.scored, summary.skipped) == (49, 1)
    assert len(reporter.problems) == 1 and "县汇总.csv" in reporter.problems[0] and "第 7 行" in reporter.problems[0]
    expected = {o.result.village_code: o for o in score_paths(rubric_v1, [sheet]) if isinstance(o, ScoredSource)}
    assert len(expected) == 29
    for code, o in expected.items():
        doc = json.loads(result_path(tmp_path / "out", code).read_bytes())
        assert doc["villages"] == [json.loads(json.dumps(result_data(o.result, o.input_sha256), ensure_ascii=False))]
    again = run_batch(rubric_v1, _resume(opts), clock=lambda: STARTED)
    assert (again.reused, again.processed, again.scored) == (50, 0, 49)


def test_counties_published_in_parallel_match_one_after_another(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    # With several counties and jobs > 1 the lists are written by a pool, one county per task.
    for path in write_villages(rubric_v1, tmp_path / "in", 24, 2025):
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw["village"]["county"] = ("测试县", "邻县", "远县")[int(raw["village"]["code"][-1]) % 3]
        path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    for name, jobs in (("serial", 1), ("pool", 2)):
        run_batch(rubric_v1, BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / name, year=2025,
                                          db=str(tmp_path / f"{name}.sqlite"), jobs=jobs), clock=lambda: STARTED)
    assert_same_tree(tmp_path / "serial", tmp_path / "pool")
    summary = json.loads((tmp_path / "pool" / "summary.json").read_text(encoding="utf-8"))
    counties = [c["county"] for c in summary["counties"]]
    assert counties == sorted(counties) and len(counties) == 3
    assert {p.name for p in (tmp_path / "pool" / "published").iterdir()} == {"测试县", "邻县", "远县"}


def test_rank_tiers_from_the_rubric_reach_rankings_and_published_lists(tmp_path: Path) -> None:
    from sanzhi.standard.loader import load_rubric_file

    text = RUBRIC_V1.read_text(encoding="utf-8").replace(
        "rating:\n  tiers:\n",
        "rating:\n  rank_tiers:\n    - {name: 前三名, top: 3}\n    - {name: 前半, share: 0.5}\n  tiers:\n", 1)
    assert "rank_tiers" in text
    rubric_file = tmp_path / "county-ranked.yaml"
    rubric_file.write_text(text, encoding="utf-8")
    compiled = load_rubric_file(rubric_file)[0]
    write_villages(compiled, tmp_path / "in", 12, 2025)
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "out", year=2025, db=str(tmp_path / "r.sqlite"), jobs=1)
    run_batch(compiled, opts, clock=lambda: STARTED)
    with (tmp_path / "out" / "published" / "测试县" / "测试县-排名.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    ranked = [r for r in rows if r["县排名"]]
    by_rank = {r["村代码"]: (int(r["县排名"]), r["按名次等级"]) for r in ranked}
    half = -(-len(ranked) // 2)  # ⌈50 %⌉ of the ranked villages
    for rank, tier in by_rank.values():
        assert tier == ("前三名" if rank <= 3 else "前半" if rank <= half else "")
    twb = load_workbook(tmp_path / "out" / "published" / "测试县" / "测试县-乡镇排名与红黑榜.xlsx", read_only=True)
    for town in twb.sheetnames:
        rows = list(twb[town].iter_rows(values_only=True))
        assert rows[0] == ("乡镇排名", "按名次等级", "村代码", "村名称", "总分", "等级", "一票否决", "红黑榜", "原因")
        assert rows[1][:2] == (1, "前三名")  # tiers ranked within the township
    result = CliRunner().invoke(app, ["ranking", "--year", "2025", "--county", "测试县", "--db", str(tmp_path / "r.sqlite"), "--json"])
    assert result.exit_code == 0, result.output
    assert "前三名" in result.stdout and "前半" in result.stdout


def _redblack_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_the_rubrics_red_black_rule_makes_the_published_red_black_list(tmp_path: Path) -> None:
    """红黑榜 comes from the rubric: the default (乡镇前/后 10 %) and a county-wide top 2 / bottom 25 %."""
    from sanzhi.standard.loader import load_rubric_file

    base = RUBRIC_V1.read_text(encoding="utf-8")
    text = base.replace("rating:\n  tiers:\n",
                        "rating:\n  red_black: {within: county, red: {top: 2}, black: {share: 0.25}}\n  tiers:\n", 1)
    assert "red_black" in text
    (tmp_path / "rule.yaml").write_text(text, encoding="utf-8")
    runs = {}
    for name, path in (("default", RUBRIC_V1), ("rule", tmp_path / "rule.yaml")):
        compiled = load_rubric_file(path)[0]
        write_villages(compiled, tmp_path / f"in-{name}", 24, 2025)
        opts = BatchOptions(inputs=(tmp_path / f"in-{name}",), out_dir=tmp_path / name, year=2025,
                            db=str(tmp_path / f"{name}.sqlite"), jobs=1)
        run_batch(compiled, opts, clock=lambda: STARTED)
        county_dir = tmp_path / name / "published" / "测试县"
        runs[name] = (_redblack_csv(county_dir / "测试县-红黑榜.csv"), _redblack_csv(county_dir / "测试县-排名.csv"))
    default, _ = runs["default"]
    rule, ranking = runs["rule"]
    assert {r["原因"] for r in default if r["榜单"] == "红榜"} == {"乡镇前 10%"}
    assert {r["乡镇"] for r in default if r["榜单"] == "红榜"} == {"第1镇", "第2镇", "第3镇", "第4镇"}  # one per township
    ranked = [r for r in ranking if r["县排名"]]
    best = {r["村代码"] for r in ranked if int(r["县排名"]) <= 2}
    assert {r["村代码"] for r in rule if r["榜单"] == "红榜"} == best  # the county's best two, whatever township
    assert {r["原因"] for r in rule if r["榜单"] == "红榜"} == {"县前 2 名"}
    rest = [r for r in ranked if r["村代码"] not in best]  # in rank order
    cutoff = int(rest[-math.ceil(len(ranked) / 4)]["县排名"])  # the worst ⌈25 %⌉ of the ranked, ties at the edge in
    low = {r["村代码"] for r in rule if r["榜单"] == "黑榜" and r["原因"] == "县后 25%"}
    assert low == {r["村代码"] for r in rest if int(r["县排名"]) >= cutoff}
    assert {r["村代码"] for r in rule if r["榜单"] == "黑榜"} - low == {r["村代码"] for r in ranking if not r["县排名"]}


def test_qinglian_rank_tiers_in_the_published_ranking(tmp_path: Path) -> None:
    """The bundled 清廉村居 samples: cumulative 25 % / 70 % / 85 % rank tiers within the county, gated at
    90 points, 引领型 barred by V4 (tests/scoring/other_rubrics/qinglian-cunju.yaml, computed by hand)."""
    import shutil

    from sanzhi.app.api import load_compiled_rubric
    from sanzhi.standard.bundled import sample_files

    compiled, _ = load_compiled_rubric("qinglian-cunju")
    (tmp_path / "in").mkdir()
    for path in sample_files("qinglian-cunju"):
        shutil.copy(path, tmp_path / "in" / path.name)
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "out", year=2026, db=str(tmp_path / "r.sqlite"), jobs=1)
    run_batch(compiled, opts, clock=lambda: STARTED)
    ranking = _redblack_csv(tmp_path / "out" / "published" / "平阳县" / "平阳县-排名.csv")
    got = [(r["县排名"], r["按名次等级"], r["总分"]) for r in ranking]
    assert got == [("1", "引领型", "104.2"), ("2", "规范型", "96.8"), ("3", "规范型", "95.5"), ("4", "提升型", "88.5"),
                   ("5", "提升型", "88"), ("", "", "100"), ("", "", "100")]
    # 南屿镇 alone (95.5 and 88.5) would put 95.5 in 引领型; rank_within: county keeps the county's tiers.
    result = CliRunner().invoke(app, ["ranking", "--year", "2026", "--township", "南屿镇", "--db", str(tmp_path / "r.sqlite"), "--json"])
    assert result.exit_code == 0, result.output
    assert [(r["rank"], r["rank_tier"], r["total"]) for r in json.loads(result.stdout)] == [(1, "规范型", "95.5"), (2, "提升型", "88.5")]
    twb = load_workbook(tmp_path / "out" / "published" / "平阳县" / "平阳县-乡镇排名与红黑榜.xlsx", read_only=True)
    assert [r[:2] for r in list(twb["南屿镇"].iter_rows(values_only=True))[1:]] == [(1, "规范型"), (2, "提升型")]


def test_per_shard_lookups_use_an_index_on_the_village_code(tmp_path: Path) -> None:
    # Run once per shard: a lookup that walks every input of the run instead makes a national
    # run quadratic (it once cost over a minute at 100,000 villages).
    from sanzhi.batch.store import Store

    with Store(str(tmp_path / "r.sqlite")) as store:
        store.ensure_schema()
        seen: list[str] = []
        store._conn.set_trace_callback(seen.append)
        store.holders(1, ["330483101001", "330483101002"])
        store._conn.set_trace_callback(None)
        selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
        assert selects
        for sql in selects:
            plan = " ".join(r[3] for r in store._conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "run_inputs_code" in plan and "village_code=?" in plan, plan


def test_per_county_lookups_use_an_index_on_run_and_county(tmp_path: Path) -> None:
    # Publishing reads one county at a time; without (run_key, county) each read walked the run.
    from sanzhi.batch.queries.rows import VILLAGE_SELECT
    from sanzhi.batch.store import Store

    with Store(str(tmp_path / "r.sqlite")) as store:
        store.ensure_schema()
        for sql in (f"{VILLAGE_SELECT} WHERE v.run_key = ? AND v.county = ?",
                    "SELECT village_code FROM village_results WHERE run_key = ? AND county = ?"):
            plan = " ".join(r[3] for r in store._conn.execute("EXPLAIN QUERY PLAN " + sql, (1, "县")))
            assert "village_results_run_county" in plan, plan


def test_an_output_folder_inside_the_inputs_is_not_read_as_input(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    # Results are JSON files too: written inside an input folder, a second run (--resume) must
    # not take them for villages. A folder of the same name elsewhere is an ordinary input.
    paths = write_villages(rubric_v1, tmp_path / "in", 8, 2025)
    other = tmp_path / "in" / "more" / "out"
    other.mkdir(parents=True)
    for p in paths[:2]:
        p.rename(other / p.name)
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "in" / "out", year=2025, db=str(tmp_path / "r.sqlite"),
                        jobs=1)
    first = run_batch(rubric_v1, opts, clock=lambda: STARTED, reporter=NullReporter())
    assert (first.scored, first.skipped) == (8, 0)
    again = run_batch(rubric_v1, dataclasses.replace(opts, resume=True), clock=lambda: STARTED, reporter=NullReporter())
    assert (again.scored, again.skipped) == (8, 0)


def test_scoring_bodies_forms_of_one_village_are_merged_not_duplicates(tmp_path: Path) -> None:
    """`sanzhi form --by-body` gives each village several workbooks with one village code: a batch
    merges them into one village (and a resume leaves it as it was)."""
    from sanzhi.app.api import load_compiled_rubric
    from sanzhi.batch.store import Store
    from sanzhi.standard.bundled import sample_files
    from tests.inputs.test_workbooks import _body_forms, raw_village

    compiled, _ = load_compiled_rubric("liuhe-pingan")
    samples = sample_files("liuhe-pingan")[:3]
    for n, sample in enumerate(samples):
        _body_forms(compiled, tmp_path / "in" / f"村{n}", raw_village(sample))
    opts = BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / "out", year=2026, db=str(tmp_path / "r.sqlite"), jobs=1)
    summary = run_batch(compiled, opts, clock=lambda: STARTED)
    assert (summary.scored, summary.skipped) == (3, 0)
    by_yaml = {r.result.village_code: r.result for r in score_paths(compiled, list(samples))}  # type: ignore[union-attr]
    for code, expected in by_yaml.items():
        written = json.loads(result_path(tmp_path / "out", code).read_text(encoding="utf-8"))["villages"][0]
        assert written["total"] == fmt(expected.total) and written["rating"]["name"] == expected.rating.name
    with Store(str(tmp_path / "r.sqlite")) as store:
        rows = store.query("SELECT source, input_file, status FROM run_inputs ORDER BY source")
    assert [r[2] for r in rows] == ["scored"] * 3
    assert all(r[0].endswith("的评分部门表）") and r[1].count("\n") == 2 for r in rows)
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*.json")}
    again = run_batch(compiled, dataclasses.replace(opts, resume=True), clock=lambda: STARTED)
    assert (again.scored, again.reused, again.skipped) == (3, 3, 0)
    assert {p: p.read_bytes() for p in (tmp_path / "out").rglob("*.json")} == before
