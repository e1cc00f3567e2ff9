"""The exported documents themselves: what a standards body prints and edits.

Checked by reading them back (openpyxl, python-docx, pypdf): A4 landscape, the header row on
every page, merged category cells, 小计 and 合计, the rules in words, rating rules below;
the same bytes for the same rubric; no text ever a formula. And what happens when the
exported workbook comes back edited or damaged.
"""

import functools
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pypdf
import pytest
from typer.testing import CliRunner

from sanzhi.app import api
from sanzhi.app.rubric_tables import import_table
from sanzhi.cli import app
from sanzhi.reports.rubric_export import WRITERS
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.models import RankLimit, RedBlack
from sanzhi.standard.tables.layout import table_layout

runner = CliRunner()


@functools.cache
def jiaxing() -> CompiledRubric:
    return api.load_compiled_rubric("jiaxing-sanzhi@2018")[0]


@functools.cache
def exported(suffix: str, ref: str = "jiaxing-sanzhi@2018") -> bytes:
    compiled = api.load_compiled_rubric(ref)[0]
    return WRITERS[suffix](compiled.rubric, table_layout(compiled.rubric))


@pytest.mark.parametrize("suffix", [".xlsx", ".docx", ".pdf"])
def test_same_rubric_same_bytes(suffix: str) -> None:
    compiled = jiaxing()
    layout = table_layout(compiled.rubric)
    assert WRITERS[suffix](compiled.rubric, layout) == WRITERS[suffix](compiled.rubric, layout)


def test_cli_export_writes_each_format_and_refuses_others(tmp_path: Path) -> None:
    for suffix in (".xlsx", ".docx", ".pdf"):
        out = tmp_path / f"评分标准{suffix}"
        result = runner.invoke(app, ["rubric", "export", "zhejiang-shanzhi", "-o", str(out)])
        assert result.exit_code == 0, result.stderr
        assert out.read_bytes()[:4] in (b"PK\x03\x04", b"%PDF")
    result = runner.invoke(app, ["rubric", "export", "zhejiang-shanzhi", "-o", str(tmp_path / "x.odt")])
    assert result.exit_code == 2 and "输出文件须以 .xlsx、.docx、.pdf 之一结尾" in result.stderr
    result = runner.invoke(app, ["rubric", "export", "no-such-rubric", "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "找不到内置评分标准" in result.stderr and "Traceback" not in result.stderr


# ---- XLSX ---------------------------------------------------------------------------------


def test_workbook_is_a_printable_table() -> None:
    wb = openpyxl.load_workbook(io.BytesIO(exported(".xlsx")))
    assert wb.sheetnames == ["评分标准", "机读数据"]
    ws = wb["评分标准"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    assert ws.print_title_rows == "$4:$4"  # the header row on every printed page
    assert [c.value for c in ws[4]] == ["项目", "指标", "序号", "评分项", "评定标准", "分值", "评分细则", "考核方法"]
    assert ws["A1"].value.startswith("自治法治德治") and "发布单位" in ws["A2"].value and "说明" in ws["A3"].value
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A5:A12" in merged and "B5:B8" in merged  # 1、党建引领 over its 8 items; 1.1 over its 4
    rows = {r[2].value: r for r in ws.iter_rows(min_row=5) if r[2].value}
    assert rows["2.1.1"][6].value == "未履职或未经审核纳入的事项，每发现1项扣0.5分，扣完为止。"
    assert rows["1.1.4"][6].value == "未制定计划扣1分；未落实专人负责扣2分；本项扣完为止。"
    assert rows["1.1.1"][5].value == 4 and rows["2.1.3"][5].value == 1.5
    firsts = [r[0].value for r in ws.iter_rows(min_row=5)]
    assert firsts.count("小计") == 6 and firsts.count("合计") == 1
    rules = [r[0].value for r in ws.iter_rows(min_row=5) if r[0].value and r[0].value.startswith(("等级评定", "申报条件", "一票否决", "加分项："))]
    assert len(rules) == 4 and "近两年内（24个月）" in rules[2]
    assert wb["机读数据"].protection.sheet


def test_texts_never_become_formulas(tmp_path: Path) -> None:
    rubric = jiaxing().rubric
    item = rubric.dimensions[0].indicators[0].items[0]
    hostile = item.model_copy(update={"name": "=HYPERLINK(\"http://x\",\"点击\")", "criterion": "+1+2", "clause": "@SUM(A1)"})
    ind = rubric.dimensions[0].indicators[0].model_copy(update={"items": (hostile, *rubric.dimensions[0].indicators[0].items[1:])})
    dim = rubric.dimensions[0].model_copy(update={"indicators": (ind, *rubric.dimensions[0].indicators[1:])})
    changed = rubric.model_copy(update={"dimensions": (dim, *rubric.dimensions[1:])})
    blob = WRITERS[".xlsx"](changed, table_layout(changed))
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s for s in sheets)
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    row = next(r for r in wb["评分标准"].iter_rows(min_row=5) if r[2].value == "1.1.1")
    assert row[3].data_type == "s" and row[3].value.startswith("=HYPERLINK")


# ---- DOCX ---------------------------------------------------------------------------------


def test_word_document_is_the_same_table() -> None:
    document = docx.Document(io.BytesIO(exported(".docx")))
    section = document.sections[0]
    assert section.page_width > section.page_height  # landscape
    assert round(section.page_width.mm) == 297 and round(section.page_height.mm) == 210
    table = document.tables[0]
    header = table.rows[0]
    assert header._tr.trPr is not None and header._tr.trPr.xpath("./w:tblHeader")  # repeated on every page
    assert [c.text for c in header.cells] == ["项目", "指标", "序号", "评分项", "评定标准", "分值", "评分细则", "考核方法"]
    first = [table.rows[r].cells[0]._tc for r in range(1, 9)]
    assert all(tc is first[0] for tc in first)  # 1、党建引领 merged over its 8 items
    texts = [p.text for p in document.paragraphs]
    assert texts[0].startswith("自治法治德治") and any(t.startswith("一票否决：") for t in texts)
    props = document.core_properties
    assert props.created.year == 2000 and props.author == "sanzhi"


# ---- PDF ----------------------------------------------------------------------------------


def test_pdf_repeats_the_header_on_every_page() -> None:
    reader = pypdf.PdfReader(io.BytesIO(exported(".pdf")))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        box = page.mediabox
        assert round(float(box.width)) == 842 and round(float(box.height)) == 595  # A4 landscape
        text = page.extract_text()
        assert "评分细则" in text and "考核方法" in text
    whole = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    for phrase in ("小计", "合计", "每发现1项扣0.5分，扣完为止", "一票否决", "近两年内（24个月）", "加分项合计最高加3分"):
        assert phrase in whole


# ---- the exported workbook back, edited or damaged ------------------------------------------


def _edit(blob: bytes, path: Path, edits: dict[tuple[str, int], str]) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    ws = wb["评分标准"]
    for row in ws.iter_rows(min_row=5):
        for (ident, col), value in edits.items():
            if row[2].value == ident:
                row[col].value = value
    wb.save(path)


def test_an_edited_row_is_read_again_and_the_rest_comes_back_exactly(tmp_path: Path) -> None:
    table = tmp_path / "修订.xlsx"
    _edit(exported(".xlsx"), table, {("1.1.4", 6): "未制定计划扣1分；未落实专人负责扣1分。"})
    report = import_table(table, tmp_path / "draft.yaml")
    assert report.check_error is None and report.compiled is not None
    assert report.imported.draft.reread == ["1.1.4"]
    codes = [(w.code, w.location.row if w.location else None) for w in report.warnings]
    assert ("T215", 8) in codes
    back = {ci.item.id: ci.item for ci in report.compiled.items}
    before = {ci.item.id: ci.item for ci in jiaxing().items}
    assert [(r.kind, r.points) for r in back["1.1.4"].rules] == [("deduct", Decimal(1)), ("deduct", Decimal(1))]
    assert back["1.1.4"].clause == "未制定计划扣1分；未落实专人负责扣1分。" and back["1.1.4"].provenance == "quoted"
    assert all(back[i] == before[i] for i in before if i != "1.1.4")
    assert report.compiled.rubric.status == "draft"
    assert {"plan_made", "staff_assigned"}.isdisjoint(f.id for f in report.compiled.rubric.fields)


def test_a_damaged_machine_sheet_falls_back_to_reading_the_table(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(exported(".xlsx")))
    cell = wb["机读数据"]["C5"]  # the first dimension's JSON: its points changed by hand
    assert '"20"' in cell.value
    cell.value = cell.value.replace('"20"', '"21"', 1)
    table = tmp_path / "damaged.xlsx"
    wb.save(table)
    report = import_table(table, tmp_path / "draft.yaml")
    assert not report.imported.machine
    assert report.warnings[0].code == "T220" and "内容校验值不符" in report.warnings[0].message
    data = report.imported.draft.data
    assert sum(len(ind["items"]) for d in data["dimensions"] for ind in d["indicators"]) == 45  # every row read again
    assert report.output.exists()


def test_issue_17_shapes_are_said_in_the_table() -> None:
    """A veto of some tiers, 免检, cumulative rank tiers with their cohort and gate, a shortfall
    with its unit, bodies inherited from the indicator and the 红黑榜 rule are printed in words."""
    qinglian = api.load_compiled_rubric("qinglian-cunju@2026")[0].rubric
    layout = table_layout(qinglian)
    lines = {r.heading: r.text for r in layout.rules}
    assert "县定负面情形" not in lines["一票否决"]  # it bars one tier only, not every rating
    assert lines["否决项"].startswith("有下列情形之一的，不能评为“引领型”（可评其余等级）：①近两年内（24个月）存在县定负面情形")
    assert lines["排名"].startswith("在县（市、区）内按总分排名，前25%的为“引领型”，前70%的为“规范型”，前85%的为“提升型”（名额累计")
    assert "评为“引领型”的总分还须达到90分" in lines["排名"] and "提升型”的总分" not in lines["排名"]
    assert "红黑榜" not in lines  # not set in the rubric: the default is not printed as the rubric's
    cells = {it.id: it for d in layout.dimensions for it in d.items}
    assert cells["3.2"].rules.startswith("低于100%的，每降低1个百分点扣0.2分，低于90%的，每降低1个百分点扣0.5分")
    assert cells["1.4"].rules.startswith("少于4次的，每少1次扣1分")
    liuhe = api.load_compiled_rubric("liuhe-pingan@2026")[0].rubric
    layout = table_layout(liuhe)
    lines = {r.heading: r.text for r in layout.rules}
    assert "第2项（有科技防范设施）免检，按满分计" in lines["免检"]
    cells = {it.id: it for d in layout.dimensions for it in d.items}
    assert "评分单位" in layout.columns and cells["1"].scored_by == "区综治办" and cells["2"].scored_by == "区六合、沿江分局"
    rated = liuhe.model_copy(update={"rating": liuhe.rating.model_copy(update={"red_black": RedBlack(within="county", red=RankLimit(top=3))})})
    lines = {r.heading: r.text for r in table_layout(rated).rules}
    assert lines["红黑榜"] == "在县（市、区）内按总分排名，前3名的列入红榜，后10%的和被一票否决的列入黑榜。"
