"""The corpus of broken rubrics (invalid/*.yaml) and the exact output of `sanzhi rubric check`.

Why: every message a standards author can meet is user-visible behaviour, so each one is
pinned as a golden file (invalid/expected/<case>.txt, regenerate with `pytest --update-golden`
and review the diff). Each case is a small complete rubric with one deliberate problem (or, in
several_*.yaml, several); its first line says which. Beyond the goldens, invariants hold for
every case: exit code 2, nothing on stdout, every problem located at file:line:column, Chinese
text, no traceback.
"""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhi.cli import app
from sanzhi.common.errors import RubricError
from sanzhi.standard.loader import load_rubric_file
from tests.golden import compare_golden

REPO = Path(__file__).resolve().parents[2]
INVALID = Path(__file__).resolve().parent / "invalid"
EXPECTED = INVALID / "expected"
CASES = sorted(INVALID.glob("*.yaml"))
CJK = re.compile(r"[\u4e00-\u9fff]")
runner = CliRunner()


def _check(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["rubric", "check", *args])
    return result.exit_code, result.stdout, result.stderr


def _rel(case: Path) -> str:
    return case.relative_to(REPO).as_posix()


@pytest.fixture(autouse=True)
def _repo_cwd(monkeypatch: pytest.MonkeyPatch) -> None:
    # Goldens show the path as typed on the command line: relative to the repository root.
    monkeypatch.chdir(REPO)


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 20
    goldens = {p.name.split(".")[0] for p in EXPECTED.glob("*.txt")}
    assert goldens <= {c.stem for c in CASES}, "golden files without a case"
    for case in CASES:
        first = case.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# 故意的问题："), f"{case.name}: first line must say what is broken"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_rubric_check_output(case: Path, request: pytest.FixtureRequest) -> None:
    code, stdout, stderr = _check(_rel(case))
    assert code == 2
    assert stdout == ""
    compare_golden(EXPECTED / f"{case.stem}.txt", stderr, request)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_problem_is_located_and_in_chinese(case: Path) -> None:
    with pytest.raises(RubricError) as info:
        load_rubric_file(Path(_rel(case)))
    diags = info.value.diagnostics
    assert diags
    for d in diags:
        assert d.location is not None and d.location.file == _rel(case)
        assert d.location.line is not None and d.location.column is not None, d
        assert CJK.search(d.message), d.message
        assert d.code.startswith("R") and d.severity == "error"
        if not d.code.startswith("R10"):  # past YAML syntax, problems have a domain path
            assert d.path, d
    lines = [(d.location.line, d.location.column) for d in diags]
    assert lines == sorted(lines)
    assert info.value.sources == {_rel(case): case.read_text(encoding="utf-8")}


def test_several_schema_problems_are_all_reported_in_line_order() -> None:
    with pytest.raises(RubricError) as info:
        load_rubric_file(Path(_rel(INVALID / "several_schema_problems.yaml")))
    got = [(d.location.line, d.code, d.message) for d in info.value.diagnostics]
    assert got == [
        (10, "R110", "应为数值"),
        (36, "R112", "缺少必填字段 “reason”"),
        (41, "R111", "未知字段 “critrion”"),
        (46, "R110", "规则类型 kind “per_occurence” 无效"),
    ]


def test_several_semantic_problems_are_all_reported_in_line_order() -> None:
    with pytest.raises(RubricError) as info:
        load_rubric_file(Path(_rel(INVALID / "several_semantic_problems.yaml")))
    got = [(d.location.line, d.code) for d in info.value.diagnostics]
    assert got == [(10, "R202"), (37, "R203"), (53, "R210"), (60, "R208")]


def test_line_format(request: pytest.FixtureRequest) -> None:
    case = INVALID / "several_semantic_problems.yaml"
    code, stdout, stderr = _check("--format", "line", _rel(case))
    assert code == 2 and stderr == ""  # machine-readable output goes to stdout, for pipes
    for line in stdout.splitlines():
        assert re.match(rf"^{re.escape(_rel(case))}:\d+:\d+: R\d{{3}} ", line), line
    compare_golden(EXPECTED / "several_semantic_problems.line.txt", stdout, request)


def test_json_format(request: pytest.FixtureRequest) -> None:
    case = INVALID / "several_semantic_problems.yaml"
    code, stdout, stderr = _check("--format", "json", _rel(case))
    assert code == 2 and stderr == ""
    records = json.loads(stdout)
    assert [r["code"] for r in records] == ["R202", "R203", "R210", "R208"]
    assert all(r["file"] == _rel(case) and r["line"] and r["column"] for r in records)
    compare_golden(EXPECTED / "several_semantic_problems.json.txt", stdout, request)


def test_several_files_at_once_report_each_and_fail() -> None:
    good = REPO / "tests" / "data" / "mini.yaml"
    code, _, stderr = _check(_rel(good), _rel(INVALID / "unknown_key.yaml"), _rel(INVALID / "sum_total.yaml"))
    assert code == 2
    assert f"✓ {_rel(good)}：检查通过" in stderr
    assert "未知字段 “pionts”" in stderr and "总分与各维度分值之和不符" in stderr
    assert "Traceback" not in stderr


def test_compare_golden_helper(tmp_path: Path) -> None:
    from types import SimpleNamespace

    def request(update: bool) -> SimpleNamespace:
        return SimpleNamespace(config=SimpleNamespace(getoption=lambda name: update))

    golden = tmp_path / "sub" / "case.txt"
    with pytest.raises(pytest.fail.Exception, match="missing. Run pytest --update-golden to create/refresh it"):
        compare_golden(golden, "甲\n", request(False))
    compare_golden(golden, "甲\n", request(True))
    assert golden.read_bytes() == "甲\n".encode()
    compare_golden(golden, "甲\n", request(False))
    with pytest.raises(pytest.fail.Exception, match=r"(?s)differs.*Run pytest --update-golden.*-甲\n\+乙"):
        compare_golden(golden, "乙\n", request(False))


def test_rubric_check_warns_on_a_counted_field_without_max(tmp_path: Path) -> None:
    # The warning does not fail the check: a count without a ceiling is legal, only risky.
    text = (INVALID / "tier_unreachable.yaml").read_text(encoding="utf-8").split("\n", 1)[1]
    text = text.replace("min_score: 12}", "min_score: 9}").replace("min: 0, max: 50, unit: 项}", "min: 0, unit: 项}")
    path = tmp_path / "count.yaml"
    path.write_text(text, encoding="utf-8")
    code, stdout, stderr = _check(str(path))
    assert code == 0, stderr
    assert "警告[W250]：计数字段 “findings”（发现问题数）没有设置上限 max" in stderr
    assert "检查通过" in stdout + stderr
