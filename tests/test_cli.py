"""End-to-end tests of the `sanzhi` command line: exit codes, Chinese output, no tracebacks.

Exit codes (errors.ExitCode): 0 all scored · 1 some villages skipped · 2 invalid input (usage,
rubric, or every village bad) · 3 internal error (one line + log file) · 130 interrupted.
Every invocation goes through `run()`, which also asserts that no traceback leaks out.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhi import __version__
from sanzhi.app import api
from sanzhi.cli import app
from sanzhi.standard import bundled

REPO = Path(__file__).resolve().parents[1]
MINI = "tests/data/mini.yaml"
VILLAGE = "tests/data/v1.yaml"
BAD_RUBRIC = "tests/standard/invalid/unknown_key.yaml"
BAD_VILLAGE = "tests/inputs/invalid/integer_as_text.yaml"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the internal-error log
    monkeypatch.setenv("COLUMNS", "120")  # rich tables: fixed width, no wrapping surprises


def run(*args: str):
    result = runner.invoke(app, list(args))
    everything = result.stdout + result.stderr
    assert "Traceback" not in everything
    # CliRunner swallows exceptions; anything but a normal exit is a leak past the boundary.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# --------------------------------------------------------------------------- help, version


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("score", "rubric", "version"):
        assert command in result.stdout
    assert "三治融合" in result.stdout


def test_no_arguments_shows_help() -> None:
    result = run()
    assert result.exit_code == 2
    assert "用法：" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("batch", "x"), "缺少选项 '--rubric' / '-r'"),
        (("scor",), "没有命令 'scor'（是否想输入 'score'？）"),
        (("score", "--jobs", "abc"), "'--jobs' / '-j' 的取值无效：应为整数"),
        (("score", "--rubirc", "x"), "没有选项 --rubirc（是否想写 --rubric？）"),
        (("rubric", "check", "--format", "xml", "x"), "'--format' 的取值无效：'xml' 不是 'human', 'line', 'json' 之一"),
        (("score", "--report-date", "2025", "--samples"), "'--report-date' 的取值无效：'2025' 不符合格式 '%Y-%m-%d'"),
        (("ranking", "--year", "2025", "extra"), "多余的参数：extra"),
    ],
)
def test_usage_errors_are_in_chinese(args: tuple[str, ...], message: str) -> None:
    # typer words these itself; sanzhi.cli.zh translates them (see its docstring).
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert message in result.stderr
    assert "用法：" in result.stderr and "错误" in result.stderr


def test_help_headings_are_in_chinese() -> None:
    text = CliRunner().invoke(app, ["form", "--help"], env={"COLUMNS": "200"}).stdout
    for heading in ("用法：", "选项", "显示帮助并退出。", "[必填]", "[默认：jiaxing-sanzhi]"):
        assert heading in text


@pytest.mark.parametrize("args", [("version",), ("--version",), ("-V",)])
def test_version(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert result.stdout == f"sanzhi {__version__}\n"


def test_rubric_help_names_every_subcommand() -> None:
    result = CliRunner().invoke(app, ["rubric", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    text = "".join(result.stdout.split())  # the group description may wrap at 80 columns
    for command in ("list", "show", "check", "schema", "diff", "impact", "sensitivity", "test"):
        assert command in text
    description = "".join(result.stdout.split("命令")[0].split())
    for word in ("diff", "impact", "sensitivity", "test"):
        assert word in description, word


def test_console_script_runs_in_a_real_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sanzhi", "rubric", "check", BAD_RUBRIC],
        cwd=REPO, capture_output=True, check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == b""
    golden = REPO / "tests/standard/invalid/expected/unknown_key.txt"
    assert proc.stderr == golden.read_bytes()


# --------------------------------------------------------------------------- rubric


def test_rubric_list_shows_bundled_rubrics() -> None:
    result = run("rubric", "list")
    assert result.exit_code == 0
    assert "内置评分标准" in result.stdout
    for b in bundled.bundled_rubrics():
        assert b.ref in result.stdout


def test_rubric_list_counts_items_by_provenance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    lines = run("rubric", "list").stdout.splitlines()
    row = next(line for line in lines if "jiaxing-sanzhi@2018 " in line)
    assert row.split()[-8:] == ["施行", "2018-09-20", "47", "8", "/", "19", "/", "20"]
    assert "草案" in next(line for line in lines if "jiaxing-sanzhi@2024 " in line)


def test_rubric_list_works_without_any_bundled_rubric(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(bundled, "RUBRIC_DIR", tmp_path)
    bundled.bundled_rubrics.cache_clear()
    try:
        result = run("rubric", "list")
    finally:
        bundled.bundled_rubrics.cache_clear()
    assert result.exit_code == 0
    assert "内置评分标准" in result.stdout


def test_rubric_show_file() -> None:
    result = run("rubric", "show", MINI)
    assert result.exit_code == 0
    assert "测试（mini@1，满分 10 分）" in result.stdout
    assert "1.1.2 履职（3 分；per_occurrence；引用）" in result.stdout
    assert "V1 发生重大安全事故" in result.stdout


def test_rubric_show_bad_file_is_exit_2() -> None:
    result = run("rubric", "show", BAD_RUBRIC)
    assert result.exit_code == 2
    assert "未知字段 “pionts”" in result.stderr


def test_rubric_check_good_file() -> None:
    result = run("rubric", "check", MINI)
    assert result.exit_code == 0
    assert result.stderr == f"✓ {MINI}：检查通过\n"
    assert result.stdout == ""


def test_rubric_check_bad_file() -> None:
    result = run("rubric", "check", BAD_RUBRIC)
    assert result.exit_code == 2
    assert f"--> {BAD_RUBRIC}:40:13" in result.stderr
    assert "是否想写 “points”？" in result.stderr


def test_rubric_check_missing_file() -> None:
    result = run("rubric", "check", "tests/data/no-such-rubric.yaml")
    assert result.exit_code == 2
    assert "错误[R100]：找不到评分标准文件" in result.stderr


def test_rubric_schema_is_json_schema() -> None:
    result = run("rubric", "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "properties" in schema
    assert {"dimensions", "rating", "fields"} <= set(schema["properties"])


def test_rubric_schema_to_file(tmp_path: Path) -> None:
    target = tmp_path / "rubric.schema.json"
    result = run("rubric", "schema", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert "properties" in json.loads(target.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- score


def test_score_table() -> None:
    result = run("score", "-r", MINI, VILLAGE)
    assert result.exit_code == 0
    assert result.stderr == ""
    header = next(line for line in result.stdout.splitlines() if "村（社区）" in line)
    for column in ("乡镇", "自评分", "核定分", "核定层级", "等级"):
        assert column in header
    row = next(line for line in result.stdout.splitlines() if "杏林村" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")] == ["杏林村", "梧桐街道", "4", "6", "乡镇评分", "不予评定"]
    assert "杏林村：核定总分 6 分，等级：不予评定" in result.stdout
    assert "自评分 4 分，未达到申报门槛 6 分" in result.stdout


def test_score_json_is_byte_identical_across_runs() -> None:
    first = run("score", "-r", MINI, VILLAGE, "--json")
    second = run("score", "-r", MINI, VILLAGE, "--json")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes
    doc = json.loads(first.stdout_bytes)
    assert doc["format"] == "sanzhi.results"
    assert [v["village_name"] for v in doc["villages"]] == ["杏林村"]
    assert doc["failures"] == []


def test_score_output_file_matches_json(tmp_path: Path) -> None:
    target = tmp_path / "out" / "results.json"
    result = run("score", "-r", MINI, VILLAGE, "-o", str(target))
    assert result.exit_code == 0
    assert target.exists()
    printed = run("score", "-r", MINI, VILLAGE, "--json").stdout_bytes
    assert target.read_bytes() == printed


def test_exit_1_when_some_villages_are_skipped() -> None:
    result = run("score", "-r", MINI, VILLAGE, "tests/inputs/invalid/bad_bool.yaml", "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout_bytes)
    assert [v["village_name"] for v in doc["villages"]] == ["杏林村"]
    assert [f["source"] for f in doc["failures"]] == ["tests/inputs/invalid/bad_bool.yaml"]
    assert "1 个村已评分，1 个村数据有误已跳过。" in result.stderr


def test_exit_2_when_every_village_is_bad() -> None:
    result = run("score", "-r", "tests/inputs/rubric.yaml", BAD_VILLAGE)
    assert result.exit_code == 2
    assert "= 实际：“三次”" in result.stderr


def test_exit_2_for_a_bad_rubric() -> None:
    result = run("score", "-r", BAD_RUBRIC, VILLAGE)
    assert result.exit_code == 2
    assert "未知字段 “pionts”" in result.stderr
    assert result.stdout == ""


def test_exit_2_for_a_missing_village_file() -> None:
    result = run("score", "-r", MINI, "tests/data/no-such-village.yaml")
    assert result.exit_code == 2
    assert "找不到村自评数据文件" in result.stderr


def test_exit_2_for_usage_errors() -> None:
    assert run("score", "-r", MINI).exit_code == 2  # no village files and no --samples
    assert run("score", "--no-such-option").exit_code == 2
    assert run("rubric", "check", "--format", "xml", MINI).exit_code == 2


def test_exit_2_for_an_unknown_bundled_rubric() -> None:
    result = run("score", "-r", "no-such-rubric", VILLAGE)
    assert result.exit_code == 2
    assert "找不到内置评分标准：no-such-rubric" in result.stderr


# --------------------------------------------------------------------------- boundary


def test_internal_error_is_one_line_and_a_log_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(ref: str):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(api, "load_compiled_rubric", broken)
    result = run("score", "-r", MINI, VILLAGE)
    assert result.exit_code == 3
    log = tmp_path / "cache" / "sanzhi" / "sanzhi-error.log"
    assert result.stderr == (
        f"内部错误：这是 sanzhi 的缺陷，不是您的输入问题。详细信息已写入 {log}，请连同该文件反馈。\n"
    )
    assert result.stdout == ""
    logged = log.read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError: simulated bug" in logged
    assert logged.startswith("sanzhi ")


def test_internal_error_in_rubric_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ref: str):
        raise KeyError("simulated")

    monkeypatch.setattr(api, "load_compiled_rubric", broken)
    result = run("rubric", "check", MINI)
    assert result.exit_code == 3
    assert result.stderr.startswith("内部错误：")


def test_interrupt_is_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(ref: str):
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "load_compiled_rubric", interrupted)
    result = run("rubric", "show", MINI)
    assert result.exit_code == 130
    assert result.stderr == "已中断。\n"
