"""`sanzhi rubric import`: the corpus of tables (tables.yaml) and what the import says of each.

Why: a standards body brings the table it has — Excel with merged category cells, a CSV that
Excel saved as GBK, a Word table — and either gets a draft that passes `sanzhi rubric check`
or every mistake located by file, sheet (or table), row and column, in Chinese, at once, with
exit code 2 and no draft written. The exact output is pinned in expected/<id>.txt.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from sanzhi.cli import app
from sanzhi.common.yaml_source import load_yaml
from sanzhi.standard.loader import parse_rubric
from tests.golden import compare_golden
from tests.inputs.rubric_tables.make import build, normalize_output

HERE = Path(__file__).resolve().parent
CASES = yaml.safe_load((HERE / "tables.yaml").read_text(encoding="utf-8"))["cases"]
BROKEN = {"no_header_xlsx", "everything_wrong_csv_gbk", "sums_and_duplicates_docx", "points_in_text_disagree_xlsx",
          "docx_without_table", "old_excel_format", "not_really_xlsx", "csv_not_text"}
runner = CliRunner()


def _case(ident: str) -> dict[str, Any]:
    return next(c for c in CASES if c["id"] == ident)


def _import(case: dict[str, Any], folder: Path) -> tuple[int, str, Path]:
    path = build(case, folder)
    draft = folder / "draft.yaml"
    result = runner.invoke(app, ["rubric", "import", path.name, "-o", draft.name, "--effective-date", "2026-01-01"])
    assert "Traceback" not in result.stdout + result.stderr and "内部错误" not in result.stderr, result.stderr
    return result.exit_code, result.stderr, draft


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["id"])
def test_import_output(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.chdir(tmp_path)
    code, stderr, draft = _import(case, tmp_path)
    text = f"# {case['about']}\n# 退出码 {code}\n{normalize_output(stderr, tmp_path)}"
    if draft.exists():
        text += "\n# ---- 草案 draft.yaml ----\n" + normalize_output(draft.read_text(encoding="utf-8"), tmp_path)
    compare_golden(HERE / "expected" / f"{case['id']}.txt", text, request)
    if case["id"] in BROKEN:
        assert code == 2 and not draft.exists()
    else:
        assert code == case.get("exit", 0), stderr


@pytest.mark.parametrize("case", [c for c in CASES if c["id"] in BROKEN and c["format"] != "raw"], ids=lambda c: c["id"])
def test_every_table_error_names_file_and_row(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _, stderr, _ = _import(case, tmp_path)
    blocks = [b for b in stderr.split("\n\n") if b.startswith("错误")]
    assert blocks
    for block in blocks:
        where = next(line for line in block.splitlines() if "-->" in line)
        assert case.get("file", case["id"]) in where
        if "T110" not in block:
            assert "第 " in where and " 行" in where, block


def _rubric_data(draft: Path) -> dict[str, Any]:
    data, _ = load_yaml(draft.read_text(encoding="utf-8"), draft.name)
    assert isinstance(data, dict)
    return data


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The rubric without what names the source file."""
    out = {k: v for k, v in data.items() if k not in ("provenance_note", "changelog", "description")}
    return out


def test_the_same_fragment_in_every_format_gives_the_same_rubric(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    drafts = {}
    for ident in ("shanzhi_xlsx", "shanzhi_csv_gbk", "shanzhi_csv_bom", "shanzhi_docx"):
        folder = tmp_path / ident
        folder.mkdir()
        monkeypatch.chdir(folder)
        code, stderr, draft = _import(_case(ident), folder)
        assert code == _case(ident).get("exit", 0), stderr
        drafts[ident] = _comparable(_rubric_data(draft))
    base = drafts.pop("shanzhi_xlsx")
    assert drafts.pop("shanzhi_csv_gbk") == base
    assert drafts.pop("shanzhi_csv_bom") == base
    # The Word copy carries its notes below the table: the same items, plus vetoes and tiers.
    word = drafts.pop("shanzhi_docx")
    assert word["dimensions"] == base["dimensions"]
    assert [v["name"] for v in word["vetoes"]] == ["近两年内发生重大安全事故", "村两委成员受刑事处罚"]
    assert [(t["name"], t["min_score"]) for t in word["rating"]["tiers"]] == [("善治示范村", 90), ("善治村", 80)]


def test_every_imported_item_quotes_its_cell_verbatim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    case = _case("shanzhi_xlsx")
    code, _, draft = _import(case, tmp_path)
    assert code == 0
    text = draft.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "导入" in text.splitlines()[2] and "须人工复核" in text.splitlines()[2] and "shanzhi_xlsx.xlsx" in text.splitlines()[2]
    compiled, _ = parse_rubric(text, "draft.yaml")
    rows = {str(r[3]) for r in case["rows"][3:] if len(r) > 3}
    items = [ci.item for ci in compiled.items]
    assert len(items) == 8
    for item in items:
        assert item.provenance == "quoted"
        assert item.clause in rows
    # The schema line points at the installed schema, relative to the draft's folder.
    ref = re.search(r"\$schema=(\S+)", text)
    assert ref is not None and (tmp_path / ref.group(1)).resolve().name == "rubric.schema.json"
    assert (tmp_path / ref.group(1)).resolve().exists()


def test_the_readme_fragment_imports_checks_and_comes_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/examples/shanzhi-fragment.csv, as the README walks through it."""
    fragment = HERE.parents[2] / "docs" / "examples" / "shanzhi-fragment.csv"
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["rubric", "import", str(fragment), "-o", "善治村-草案.yaml", "--id", "shanzhi-fragment", "--version", "2026"])
    assert result.exit_code == 0, result.stderr
    assert "已写出评分标准草案 善治村-草案.yaml：8 个评分项：8 项按识别出的规则计分，0 项含评审判断。" in result.stderr
    assert runner.invoke(app, ["rubric", "check", "善治村-草案.yaml"]).exit_code == 0
    assert runner.invoke(app, ["rubric", "export", "善治村-草案.yaml", "-o", "善治村评定表.xlsx"]).exit_code == 0
    back = runner.invoke(app, ["rubric", "import", "善治村评定表.xlsx", "-o", "back.yaml"])
    assert back.exit_code == 0 and "按导出表的机读数据还原" in back.stderr
    first = parse_rubric(Path("善治村-草案.yaml").read_text(encoding="utf-8"), "a.yaml")[0]
    again = parse_rubric(Path("back.yaml").read_text(encoding="utf-8"), "b.yaml")[0]
    assert first.content_hash == again.content_hash


def test_an_item_without_rules_is_a_judgment_in_a_draft_that_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty 评分细则 makes a judgment of 0 to the item's points (T213): the points are written
    twice as numbers, not as a YAML anchor and alias the rubric loader refuses (R101)."""
    monkeypatch.chdir(tmp_path)
    case = {"id": "empty_rules", "format": "xlsx", "rows": [
        ["项目", "评定标准", "分值", "评分细则"],
        ["一、组织建设（5分）", "班子健全", 3, "班子成员缺1人扣1分"],
        [None, "制度上墙", 2, None],
    ], "merges": ["A2:A3"]}
    code, stderr, draft = _import(case, tmp_path)
    assert code == 0, stderr
    assert "T213" in stderr
    text = draft.read_text(encoding="utf-8")
    assert "&id" not in text and "*id" not in text
    item = parse_rubric(text, "draft.yaml")[0].items[1].item
    assert (item.points, [r.kind for r in item.rules]) == (2, ["judgment"])
