"""Form generation: the per-village workbook, the many-villages sheet and its CSV template.

Why: the form is what a clerk sees first. It must carry the rubric's every field and item,
under the right dimension and indicator, with the dropdowns and ranges the parser accepts,
the rubric id@version in a locked cell, frozen headers and an A4 landscape print setup; and
a form nobody has filled in must read back as “required values missing”, nothing else.
"""

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sanzhi.app.api import load_compiled_rubric
from sanzhi.cli import app
from sanzhi.inputs.files import read_village_file
from sanzhi.inputs.forms import build_many_form, build_village_form, many_template_csv, write_form
from sanzhi.inputs.loaded import LoadFailure
from sanzhi.standard.compile import CompiledRubric

HERE = Path(__file__).resolve().parent / "workbooks"
FULL = HERE / "full.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def full() -> CompiledRubric:
    return load_compiled_rubric(str(FULL))[0]


@pytest.fixture(scope="module")
def jiaxing() -> CompiledRubric:
    return load_compiled_rubric("jiaxing-sanzhi")[0]


def rows_by_id(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "编号")
    return {str(ws.cell(r, 1).value): r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value}


def header_columns(ws) -> dict[str, int]:  # type: ignore[no-untyped-def]
    header = next(r for r in range(1, 40) if ws.cell(r, 1).value == "编号")
    return {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value}


def validation_at(ws, coordinate: str):  # type: ignore[no-untyped-def]
    found = [dv for dv in ws.data_validations.dataValidation if coordinate in dv.sqref]
    assert len(found) == 1, f"{ws.title}!{coordinate}: {len(found)} validations"
    return found[0]


def test_village_form_sheets_print_setup_and_protection(full: CompiledRubric, tmp_path: Path) -> None:
    path = write_form(full, tmp_path / "自评表.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["封面", "选项", "填报", "评分项", "核定"]
    assert wb["选项"].sheet_state == "hidden"  # a choice list too long (or with a comma) for an inline dropdown
    for title, freeze in (("封面", "C5"), ("填报", "C4"), ("评分项", "C4"), ("核定", "D4")):
        ws = wb[title]
        assert ws.freeze_panes == freeze
        assert ws.protection.sheet and not ws.protection.formatColumns
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows
        widths = [ws.column_dimensions[c].width for c in "ABCDE"]
        assert all(w and w >= 6 for w in widths)


def test_cover_holds_the_rubric_in_a_locked_cell_and_unlocked_entries(full: CompiledRubric) -> None:
    ws = build_village_form(full)["封面"]
    rows, cols = rows_by_id(ws), header_columns(ws)
    value = cols["自评填写"]
    ref = ws.cell(rows["rubric"], value)
    assert ref.value == "workbook-full@2" and ref.protection.locked
    for key in ("code", "name", "township", "county", "year", "assessed_on", "assessor",
                "village_type", "region", "titles", "households", "reviewer:township", "date:county"):
        assert not ws.cell(rows[key], value).protection.locked, key
    # attributes can be corrected by reviewers; the village's identity cannot
    assert not ws.cell(rows["titles"], cols["乡镇评分·更正值"]).protection.locked
    assert ws.cell(rows["code"], cols["乡镇评分·更正值"]).protection.locked
    assert validation_at(ws, ws.cell(rows["code"], value).coordinate).type == "textLength"
    region = validation_at(ws, ws.cell(rows["region"], value).coordinate)
    assert region.type == "list" and region.formula1.startswith("'选项'!$")
    assert ws.cell(rows["assessed_on"], value).number_format == "yyyy-mm-dd"
    assert ws.cell(rows["code"], value).number_format == "@"  # 12 digits stay text, not 3.30483E+11


def test_fields_sheet_groups_every_field_with_label_unit_rule_and_help(full: CompiledRubric) -> None:
    ws = build_village_form(full)["填报"]
    rows, cols = rows_by_id(ws), header_columns(ws)
    assert list(cols) == ["编号", "填报项目", "单位", "填写要求", "自评填写", "乡镇评分·更正值", "乡镇评分·更正理由",
                          "县审核·更正值", "县审核·更正理由", "填写说明", "相关评分项"]
    assert set(rows) == {f.id for f in full.rubric.fields}
    titles = [ws.cell(r, 2).value for r in range(4, ws.max_row + 1) if ws.cell(r, 1).value is None]
    assert titles == ["1 自治（12 分）", "1.1 组织（7 分）", "1.2 成效（5 分）", "2 德治（8 分）", "2.1 德治氛围（8 分）", "一票否决及其他"]
    # a field sits under the indicator of the first item that reads it
    assert rows["plan_made"] < rows["findings"] < rows["council_set"] < rows["income"] < rows["hall_level"] < rows["incident"]
    findings = rows["findings"]
    assert [ws.cell(findings, cols[h]).value for h in ("填报项目", "单位", "填写要求", "相关评分项")] == \
        ["未履职事项数", "项", "0 到 50 之间的整数（单位：项）", "1.1.2"]
    assert ws.cell(rows["incident"], cols["填报项目"]).value == "发生重大事故（必填）"
    assert ws.cell(rows["plan_made"], cols["填写说明"]).value == "年度计划经两委会议通过。"
    value = cols["自评填写"]
    dv = validation_at(ws, ws.cell(findings, value).coordinate)
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "0", "50")
    assert dv.showErrorMessage and dv.error == "期望：0 到 50 之间的整数（单位：项）"
    assert validation_at(ws, ws.cell(rows["plan_made"], value).coordinate).formula1 == '"是,否"'
    assert validation_at(ws, ws.cell(rows["hall_level"], value).coordinate).formula1 == '"一星,二星,三星"'
    assert validation_at(ws, ws.cell(rows["satisfaction"], value).coordinate).type == "decimal"
    date_dv = validation_at(ws, ws.cell(rows["incident_date"], value).coordinate)
    assert (date_dv.type, date_dv.formula1) == ("date", "DATE(2000,1,1)")
    # a reviewer may strike an answer out: （删除） is in the correction dropdown
    fix = validation_at(ws, ws.cell(rows["plan_made"], cols["乡镇评分·更正值"]).coordinate)
    assert fix.formula1 == '"是,否,（删除）"'


def test_items_sheet_has_evidence_and_judgment_cells_only_for_judgment_items(full: CompiledRubric) -> None:
    ws = build_village_form(full)["评分项"]
    rows, cols = rows_by_id(ws), header_columns(ws)
    assert set(rows) == {ci.item.id for ci in full.items}
    assert ws.cell(rows["1.1.1"], cols["佐证材料要求"]).value == "审核材料：年度计划；会议记录"
    assert not ws.cell(rows["1.1.1"], cols["佐证材料（村填写）"]).protection.locked
    assert "【酌情评分 0–3 分】氛围浓厚3分" in ws.cell(rows["2.1.3"], cols["评定标准与评分方法"]).value
    for header in ("自评·酌情评分", "自评·评分理由", "乡镇评分·酌情评分", "县审核·评分理由"):
        assert not ws.cell(rows["2.1.3"], cols[header]).protection.locked
        assert ws.cell(rows["1.1.1"], cols[header]).protection.locked  # computed by rule: nothing to judge
    dv = validation_at(ws, ws.cell(rows["B.1"], cols["自评·酌情评分"]).coordinate)
    assert (dv.type, dv.formula1, dv.formula2) == ("decimal", "0", "2")


def test_overrides_sheet_ranges_each_item_to_its_points(full: CompiledRubric) -> None:
    ws = build_village_form(full)["核定"]
    rows, cols = rows_by_id(ws), header_columns(ws)
    assert list(cols) == ["编号", "评分项", "分值", "乡镇评分·核定分", "乡镇评分·核定理由", "县审核·核定分", "县审核·核定理由"]
    dv = validation_at(ws, ws.cell(rows["1.1.2"], cols["县审核·核定分"]).coordinate)
    assert (dv.formula1, dv.formula2) == ("0", "3")


def test_jiaxing_form_lists_every_field_and_item_once(jiaxing: CompiledRubric) -> None:
    wb = build_village_form(jiaxing)
    assert set(rows_by_id(wb["填报"])) == {f.id for f in jiaxing.rubric.fields}
    assert set(rows_by_id(wb["评分项"])) == {ci.item.id for ci in jiaxing.items}
    cover = rows_by_id(wb["封面"])
    assert {a.id for a in jiaxing.rubric.attributes} <= set(cover)


def test_blank_form_reads_back_as_required_values_missing(full: CompiledRubric, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_form(full, Path("blank.xlsx"))
    [loaded] = read_village_file(full, Path("blank.xlsx"))
    assert isinstance(loaded, LoadFailure)
    assert [d.one_line() for d in loaded.error.diagnostics] == [
        "blank.xlsx，工作表 “封面”，第 6 行，列 “E（统计用区划代码）”: D111 缺少统计用区划代码 code（村基本信息）",
        "blank.xlsx，工作表 “封面”，第 7 行，列 “E（村名）”: D111 缺少村名 name（村基本信息）",
        "blank.xlsx，工作表 “封面”，第 8 行，列 “E（乡镇（街道））”: D111 缺少乡镇（街道） township（村基本信息）",
        "blank.xlsx，工作表 “封面”，第 9 行，列 “E（县（市、区））”: D111 缺少县（市、区） county（村基本信息）",
        "blank.xlsx，工作表 “封面”，第 10 行，列 “E（评定年度）”: D111 缺少评定年度 year（村基本信息）",
        "blank.xlsx，工作表 “封面”，第 13 行，列 “E（村(社区)类型）”: D111 缺少必填的村属性 “村(社区)类型”（village_type）（村基本信息）",
        "blank.xlsx，工作表 “封面”，第 14 行，列 “E（所在片区）”: D111 缺少必填的村属性 “所在片区”（region）（村基本信息）",
        "blank.xlsx，工作表 “封面”，第 15 行，列 “E（已获称号）”: D111 缺少必填的村属性 “已获称号”（titles）（村基本信息）",
        "blank.xlsx，工作表 “封面”，第 16 行，列 “E（常住户数）”: D111 缺少必填的村属性 “常住户数”（households）（村基本信息）",
        "blank.xlsx，工作表 “填报”，第 18 行，列 “E（发生重大事故）”: D111 缺少必填项 “发生重大事故”（incident）（填报答案）",
    ]


def test_many_form_one_column_per_field_with_validation_and_frozen_keys(full: CompiledRubric) -> None:
    ws = build_many_form(full)["村汇总"]
    assert (ws["A1"].value, ws["B1"].value) == ("评分标准", "workbook-full@2")
    headers = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
    assert headers[:7] == ["统计用区划代码（code）", "村名（name）", "乡镇（街道）（township）", "县（市、区）（county）",
                           "评定年度（year）", "评定日期（assessed_on）", "自评填报人（assessor）"]
    assert "未履职事项数（findings）" in headers and "发生重大事故（incident）" in headers
    # judgment items: score and reason; evidence: the items whose rubric lists evidence
    assert headers[-6:] == ["2.1.3 德治氛围·自评酌情评分（score:2.1.3）", "2.1.3 德治氛围·自评评分理由（reason:2.1.3）",
                            "B.1 创新推广·自评酌情评分（score:B.1）", "B.1 创新推广·自评评分理由（reason:B.1）",
                            "1.1.1 计划·佐证材料（evidence:1.1.1）", "2.1.3 德治氛围·佐证材料（evidence:2.1.3）"]
    assert ws.freeze_panes == "C3"
    findings = headers.index("未履职事项数（findings）")
    letter = openpyxl.utils.get_column_letter(findings + 1)
    dv = validation_at(ws, f"{letter}3")
    assert str(dv.sqref) == f"{letter}3:{letter}10002" and (dv.formula1, dv.formula2) == ("0", "50")
    for header, formula in (("发生重大事故（incident）", '"是,否"'), ("文化礼堂等级（hall_level）", '"一星,二星,三星"')):
        column = openpyxl.utils.get_column_letter(headers.index(header) + 1)
        assert validation_at(ws, f"{column}3").formula1 == formula
    region = openpyxl.utils.get_column_letter(headers.index("所在片区（region）") + 1)
    assert validation_at(ws, f"{region}3").formula1 == "'选项'!$A$1:$A$14"
    assert ws.cell(2, headers.index("发生重大事故（incident）") + 1).font.color.rgb.endswith("C00000")  # required: red


def test_csv_template_is_utf8_with_bom_and_the_same_headers(full: CompiledRubric) -> None:
    blob = many_template_csv(full)
    assert blob.startswith(b"\xef\xbb\xbf") and b"\r\n" in blob
    rows = list(csv.reader(io.StringIO(blob.decode("utf-8-sig"))))
    xlsx = build_many_form(full)["村汇总"]
    assert rows[0][:2] == ["评分标准", "workbook-full@2"]
    assert rows[1] == [xlsx.cell(2, c).value for c in range(1, xlsx.max_column + 1)]
    assert len(rows) == 2


def test_cli_form_writes_each_layout_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "自评表.xlsx"
    result = runner.invoke(app, ["form", "--rubric", str(FULL), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "已生成" in result.output and openpyxl.load_workbook(out).sheetnames[0] == "封面"
    again = runner.invoke(app, ["form", "--rubric", str(FULL), "-o", str(out)])
    assert again.exit_code == 2 and "文件已存在" in again.output
    assert runner.invoke(app, ["form", "--rubric", str(FULL), "-o", str(out), "--layout", "many", "--force"]).exit_code == 0
    assert openpyxl.load_workbook(out).sheetnames == ["村汇总", "选项"]
    csv_out = tmp_path / "汇总.csv"
    assert runner.invoke(app, ["form", "--rubric", str(FULL), "-o", str(csv_out), "--csv"]).exit_code == 0
    assert csv_out.read_bytes().startswith("\ufeff评分标准,workbook-full@2".encode())


def test_cli_form_unknown_rubric_is_a_user_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["form", "--rubric", "no-such-rubric", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "找不到内置评分标准" in result.output
    assert not (tmp_path / "x.xlsx").exists()


def test_cli_form_cannot_write_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "不是文件夹"
    blocker.write_text("x")
    result = runner.invoke(app, ["form", "--rubric", str(FULL), "-o", str(blocker / "自评表.xlsx")])
    assert result.exit_code == 2
    assert "错误[O150]：无法写入自评表" in result.output and "内部错误" not in result.output


def test_csv_template_headers_never_start_a_formula_and_still_read_back(tmp_path: Path) -> None:
    # Rubric text reaches the CSV template; a label like "=已获称号" must not run in Excel, and
    # the column is still found by the key in its brackets.
    rubric = tmp_path / "full.yaml"
    rubric.write_text(FULL.read_text(encoding="utf-8").replace("label: 已获称号", "label: =已获称号"), encoding="utf-8")
    compiled = load_compiled_rubric(str(rubric))[0]
    rows = list(csv.reader(io.StringIO(many_template_csv(compiled).decode("utf-8-sig"))))
    assert "'=已获称号（titles）" in rows[1]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    from sanzhi.inputs.table import _columns

    columns, problems = _columns(compiled, list(rows[1]), "t.csv", None)
    assert not problems and len(columns) == len(rows[1])
