"""`sanzhi rubric diff | impact | sensitivity | test` on the bundled versions, with exact outputs.

Why: these tables and JSON documents are what a standards body reads before adopting a
revision; any change to them must show up as a reviewable diff of a golden file
(`pytest --update-golden` rewrites them). Content hashes are masked in the goldens so an
unrelated edit of a rubric's comments does not churn them; everything else is byte-exact.
"""

import json
import random
import re
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhi.app import revisions as runs
from sanzhi.app.api import load_compiled_rubric
from sanzhi.app.revisions import run_impact, run_sensitivity, village_paths
from sanzhi.cli import app
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.synthetic import synthetic_village
from sanzhi.reports.json_output import to_data
from sanzhi.standard.bundled import SAMPLE_DIR
from tests.golden import compare_golden

GOLDEN = Path(__file__).parent / "cli_rubric_tools"
SAMPLES = SAMPLE_DIR / "jiaxing-sanzhi"
A, B, COUNTY = "jiaxing-sanzhi@2018", "jiaxing-sanzhi@2024", "jiaxing-sanzhi-county-demo"
_HASH = re.compile(r"sha256:[0-9a-f]{64}")


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "120"})
    assert result.exit_code == code, result.output + (result.stderr if result.stderr_bytes else "")
    return _HASH.sub("sha256:…", result.stdout)


# --------------------------------------------------------------------------- rubric diff


def test_diff_table(request: pytest.FixtureRequest) -> None:
    compare_golden(GOLDEN / "diff_2018_2024.txt", run("rubric", "diff", A, B), request)


def test_diff_json(request: pytest.FixtureRequest) -> None:
    text = run("rubric", "diff", A, B, "--json")
    doc = json.loads(text)
    assert (doc["format"], doc["counts"]["item"]) == ("sanzhi.rubric_diff", {"renamed": 2, "changed": 9})
    compare_golden(GOLDEN / "diff_2018_2024.json", text, request)


def test_diff_of_a_variant_against_its_base(request: pytest.FixtureRequest) -> None:
    compare_golden(GOLDEN / "diff_2018_county.txt", run("rubric", "diff", A, COUNTY), request)


def test_diff_of_unknown_version() -> None:
    result = CliRunner().invoke(app, ["rubric", "diff", A, "jiaxing-sanzhi@2030"])
    assert result.exit_code == 2 and "找不到内置版本 “2030”" in result.stderr


# --------------------------------------------------------------------------- rubric impact


def test_impact_table(request: pytest.FixtureRequest) -> None:
    compare_golden(GOLDEN / "impact_2018_2024.txt", run("rubric", "impact", A, B, str(SAMPLES)), request)


def test_impact_json(request: pytest.FixtureRequest) -> None:
    text = run("rubric", "impact", A, B, str(SAMPLES), "--json", "--top", "3")
    doc = json.loads(text)
    assert (doc["format"], doc["villages"], doc["failures"], doc["skipped"]) == ("sanzhi.rubric_impact", 13, 0, [])
    compare_golden(GOLDEN / "impact_2018_2024.json", text, request)


def test_impact_of_a_county_variant(request: pytest.FixtureRequest) -> None:
    # The variant declares other fields than its base: answers are re-read under it (the
    # community-only answers it dropped are left out; its new village-talk field is unanswered).
    compare_golden(GOLDEN / "impact_2018_county.txt", run("rubric", "impact", A, COUNTY, str(SAMPLES)), request)


def test_impact_reports_and_skips_a_bad_village(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    shutil.copy(next(SAMPLES.glob("*xinglin.yaml")), tmp_path / "xinglin.yaml")
    (tmp_path / "bad.yaml").write_text('village: {code: "1", name: 坏村, township: 镇, county: 县, year: 2025}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["rubric", "impact", A, B, str(tmp_path)], env={"COLUMNS": "120"})
    assert result.exit_code == 1
    assert "共 1 个村（社区）按两个版本评分，1 个因数据问题未能评分" in result.stdout
    stderr = result.stderr.replace(str(tmp_path), "<tmp>")
    compare_golden(GOLDEN / "impact_bad_village.stderr.txt", stderr, request)


def test_data_naming_the_new_version_is_carried_back_to_the_old(tmp_path: Path) -> None:
    text = next(SAMPLES.glob("*sangyuan.yaml")).read_text(encoding="utf-8")
    old = tmp_path / "old" / "v.yaml"
    new = tmp_path / "new" / "v.yaml"
    old.parent.mkdir()
    new.parent.mkdir()
    old.write_text(text, encoding="utf-8")
    # The same village filled in for the 2024 draft: its judgment keys use the 2024 ids; the
    # judged score on 4.2.3 is given on 2024's 0–2 range (2 of 3 in 2018 ↔ 1.3 of 2 in 2024).
    new.write_text(text.replace("rubric: jiaxing-sanzhi@2018", "rubric: jiaxing-sanzhi@2024").replace('"6.1.3":', '"6.1.4":')
                   .replace('"4.2.3": {score: 2,', '"4.2.3": {score: 1.3,'), encoding="utf-8")
    a, _ = load_compiled_rubric(A)
    b, _ = load_compiled_rubric(B)
    from_old, _ = run_impact(a, b, village_paths([old.parent]), jobs=1)
    from_new, _ = run_impact(a, b, village_paths([new.parent]), jobs=1)
    assert from_old.movers[0].items == from_new.movers[0].items
    assert (from_old.movers[0].total_a, from_new.movers[0].total_a) == (Decimal("94.4"), Decimal("94.4"))
    assert from_new.movers[0].total_b == from_old.movers[0].total_b


def _synthetic(folder: Path, n: int) -> None:
    """Sample villages with about one answer in six redrawn at random (as scripts/bench_impact.py)."""
    a, _ = load_compiled_rubric(A)
    samples = [load_yaml(p.read_text(encoding="utf-8"), p.name, code_prefix="D")[0] for p in sorted(SAMPLES.glob("*.yaml"))]
    for i in range(n):
        rng = random.Random(i)
        raw = json.loads(json.dumps(samples[i % len(samples)], default=str))
        noise = synthetic_village(a, i)
        raw["village"].update({k: noise["village"][k] for k in ("code", "name", "township")})
        raw["answers"].update({k: v for k, v in noise["answers"].items() if rng.random() < 1 / 6 and not k.endswith("_date")})
        (folder / f"{i:04d}.json").write_text(json.dumps(raw, ensure_ascii=False, default=str), encoding="utf-8")


def test_a_process_pool_gives_the_same_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "_POOL_MIN", 50)  # the pool starts at 400 villages; test it on 120
    monkeypatch.setattr(runs, "_CHUNK", 16)  # several chunks per worker, results back in file order
    _synthetic(tmp_path, 120)
    a, _ = load_compiled_rubric(A)
    b, _ = load_compiled_rubric(B)
    paths = village_paths([tmp_path])
    one, f1 = run_impact(a, b, paths, jobs=1)
    two, f2 = run_impact(a, b, paths, jobs=2)
    assert to_data(one) == to_data(two) and f1 == f2 == []
    assert one.villages == 120 and one.changed_rating > 0
    s1, _ = run_sensitivity(a, paths, jobs=1)
    s2, _ = run_sensitivity(a, paths, jobs=2)
    assert to_data(s1) == to_data(s2)


# --------------------------------------------------------------------------- rubric sensitivity


def test_sensitivity_table(request: pytest.FixtureRequest) -> None:
    compare_golden(GOLDEN / "sensitivity_2018.txt", run("rubric", "sensitivity", A, str(SAMPLES)), request)


def test_sensitivity_json(request: pytest.FixtureRequest) -> None:
    text = run("rubric", "sensitivity", A, str(SAMPLES), "--json", "--step", "0.2")
    assert json.loads(text)["step"] == "0.2"
    compare_golden(GOLDEN / "sensitivity_2018_step20.json", text, request)


# --------------------------------------------------------------------------- rubric test and show


def test_rubric_test_of_the_bundled_revision(request: pytest.FixtureRequest) -> None:
    compare_golden(GOLDEN / "test_2024.txt", run("rubric", "test", B), request)


def test_rubric_test_json_of_the_variant(request: pytest.FixtureRequest) -> None:
    path = Path(__file__).parents[1] / "src/sanzhi/standard/rubrics/variants/jiaxing-sanzhi-county-demo.yaml"
    compare_golden(GOLDEN / "test_county.json", run("rubric", "test", str(path), "--json"), request)


def test_rubric_test_exit_code_when_an_example_differs(tmp_path: Path) -> None:
    path = Path(__file__).parents[1] / "src/sanzhi/standard/rubrics/variants/jiaxing-sanzhi-county-demo.yaml"
    text = path.read_text(encoding="utf-8").replace("total: 91.5", "total: 92")
    copy = tmp_path / "county.yaml"
    copy.write_text(text, encoding="utf-8")
    out = run("rubric", "test", str(copy), code=1)
    assert "✗ 按市级标准为示范、按本县标准为达标的村\n    总分：期望 92，实际 91.5\n" in out
    assert out.endswith("共 2 个示例村：1 个通过，1 个未通过。\n")


def test_rubric_test_of_a_rubric_without_examples() -> None:
    assert run("rubric", "test", A).endswith("该评分标准没有示例村（examples）。\n")


def test_rubric_show_of_the_variant(request: pytest.FixtureRequest) -> None:
    compare_golden(GOLDEN / "show_county.txt", run("rubric", "show", COUNTY), request)


def test_rubric_list_shows_both_versions_and_the_variant() -> None:
    out = run("rubric", "list")
    assert all(ref in out for ref in (A, B, f"{COUNTY}@2025"))


def test_a_version_that_demands_a_new_answer_reads_each_village_again(tmp_path: Path) -> None:
    # The versions declare different fields, so each village is re-read under B, which refuses
    # villages lacking the newly required answer (they are reported, not silently scored).
    variant = tmp_path / "strict.yaml"
    variant.write_text("""\
schema_version: 1
extends: jiaxing-sanzhi@2018
id: strict-demo
version: "1"
title: 新增必填项的变体
issuer: 测试
effective_date: 2025-01-01
changelog: [{version: "1", date: 2025-01-01, changes: 新增必填项}]
variant:
  fields:
    falsified_materials: {required: true}
    village_talks: {label: 村民说事次数, type: integer, required: true}
  items:
    "2.3.2": {rules: [{kind: linear, value: volunteer_rate, target: 10, reason: 志愿者占比}, {kind: deduct, when: village_talks < 1, points: 1, reason: 未开展村民说事}]}
""", encoding="utf-8")
    result = CliRunner().invoke(app, ["rubric", "impact", A, str(variant), str(SAMPLES), "--json"], env={"COLUMNS": "120"})
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert (doc["villages"], doc["failures"]) == (0, 13)
    assert {p["code"] for f in doc["skipped"] for p in f["problems"]} == {"D111"}
    assert all(f["version"] == "strict-demo@1" for f in doc["skipped"])


def test_impact_and_sensitivity_of_a_stored_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "villages"
    shutil.copytree(SAMPLES, folder)
    run("batch", str(folder), "-r", A, "--year", "2025", "-o", "out", "--db", "runs.sqlite")
    with sqlite3.connect(tmp_path / "runs.sqlite") as db:
        [(run_id,)] = db.execute("SELECT run_id FROM runs").fetchall()
    (folder / next(p.name for p in folder.glob("*xinglin.yaml"))).write_text(
        next(SAMPLES.glob("*xinglin.yaml")).read_text(encoding="utf-8") + "\n# 批次之后改过\n", encoding="utf-8")
    stored = CliRunner().invoke(app, ["rubric", "impact", A, B, "--run", run_id, "--db", "runs.sqlite", "--json"])
    assert stored.exit_code == 0, stored.output
    assert "注意：批次" in stored.stderr and "1 个村的数据文件在批次之后被修改过" in stored.stderr
    assert json.loads(stored.stdout)["villages"] == 13
    assert json.loads(stored.stdout)["movers"] == json.loads(run("rubric", "impact", A, B, str(folder), "--json"))["movers"]
    out = CliRunner().invoke(app, ["rubric", "sensitivity", A, "--run", run_id, "--db", "runs.sqlite", "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["villages"] == 13
    missing = CliRunner().invoke(app, ["rubric", "impact", A, B, "--run", "2000-none", "--db", "runs.sqlite"])
    assert missing.exit_code == 2 and "数据库中没有批次 2000-none" in missing.stderr and run_id in missing.stderr


def test_impact_refuses_workbooks_with_a_clear_message(tmp_path: Path) -> None:
    sheet = tmp_path / "汇总.xlsx"
    sheet.write_bytes(b"PK\x03\x04")  # refused by its name before anything is read
    result = CliRunner().invoke(app, ["rubric", "impact", A, B, str(sheet)], env={"COLUMNS": "120"})
    assert result.exit_code == 2
    assert "此命令暂只读取每村一个的 YAML/JSON 文件，不读取工作簿" in result.stderr
    assert "汇总.xlsx" in result.stderr
