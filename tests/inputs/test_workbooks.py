"""Reading filled workbooks and CSVs: round trip with YAML, clerk habits, and the bad-workbook corpus.

Why: a filled form must score exactly as the same answers given in YAML, whatever the
clerk's habits (√, full-width digits, Excel dates, trailing spaces); and every way of filling
it wrong must produce an error a clerk can fix: file, sheet, row, column, the field's label,
expected and found, all at once. The corpus (workbooks/cases.yaml) pins the exact output of
`sanzhi score` in workbooks/expected/<case>.txt.
"""

import csv
import functools
import io
import random
import re
import shutil
import string
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from sanzhi.app import api
from sanzhi.cli import app
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.files import read_village_file, read_villages
from sanzhi.inputs.forms import build_many_form, many_template_csv, write_form
from sanzhi.inputs.loaded import LoadedVillage, LoadFailure, Source
from sanzhi.reports.json_output import dumps_results
from sanzhi.standard.bundled import bundled_rubrics
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.values import ValueProblem, parse_value
from tests.golden import compare_golden
from tests.inputs.workbooks.fill import fill_village_form, many_row

HERE = Path(__file__).resolve().parent / "workbooks"
RUBRICS = {"full": HERE / "full.yaml", "mini": HERE / "mini.yaml"}
VILLAGES = HERE / "villages"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
EXPECTED = HERE / "expected"
runner = CliRunner()


@functools.cache
def compiled_for(name_or_ref: str) -> CompiledRubric:
    return api.load_compiled_rubric(str(RUBRICS.get(name_or_ref, name_or_ref)))[0]


def raw_village(path: Path) -> dict[str, Any]:
    raw, _ = load_yaml(path.read_text(encoding="utf-8"), path.name, code_prefix="D")
    assert isinstance(raw, dict)
    return raw


def scored_json(compiled: CompiledRubric, paths: list[Path]) -> bytes:
    """Results of scoring `paths`, input hashes left out; fails on any village that did not read."""
    outcomes = list(api.score_paths(compiled, paths))
    problems = [d.one_line() for o in outcomes if isinstance(o.loaded, LoadFailure) for d in o.loaded.error.diagnostics]
    assert not problems, "\n".join(problems)
    return dumps_results((o.result, None) for o in outcomes if o.result is not None)


def bundled_samples() -> list[tuple[str, Path]]:
    """Every bundled sample village, with the rubric id@version it names."""
    ids = sorted({b.id for b in bundled_rubrics()})
    return [(str(raw_village(p)["rubric"]), p) for rid in ids for p in api.sample_files(rid)]


# ---- round trip -----------------------------------------------------------------------------------


SAMPLES = [*bundled_samples(), *(("full", p) for p in sorted(VILLAGES.glob("*.yaml")))]
SAMPLE_IDS = [f"{r.partition('@')[0]}-{p.stem}" for r, p in SAMPLES]


@pytest.mark.parametrize("style", ["plain", "clerk"])
@pytest.mark.parametrize(("rubric", "sample"), SAMPLES, ids=SAMPLE_IDS)
def test_filled_form_scores_exactly_as_the_yaml(rubric: str, sample: Path, style: str, tmp_path: Path) -> None:
    compiled = compiled_for(rubric)
    form = write_form(compiled, tmp_path / "自评表.xlsx")
    fill_village_form(form, compiled, raw_village(sample), style)
    from_yaml = scored_json(compiled, [sample])
    assert from_yaml.count(b'"village_code"') == 1
    assert scored_json(compiled, [form]) == from_yaml


def test_every_bundled_sample_is_in_the_round_trip() -> None:
    refs = {r for r, _ in bundled_samples()}
    assert "jiaxing-sanzhi@2018" in refs
    assert len([r for r, _ in bundled_samples() if r == "jiaxing-sanzhi@2018"]) >= 13


def _self_assessments(samples: list[Path], tmp_path: Path) -> tuple[list[dict[str, Any]], list[Path]]:
    """The samples without their reviews (the many-villages sheet holds self-assessments), as JSON."""
    import json

    raws, paths = [], []
    for sample in samples:
        raw = raw_village(sample)
        raw.pop("reviews", None)
        raws.append(raw)
        paths.append(tmp_path / f"{sample.stem}.json")
        paths[-1].write_text(json.dumps(raw, ensure_ascii=False, default=str), encoding="utf-8")
    return raws, paths


@pytest.mark.parametrize("rubric", sorted({r for r, _ in SAMPLES}))
def test_many_villages_sheet_and_csv_score_exactly_as_the_yaml(rubric: str, tmp_path: Path) -> None:
    compiled = compiled_for(rubric)
    samples = [p for r, p in SAMPLES if r == rubric]
    raws, paths = _self_assessments(samples, tmp_path)
    expected = scored_json(compiled, paths)
    wb = build_many_form(compiled)
    ws = wb["村汇总"]
    headers = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    # The template has evidence columns only for items whose rubric lists evidence; a township
    # may add one for any other item, named like the others.
    items = {ci.item.id: ci.item.name for ci in compiled.items}
    for item in sorted({i for raw in raws for i in raw.get("evidence", {})}):
        header = f"{item} {items[item]}·佐证材料（evidence:{item}）"
        if header not in headers:
            headers.append(header)
            ws.cell(2, len(headers), header)
    rows = [many_row(compiled, headers, raw, "clerk" if n % 2 else "plain") for n, raw in enumerate(raws)]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    wb.save(tmp_path / "汇总.xlsx")
    assert scored_json(compiled, [tmp_path / "汇总.xlsx"]) == expected
    # A row's identity is (file, sheet, row); the text shown is what a Location prints.
    sources = [x.source for x in read_village_file(compiled, tmp_path / "汇总.xlsx")]
    assert sources == [Source(str(tmp_path / "汇总.xlsx"), "村汇总", r) for r in range(3, 3 + len(rows))]
    assert sources[0].display() == f"{tmp_path / '汇总.xlsx'}，工作表 “村汇总”，第 3 行"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(next(csv.reader(io.StringIO(many_template_csv(compiled).decode("utf-8-sig")))))
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row])
    (tmp_path / "汇总.csv").write_bytes(buf.getvalue().encode("utf-8-sig"))
    assert scored_json(compiled, [tmp_path / "汇总.csv"]) == expected
    sources = [x.source for x in read_village_file(compiled, tmp_path / "汇总.csv")]
    assert sources == [Source(str(tmp_path / "汇总.csv"), None, r) for r in range(3, 3 + len(rows))]
    assert sources[-1].display() == f"{tmp_path / '汇总.csv'}，第 {2 + len(rows)} 行"


# ---- clerk habits that must be read as the clerk meant ---------------------------------------------


def _patch_number_format(path: Path, sentinel: str, builtin_id: int) -> None:
    """Make cells formatted `sentinel` use a built-in (locale) number format id instead, as
    Excel and WPS in Chinese save them (openpyxl only writes custom formats)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/styles.xml":
                text = data.decode()
                escaped = sentinel.replace('"', "&quot;")
                m = re.search(rf'<numFmt numFmtId="(\d+)" formatCode="{re.escape(escaped)}"\s*/>', text)
                assert m, f"format {sentinel} not in styles.xml"
                text = text.replace(m[0], "").replace(f'numFmtId="{m[1]}"', f'numFmtId="{builtin_id}"')
                data = text.encode()
            zout.writestr(info, data)
    tmp.replace(path)


def _form_with(compiled: CompiledRubric, raw: dict[str, Any], path: Path, cells: list[tuple[str, str, str, object, str | None]]) -> Path:
    write_form(compiled, path)
    fill_village_form(path, compiled, raw)
    wb = openpyxl.load_workbook(path)
    for sheet, key, header, value, number_format in cells:
        _set(wb[sheet], key, header, value, number_format)
    wb.save(path)
    return path


def _set(ws: Any, key: str, header: str, value: object, number_format: str | None = None) -> None:
    head = next(r for r in range(1, 40) if ws.cell(r, 1).value == "编号")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(head, c).value == header)
    row = head if key == "编号" else next(r for r in range(head + 1, ws.max_row + 1) if str(ws.cell(r, 1).value) == key)
    c = ws.cell(row, col)
    c.value = value  # ws.cell(row, col, None) would leave the cell as it was
    if number_format is not None:
        c.number_format = number_format


def test_excel_cells_are_read_as_the_clerk_meant(tmp_path: Path) -> None:
    compiled = compiled_for("full")
    raw = raw_village(VILLAGES / "full-community.yaml")
    path = _form_with(compiled, raw, tmp_path / "f.xlsx", [
        ("封面", "code", "自评填写", 330483101001, None),  # a code typed as a number
        ("封面", "year", "自评填写", 2025.0, None),
        ("封面", "households", "自评填写", "３４００ ", None),  # full-width digits, trailing space
        ("封面", "titles", "自评填写", " 无 ", None),
        ("封面", "assessed_on", "自评填写", datetime(2025, 12, 15), 'yyyy"年"m"月"d"日"'),
        ("填报", "plan_made", "自评填写", False, None),  # an Excel FALSE cell
        ("填报", "incident", "自评填写", "√", None),
        ("填报", "satisfaction", "自评填写", 0.799, "0.0%"),  # typed as 79.9%
        ("填报", "findings", "自评填写", "0项", None),
        ("填报", "hall_level", "自评填写", "一星 ", None),
        ("填报", "activities", "自评填写", "评判团；评判团", None),
        ("填报", "incident_date", "自评填写", datetime(2025, 3, 1), "yyyy-mm-dd;@"),
    ])
    _patch_number_format(path, "yyyy-mm-dd;@", 31)  # 2025年3月1日 as Chinese Excel saves it
    [loaded] = read_village_file(compiled, path)
    assert isinstance(loaded, LoadedVillage), loaded
    assert loaded.source == Source(str(path))  # a per-village form: the file is the village
    a = loaded.assessment
    assert (a.village.code, a.village.year, a.village.assessed_on) == ("330483101001", 2025, date(2025, 12, 15))
    assert a.attributes["households"] == 3400 and a.attributes["titles"] == ()
    assert a.answers["plan_made"] is False and a.answers["incident"] is True
    assert a.answers["satisfaction"] == Decimal("79.9") and a.answers["findings"] == 0
    assert a.answers["hall_level"] == "一星" and a.answers["activities"] == ("评判团",)
    assert a.answers["incident_date"] == date(2025, 3, 1)


def test_floats_are_read_to_excel_precision(tmp_path: Path) -> None:
    compiled = compiled_for("full")
    raw = raw_village(VILLAGES / "full-reviewed.yaml")
    path = _form_with(compiled, raw, tmp_path / "f.xlsx", [("填报", "income", "自评填写", 23.456789, None)])
    # Excel stores 17 significant digits (0.1 + 0.2 is written 0.30000000000000004) and shows 15.
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename).replace(b"<v>23.456789</v>", b"<v>0.30000000000000004</v>"))
    tmp.replace(path)
    [loaded] = read_village_file(compiled, path)
    assert isinstance(loaded, LoadedVillage) and loaded.assessment.answers["income"] == Decimal("0.3")


def test_csv_saved_by_chinese_excel_in_gbk_is_read(tmp_path: Path) -> None:
    compiled = compiled_for("full")
    [raw] = _self_assessments([VILLAGES / "full-community.yaml"], tmp_path)[0]
    rows = list(csv.reader(io.StringIO(many_template_csv(compiled).decode("utf-8-sig"))))
    rows.append(["" if v is None else v.isoformat() if isinstance(v, date) else str(v) for v in many_row(compiled, rows[1], raw)])
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    (tmp_path / "gbk.csv").write_bytes(buf.getvalue().encode("gbk"))
    [loaded] = read_village_file(compiled, tmp_path / "gbk.csv")
    assert isinstance(loaded, LoadedVillage)
    assert loaded.assessment.village.name == "青枫社区"


def test_value_parser_refuses_ambiguity_the_same_for_every_format() -> None:
    tags = FieldSpec(id="t", label="称号", type="tags", choices=("善治村", "文明村"))
    assert parse_value(tags, "无") == () and parse_value(tags, ["无"]) == ()
    with pytest.raises(ValueProblem, match="一项也没有填“无”"):
        parse_value(tags, "无、善治村")
    venues = FieldSpec(id="v", label="阵地", type="tags", choices=("法治宣传栏", "法治文化广场(公园、长廊)", "法治图书角"))
    assert parse_value(venues, "法治文化广场（公园、长廊）、法治图书角") == ("法治文化广场(公园、长廊)", "法治图书角")
    with pytest.raises(ValueProblem, match="实际：“法治文化广场\\(公园”"):
        parse_value(venues, "法治文化广场(公园")
    day = FieldSpec(id="d", label="日期", type="date", earliest=date(2000, 1, 1))
    with pytest.raises(ValueProblem) as e:
        parse_value(day, "1999-12-31")
    assert (e.value.expected, e.value.found) == ("2000-01-01 或之后的日期", "“1999-12-31”")


# ---- folders, CLI ---------------------------------------------------------------------------------------


def test_folder_scan_reads_workbooks_and_csv_and_skips_lock_files(tmp_path: Path) -> None:
    compiled = compiled_for("full")
    folder = tmp_path / "村"
    folder.mkdir()
    form = write_form(compiled, folder / "杏林村.xlsx")
    fill_village_form(form, compiled, raw_village(VILLAGES / "full-reviewed.yaml"))
    shutil.copy(VILLAGES / "full-community.yaml", folder / "青枫社区.yaml")
    (folder / "~$杏林村.xlsx").write_bytes(b"lock")  # Excel's lock file while the form is open
    (folder / ".~lock.杏林村.xlsx#").write_bytes(b"lock")
    loaded = list(read_villages(compiled, [folder]))
    assert [type(x) for x in loaded] == [LoadedVillage, LoadedVillage], loaded
    assert sorted(x.assessment.village.name for x in loaded if isinstance(x, LoadedVillage)) == ["杏林村", "青枫社区"]


def test_an_old_excel_file_in_a_folder_is_reported_with_how_to_convert_it(tmp_path: Path) -> None:
    # One walker for score and batch (sanzhi.inputs.walk): a folder's .xls reaches its reader,
    # which says how to save it as .xlsx, instead of being passed over in silence.
    compiled = compiled_for("full")
    shutil.copy(VILLAGES / "full-community.yaml", tmp_path / "青枫社区.yaml")
    (tmp_path / "旧表.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / ".sanzhi-batch").mkdir()
    (tmp_path / ".sanzhi-batch" / "state.json").write_text("{}", encoding="utf-8")  # hidden: not a village
    loaded = list(read_villages(compiled, [tmp_path]))
    assert [type(x) for x in loaded] == [LoadFailure, LoadedVillage]
    assert isinstance(loaded[0], LoadFailure) and loaded[0].source.display() == str(tmp_path / "旧表.xls")
    assert [(d.code, d.message) for d in loaded[0].error.diagnostics] == [("D100", "不支持旧版 Excel（.xls）或 WPS（.et）格式")]


def test_cli_scores_a_form_and_a_sheet_with_a_bad_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    case = next(c for c in CASES if c["id"] == "many_row_errors")
    path = build_case(case, tmp_path)
    form = write_form(compiled_for("full"), tmp_path / "杏林村.xlsx")
    fill_village_form(form, compiled_for("full"), raw_village(VILLAGES / "full-reviewed.yaml"))
    result = runner.invoke(app, ["score", "-r", str(RUBRICS["full"]), path.name, form.name, "--json"])
    assert result.exit_code == 1  # finished; one village skipped
    assert result.stdout.count('"village_code"') == 3
    assert "3 个村已评分，1 个村数据有误已跳过。" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


# ---- the bad-workbook corpus -----------------------------------------------------------------------------


def _cell_ref(ws: Any, column: str) -> int:
    if re.fullmatch(r"[A-Z]{1,3}", column):
        return openpyxl.utils.column_index_from_string(column)
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(2, c).value == column)


def _sheet_edit(wb: Any, edit: dict[str, Any]) -> bool:
    """Edits of a workbook's structure, the same for every layout; False if `edit` is not one."""
    if "merge" in edit:
        sheet, cells = edit["merge"]
        wb[sheet].merge_cells(cells)
    elif "copy_sheet" in edit:
        wb.copy_worksheet(wb[edit["copy_sheet"][0]]).title = edit["copy_sheet"][1]
    elif "hide_sheet" in edit:
        wb[edit["hide_sheet"]].sheet_state = "hidden"
    else:
        return False
    return True


_LETTERS = bytes(string.ascii_letters[i % 52].encode()[0] for i in range(256))


def _patch_xml(path: Path, patches: list[dict[str, Any]]) -> None:
    """Break the saved file's XML the way other programs, truncated copies or attackers do:
    `regex` [pattern, replacement] (once), `truncate_after` (cut the part in the middle of the
    first element after this text), `doctype` (an internal entity used in a cell), `comment_mib`
    (a comment of N MiB after <sheetData>, streamed; `random` letters so it does not pack)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            todo = [p for p in patches if p["part"] == info.filename]
            if not todo:
                zout.writestr(info, data)
                continue
            text = data.decode()
            comment = None
            for patch in todo:
                if "regex" in patch:
                    text, n = re.subn(patch["regex"][0], patch["regex"][1], text, count=1)
                    assert n == 1, patch
                elif "truncate_after" in patch:
                    text = text[: text.index(patch["truncate_after"]) + len(patch["truncate_after"]) + 40]
                elif "doctype" in patch:
                    text = re.sub(r"<worksheet\b", '<!DOCTYPE worksheet [<!ENTITY v "杏林村">]><worksheet', text, count=1)
                    text = re.sub(r'(<c r="B3"[^>]*><is><t>)[^<]*', r"\1&v;", text, count=1)
                elif "comment_mib" in patch:
                    comment = patch
            if comment is None:
                zout.writestr(info, text.encode())
                continue
            head, tail = text.split("<sheetData>", 1)
            rng = random.Random(13)
            with zout.open(info.filename, "w", force_zip64=True) as out:
                out.write((head + "<sheetData><!--").encode())
                for _ in range(comment["comment_mib"]):
                    out.write(rng.randbytes(1 << 20).translate(_LETTERS) if comment.get("random") else b"x" * (1 << 20))
                out.write(("-->" + tail).encode())
    tmp.replace(path)


def build_case(case: dict[str, Any], folder: Path) -> Path:
    """The case's file in `folder`, named after the case."""
    path = _build_case(case, folder)
    if "xml" in case:
        _patch_xml(path, case["xml"])
    return path


def _build_case(case: dict[str, Any], folder: Path) -> Path:
    layout = case["layout"]
    if layout == "file":
        path = folder / case["file"]
        path.write_bytes(case["content"].encode("latin-1" if path.suffix == ".xls" else "utf-8"))
        return path
    compiled = compiled_for(case.get("rubric", "full"))
    if layout == "village":
        path = folder / f"{case['id']}.xlsx"
        write_form(compiled, path)
        if "village" in case:
            fill_village_form(path, compiled, raw_village(VILLAGES / f"{case['village']}.yaml"))
        builtin: list[tuple[str, int]] = []
        wb = openpyxl.load_workbook(path)
        for n, edit in enumerate(case.get("edits", [])):
            if _sheet_edit(wb, edit):
                continue
            if "delete_sheet" in edit:
                del wb[edit["delete_sheet"]]
            elif "rename_sheet" in edit:
                wb[edit["rename_sheet"][0]].title = edit["rename_sheet"][1]
            elif "duplicate_row" in edit:
                ws = wb[edit["duplicate_row"][0]]
                src = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == edit["duplicate_row"][1])
                last = ws.max_row + 1
                for c in range(1, ws.max_column + 1):
                    ws.cell(last, c, ws.cell(src, c).value)
            else:
                fmt = edit.get("format")
                if "builtin_format" in edit:
                    fmt = f'yyyy-mm-dd;"sentinel{n}"'
                    builtin.append((fmt, edit["builtin_format"]))
                _set(wb[edit["sheet"]], str(edit["row"]), edit["column"], edit["value"], fmt)
        wb.save(path)
        for fmt, number in builtin:
            _patch_number_format(path, fmt, number)
        return path
    raws = [raw_village(VILLAGES / f"{v}.yaml") for v in case.get("villages", [])]
    for raw in raws:
        raw.pop("reviews", None)
    wb = build_many_form(compiled)
    ws = wb["村汇总"]
    headers = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    for r, raw in enumerate(raws, start=3):
        for c, value in enumerate(many_row(compiled, headers, raw), start=1):
            ws.cell(r, c, value)
    for edit in case.get("edits", []):
        if _sheet_edit(wb, edit):
            continue
        if "delete_row" in edit:
            ws.delete_rows(edit["delete_row"])
            continue
        c = ws.cell(edit["row"], _cell_ref(ws, edit["column"]))
        c.value = edit["value"]
        if "format" in edit:
            c.number_format = edit["format"]
    if layout == "many":
        path = folder / f"{case['id']}.xlsx"
        wb.save(path)
        return path
    path = folder / f"{case['id']}.csv"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for row in ws.iter_rows(values_only=True):
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else v for v in row])
    encoding = case.get("encoding", "utf-8-sig")
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def test_corpus_cases_are_unique_and_described() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)) >= 25
    assert all(c.get("about") for c in CASES)
    assert {p.stem for p in EXPECTED.glob("*.txt")} <= set(ids)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_workbook_output(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.chdir(tmp_path)
    path = build_case(case, tmp_path)
    result = runner.invoke(app, ["score", "-r", str(RUBRICS[case.get("rubric", "full")]), path.name])
    assert "Traceback" not in result.stdout + result.stderr and "内部错误" not in result.stderr
    scored = len(re.findall(r"核定总分", result.stdout))
    text = f"# {case['about']}\n# 退出码 {result.exit_code}；已评分 {scored} 个村\n{result.stderr}"
    compare_golden(EXPECTED / f"{case['id']}.txt", text, request)


@pytest.mark.parametrize("case", [c for c in CASES if c["layout"] != "file"], ids=lambda c: c["id"])
def test_every_workbook_problem_names_file_sheet_row_and_column(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = build_case(case, tmp_path)
    compiled = compiled_for(case.get("rubric", "full"))
    diags = [d for x in read_village_file(compiled, Path(path.name)) if isinstance(x, LoadFailure) for d in x.error.diagnostics]
    assert diags
    # a file, a sheet, a header or the whole table, or a sheet's XML from a row on: no single cell
    structural = {"D100", "D120", "D121", "D126", "D129"}
    for d in diags:
        assert d.location is not None and d.location.file == path.name
        if d.code in structural:
            continue
        assert d.location.row is not None, d
        assert d.location.cell_column and re.fullmatch(r"[A-Z]{1,3}（.+）|[A-Z]", d.location.cell_column), d
        if case["layout"] != "csv":
            assert d.location.sheet is not None, d


# ---- scoring bodies' forms (sanzhi form --by-body) -------------------------------------------------

BODY_RUBRICS = ("liuhe-pingan", "qinglian-cunju")
BODY_SAMPLES = [(r, p) for r, p in bundled_samples() if r.partition("@")[0] in BODY_RUBRICS]


def _body_forms(compiled: CompiledRubric, folder: Path, raw: dict[str, Any], style: str = "plain") -> list[Path]:
    from sanzhi.inputs.forms import write_body_forms

    paths = write_body_forms(compiled, folder)
    for path in paths:
        fill_village_form(path, compiled, raw, style, partial=True)
    return paths


@pytest.mark.parametrize(("rubric", "sample"), BODY_SAMPLES, ids=[f"{r.partition('@')[0]}-{p.stem}" for r, p in BODY_SAMPLES])
def test_body_forms_merge_and_score_exactly_as_the_yaml(rubric: str, sample: Path, tmp_path: Path) -> None:
    """Each body fills its own form (the fields and items it scores); read together they are one village."""
    compiled = compiled_for(rubric)
    from sanzhi.inputs.bodies import bodies

    paths = _body_forms(compiled, tmp_path / "forms", raw_village(sample), "clerk")
    assert [p.stem for p in paths] == list(bodies(compiled)) and len(paths) >= 3
    assert scored_json(compiled, [tmp_path / "forms"]) == scored_json(compiled, [sample])


def test_body_forms_hold_only_their_bodys_items_and_fields(tmp_path: Path) -> None:
    compiled = compiled_for("liuhe-pingan")
    from sanzhi.inputs.forms import write_body_forms

    paths = {p.stem: p for p in write_body_forms(compiled, tmp_path)}
    assert list(paths) == ["区综治办", "区六合、沿江分局", "基本信息"]

    def keys(path: Path, sheet: str) -> set[str]:
        ws = openpyxl.load_workbook(path)[sheet]
        header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "编号")
        return {str(ws.cell(r, 1).value) for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value}

    assert keys(paths["区综治办"], "评分项") == {"1", "3.1", "4"}
    assert keys(paths["区六合、沿江分局"], "评分项") == {"2", "3.2", "5"}
    assert keys(paths["基本信息"], "评分项") == set()
    assert keys(paths["基本信息"], "填报") == {"major_incident"}  # read by the veto only
    assert "tech_household_rate" in keys(paths["区六合、沿江分局"], "填报")
    assert "tech_household_rate" not in keys(paths["区综治办"], "填报")
    for path in paths.values():  # identity and attributes on every cover, with the body
        cover = keys(path, "封面")
        assert {"code", "unit_type", "titles", "scored_by"} <= cover
        ws = openpyxl.load_workbook(path)["封面"]
        row = next(r for r in range(1, 60) if ws.cell(r, 1).value == "scored_by")
        assert ws.cell(row, 5).value == path.stem


def _set_cell(path: Path, sheet: str, key: str, header: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    hr = next(r for r in range(1, 40) if ws.cell(r, 1).value == "编号")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(hr, c).value == header)
    row = next(r for r in range(hr + 1, ws.max_row + 1) if str(ws.cell(r, 1).value) == key)
    ws.cell(row, col, value)
    wb.save(path)


def test_a_value_answered_differently_in_two_body_forms_is_an_error_naming_both(tmp_path: Path) -> None:
    compiled = compiled_for("liuhe-pingan")
    sample = next(p for r, p in BODY_SAMPLES if p.name.startswith("01-") and r.startswith("liuhe"))
    raw = raw_village(sample)
    forms = {p.stem: p for p in _body_forms(compiled, tmp_path / "forms", raw)}
    _set_cell(forms["区六合、沿江分局"], "封面", "unit_type", "村(社区)自评填写", "行政村")  # 区综治办 says 城市社区
    _set_cell(forms["基本信息"], "封面", "name", "村(社区)自评填写", raw["village"]["name"])  # the same value twice: fine
    result = runner.invoke(app, ["score", "--rubric", "liuhe-pingan", str(tmp_path / "forms")])
    assert result.exit_code == 2, result.output
    text = result.stderr
    assert "错误[D130]：“村(社区)类型” 在两份评分部门表中填写不一致" in text
    assert "区六合、沿江分局.xlsx" in text and "区综治办.xlsx" in text
    # Read in file order, 区六合、沿江分局 comes first: the two forms that differ from it are each named with it.
    assert text.count("错误[D130]") == 2 and text.count("区六合、沿江分局.xlsx 填 “行政村”") == 2, text
    assert "基本信息.xlsx 填 “城市社区”" in text and "区综治办.xlsx 填 “城市社区”" in text
    assert "工作表 “封面”，第 " in text and "列 “E（村(社区)类型）”" in text
    assert text.count("错误[") == 2, text  # the same name twice is no problem


def test_body_forms_one_missing_the_same_body_twice_and_an_unknown_body(tmp_path: Path) -> None:
    compiled = compiled_for("liuhe-pingan")
    sample = next(p for r, p in BODY_SAMPLES if p.name.startswith("01-") and r.startswith("liuhe"))
    raw = raw_village(sample)
    forms = {p.stem: p for p in _body_forms(compiled, tmp_path / "forms", raw)}
    # A body's form missing: its items are unanswered, the village is still one village.
    forms["区综治办"].unlink()
    (loaded,) = list(read_villages(compiled, [tmp_path / "forms"]))
    assert isinstance(loaded, LoadedVillage)
    assert loaded.source.parts == tuple(str(forms[b]) for b in ("区六合、沿江分局", "基本信息"))
    result = api.score_paths(compiled, [tmp_path / "forms"])
    (scored,) = list(result)
    items = {it.id: it for it in scored.result.items}  # type: ignore[union-attr]
    assert items["1"].missing and items["2"].score == 20
    # The same body twice, and a body the rubric does not name.
    shutil.copy(forms["区六合、沿江分局"], tmp_path / "forms" / "副本.xlsx")
    _set_cell(forms["基本信息"], "封面", "scored_by", "村(社区)自评填写", "区公安局")
    (failed,) = list(read_villages(compiled, [tmp_path / "forms"]))
    assert isinstance(failed, LoadFailure)
    codes = [d.code for d in failed.error.diagnostics]
    assert "D131" in codes and "D132" in codes
    d131 = next(d for d in failed.error.diagnostics if d.code == "D131")
    assert "区六合、沿江分局" in d131.message and "副本.xlsx" in d131.message
