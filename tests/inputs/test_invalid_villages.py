"""The corpus of broken village data files (invalid/*.yaml) and the exact `sanzhi score` output.

Why: clerks fill these files by hand; every message they can meet is pinned as a golden file
(invalid/expected/<case>.txt; regenerate with `pytest --update-golden` and review the diff).
All cases are scored against rubric.yaml, a small rubric with one field of each type and a
judgment item; valid/xinglin.yaml is the same village with nothing wrong.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhi.cli import app
from sanzhi.common.errors import DataError, Location
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.files import read_text_village
from sanzhi.inputs.loaded import LoadFailure
from sanzhi.standard.loader import load_rubric_file
from tests.golden import compare_golden

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RUBRIC = (HERE / "rubric.yaml").relative_to(REPO).as_posix()
GOOD = (HERE / "valid" / "xinglin.yaml").relative_to(REPO).as_posix()
INVALID = HERE / "invalid"
EXPECTED = INVALID / "expected"
CASES = sorted([*INVALID.glob("*.yaml"), *INVALID.glob("*.json")])
CJK = re.compile(r"[\u4e00-\u9fff]")
runner = CliRunner()


def _rel(case: Path) -> str:
    return case.relative_to(REPO).as_posix()


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def _score(*args: str):
    return runner.invoke(app, ["score", "-r", RUBRIC, *args])


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 12
    assert {p.stem for p in EXPECTED.glob("*.txt")} <= {c.stem for c in CASES}
    for case in CASES:
        text = case.read_text(encoding="utf-8")
        # JSON has no comments: a JSON case says what is wrong in its first key.
        assert text.startswith("# 故意的问题：" if case.suffix == ".yaml" else '{"故意的问题": ')


def test_the_good_village_scores() -> None:
    result = _score(GOOD)
    assert result.exit_code == 0, result.stderr
    assert "杏林村" in result.stdout and result.stderr == ""


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_score_output(case: Path, request: pytest.FixtureRequest) -> None:
    result = _score(_rel(case))
    assert result.exit_code == 2
    assert result.stdout == ""
    compare_golden(EXPECTED / f"{case.stem}.txt", result.stderr, request)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_problem_is_located_and_in_chinese(case: Path) -> None:
    compiled, _ = load_rubric_file(Path(RUBRIC))
    loaded = read_text_village(compiled, Path(_rel(case)))
    assert isinstance(loaded, LoadFailure) and isinstance(loaded.error, DataError)
    diags = loaded.error.diagnostics
    assert diags
    for d in diags:
        assert d.code.startswith("D") and d.severity == "error"
        assert d.location is not None and d.location.file == _rel(case)
        assert d.location.line is not None and d.location.column is not None, d
        assert CJK.search(d.message), d.message
        if not d.code.startswith("D10"):  # past the YAML/JSON syntax, problems have a domain path
            assert d.path, d
    positions = [(d.location.line, d.location.column) for d in diags]
    assert positions == sorted(positions)


def test_several_problems_are_all_reported_in_line_order() -> None:
    compiled, _ = load_rubric_file(Path(RUBRIC))
    loaded = read_text_village(compiled, INVALID / "several_problems.yaml")
    assert isinstance(loaded, LoadFailure)
    got = [(d.location.line, d.code, d.path) for d in loaded.error.diagnostics]
    assert got == [
        (3, "D112", "村基本信息 › code"),
        (5, "D110", "填报答案 › plan_mde"),
        (7, "D112", "填报答案 › findings（发现问题数）"),
        (11, "D112", "填报答案 › incident_date（事故日期）"),
        (18, "D113", "评审记录 #1（乡镇评分） › 更正 › findings（发现问题数）"),
    ]


def test_integer_written_in_words_says_expected_and_found() -> None:
    result = _score(_rel(INVALID / "integer_as_text.yaml"))
    assert "= 期望：非负整数（单位：项）\n" in result.stderr
    assert "= 实际：“三次”\n" in result.stderr


def test_mixed_run_scores_the_good_and_reports_the_bad(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    bad = _rel(INVALID / "integer_as_text.yaml")
    result = _score(GOOD, bad, "-o", str(out))
    assert result.exit_code == 1
    assert "杏林村" in result.stdout
    assert f"--> {bad}:7:13" in result.stderr
    assert "1 个村已评分，1 个村数据有误已跳过。" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    written = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps(written, ensure_ascii=False)
    assert "杏林村" in text and "integer_as_text.yaml" in text


def test_folder_of_villages_mixed(tmp_path: Path) -> None:
    folder = tmp_path / "villages"
    folder.mkdir()
    (folder / "a_good.yaml").write_bytes((REPO / GOOD).read_bytes())
    (folder / "b_bad.yaml").write_bytes((INVALID / "bad_bool.yaml").read_bytes())
    result = _score(str(folder))
    assert result.exit_code == 1
    assert "杏林村" in result.stdout
    assert "b_bad.yaml:6:12" in result.stderr


def test_full_width_code_is_read_as_ascii_and_other_digits_are_refused() -> None:
    compiled, _ = load_rubric_file(Path(RUBRIC))
    raw, _ = load_yaml((REPO / GOOD).read_text(encoding="utf-8"), "v.yaml", code_prefix="D")
    raw["village"]["code"] = "３３０４８３１０１２０１"  # NFKC folds full-width digits
    assert read_assessment(compiled, raw, lambda p, k: Location("v.yaml")).village.code == "330483101201"
    for digits in ("٣٣٠٤٨٣١٠١٢٠١", "३३०४८३१०१२०१"):  # Arabic-Indic, Devanagari: \d took them
        raw["village"]["code"] = digits
        with pytest.raises(DataError) as info:
            read_assessment(compiled, raw, lambda p, k: Location("v.yaml"))
        assert [d.code for d in info.value.diagnostics] == ["D112"]


def test_a_ten_megabyte_name_or_key_gives_a_short_message(tmp_path: Path) -> None:
    # Before: 41 MB of stderr for the key; 16 s and 476 MB of memory to print the name.
    good = (REPO / GOOD).read_text(encoding="utf-8")
    raw, _ = load_yaml(good, "v.yaml", code_prefix="D")
    raw["answers"]["k" * 10_000_000] = 1  # as JSON: YAML allows keys of 1,024 characters at most
    keyed = json.dumps(raw, ensure_ascii=False, default=str)
    for case, text in (("name.yaml", good.replace("name: 杏林村", "name: " + "杏" * 3_500_000)),  # 10.5 MB of UTF-8
                       ("key.json", keyed)):
        path = tmp_path / case
        path.write_text(text, encoding="utf-8")
        result = _score(str(path))
        assert result.exit_code == 2, result.stderr[:500]
        assert len(result.stderr) < 3_000, (case, len(result.stderr))
        assert ("3,500,000 个字符" if case == "name.yaml" else "10,000,000 个字符") in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "village.yaml"
    os.mkfifo(fifo)
    for args in (["score", "-r", RUBRIC, str(fifo)], ["rubric", "check", str(fifo)]):
        proc = subprocess.run([sys.executable, "-m", "sanzhi", *args], capture_output=True, text=True, timeout=60, cwd=REPO, check=False)
        assert proc.returncode == 2, proc.stderr
        assert "不是普通文件" in proc.stderr
