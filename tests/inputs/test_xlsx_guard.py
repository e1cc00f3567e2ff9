"""The checks every workbook part passes through (sanzhi.inputs.xlsx_guard), chunk by chunk.

Why: the scanner sees a part in the pieces openpyxl asks for (16 KB, or the whole part), so an
opener such as "<!DOCTYPE" or a comment's end may be cut anywhere; whatever the cuts, a real
part must pass and a DTD or an over-long token must be refused.
"""

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanzhi.inputs import xlsx_guard
from sanzhi.inputs.xlsx_guard import MAX_TOKEN, GuardedZip, WorkbookRefused, check_directory

GOOD = (
    '\ufeff<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><!-- 注释 <a> -- -->'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>杏林村 &amp; a&gt;b</t></is></c>'
    '<c r="B1"><v>1</v></c></row><?pi data?><![CDATA[ <!DOCTYPE x> ]]></sheetData></worksheet>'
).encode()


def _read(data: bytes, cuts: list[int]) -> None:
    """Pass `data` through the scanner in pieces ending at `cuts`."""
    scanned = xlsx_guard._Scanned(io.BytesIO(data), "xl/worksheets/sheet1.xml")
    last = 0
    for cut in [*sorted(set(cuts)), len(data)]:
        if cut > last:
            assert scanned.read(cut - last)
            last = cut
    assert scanned.read(1) == b""


@given(st.lists(st.integers(0, len(GOOD)), max_size=40))
def test_a_real_part_passes_however_it_is_cut(cuts: list[int]) -> None:
    _read(GOOD, cuts)


@pytest.mark.parametrize(
    "bad",
    [
        b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY v "x">]><worksheet/>',
        b"<worksheet><!ENTITY v 'x'></worksheet>",
    ],
)
@given(cuts=st.lists(st.integers(0, 80), max_size=10))
def test_a_dtd_is_refused_however_it_is_cut(bad: bytes, cuts: list[int]) -> None:
    with pytest.raises(WorkbookRefused, match="DTD"):
        _read(bad, [c for c in cuts if c < len(bad)])


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"<a>" + b"x" * (MAX_TOKEN + 10) + b"</a>", "连续内容"),
        (b'<a b="' + b"y" * (MAX_TOKEN + 10) + b'"/>', "连续内容"),
        (b"<a><!--" + b"<b>" * (MAX_TOKEN // 3 + 10) + b"--></a>", "注释或处理指令过长"),
        (b"<a><?pi " + b"<b>" * (MAX_TOKEN // 3 + 10) + b"?></a>", "注释或处理指令过长"),
        ("\ufeff不是 XML".encode(), "不是 UTF-8 的 XML"),
        ("<a/>".encode("utf-16"), "不是 UTF-8 的 XML"),
    ],
)
def test_long_tokens_and_non_xml_are_refused(data: bytes, fragment: str) -> None:
    for cuts in ([], list(range(0, len(data), 16 * 1024))):  # one read, and openpyxl's 16 KB reads
        with pytest.raises(WorkbookRefused, match=fragment):
            _read(data, cuts)


def test_long_text_with_markup_between_passes() -> None:
    data = b"<sheetData>" + (b"<c><v>" + b"9" * 1000 + b"</v></c>") * 5000 + b"</sheetData>"
    _read(data, list(range(0, len(data), 16 * 1024)))


def _zip(parts: dict[str, bytes], level: int = 6) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return GuardedZip(io.BytesIO(buf.getvalue()))


def test_directory_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    check_directory(_zip({"a.xml": b"<a/>"}))
    monkeypatch.setattr(xlsx_guard, "MAX_PARTS", 2)
    with pytest.raises(WorkbookRefused, match="个部件"):
        check_directory(_zip({f"{n}.xml": b"<a/>" for n in range(3)}))
    monkeypatch.setattr(xlsx_guard, "MAX_TOTAL", 1000)
    with pytest.raises(WorkbookRefused, match="解压后共"):
        check_directory(_zip({"a.xml": b"<a>" + b" " * 2000 + b"</a>"}))
    monkeypatch.setattr(xlsx_guard, "MAX_TOTAL", 1 << 30)
    monkeypatch.setattr(xlsx_guard, "RATIO_FROM", 1000)
    with pytest.raises(WorkbookRefused, match="压缩比"):
        check_directory(_zip({"a.xml": b"<a>" + b" " * 500_000 + b"</a>"}))


def test_members_read_through_the_archive_are_scanned() -> None:
    archive = _zip({"ok.xml": GOOD, "bad.xml": b"<!DOCTYPE a><a/>"})
    assert archive.read("ok.xml") == GOOD
    with pytest.raises(WorkbookRefused, match="DTD"), archive.open("bad.xml") as src:
        src.read(16 * 1024)
