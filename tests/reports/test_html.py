"""Report HTML: golden files, escaping, self-contained screen output, view-model arithmetic.

The PDF is rendered from exactly this HTML, so the golden files pin the report's content;
tests/reports/test_pdf_reports.py checks what WeasyPrint makes of it.
Regenerate goldens with `pytest tests/reports --update-golden` and review the diff.
"""

import functools
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pytest
from jinja2 import StrictUndefined, UndefinedError

from sanzhi.app import api
from sanzhi.common.numbers import fmt
from sanzhi.reports import charts
from sanzhi.reports.html import environment, render_summary_html, render_village_html
from sanzhi.reports.summary import build_summary_report, mean, median, rank_competition, score_bins
from sanzhi.reports.village import (
    RubricInfo,
    VillageReport,
    build_village_report,
    percent,
    rubric_info,
    signatories,
)
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import RUBRIC_DIR, sample_files
from sanzhi.standard.compile import CompiledRubric
from tests.golden import compare_golden

HERE = Path(__file__).parent
DATA = HERE / "data"
GOLDEN = HERE / "golden"
REPORT_DATE = date(2025, 12, 31)
INJECTED_NAME = '<img src="file:///etc/passwd">村'
JIAXING = RUBRIC_DIR / "jiaxing-sanzhi-2018.yaml"


class Scored(NamedTuple):
    """Everything a report needs for one village, scored once per test session."""

    info: RubricInfo
    result: VillageResult
    input_sha256: str
    view: VillageReport


@functools.cache
def scored_villages(rubric: str, data: str) -> tuple[CompiledRubric, tuple[Scored, ...]]:
    """Score every village of `data` (a folder) against `rubric` (a path); cached per session."""
    compiled, _ = api.load_compiled_rubric(rubric)
    info = rubric_info(compiled)
    out = []
    for o in api.score_paths(compiled, [Path(data)]):
        assert isinstance(o, api.ScoredSource), o
        view = build_village_report(info, o.result, input_sha256=o.input_sha256, report_date=REPORT_DATE,
                                    people=signatories(info, o.assessment))
        out.append(Scored(info, o.result, o.input_sha256, view))
    return compiled, tuple(sorted(out, key=lambda s: s.result.village_code))


def mini() -> tuple[Scored, ...]:
    return scored_villages(str(DATA / "mini.yaml"), str(DATA / "villages"))[1]


def jiaxing() -> tuple[Scored, ...]:
    folder = sample_files("jiaxing-sanzhi")
    assert folder, "bundled jiaxing-sanzhi samples are missing"
    return scored_villages(str(JIAXING), str(folder[0].parent))[1]


def by_name(villages: tuple[Scored, ...], name: str) -> Scored:
    return next(v for v in villages if v.result.village_name == name)


def summary_html(villages: tuple[Scored, ...], **kw: object) -> str:
    report = build_summary_report(villages[0].info, [(v.result, v.input_sha256) for v in villages],
                                  report_date=REPORT_DATE, **kw)  # type: ignore[arg-type]
    return render_summary_html(report)


class _Text(HTMLParser):
    """Collects text nodes (with the tag they sit in) and every attribute value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

        self._raw = 0  # inside <style>: CSS, not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)
        self._raw += tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._raw -= tag == "style"

    def handle_data(self, data: str) -> None:
        if not self._raw:
            self.texts.append(data)


def parse(html: str) -> _Text:
    p = _Text()
    p.feed(html)
    return p


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def newline_in_chinese_text(html: str) -> list[str]:
    """Text nodes that hold a newline *and* Chinese text: WeasyPrint prints that newline as a
    space inside the sentence (tech notes §1.6). Whitespace-only nodes between tags are fine."""
    return [t for t in parse(html).texts if "\n" in t and CJK.search(t)]


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("name", ["杏林村", "梅泾村"])
def test_village_html_matches_golden_mini(name: str, request: pytest.FixtureRequest) -> None:
    v = by_name(mini(), name)
    compare_golden(GOLDEN / f"village-mini-{v.result.village_code}.html", render_village_html(v.view), request)


def test_village_html_matches_golden_bundled_sample(request: pytest.FixtureRequest) -> None:
    v = by_name(jiaxing(), "杏林村")
    compare_golden(GOLDEN / "village-jiaxing-330483101201.html", render_village_html(v.view), request)


def test_summary_html_matches_golden(request: pytest.FixtureRequest) -> None:
    compare_golden(GOLDEN / "summary-jiaxing.html", summary_html(jiaxing()), request)
    compare_golden(GOLDEN / "summary-mini.html",
                   summary_html(mini(), skipped=[("bad.yaml", "bad.yaml:3:1: D112 “年份”取值无效")]), request)


# --------------------------------------------------------------------------- content


def test_village_report_has_every_required_part() -> None:
    v = by_name(jiaxing(), "泉溪村")  # vetoed twice, reviewed at three levels
    html = render_village_html(v.view)
    text = "".join(parse(html).texts)
    assert '<html lang="zh-CN">' in html
    for part in ("三治融合村（社区）评定报告", "泉溪村", "崇福镇", "桐乡市", "2025年", v.view.rubric_title,
                 "jiaxing-sanzhi@2018", "不予评定", "一票否决：申报材料弄虚作假", "评估人（签字）",
                 "村（社区）盖章", "2025年12月31日", "一、评分概况", "主要失分项", "二、评分明细",
                 "三、改进建议", "自评", "乡镇评分", "县审核", "核定"):
        assert part in text, part
    # Reproducibility stamp: full hashes and the engine version.
    assert v.result.rubric_hash in text and v.input_sha256 in text
    assert f"评分引擎 sanzhi {v.result.engine_version}" in text
    # The radar chart is inline SVG that names its font (SVG text does not inherit it).
    assert html.count('<svg width="') == 2 and 'font-family="Noto Sans SC"' in html
    # Every dimension with its score and maximum.
    for d in v.result.dimensions:
        assert d.name in text


def test_item_table_shows_levels_reasons_and_evidence() -> None:
    v = by_name(jiaxing(), "杏林村")
    rows = {row.id: row for g in v.view.groups for row in g.rows}
    assert len(rows) == len(v.result.items) + len(v.result.bonus_items)
    assert v.view.level_names == ("自评", "乡镇评分", "县审核")
    for item in (*v.result.items, *v.result.bonus_items):
        row = rows[item.id]
        assert len(row.level_scores) == 3
        for ls in item.levels:
            cell = row.level_scores[v.result.levels.index(ls.level)]
            assert cell == "不适用" if not ls.applicable else ls.score == Decimal(cell)
        for f in item.operative.findings:
            assert f.text in [r.text for r in row.reasons]
        assert row.evidence_required  # every item of the bundled rubric names its evidence
    html = render_village_html(v.view)
    assert ("<thead><tr><th>评分项（分值）/ 佐证材料</th><th>自评</th><th>乡镇评分</th><th>县审核（核定）</th>"
            "<th>扣分及评分说明</th></tr></thead>") in html
    for item in (*v.result.items, *v.result.bonus_items):
        row = rows[item.id]
        assert row.earlier_scores == row.level_scores[:-1]
        assert row.score == (row.level_scores[-1] if item.applicable else "不适用")


def test_columns_have_explicit_widths_that_fill_the_table() -> None:
    for v in (by_name(mini(), "杏林村"), by_name(jiaxing(), "杏林村")):
        assert sum(Decimal(w) for w in v.view.item_columns) == 100
        html = render_village_html(v.view)
        cols = re.findall(r'<col style="width: ([\d.]+)%">', html)
        assert len(cols) >= len(v.view.item_columns)


def test_suggestions_come_from_the_largest_losses_with_item_advice() -> None:
    v = by_name(jiaxing(), "稻香村")
    advice = {ci.item.id: ci.item.advice for ci in api.load_compiled_rubric(str(JIAXING))[0].items}
    losses = sorted((it for it in v.result.items if it.lost > 0), key=lambda it: -it.lost)
    assert [s.id for s in v.view.suggestions] == [it.id for it in losses][: len(v.view.suggestions)]
    assert v.view.suggestions, "稻香村 loses points, so it gets suggestions"
    for s in v.view.suggestions:
        assert s.advice == (advice[s.id] or s.advice)
    # Bonus points not earned are not a shortcoming.
    assert not {s.id for s in v.view.suggestions} & {it.id for it in v.result.bonus_items}
    assert not {x.id for x in v.view.losses} & {it.id for it in v.result.bonus_items}


def test_not_rated_reports_say_why() -> None:
    gated = by_name(mini(), "杏林村").view
    assert (gated.rating, gated.rated) == ("不予评定", False)
    assert gated.rating_notes == ("自评分 4 分，未达到申报门槛 6 分",)
    assert gated.tier_notes == ()
    vetoed = by_name(mini(), INJECTED_NAME).view
    assert vetoed.vetoes == ("一票否决：发生重大安全事故（2025-03-01 发生，在近 24 个月内）",)
    assert vetoed.standing == "因一票否决，不予评定等级。"
    rated = by_name(mini(), "梅泾村").view
    assert (rated.rating, rated.rated, rated.standing) == ("示范", True, "已是最高等级。")
    assert [t.status for t in rated.tiers] == ["本村等级", "已超过"]


def test_report_date_is_a_parameter_not_the_clock() -> None:
    v = by_name(mini(), "杏林村")
    other = build_village_report(v.info, v.result, input_sha256=v.input_sha256, report_date=date(2030, 1, 2))
    assert "2030年1月2日" in render_village_html(other)
    assert "2030年1月2日" not in render_village_html(v.view)


def test_no_newline_inside_chinese_text() -> None:
    htmls = [render_village_html(v.view) for v in (*mini(), *jiaxing())]
    htmls += [summary_html(jiaxing()), summary_html(mini())]
    htmls += [render_village_html(mini()[0].view, standalone=True)]
    for html in htmls:
        assert newline_in_chinese_text(html) == []


def test_newline_check_catches_a_template_newline() -> None:
    # The check above is only worth something if it fires on the mistake it guards against.
    assert newline_in_chinese_text("<p>扣分\n原因</p>") == ["扣分\n原因"]
    assert newline_in_chinese_text("<tr>\n<td>扣分</td>\n</tr>") == []


# --------------------------------------------------------------------------- safety


def test_village_name_and_free_text_print_as_text() -> None:
    v = by_name(mini(), INJECTED_NAME)
    for html in (render_village_html(v.view), render_village_html(v.view, standalone=True),
                 summary_html(mini())):
        p = parse(html)
        assert not {"img", "script", "link"} & set(p.tags)
        text = "".join(p.texts)
        assert INJECTED_NAME in text
        assert "<b>梧桐</b>街道" in text
        assert not [v for _, v in p.attrs if v and ("file:" in v or "example.com" in v)]
    html = render_village_html(v.view)
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;村" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the assessor line on the cover
    assert '&lt;link rel=&#34;stylesheet&#34; href=&#34;http://example.com/x.css&#34;&gt;' in html


def test_chart_labels_are_escaped() -> None:
    svg = charts.radar_chart([("<i>甲", Decimal(1), Decimal(2)), ("乙&", Decimal(2), Decimal(2)),
                              ('"丙"', Decimal(0), Decimal(2))])
    assert "<i>" not in svg and "&lt;i&gt;甲" in svg and "乙&amp;" in svg and "&#34;丙&#34;" in svg
    assert svg.startswith('<svg width=') and 'font-family="Noto Sans SC"' in svg
    assert "\n" not in svg


def test_long_radar_labels_wrap_into_separate_text_lines() -> None:
    svg = charts.radar_chart([("组织保障坚强有力", Decimal(1), Decimal(2)), ("法治", Decimal(2), Decimal(2)),
                              ("社区规模与群众参与", Decimal(0), Decimal(2))])
    texts = re.findall(r">([^<>]+)</text>", svg)
    assert texts == ["组织保障", "坚强有力", "法治", "社区规模与", "群众参与"]


def test_environment_is_autoescaping_strict_and_packaged() -> None:
    env = environment()
    assert env.autoescape is True
    assert env.undefined is StrictUndefined
    assert type(env.loader).__name__ == "PackageLoader"
    # A view model missing a field fails loudly instead of printing an empty cell.
    v = by_name(mini(), "杏林村").view
    partial = NamedTuple("Partial", [("village_name", str)])("杏林村")
    with pytest.raises(UndefinedError):
        env.get_template("village_report.html.j2").render(r=partial, standalone=False, css="")
    assert render_village_html(v)  # the real one renders


def test_screen_html_is_one_self_contained_file() -> None:
    for html in (render_village_html(by_name(jiaxing(), "杏林村").view, standalone=True),
                 render_summary_html(build_summary_report(jiaxing()[0].info,
                                                          [(v.result, v.input_sha256) for v in jiaxing()],
                                                          report_date=REPORT_DATE), standalone=True)):
        assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
        assert "<style>" in html and "table-layout: fixed" in html and "@page" in html
        p = parse(html)
        assert not {"link", "script", "img", "iframe", "object"} & set(p.tags)
        assert not [name for name, _ in p.attrs if name in ("src", "href")]
        # The one url() is the embedded font, a data: URL inside the file itself.
        assert re.findall(r"url\(([a-z]+:[a-z/0-9]+;base64),", html) == ["data:font/woff;base64"]
        assert html.count("url(") == 1 and "@import" not in html
        assert not re.search(r"(?i)\b(?:https?|file|ftp):", html)


# --------------------------------------------------------------------------- summary arithmetic


def test_summary_statistics_use_exact_decimals() -> None:
    assert mean([Decimal("90.1"), Decimal("80.2"), Decimal(70)]) == Decimal("80.10")
    assert mean([Decimal(1), Decimal(2), Decimal(2)]) == Decimal("1.67")
    assert mean([Decimal("0.1"), Decimal("0.15")]) == Decimal("0.13")  # 0.125: half-up, not half-even
    assert mean([]) == 0
    assert median([Decimal(3), Decimal(1), Decimal(2)]) == Decimal("2.00")
    assert median([Decimal(1), Decimal(2)]) == Decimal("1.50")
    assert rank_competition([Decimal(95), Decimal(90), Decimal(90), Decimal(80)]) == [1, 2, 2, 4]
    assert score_bins([Decimal("59.9"), Decimal(60), Decimal("89.9"), Decimal(90), Decimal(101)],
                      Decimal(100)) == [("<60", 1), ("60–70", 1), ("70–80", 0), ("80–90", 1), ("≥90", 2)]
    assert percent(Decimal("21.6"), Decimal(22)) == Decimal("98.2")


def test_summary_report_of_the_samples() -> None:
    villages = jiaxing()
    s = build_summary_report(villages[0].info, [(v.result, v.input_sha256) for v in villages],
                             report_date=REPORT_DATE)
    assert s.villages == len(villages)
    totals = sorted((v.result.total for v in villages), reverse=True)
    assert [r.total for r in s.ranking] == [fmt(t) for t in totals]
    assert s.ranking[0].rank == 1
    # Dimension averages: the exact mean of the villages' dimension scores, rounded to 0.01.
    for i, avg in enumerate(s.dim_averages):
        exact = sum((v.result.dimensions[i].score for v in villages), Decimal(0)) / len(villages)
        assert Decimal(avg.average) == exact.quantize(Decimal("0.01"))
    assert sum(c.villages for c in s.rating_counts) == len(villages)
    assert sum(c.villages for c in s.score_counts) == len(villages)
    vetoed = {v.result.village_name for v in villages if v.result.rating.blocked_by_veto}
    assert vetoed and {row.name for row in s.vetoed} == vetoed
    html = render_summary_html(s)
    for name in vetoed:
        assert name in html


def test_summary_refuses_mixed_rubrics() -> None:
    a = mini()[0]
    b = jiaxing()[0]
    with pytest.raises(ValueError, match="one rubric"):
        build_summary_report(a.info, [(a.result, None), (b.result, None)], report_date=REPORT_DATE)


def test_not_applicable_item_shows_the_same_state_at_every_level() -> None:
    # Issue 14.6: 杏林村 is a village, so 2.2.4 (仅社区) does not apply at any level. It showed
    # 0 / 0 under 自评 and 乡镇评分 and 不适用 under 县审核; every level now says 不适用.
    v = by_name(jiaxing(), "杏林村")
    row = next(r for g in v.view.groups for r in g.rows if r.id == "2.2.4")
    assert row.level_scores == ("不适用", "不适用", "不适用") and row.score == "不适用"
    html = render_village_html(v.view)
    cells = html[html.index("2.2.4 小区协商议事"):].split("</tr>")[0]
    assert cells.count(">不适用<") == 3 and ">0<" not in cells


def test_a_correction_that_makes_an_item_apply_is_shown_with_its_reason(tmp_path: Path) -> None:
    # Main's corrections beside the item they reach, and this branch's per-level state, together:
    # 乡镇评分 corrects 杏林村 to a 社区, so 2.2.4 (仅社区) is 不适用 in 自评 and scored from 乡镇评分
    # on; its reasons say what was corrected, why, and that the item now applies.
    xinglin = next(p for p in sample_files("jiaxing-sanzhi") if "xinglin" in p.name)
    text = xinglin.read_text(encoding="utf-8").replace(
        "    corrections:\n      app_household_coverage:",
        "    corrections:\n      village_type: {value: 社区, reason: 经核实为城市社区}\n      app_household_coverage:", 1)
    assert "经核实为城市社区" in text
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / xinglin.name).write_text(text, encoding="utf-8")
    (v,) = scored_villages(str(JIAXING), str(tmp_path / "in"))[1]
    row = next(r for g in v.view.groups for r in g.rows if r.id == "2.2.4")
    assert row.level_scores[0] == "不适用" and "不适用" not in row.level_scores[1:] and row.score != "不适用"
    reasons = [r.text for r in row.reasons]
    assert any("经核实为城市社区" in t for t in reasons), reasons
    assert any(t.startswith("乡镇评分：更正后本项适用，得 ") for t in reasons), reasons
