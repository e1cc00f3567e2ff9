"""Village and summary PDFs: smoke tests on the real output (text, pages, fonts, attachment).

PDFs are byte-compared only for reproducibility (same input, same bytes); otherwise the
HTML they are made from is golden-tested in test_html.py. Here pypdf reads back what a
person would see, and the glyph gate (render_checked) proves no character fell back to a box.
"""

import gc
import io
import json
import re
import socket
from datetime import date
from pathlib import Path

import pypdf
import pytest
from typer.testing import CliRunner

from sanzhi.app import api
from sanzhi.cli import app
from sanzhi.reports import pdf as pdf_mod
from sanzhi.reports.formats.pdf import render_summary_pdf, render_village_pdf
from sanzhi.reports.html import print_stylesheets, render_village_html
from sanzhi.reports.json_output import dumps_results, result_data
from sanzhi.reports.pdf import get_renderer
from sanzhi.reports.pool import SummaryJob, VillageJob, report_filename, write_reports_parallel
from sanzhi.reports.village import rubric_info
from sanzhi.standard.bundled import bundled_rubrics, sample_files
from tests.reports.test_html import DATA, INJECTED_NAME, REPORT_DATE, Scored, by_name, jiaxing, mini

SUBSET = re.compile(r"^/[A-Z]{6}\+")


def village_pdf(v: Scored) -> bytes:
    return render_village_pdf(v.info, v.result, input_sha256=v.input_sha256, report_date=REPORT_DATE,
                              people=v.view.signatories)


def pages_text(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Extracted text without line breaks: a table cell may wrap anywhere."""
    return re.sub(r"\s+", "", text)


def font_names(pdf: bytes) -> dict[str, bool]:
    """BaseFont → embedded as a TrueType program, over pages and the XObjects they draw."""
    found: dict[str, bool] = {}
    seen: set[int] = set()

    def walk(resources: object) -> None:
        if resources is None or id(resources) in seen:
            return
        seen.add(id(resources))
        res = resources.get_object()  # type: ignore[attr-defined]
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                found[str(font["/BaseFont"])] = descriptor is not None and "/FontFile2" in descriptor.get_object()
        for xobject in (res.get("/XObject") or {}).values():
            walk(xobject.get_object().get("/Resources"))

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        walk(page.get("/Resources"))
    return found


@pytest.fixture(scope="module")
def sample() -> tuple[Scored, bytes]:
    """稻香村: rated 达标, with plain deductions and a table over several pages."""
    v = by_name(jiaxing(), "稻香村")
    return v, village_pdf(v)


@pytest.fixture
def fetch_log(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every URL WeasyPrint asks the report renderer for, with 'served' or the refusal."""
    calls: list[tuple[str, str]] = []
    real = pdf_mod.fetch_url

    def spy(url: str) -> pdf_mod.FetchedResource:
        try:
            resource = real(url)
        except Exception as exc:
            calls.append((url, type(exc).__name__))
            raise
        calls.append((url, "served"))
        return resource

    monkeypatch.setattr(pdf_mod, "fetch_url", spy)
    return calls


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def blocked(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "getaddrinfo", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket.socket, "connect", blocked)
    return attempts


# --------------------------------------------------------------------------- village PDF


def test_village_pdf_text_shows_name_total_rating_and_reasons(sample: tuple[Scored, bytes]) -> None:
    v, pdf = sample
    assert pdf.startswith(b"%PDF-")
    pages = pages_text(pdf)
    assert 4 <= len(pages) <= 12, len(pages)
    text = flat("".join(pages))
    assert "稻香村" in pages[0] and "崇福镇" in pages[0] and "桐乡市" in pages[0]
    assert f"核定总分{v.view.total}分" in text and v.view.total == "81.9"
    assert flat(v.result.rating.name) in flat(pages[0]) and "三治融合达标村(社区)" in flat(pages[0])
    deduction = next(f.text for it in v.result.items for f in it.operative.findings if f.amount < 0)
    assert flat(deduction) in text
    for section in ("一、评分概况", "主要失分项", "二、评分明细", "三、改进建议", "评估人（签字）"):
        assert section in text


def test_every_page_has_page_numbers_and_the_reproducibility_stamp(sample: tuple[Scored, bytes]) -> None:
    v, pdf = sample
    pages = pages_text(pdf)
    for n, page in enumerate(pages, 1):
        body = flat(page)
        assert f"第{n}页/共{len(pages)}页" in body, (n, page[-200:])
        # Once on every page: the cover prints it in its text and its footer leaves it out
        # (issue 14.13: it was printed twice there).
        assert body.count(flat(f"评分标准 jiaxing-sanzhi@2018 · 标准内容哈希 {v.result.rubric_hash}")) == 1, n
        assert body.count(flat(f"输入数据哈希 {v.input_sha256} · 评分引擎 sanzhi {v.result.engine_version}")) == 1, n


def test_item_table_repeats_its_header_on_every_page(sample: tuple[Scored, bytes]) -> None:
    v, pdf = sample
    header = f"评分项（分值）/佐证材料{''.join(v.view.level_headers)}扣分及评分说明"
    pages = [flat(p) for p in pages_text(pdf)]
    start = next(i for i, p in enumerate(pages) if "二、评分明细" in p)
    end = next(i for i, p in enumerate(pages) if "三、改进建议" in p)
    assert end - start >= 2, "the item table should run over several pages"
    for p in pages[start:end]:
        assert header in p


def test_embedded_fonts_are_noto_sans_sc_subsets(sample: tuple[Scored, bytes]) -> None:
    _, pdf = sample
    found = font_names(pdf)
    assert {SUBSET.sub("", name) for name in found} == {"Noto-Sans-SC", "Noto-Sans-SC-Bold"}, found
    assert all(SUBSET.match(name) for name in found), found
    assert all(found.values()), found


def test_result_json_is_attached(sample: tuple[Scored, bytes]) -> None:
    v, pdf = sample
    attachments = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    assert list(attachments) == ["330483102204-result.json"]
    (blob,) = attachments["330483102204-result.json"]
    assert json.loads(blob) == result_data(v.result, v.input_sha256)


def test_every_sample_village_renders_without_missing_glyphs() -> None:
    # render_checked (inside render_*_pdf) raises MissingGlyphError on any tofu: every bundled
    # rubric's sample villages, their summary, and the test villages.
    rendered: dict[str, int] = {}
    for bundled in bundled_rubrics():
        compiled, _ = api.load_compiled_rubric(bundled.ref)
        info = rubric_info(compiled)
        outcomes = [o for o in api.score_paths(compiled, sample_files(bundled.id)) if isinstance(o, api.ScoredSource)]
        for o in outcomes:
            pdf = render_village_pdf(info, o.result, input_sha256=o.input_sha256, report_date=REPORT_DATE)
            pages = pages_text(pdf)
            assert flat(o.result.village_name) in flat(pages[0])
            # The cover is one page holding the hash block once, whole (a seal box is tall:
            # the longest bundled cover must still end on its page).
            assert flat(pages[0]).count(flat(f"输入数据哈希 {o.input_sha256}")) == 1, o.source
            assert flat(pages[1]).startswith("一、评分概况"), (o.source, pages[1][:80])
        if outcomes:
            render_summary_pdf(info, [(o.result, o.input_sha256) for o in outcomes], report_date=REPORT_DATE)
        rendered[bundled.ref] = len(outcomes)
    assert rendered.get("jiaxing-sanzhi@2018", 0) >= 10, rendered
    assert sum(rendered.values()) >= 40, rendered
    for v in mini():
        village_pdf(v)


def test_summary_pdf(tmp_path: Path) -> None:
    villages = jiaxing()
    pairs = [(v.result, v.input_sha256) for v in villages]
    pdf = render_summary_pdf(villages[0].info, pairs, report_date=REPORT_DATE)
    pages = pages_text(pdf)
    assert 2 <= len(pages) <= 6
    text = flat("".join(pages))
    for part in ("评定汇总报告", "核定总分分布", "等级分布", "各维度平均得分", "排名", "一票否决的村（社区）",
                 "泉溪村", "桑园村", "2025年12月31日"):
        assert flat(part) in text, part
    for n, page in enumerate(pages, 1):
        assert f"第{n}页/共{len(pages)}页" in flat(page)
        assert flat(page).count("结果数据哈希") == 1, n  # once a page: the head, then the footer
    # 三、一票否决与不予评定 lists villages here, so it starts a page, with both lists on it
    # (issue 14.13: the last page held a single row of the list before it).
    (third,) = [p for p in pages if "三、一票否决与不予评定" in flat(p)]
    assert flat(third).startswith("三、一票否决与不予评定")
    assert "一票否决的村（社区）" in flat(third) and "未达申报门槛的村（社区）" in flat(third)
    (blob,) = pypdf.PdfReader(io.BytesIO(pdf)).attachments["results.json"]
    assert blob == dumps_results(pairs)
    assert {SUBSET.sub("", n) for n in font_names(pdf)} <= {"Noto-Sans-SC", "Noto-Sans-SC-Bold"}


# --------------------------------------------------------------------------- safety


def test_injected_village_name_prints_as_text_and_fetches_nothing(
    fetch_log: list[tuple[str, str]], no_network: list[object]
) -> None:
    v = by_name(mini(), INJECTED_NAME)
    pdf = village_pdf(v)
    text = flat("".join(pages_text(pdf)))
    assert flat(INJECTED_NAME) in text
    assert "<script>alert(1)</script>" in text
    assert flat('<link rel="stylesheet" href="http://example.com/x.css">') in text
    assert "root:" not in text
    assert fetch_log == [] and no_network == []


def test_report_renderer_refuses_urls_outside_the_assets(
    fetch_log: list[tuple[str, str]], no_network: list[object]
) -> None:
    # Simulate a template bug that lets markup through: the fetcher is the second wall.
    v = by_name(mini(), "杏林村")
    html = render_village_html(v.view).replace(
        "<body>",
        '<body><img src="file:///etc/passwd"><link rel="stylesheet" href="https://example.com/x.css">'
        '<style>@import url("file:///etc/hostname"); p { background: url(http://example.com/a.png) }</style>'
        '<img src="sanzhi-asset:../pdf.py">',
    )
    pdf = get_renderer(print_stylesheets()).render_checked(html)
    outcome = dict(fetch_log)
    for url in ("file:///etc/passwd", "https://example.com/x.css", "file:///etc/hostname",
                "http://example.com/a.png", "sanzhi-asset:../pdf.py"):
        assert outcome.get(url) == "RefusedURLError", (url, fetch_log)
    assert "served" not in outcome.values()
    assert no_network == []
    text = flat("".join(pages_text(pdf)))
    assert "杏林村" in text and "root:" not in text


def test_report_file_names_are_safe() -> None:
    v = by_name(mini(), INJECTED_NAME)
    name = report_filename(v.result, ".pdf")
    assert name == "330483101299-_img src=_file_etc_passwd_村.pdf"
    assert "/" not in name and "<" not in name


# --------------------------------------------------------------------------- files, pool, CLI


def _written_texts(folder: Path) -> dict[str, list[str]]:
    return {p.name: pages_text(p.read_bytes()) for p in sorted(folder.glob("*.pdf"))}


def test_parallel_and_serial_runs_write_the_same_reports(tmp_path: Path) -> None:
    villages = mini()
    info = villages[0].info

    def jobs(folder: Path) -> list[VillageJob | SummaryJob]:
        folder.mkdir()
        out: list[VillageJob | SummaryJob] = [
            SummaryJob(tuple((v.result, v.input_sha256) for v in villages), (),
                       {"pdf": folder / "summary.pdf", "html": folder / "summary.html"})]
        out += [VillageJob(v.result, v.input_sha256, v.view.signatories,
                           {"pdf": folder / report_filename(v.result, ".pdf"),
                            "html": folder / report_filename(v.result, ".html")}) for v in villages]
        return out

    serial = list(write_reports_parallel(info, jobs(tmp_path / "serial"), report_date=REPORT_DATE, workers=1))
    parallel = list(write_reports_parallel(info, jobs(tmp_path / "parallel"), report_date=REPORT_DATE, workers=2))
    assert sorted(w.key for w in serial) == sorted(w.key for w in parallel) == sorted(
        ["summary", *(v.result.village_code for v in villages)])
    assert all(w.missing_glyphs == () for w in serial + parallel)
    assert _written_texts(tmp_path / "serial") == _written_texts(tmp_path / "parallel")
    for html in (tmp_path / "serial").glob("*.html"):
        assert html.read_bytes() == (tmp_path / "parallel" / html.name).read_bytes()
    assert not list(tmp_path.rglob(".*.tmp"))


def test_recycled_workers_write_reports_too(tmp_path: Path) -> None:
    villages = mini()
    jobs = [VillageJob(v.result, v.input_sha256, None, {"pdf": tmp_path / report_filename(v.result, ".pdf")})
            for v in villages]
    done = list(write_reports_parallel(villages[0].info, jobs, report_date=REPORT_DATE, workers=2,
                                       max_tasks_per_child=1))
    assert len(done) == len(villages)
    assert len(list(tmp_path.glob("*.pdf"))) == len(villages)


def test_missing_glyph_is_reported_and_the_pdf_still_written(tmp_path: Path) -> None:
    v = by_name(mini(), "杏林村")
    odd = v.result._replace(village_name="𪚥村")
    job = VillageJob(odd, v.input_sha256, None, {"pdf": tmp_path / "odd.pdf"})
    before = gc.get_threshold()
    (written,) = write_reports_parallel(v.info, [job], report_date=REPORT_DATE, workers=1)
    assert written.missing_glyphs == ("\U0002a6a5",)
    assert (tmp_path / "odd.pdf").read_bytes().startswith(b"%PDF-")
    assert gc.get_threshold() == before  # in-process runs leave the caller's GC settings alone


def test_write_reports_use_case(tmp_path: Path) -> None:
    compiled, _ = api.load_compiled_rubric(str(DATA / "mini.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("village: {code: '1', name: 坏村}\n", encoding="utf-8")
    outcomes = list(api.score_paths(compiled, [DATA / "villages", bad]))
    files = api.write_reports(compiled, outcomes, dirs={"pdf": tmp_path / "pdf", "html": tmp_path / "html"},
                              jobs=1, report_date=date(2026, 3, 1))
    assert [w.key for w in files.written] == ["330483101201", "330483101203", "330483101299", "summary"]
    assert files.missing_glyphs == ()
    assert {p.name for p in (tmp_path / "pdf").iterdir()} == {
        "330483101201-杏林村.pdf", "330483101203-梅泾村.pdf", "330483101299-_img src=_file_etc_passwd_村.pdf",
        "summary.pdf"}
    assert len(list((tmp_path / "html").iterdir())) == 4
    summary = flat("".join(pages_text((tmp_path / "pdf" / "summary.pdf").read_bytes())))
    assert "数据有误、未评分的村（社区）" in summary and "bad.yaml" in summary and "2026年3月1日" in summary


def test_cli_score_writes_pdf_and_html_reports(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [
        "score", "-r", str(DATA / "mini.yaml"), str(DATA / "villages" / "v3-meijing.yaml"),
        "--pdf", str(tmp_path / "pdf"), "--html", str(tmp_path / "html"), "-j", "1", "--report-date", "2026-01-05",
    ])
    assert result.exit_code == 0, result.output
    assert "已生成1个村的评定报告和1份汇总报告" in flat(result.output)
    pdf = (tmp_path / "pdf" / "330483101203-梅泾村.pdf").read_bytes()
    assert "2026年1月5日" in flat(pages_text(pdf)[0])
    assert (tmp_path / "pdf" / "summary.pdf").exists() and (tmp_path / "html" / "summary.html").exists()
    assert (tmp_path / "html" / "330483101203-梅泾村.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_attachment_dates_are_the_report_date_not_the_clock(sample: tuple[Scored, bytes]) -> None:
    # WeasyPrint stamps embedded files with the current time unless told otherwise; then the
    # same report made twice differs, and a resumed batch would not match an uninterrupted one.
    _, pdf = sample
    stamps = re.findall(rb"/(CreationDate|ModDate) \(D:(\d{14})Z\)", pdf)
    assert {kind for kind, _ in stamps} == {b"CreationDate", b"ModDate"}
    assert {when for _, when in stamps} == {b"20251231000000"}
    attached = pypdf.PdfReader(io.BytesIO(pdf)).attachments
    data = json.loads(next(iter(attached.values()))[0])
    assert data["village_name"] == "稻香村"


def test_font_subsets_do_not_carry_the_clock_without_harfbuzz(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without uharfbuzz (a broken install) and libharfbuzz-subset, WeasyPrint subsets with
    # fontTools, which stamps each subset font with the current time; the renderer pins it, so
    # PDFs stay reproducible on that fallback route too.
    import types

    import fontTools.misc.timeTools as time_tools
    from weasyprint.pdf.fonts import Font

    get_renderer()  # installs sanzhi's subsetter; take it out again for this test
    monkeypatch.setattr(Font, "subset", Font.subset.__wrapped__)
    monkeypatch.setattr("weasyprint.pdf.fonts.harfbuzz_subset", None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html = "<html><body><p>三治融合 自评 得分 95.5</p></body></html>"
    made = []
    for now in (1_700_000_000.0, 1_800_000_000.0):
        monkeypatch.setattr(time_tools, "time", types.SimpleNamespace(time=lambda now=now: now))
        made.append(get_renderer().render(html))
    assert made[0] == made[1]
    assert "SOURCE_DATE_EPOCH" not in __import__("os").environ
