"""The Word (DOCX) report: the same words as the PDF, A4 with the bundled font named,
reproducible bytes, escaped data, and `sanzhi score --docx` / `sanzhi batch --docx` end to end."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from typer.testing import CliRunner

from sanzhi.cli import app
from sanzhi.reports.formats import SummaryDoc, VillageDoc, get_format
from sanzhi.reports.formats.pdf import render_summary_pdf, render_village_pdf
from sanzhi.reports.summary import build_summary_report
from tests.reports.test_html import DATA, INJECTED_NAME, REPORT_DATE, Scored, by_name, jiaxing, mini
from tests.reports.test_pdf_reports import flat, pages_text

DOCX = get_format("docx")


def village_docx(v: Scored) -> bytes:
    return DOCX.village(VillageDoc(v.view, v.result, v.input_sha256, REPORT_DATE)).data


def summary_docx(villages: tuple[Scored, ...]) -> bytes:
    pairs = [(v.result, v.input_sha256) for v in villages]
    view = build_summary_report(villages[0].info, pairs, report_date=REPORT_DATE)
    return DOCX.summary(SummaryDoc(view, pairs, REPORT_DATE)).data


def docx_units(blob: bytes) -> list[str]:
    """Every paragraph of the document — body, table cells (one per paragraph), footer — with
    its text; the page-number line (Word fields, no fixed text) is left out."""
    d = docx.Document(io.BytesIO(blob))
    units = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            previous = None
            for cell in row.cells:
                if cell._tc is not previous:  # a merged cell is listed once per grid column it spans
                    units += [p.text for p in cell.paragraphs]
                previous = cell._tc
    units += [p.text for p in d.sections[0].footer.paragraphs if "页 / 共" not in p.text]
    return [u for u in (flat(u) for u in units) if u]


def assert_same_words(docx_blob: bytes, pdf_blob: bytes) -> None:
    """What "same words" means here, whitespace removed on both sides (a PDF line may break
    anywhere): every DOCX paragraph occurs in the PDF's text, and every run of non-space
    characters of the PDF's text occurs in the DOCX's — the page numbers and the PDF's chart
    labels are among those runs, and they occur in the DOCX's tables."""
    pdf_text = "\n".join(pages_text(pdf_blob))
    units = docx_units(docx_blob)
    in_pdf = flat(pdf_text)
    missing_from_pdf = [u for u in units if u not in in_pdf]
    assert not missing_from_pdf, missing_from_pdf
    in_docx = "".join(units)
    pages = {str(n) for n in range(1, 30)} | {"第", "页", "/", "共"}
    missing_from_docx = [t for t in pdf_text.split() if t not in in_docx and t not in pages]
    assert not missing_from_docx, missing_from_docx


@pytest.mark.parametrize("name", ["杏林村", "荷湾村", "青枫社区"])
def test_village_docx_has_the_words_of_the_pdf(name: str) -> None:
    v = by_name(jiaxing(), name)
    pdf = render_village_pdf(v.info, v.result, input_sha256=v.input_sha256, report_date=REPORT_DATE,
                             people=v.view.signatories)
    assert_same_words(village_docx(v), pdf)


def test_village_docx_with_vetoes_and_reviews_has_the_words_of_the_pdf() -> None:
    for v in mini():
        pdf = render_village_pdf(v.info, v.result, input_sha256=v.input_sha256, report_date=REPORT_DATE,
                                 people=v.view.signatories)
        assert_same_words(village_docx(v), pdf)


def test_summary_docx_has_the_words_of_the_pdf() -> None:
    villages = jiaxing()
    pdf = render_summary_pdf(villages[0].info, [(v.result, v.input_sha256) for v in villages], report_date=REPORT_DATE)
    assert_same_words(summary_docx(villages), pdf)


def test_sections_a4_and_the_font_named_in_every_style() -> None:
    blob = village_docx(by_name(jiaxing(), "杏林村"))
    d = docx.Document(io.BytesIO(blob))
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["一、评分概况", "等级分数线与本村位置"]
    assert {"一、评分概况", "二、评分明细", "三、改进建议"} <= set(headings)
    for style in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Table Grid", "List Bullet", "Footer"):
        fonts = d.styles[style].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii")) == "Noto Sans SC", style
        assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None, style
    items = d.tables[3]  # cover facts, signatures, dimensions, tiers, then the item table…
    header = [c.text for c in d.tables[-1].rows[0].cells]
    assert header[0] == "评分项（分值）/ 佐证材料" and header[-1] == "扣分及评分说明" and "县审核（核定）" in header
    assert items is not None
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(pictures) == 1 and pictures[0].endswith(".png")  # the dimension chart


def test_docx_bytes_are_reproducible_and_dated_the_report_date() -> None:
    v = by_name(jiaxing(), "杏林村")
    first, second = village_docx(v), village_docx(v)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 12, 31, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2025-12-31T00:00:00Z" in core and str(date.today().year + 1) not in core


def test_village_data_is_text_in_the_docx() -> None:
    v = next(v for v in mini() if v.result.village_name == INJECTED_NAME)
    blob = village_docx(v)
    d = docx.Document(io.BytesIO(blob))
    assert INJECTED_NAME in [p.text for p in d.paragraphs]
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        body = z.read("word/document.xml").decode()
    assert "&lt;img src=" in body and "<img" not in body and "fldSimple" not in body


def test_cli_score_writes_docx_reports(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [
        "score", "-r", str(DATA / "mini.yaml"), str(DATA / "villages"), "--docx", str(tmp_path / "docx"),
        "-j", "1", "--report-date", "2026-01-05",
    ])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "docx").iterdir())
    assert names == ["330483101201-杏林村.docx", "330483101203-梅泾村.docx",
                     "330483101299-_img src=_file_etc_passwd_村.docx", "summary.docx"]
    d = docx.Document(str(tmp_path / "docx" / "330483101203-梅泾村.docx"))
    assert "梅泾村" in [p.text for p in d.paragraphs]
    assert any(c.text == "2026年1月5日" for c in d.tables[0].columns[1].cells)
    assert "--docx" in CliRunner().invoke(app, ["score", "--help"], env={"COLUMNS": "200"}).output


def test_the_cover_footer_has_only_the_page_number_and_later_footers_the_stamp() -> None:
    v = by_name(jiaxing(), "杏林村")
    d = docx.Document(io.BytesIO(village_docx(v)))
    section = d.sections[0]
    assert section.different_first_page_header_footer
    stamp_a = f"评分标准 {v.view.rubric_ref} · 标准内容哈希 {v.view.rubric_hash}"
    stamp_b = f"输入数据哈希 {v.view.input_hash} · 评分引擎 sanzhi {v.view.engine_version}"

    def fields(paragraphs: list) -> list[str]:
        return [f.get(qn("w:instr")) for p in paragraphs for f in p._p.iter(qn("w:fldSimple"))]

    cover = section.first_page_footer.paragraphs
    assert [p.text for p in cover] == ["第  页 / 共  页"] and fields(cover) == ["PAGE", "NUMPAGES"]
    later = section.footer.paragraphs
    assert [p.text for p in later] == [stamp_a, stamp_b, "第  页 / 共  页"]
    assert fields(later) == ["PAGE", "NUMPAGES"]
    # and the cover prints the stamp in its text, once
    body = "\n".join(p.text for p in d.paragraphs)
    assert body.count(stamp_a) == 1 and body.count(stamp_b) == 1
