"""The direct renderer's PDF writer: what pypdf and poppler read back from its files.

The content streams here are built by hand from the bundled Regular face (HarfBuzz's nominal
glyphs, no shaping), so these tests check the writer alone. Each test was broken on purpose
once (see the report of the change that added it).
"""

from __future__ import annotations

import datetime
import functools
import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont

from sanzhi.reports import fontsubset
from sanzhi.reports.direct import pdfwrite
from sanzhi.reports.direct.pdfwrite import FontFace, FontUse, Page, write_pdf
from sanzhi.reports.fonts import FONT_FILES, font_dir

DAY = datetime.date(2026, 5, 1)
TEXT = "三治融合 自评 得分 95.5"
# Beyond the BMP, so a surrogate pair in the ToUnicode CMap: U+20087 (𠂇). 𠮷 (U+20BB7) would
# be the classic example, but the bundled faces have no glyph for it.
RARE = "\U00020087"


@functools.cache
def _face(index: int = 0) -> tuple[FontFace, hb.Font]:
    """A FontFace of a bundled font file, filled the way the layout engine fills it."""
    path = font_dir() / FONT_FILES[index]
    data = path.read_bytes()
    tables = TTFont(str(path), lazy=True)
    head, hhea, os2 = tables["head"], tables["hhea"], tables["OS/2"]
    bold = index == 1
    face = FontFace(
        resource=f"F{index + 1}",
        base_name="Noto-Sans-SC-Bold" if bold else "Noto-Sans-SC",
        data=data,
        units_per_em=hb.Face(data).upem,
        ascent=hhea.ascent,
        descent=hhea.descent,
        cap_height=os2.sCapHeight,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        bold=bold,
    )
    return face, hb.Font(hb.Face(data))


def _use(text: str, index: int = 0) -> tuple[FontUse, bytes]:
    """The FontUse for `text` and the hex string operand (<...>) that draws it."""
    face, font = _face(index)
    glyphs: dict[int, str] = {}
    advances: dict[int, int] = {}
    codes = []
    for char in text:
        gid = font.get_nominal_glyph(ord(char)) or 0
        glyphs[gid] = char
        advances[gid] = font.get_glyph_h_advance(gid)
        codes.append(f"{gid:04X}")
    return FontUse(face, glyphs, advances), ("<" + "".join(codes) + ">").encode("ascii")


def _draw(operand: bytes, x: float, y: float, *, font: str = "F1", size: float = 24) -> bytes:
    return b"BT /%s %g Tf %g %g Td %s Tj ET\n" % (font.encode(), size, x, y, operand)


def _pdf(**kwargs: object) -> bytes:
    """A two-page document: TEXT and 𠮷 in Regular on page 1, bold TEXT on page 2 (A5)."""
    regular, operand = _use(TEXT + RARE)
    bold, bold_operand = _use(TEXT, 1)
    pages = [
        Page(_draw(operand, 72, 700)),
        Page(b"/GA0.5 gs 0 0 1 rg " + _draw(bold_operand, 40, 500, font="F2"), 419.53, 595.28),
    ]
    options: dict[str, object] = {
        "alphas": {"GA0.5": 0.5},
        "title": "嘉兴市 村级自评报告",
        "attachments": [("评分.json", b'{"total": "95.5"}', "评分结果")],
        "attached_on": DAY,
    }
    options.update(kwargs)
    return write_pdf(pages, [regular, bold], **options)  # type: ignore[arg-type]


@functools.cache
def _sample() -> bytes:
    return _pdf()


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data), strict=True)


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [_poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True, check=True,
    )
    assert done.stderr == b""
    return done.stdout.decode("utf-8")


# --- what pypdf reads ------------------------------------------------------------------------


def test_pages_sizes_and_shared_resources() -> None:
    reader = _reader(_sample())
    assert len(reader.pages) == 2
    assert [list(map(float, p.mediabox)) for p in reader.pages] == [
        [0, 0, 595.28, 841.89], [0, 0, 419.53, 595.28],
    ]
    first, second = (p["/Resources"] for p in reader.pages)
    assert first.indirect_reference == second.indirect_reference  # one dict for all pages
    gstate = first["/ExtGState"]["/GA0.5"]
    assert (gstate["/ca"], gstate["/CA"]) == (0.5, 0.5)


def test_fonts_are_type0_identity_h_with_descriptor() -> None:
    fonts = _reader(_sample()).pages[0]["/Resources"]["/Font"]
    assert sorted(fonts) == ["/F1", "/F2"]
    for resource, name, stem in (("/F1", "Noto-Sans-SC", 80), ("/F2", "Noto-Sans-SC-Bold", 120)):
        font = fonts[resource]
        assert font["/Subtype"] == "/Type0"
        assert font["/Encoding"] == "/Identity-H"
        assert re.fullmatch(rf"/[A-Z]{{6}}\+{name}", font["/BaseFont"])
        (cid,) = font["/DescendantFonts"]
        cid = cid.get_object()
        assert cid["/Subtype"] == "/CIDFontType2"
        assert len(cid["/CIDToGIDMap"].get_object().get_data()) % 2 == 0  # a stream, two bytes a CID
        assert dict(cid["/CIDSystemInfo"]) == {
            "/Registry": "Adobe", "/Ordering": "Identity", "/Supplement": 0,
        }
        assert cid["/DW"] == 1000
        descriptor = cid["/FontDescriptor"]
        assert descriptor["/FontName"] == font["/BaseFont"] == cid["/BaseFont"]
        assert descriptor["/Flags"] == 4 and descriptor["/StemV"] == stem
        face, _ = _face(0 if stem == 80 else 1)
        assert list(descriptor["/FontBBox"]) == list(face.bbox)  # upem 1000: font units as they are
        assert (descriptor["/Ascent"], descriptor["/Descent"]) == (face.ascent, face.descent)


def test_widths_come_from_the_advances() -> None:
    use, _ = _use(TEXT)
    cid = _reader(_sample()).pages[0]["/Resources"]["/Font"]["/F1"]["/DescendantFonts"][0]
    array = list(cid.get_object()["/W"])
    widths: dict[int, float] = {}
    for start, run in zip(array[::2], array[1::2]):
        widths.update({start + i: w for i, w in enumerate(run)})
    for gid, advance in use.advances.items():
        assert widths.get(gid, 1000) == advance  # left out: /DW 1000
    assert any(w != 1000 for w in widths.values())  # the digits and the space are narrower


def test_widths_scale_to_a_thousandth_of_an_em() -> None:
    # A 2048-unit em (most Latin TrueType fonts): one decimal at most, runs of consecutive ids,
    # and a glyph exactly 1 em wide left to /DW.
    widths = pdfwrite._widths({3: 1229, 4: 2048, 5: 1024, 9: 100}, 1000 / 2048)
    assert widths == "3 [600.1] 5 [500] 9 [48.8]"
    assert pdfwrite._widths({1: 500, 2: 600, 3: 700}, 1.0) == "1 [500 600 700]"


def test_title_producer_and_language() -> None:
    reader = _reader(_pdf(producer="sanzhi 0.1.0", lang="zh-CN"))
    assert reader.metadata is not None
    assert reader.metadata.title == "嘉兴市 村级自评报告"
    assert reader.metadata.producer == "sanzhi 0.1.0"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    ascii_title = _reader(_pdf(title=r"a (b) \c"))
    assert ascii_title.metadata is not None and ascii_title.metadata.title == r"a (b) \c"
    assert b"/Title (a \\(b\\) \\\\c)" in _pdf(title=r"a (b) \c")


def test_attachments_read_back_by_name() -> None:
    files = [("评分.json", b'{"a": 1}', "评分结果"), ("b.csv", b"x,y\n", "表"), ("a.zz9", b"\0", "")]
    reader = _reader(_pdf(attachments=files))
    assert dict(reader.attachments) == {
        "评分.json": [b'{"a": 1}'], "b.csv": [b"x,y\n"], "a.zz9": [b"\0"],
    }
    tree = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    assert tree[::2] == ["a.zz9", "b.csv", "评分.json"]  # a name tree is sorted
    spec = tree[5].get_object()
    assert (spec["/F"], spec["/UF"], spec["/Desc"]) == ("评分.json", "评分.json", "评分结果")
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Type"] == "/EmbeddedFile"
    assert stream["/Subtype"] == "/application/json"  # written /application#2Fjson
    assert b"/Subtype /application#2Fjson" in _pdf(attachments=files)
    params = stream["/Params"]
    assert params["/Size"] == 8
    assert params["/CreationDate"] == params["/ModDate"] == "D:20260501000000Z"
    # An unknown extension gets no /Subtype rather than a guess.
    assert "/Subtype" not in tree[1].get_object()["/EF"]["/F"].get_object()


def test_no_date_without_attached_on_and_no_names_without_attachments() -> None:
    undated = _reader(_pdf(attached_on=None)).trailer["/Root"]["/Names"]["/EmbeddedFiles"]
    params = undated["/Names"][1].get_object()["/EF"]["/F"].get_object()["/Params"]
    assert "/CreationDate" not in params and params["/Size"] == 17
    assert "/Names" not in _reader(_pdf(attachments=())).trailer["/Root"]


def test_two_fonts_or_attachments_under_one_name_are_refused() -> None:
    use, _ = _use("三")
    with pytest.raises(ValueError, match="font resource"):
        write_pdf([Page(b"")], [use, use], alphas={}, title="t")
    with pytest.raises(ValueError, match="attachment name"):
        write_pdf([Page(b"")], [], alphas={}, title="t",
                  attachments=[("a.json", b"1", ""), ("a.json", b"2", "")])


# --- bytes -----------------------------------------------------------------------------------


def test_same_input_same_bytes_and_the_id_follows_the_content() -> None:
    first = _pdf()
    assert _pdf() == first
    ids = re.findall(rb"/ID \[<([0-9A-F]{32})> <([0-9A-F]{32})>\]", first)
    assert len(ids) == 1 and ids[0][0] == ids[0][1]
    other = _pdf(title="另一个标题")
    assert re.findall(rb"/ID \[<([0-9A-F]{32})>", other) != [ids[0][0]]


def test_the_id_is_the_md5_of_what_precedes_the_xref() -> None:
    import hashlib

    data = _sample()
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref\n0 ")
    digest = hashlib.md5(data[:start]).hexdigest().upper().encode()
    assert b"/ID [<%s> <%s>]" % (digest, digest) in data
    assert data.startswith(b"%PDF-1.7\n%") and data[10] > 127


def test_subset_tag_is_deterministic_and_depends_on_the_glyphs() -> None:
    tag = pdfwrite.subset_tag("Noto-Sans-SC", [5, 3, 9])
    assert re.fullmatch(r"[A-Z]{6}", tag)
    assert pdfwrite.subset_tag("Noto-Sans-SC", [9, 5, 3]) == tag
    assert pdfwrite.subset_tag("Noto-Sans-SC", [5, 3, 10]) != tag
    assert pdfwrite.subset_tag("Noto-Sans-SC-Bold", [5, 3, 9]) != tag


def test_numbers_in_dictionaries() -> None:
    assert [pdfwrite._num(v) for v in (595.28, 0.25, 1.0, -0.00001, 841.889999)] == [
        "595.28", "0.25", "1", "0", "841.89",
    ]


# --- fonts -----------------------------------------------------------------------------------


def _font_file(data: bytes, resource: str = "/F1") -> tuple[bytes, int]:
    font = _reader(data).pages[0]["/Resources"]["/Font"][resource]
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    stream = descriptor["/FontFile2"].get_object()
    return stream.get_data(), stream["/Length1"]


def _cid_map(data: bytes, resource: str = "/F1") -> dict[int, int]:
    font = _reader(data).pages[0]["/Resources"]["/Font"][resource]
    table = font["/DescendantFonts"][0].get_object()["/CIDToGIDMap"].get_object().get_data()
    return {cid: int.from_bytes(table[2 * cid: 2 * cid + 2], "big") for cid in range(len(table) // 2)}


def test_the_font_is_a_compact_subset_and_every_cid_finds_its_glyph() -> None:
    data = _sample()
    program, length1 = _font_file(data)
    assert len(program) == length1
    # A 10 MB face cut to the dozen glyphs used, renumbered: a few KB.
    assert len(program) < 50_000
    use, _ = _use(TEXT + RARE)
    font = TTFont(io.BytesIO(program))
    order = font.getGlyphOrder()
    assert len(order) <= len(set(use.glyphs) | {0}) + 4  # (composite glyphs bring their parts)
    source = TTFont(fontsubset_source(), lazy=True)
    cid_map = _cid_map(data)
    for cid, char in use.glyphs.items():
        gid = cid_map[cid]
        assert gid < len(order)
        # the glyph the CID points to is the source's glyph for that character
        assert font["hmtx"][order[gid]][0] == source["hmtx"][source.getGlyphOrder()[cid]][0], char
        if char.strip():
            assert font["glyf"][order[gid]].numberOfContours != 0, char
    unused = _face()[1].get_nominal_glyph(ord("国"))
    assert unused is not None and cid_map.get(unused, 0) == 0  # not in the subset


def fontsubset_source() -> str:
    from sanzhi.reports.fonts import FONT_FILES, font_dir

    return str(font_dir() / FONT_FILES[0])


def test_the_fonttools_fallback_when_harfbuzz_cannot_subset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fontsubset, "compact_subset", lambda *a, **k: None)
    regular, operand = _use("三治")
    data = write_pdf([Page(_draw(operand, 72, 700))], [regular], alphas={}, title="t")
    program, length1 = _font_file(data)
    assert len(program) == length1 < 1_000_000
    font = TTFont(io.BytesIO(program))
    gid = _face()[1].get_nominal_glyph(ord("治"))
    assert font["glyf"][font.getGlyphOrder()[gid]].numberOfContours > 0  # glyph ids kept …
    assert _cid_map(data)[gid] == gid  # … and the map is the identity


def test_to_unicode_cmap_uses_surrogate_pairs_beyond_the_bmp() -> None:
    gid = _face()[1].get_nominal_glyph(ord(RARE))
    assert gid
    cmap = pdfwrite._to_unicode({gid: RARE, 3: "A", 4: "", 5: "ﬁ"})
    assert f"<{gid:04X}> <D840DC87>".encode() in cmap
    assert b"<0003> <0041>" in cmap and b"<0004>" not in cmap  # no text, no mapping
    assert b"<0005> <FB01>" in cmap
    many = pdfwrite._to_unicode({g: "x" for g in range(1, 251)})
    assert re.findall(rb"(\d+) beginbfchar", many) == [b"100", b"100", b"50"]


def test_pypdf_extracts_the_text() -> None:
    reader = _reader(_sample())
    assert reader.pages[0].extract_text() == TEXT + RARE
    assert reader.pages[1].extract_text() == TEXT


# --- poppler ---------------------------------------------------------------------------------


def test_pdftotext_gives_back_the_drawn_text(tmp_path: Path) -> None:
    pages = _pdftotext(_sample(), tmp_path).split("\f")
    assert pages[0].strip() == TEXT + RARE
    assert pages[1].strip() == TEXT


def test_pdftoppm_renders_the_glyphs(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(_sample())
    done = subprocess.run(
        [_poppler("pdftoppm"), "-r", "36", "-gray", "-f", "1", "-l", "1",
         str(path), str(tmp_path / "p")],
        capture_output=True, check=True,
    )
    assert done.stderr == b""
    (image,) = tmp_path.glob("p*.pgm")
    width, height, pixels = _pgm(image.read_bytes())
    assert (width, height) == (298, 421)  # A4 at 36 dpi
    # The text's line (baseline at y = 700 pt, 24 pt glyphs) is inked; the page top is blank.
    line = int((841.89 - 700 - 8) / 2)  # pt from the top, at 36 dpi = half a pt per pixel
    assert min(pixels[line * width : (line + 1) * width]) < 100
    assert min(pixels[5 * width : 6 * width]) == 255


def _pgm(data: bytes) -> tuple[int, int, bytes]:
    match = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    assert match is not None
    return int(match[1]), int(match[2]), data[match.end() :]
