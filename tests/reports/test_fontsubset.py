"""Font subsetting through uharfbuzz: the same fast route and the same bytes on every machine.

Each test was broken on purpose once (see the report of the change that added it).
"""

from __future__ import annotations

import io
import logging

import pypdf
import pytest
from fontTools.ttLib import TTFont

from sanzhi.reports import fontsubset
from sanzhi.reports.fonts import FONT_FILES, font_dir
from sanzhi.reports.formats.pdf import render_village_pdf
from sanzhi.reports.pdf import get_renderer
from tests.reports.test_html import REPORT_DATE, by_name, jiaxing

HTML = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
        "<p>三治融合 自评 得分 95.5</p><p><b>一票否决：无</b></p></body></html>")


def _fonttools_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "instead of HarfBuzz-Subset" in r.getMessage()]


def test_pdfs_are_identical_with_and_without_libharfbuzz_subset(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    renderer = get_renderer()
    caplog.set_level(logging.WARNING, logger="weasyprint")
    as_found = renderer.render(HTML)
    monkeypatch.setattr("weasyprint.pdf.fonts.harfbuzz_subset", None)
    without = renderer.render(HTML)
    assert as_found == without
    # Without the system library WeasyPrint would say so when it falls back to fontTools.
    assert _fonttools_warnings(caplog) == []


def test_uharfbuzz_does_the_subsetting(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = fontsubset.subset_font

    def spy(data: bytes, index: int, glyph_ids: object, **kw: bool) -> bytes | None:
        out = real(data, index, glyph_ids, **kw)  # type: ignore[arg-type]
        assert out is not None
        calls.append(len(out))
        return out

    monkeypatch.setattr(fontsubset, "subset_font", spy)
    pdf = get_renderer().render(HTML)
    assert len(calls) == 2, "Regular and Bold, each subset by uharfbuzz"
    assert all(n < 1_000_000 for n in calls), calls  # 10 MB faces cut to the glyphs used
    assert len(pdf) < 200_000


def test_subset_keeps_glyph_ids_and_only_the_used_glyphs() -> None:
    path = font_dir() / FONT_FILES[0]
    data = path.read_bytes()
    full = TTFont(io.BytesIO(data), lazy=True)
    cmap = full.getBestCmap()
    wanted = sorted(full.getGlyphID(cmap[ord(c)]) for c in "三治融合")
    out = fontsubset.subset_font(data, 0, wanted, hinting=False, notdef_outline=False)
    assert out is not None
    font = TTFont(io.BytesIO(out))
    # Glyph ids unchanged (the PDF's CIDs are the original glyph ids); the font ends at the
    # last glyph used; every other glyph is empty; layout tables are gone.
    assert font["maxp"].numGlyphs == max(wanted) + 1
    glyf = font["glyf"]
    order = font.getGlyphOrder()
    drawn = {gid for gid in range(len(order)) if glyf[order[gid]].numberOfContours != 0}
    assert set(wanted) <= drawn <= set(wanted) | {0}
    assert "GSUB" not in font and "GPOS" not in font


def test_subset_is_deterministic_and_cache_safe() -> None:
    regular, bold = (font_dir() / name for name in FONT_FILES)
    a, b = regular.read_bytes(), bold.read_bytes()
    gids = [100, 2000, 3000]
    first = fontsubset.subset_font(a, 0, gids, hinting=False, notdef_outline=False)
    other = fontsubset.subset_font(b, 0, gids, hinting=False, notdef_outline=False)
    again = fontsubset.subset_font(bytes(a), 0, gids, hinting=False, notdef_outline=False)
    assert first == again and first != other
    # After a few uses the cached face is pre-processed for speed; the bytes must not change.
    later = [fontsubset.subset_font(a, 0, gids, hinting=False, notdef_outline=False) for _ in range(6)]
    assert set(later) == {first}


def test_village_name_with_a_rare_character_renders_not_as_a_box() -> None:
    # 䶮 (U+4DAE, CJK Extension A) appears in real names; the shipped font is not pre-subset,
    # so it has the glyph. render_village_pdf raises MissingGlyphError for any box.
    v = by_name(jiaxing(), "稻香村")
    name = "䶮山村"
    result = v.result._replace(village_name=name)
    pdf = render_village_pdf(v.info, result, input_sha256=None, report_date=REPORT_DATE)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert name in text.replace("\n", "")


def test_screen_html_embeds_a_font_with_every_character_of_the_page() -> None:
    import base64
    import re

    from sanzhi.reports.html import render_village_html

    v = by_name(jiaxing(), "杏林村")
    view = v.view._replace(village_name="䶮山村")
    html = render_village_html(view, standalone=True)
    assert html == render_village_html(view, standalone=True)  # reproducible
    data = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
    assert data is not None
    woff = base64.b64decode(data.group(1))
    assert len(woff) < 150_000
    embedded = set(TTFont(io.BytesIO(woff)).getBestCmap())
    shipped = set(TTFont(font_dir() / FONT_FILES[0], lazy=True).getBestCmap())
    page = {ord(c) for c in html if not c.isspace()}
    assert page & shipped <= embedded
    assert ord("䶮") in embedded
