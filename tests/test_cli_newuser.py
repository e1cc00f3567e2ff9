"""Issue 14, "what a new user trips over in the first hour": one end-to-end test (or more) per
point fixed here, through the CLI as a user runs it; width checks at COLUMNS=80.

Points 1 (yoy follows the crosswalk), 2 (files of an earlier version carried to the one
scored), 3 (impact and score agree), 7 (sample villages for batch/ranking/history/yoy),
10 (80 columns), 11 (the subsetting notice once). Points 6 and 13 are in tests/reports.
"""

import errno
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.cells import cell_len
from typer.testing import CliRunner, Result

from sanzhi.cli import app
from sanzhi.standard.bundled import SAMPLE_DIR, bundled_rubrics

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent
SAMPLES = SAMPLE_DIR / "jiaxing-sanzhi"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("SANZHI_DB", str(tmp_path / "results.sqlite"))
    monkeypatch.setenv("COLUMNS", "80")


def run(*args: str, code: int = 0) -> Result:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.stdout + result.stderr
    return result


def totals(result: Result) -> dict[str, str]:
    return {r["village_code"]: str(r["total"]) for r in json.loads(result.stdout)["villages"]}


# ------------------------------------------------------------ 2: earlier versions' files carried


def test_score_carries_files_of_the_earlier_version_and_says_so_once() -> None:
    r = run("score", "--samples", "-r", "jiaxing-sanzhi@2024", "--json")
    assert len(totals(r)) == 13  # all of them; 12 of 13 were skipped
    note = "13 个村的数据按 jiaxing-sanzhi@2018 填报，已换算为 jiaxing-sanzhi@2024 评分"
    assert r.stderr.replace("\n", "").count(note) == 1


def test_a_file_naming_the_new_version_in_the_old_shape_is_one_error(tmp_path: Path) -> None:
    text = (SAMPLES / "330483101001-qingfeng.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "v.yaml"
    bad.write_text(text.replace("rubric: jiaxing-sanzhi@2018", "rubric: jiaxing-sanzhi@2024"), encoding="utf-8")
    r = run("score", str(bad), "-r", "jiaxing-sanzhi@2024", code=2)
    assert r.stderr.count("D117") == 1 and "内容是按 jiaxing-sanzhi@2018 填报的" in r.stderr.replace("\n", "")


def test_batch_under_the_new_version_carries_the_old_files(tmp_path: Path) -> None:
    r = run("batch", str(SAMPLES), "-r", "jiaxing-sanzhi@2024", "--year", "2025", "-o", str(tmp_path / "out"))
    assert "评分 13 个村" in r.stderr
    assert r.stderr.replace("\n", "").count("13 个村的数据按 jiaxing-sanzhi@2018 填报") == 1


# ------------------------------------------------------------ 3: impact and score agree


def test_impact_and_score_give_the_same_totals_under_the_new_version() -> None:
    # Both carry the 2018 files to 2024 the same way (judgments rescaled): 荷湾村 was 86.3 in
    # impact and 87 in score.
    scored = totals(run("score", "--samples", "-r", "jiaxing-sanzhi@2024", "--json"))
    impact = json.loads(run("rubric", "impact", "jiaxing-sanzhi@2018", "jiaxing-sanzhi@2024", str(SAMPLES),
                            "--json", "--top", "100", "-j", "1").stdout)
    assert {m["code"]: m["total_b"] for m in impact["movers"]} == scored
    assert scored["330483101204"] == "86.3"


# ------------------------------------------------------------ 1 and 7: samples, history, yoy


def test_samples_copy_then_batch_ranking_history_yoy(tmp_path: Path) -> None:
    run("samples", "list")
    copied = run("samples", "copy", str(tmp_path / "s"))
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["2024", "2025"]
    assert "sanzhi yoy --year 2025 --township 梧桐街道" in copied.stderr
    run("batch", str(tmp_path / "s" / "2024"), "-r", "jiaxing-sanzhi", "--year", "2024", "-o", str(tmp_path / "o4"))
    run("batch", "--samples", "-r", "jiaxing-sanzhi", "--year", "2025", "-o", str(tmp_path / "o5"))
    ranked = run("ranking", "--year", "2025", "--county", "桐乡市").stdout
    assert "青枫社区" in ranked and "330483102207" in ranked
    _width_ok(ranked, tables_only=True)  # the township under the name: a column fewer
    assert "2024" in run("history", "330483101001").stdout
    # Hand-computed (tests/batch/yoy_samples.yaml): the same rubric both years, so every
    # total, dimension and item moves by exactly the points changed in the data.
    expected = yaml.safe_load((HERE / "batch" / "yoy_samples.yaml").read_text(encoding="utf-8"))["villages"]
    got = {v["village_code"]: v for v in json.loads(run("yoy", "--year", "2025", "--township", "梧桐街道",
                                                         "--items", "--json").stdout)}
    assert set(got) == set(expected)
    for code, want in expected.items():
        v = got[code]
        assert (v["base"]["total"], v["current"]["total"], v["delta"]) == (want["total_2024"], want["total_2025"], want["delta"])
        assert v["comparable"]
        moved = {i["id"]: [i["base"], i["current"]] for i in v["items"] if i["delta"] != "0"}
        assert moved == want["items"], code
        dims = {d["id"]: d["delta"] for d in v["dimensions"] if d["delta"] != "0"}
        assert dims == want["dimensions"], code


def test_unit_samples_are_listed_and_copied_with_the_two_steps_that_run_them(tmp_path: Path) -> None:
    listed = run("samples", "list").stdout
    assert "kunshan-grid-township" in listed and "jiande-township" in listed
    copied = run("samples", "copy", str(tmp_path / "k"), "--rubric", "kunshan-grid-township").stderr
    assert sorted(p.name for p in (tmp_path / "k").iterdir()) == ["units", "villages"]
    assert len(list((tmp_path / "k" / "villages").glob("*.yaml"))) == 7
    # The commands it gives, run as given (the run id from the first step's last line).
    steps = [line.strip() for line in copied.splitlines() if line.strip().startswith("sanzhi batch")]
    assert len(steps) == 2
    first = steps[0].split()[1:] + ["--db", str(tmp_path / "r.sqlite")]
    first[first.index("out/villages")] = str(tmp_path / "out" / "villages")
    done = run(*first)
    run_id = re.findall(r"批次 (\S+) 完成", done.stdout + done.stderr)[-1]
    second = [run_id if a == "RUN_ID" else a for a in steps[1].split()[1:]] + ["--db", str(tmp_path / "r.sqlite")]
    second[second.index("out/units")] = str(tmp_path / "out" / "units")
    run(*second)
    assert len(list((tmp_path / "out" / "units").rglob("*.pdf"))) >= 2


EARLIER = SAMPLE_DIR / "history" / "jiaxing-sanzhi" / "2024"  # 梧桐街道's six villages a year before


def test_samples_copy_refuses_to_overwrite_and_says_why(tmp_path: Path) -> None:
    run("samples", "copy", str(tmp_path / "s"))
    changed = tmp_path / "s" / "2025" / "330483101001-qingfeng.yaml"
    changed.write_text("edited", encoding="utf-8")
    r = run("samples", "copy", str(tmp_path / "s"), code=2)
    assert "O151" in r.stderr and changed.read_text(encoding="utf-8") == "edited"
    run("samples", "copy", str(tmp_path / "s"), "--force")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert "O152" in run("samples", "copy", str(tmp_path / "file"), code=2).stderr


def test_samples_copy_into_a_folder_the_machine_refuses_is_the_machines_trouble(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No permission (as root, a chmod does not refuse: the refusal is made here): O141 and exit
    # 4, as a batch says it, not a user error.
    def refused(self: Path, data: bytes) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_bytes", refused)
    r = run("samples", "copy", str(tmp_path / "s"), code=4)
    assert "O141" in r.stderr and "没有访问权限" in r.stderr and str(tmp_path / "s" / "2024") in r.stderr


def _yoy_across_the_revision(tmp_path: Path) -> dict[str, Any]:
    # 2024 under the 2018 rubric, 2025 under its 2024 revision (the 2018-shaped files carried).
    run("batch", str(EARLIER), "-r", "jiaxing-sanzhi@2018", "--year", "2024", "-o", str(tmp_path / "o4"))
    run("batch", str(SAMPLES), "-r", "jiaxing-sanzhi@2024", "--year", "2025", "-o", str(tmp_path / "o5"))
    (v,) = json.loads(run("yoy", "330483101001", "--year", "2025", "--json").stdout)
    return v  # type: ignore[no-any-return]


def test_yoy_follows_the_crosswalk_across_the_revision(tmp_path: Path) -> None:
    v = _yoy_across_the_revision(tmp_path)
    items = {i["id"]: i for i in v["items"]}
    # 2.3.2 was renamed 2.3.3 (content unchanged): one row, comparable, saying so; not a
    # "本年度无此评分项" row for 2.3.2 and a "上一年度无此评分项" row for 2.3.3.
    assert "2.3.2" not in items
    renamed = items["2.3.3"]
    assert renamed["base_id"] == "2.3.2" and renamed["comparable"] and "原编号 2.3.2" in renamed["note"]
    assert not any("无此评分项" in i["note"] for i in v["items"])
    dims = {d["id"]: d for d in v["dimensions"]}
    assert dims["2"]["comparable"] and dims["2"]["delta"] == "0"  # 自治体系: its points did not change
    assert not dims["4"]["comparable"]  # 德治体系 20 → 16
    assert v["pairing"]


def test_history_says_where_the_rubric_changed(tmp_path: Path) -> None:
    _yoy_across_the_revision(tmp_path)
    text = run("history", "330483101001").stdout
    out = text.replace("\n", "")
    assert "2.3.2 → 2.3.3 改号" in out and "德治体系 20 → 16" in out
    # At 80 columns the table fits and the rubric and run ids are whole (they were folded).
    _width_ok(text, tables_only=True)
    runs = {r["run_id"] for r in json.loads(run("history", "330483101001", "--json").stdout)}
    assert all(f"{rid} │" in text for rid in runs) and "jiaxing-sanzhi@2018 " in text


# ------------------------------------------------------------ 10: 80 columns


def _width_ok(text: str, tables_only: bool = False) -> None:
    """Every line fits 80 columns (only the tables' lines with `tables_only`: prose is printed
    soft-wrapped, for the terminal to wrap) and nothing is cut with "…" (the help's own
    "postgresql://…" is an example, not a cut)."""
    for line in text.splitlines():
        if not tables_only or line[:1] in "┏┃┡│└":
            assert cell_len(line) <= 80, line
    assert "…" not in text.replace("postgresql://…", "")


@pytest.mark.parametrize("command", [
    [], ["score"], ["batch"], ["rubric"], ["rubric", "list"], ["rubric", "impact"], ["rubric", "diff"],
    ["samples"], ["samples", "copy"], ["yoy"], ["history"], ["ranking"],
])
def test_help_is_readable_in_full_at_80_columns(command: list[str]) -> None:
    out = run(*command, "--help").stdout
    _width_ok(out)
    if command == ["batch"]:
        assert "评定年度；数据中年度不符的村会被跳过" in "".join(line.strip("│ ") for line in out.splitlines())


def test_rubric_list_keeps_ids_and_provenance_whole_at_80_columns() -> None:
    out = run("rubric", "list").stdout
    _width_ok(out)
    for b in bundled_rubrics():
        assert b.ref in out  # on one line
    # The title wraps in long lines (it wrapped every four characters), the 出处 counts stay
    # whole (they were cut to "8 / ").
    assert '自治法治德治"三治融合"村(社区)评' in out
    assert "8 / 19 / 20" in out and "本项目校准" in out


def test_score_table_keeps_the_rating_whole_at_80_columns() -> None:
    out = run("score", "--samples", "-r", "jiaxing-sanzhi").stdout
    _width_ok(out, tables_only=True)
    assert "三治融合示范村(社区)" in out


def test_yoy_keeps_village_codes_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _yoy_across_the_revision(tmp_path)
    for width in ("80", "120"):
        monkeypatch.setenv("COLUMNS", width)
        out = run("yoy", "--year", "2025", "--township", "梧桐街道").stdout
        assert all(cell_len(line) <= int(width) for line in out.splitlines())
        assert "330483101001" in out and "330483101205" in out


# ------------------------------------------------------------ 11: the subsetting notice once


def test_the_slow_subsetting_notice_is_said_once_a_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A machine without uharfbuzz and libharfbuzz-subset: the notice comes once from the main
    # process (it came from every process that rendered), workers say nothing.
    from weasyprint.text import ffi

    from sanzhi.reports import fontsubset

    monkeypatch.setattr(fontsubset, "available", lambda: False)
    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    r = run("score", "--samples", "-r", "kunshan-grid", "--pdf", str(tmp_path / "pdf"), "-j", "2")
    assert (r.stdout + r.stderr).count("libharfbuzz-subset") == 1
