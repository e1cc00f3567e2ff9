"""PDF file assembly for the direct renderer: pages, embedded fonts, opacity states, attachments.

Why our own writer instead of pydyf: the direct renderer needs only a dozen kinds of objects,
and writing them as plain string joins keeps a village report's assembly to a few milliseconds
(the font subsets and their compression are most of it) with bytes that are ours: no clock, no
object order that depends on a library's internals, so the same input gives the same file.

Layout of the file (object numbers): 1 catalog, 2 page tree, 3 document info, 4 the resources
shared by every page, then five objects per font (Type0, CIDFontType2, descriptor, font file,
ToUnicode), two per page (page, content stream) and two per attachment (file spec, stream).
A classic xref table follows; the trailer /ID is the md5 of everything before it.

This module imports neither weasyprint nor pydyf (see plan/direct.md).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import mimetypes
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sanzhi.reports import fontsubset

__all__ = ["ZLIB_LEVEL", "FontFace", "FontUse", "Page", "subset_tag", "write_pdf"]

#: zlib level of every stream: the same trade as sanzhi.reports.pdf.PDF_ZLIB_LEVEL (level 9
#: costs ~40 % more time on the font subsets for ~1 % smaller files).
ZLIB_LEVEL = 6

# Default width (/DW) of a CID: the CJK ideographs, most of a report's glyphs, are 1 em wide,
# so they need no /W entry at all.
_DW = 1000
# The PDF spec limits a beginbfchar block to 100 entries.
_BFCHAR_BLOCK = 100
# Header: version, then a comment of bytes above 127 so that transfer tools treat the file as
# binary (PDF 32000-1, 7.5.2).
_HEADER = b"%PDF-1.7\n%\xb5\xed\xae\xfb\n"
# Object numbers of the fixed objects.
_CATALOG, _PAGES, _INFO, _RESOURCES = 1, 2, 3, 4
_FIRST_FREE = 5

# Bytes that may stand as themselves in a PDF name (regular characters other than "#"); every
# other byte is written #XX (PDF 32000-1, 7.3.5).
_NAME_SAFE = frozenset(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!\"$&'*+,-.:;=?@^_`|~"
)


@dataclass(frozen=True, slots=True)
class FontFace:
    """One embedded font; metrics in font units (descent negative), as the font's tables say."""

    resource: str  # resource name used in content streams, e.g. "F1" (operator: /F1 9.5 Tf)
    base_name: str  # e.g. "Noto-Sans-SC"; the PDF gets "ABCDEF+" + base_name
    data: bytes  # the whole TrueType file
    units_per_em: int
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]  # head.xMin, yMin, xMax, yMax
    bold: bool


@dataclass(frozen=True, slots=True)
class FontUse:
    """The glyphs of one face a document draws."""

    face: FontFace
    glyphs: Mapping[int, str]  # glyph id -> the text it stands for (ToUnicode); gid 0 may appear
    advances: Mapping[int, int]  # glyph id -> advance width in font units (for /W)


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its uncompressed content stream, drawn with the shared resources."""

    content: bytes
    width: float = 595.28
    height: float = 841.89


def write_pdf(
    pages: Sequence[Page],
    fonts: Sequence[FontUse],
    *,
    alphas: Mapping[str, float],
    title: str,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    attached_on: datetime.date | None = None,
    producer: str = "sanzhi",
    lang: str | None = None,
) -> bytes:
    """The PDF file of `pages`, embedding the subset `fonts` and the `attachments`.

    `alphas` maps ExtGState resource names to an opacity used for both fill and stroke;
    `attachments` are (file name, data, description); `attached_on` dates them (a PDF date at
    midnight UTC) — without it they carry no date, since this module reads no clock. `lang`
    (optional, e.g. "zh-CN") becomes the catalog's /Lang. Raises ValueError for two fonts or
    attachments under one name.
    """
    _unique((use.face.resource for use in fonts), "font resource")
    _unique((name for name, _, _ in attachments), "attachment name")
    objects: dict[int, bytes] = {}
    next_free = _FIRST_FREE

    font_entries: list[str] = []
    for use in fonts:
        font_entries.append(f"/{_name(use.face.resource)} {next_free} 0 R")
        objects.update(_font_objects(use, next_free))
        next_free += 6
    gstates = "".join(
        f"/{_name(name)} << /Type /ExtGState /ca {_num(a)} /CA {_num(a)} >>"
        for name, a in alphas.items()
    )
    objects[_RESOURCES] = (
        f"<< /Font << {' '.join(font_entries)} >> /ExtGState << {gstates} >> >>".encode("ascii")
    )

    kids: list[str] = []
    for page in pages:
        page_ref, content_ref = next_free, next_free + 1
        next_free += 2
        kids.append(f"{page_ref} 0 R")
        objects[page_ref] = (
            f"<< /Type /Page /Parent {_PAGES} 0 R"
            f" /MediaBox [0 0 {_num(page.width)} {_num(page.height)}]"
            f" /Resources {_RESOURCES} 0 R /Contents {content_ref} 0 R >>"
        ).encode("ascii")
        objects[content_ref] = _stream("", page.content)
    objects[_PAGES] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode(
        "ascii"
    )

    catalog = f"/Type /Catalog /Pages {_PAGES} 0 R"
    if lang:
        catalog += f" /Lang {_text(lang)}"
    if attachments:
        names, files = _attachment_objects(attachments, attached_on, next_free)
        objects.update(files)
        next_free += len(files)
        catalog += f" /Names << /EmbeddedFiles << /Names [{names}] >> >>"
    objects[_CATALOG] = f"<< {catalog} >>".encode("ascii")
    objects[_INFO] = f"<< /Title {_text(title)} /Producer {_text(producer)} >>".encode("ascii")
    return _assemble(objects, next_free)


def subset_tag(base_name: str, glyph_ids: Iterable[int]) -> str:
    """Six letters A–Z naming a subset (PDF 32000-1, 9.6.4), from what the subset holds.

    Derived from the glyph set and font name rather than random, so the bytes stay the same
    for the same document, and two different subsets of one font in different files get
    (almost surely) different tags, which is what viewers that merge fonts by name rely on.
    """
    digest = hashlib.sha256(
        (base_name + ":" + ",".join(map(str, sorted(glyph_ids)))).encode("utf-8")
    ).digest()
    return "".join(chr(65 + b % 26) for b in digest[:6])


# --- fonts -----------------------------------------------------------------------------------


def _font_objects(use: FontUse, first: int) -> dict[int, bytes]:
    """The six objects of one font, numbered from `first`. Content streams hold the bundled
    face's glyph ids as CIDs (so /W and ToUnicode are keyed by them); the embedded program is
    renumbered, and /CIDToGIDMap says where each CID's glyph went."""
    face = use.face
    type0, cid, descriptor, file, to_unicode, cid_map = range(first, first + 6)
    used = set(use.glyphs) | set(use.advances)
    program, new_ids = _subset(face, used, notdef_outline=0 in use.glyphs)
    base = _name(f"{subset_tag(face.base_name, used)}+{face.base_name}")
    scale = 1000 / face.units_per_em

    def em(value: int) -> str:
        return _width(value * scale)

    bbox = " ".join(em(v) for v in face.bbox)
    return {
        type0: (
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H"
            f" /DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
        ).encode("ascii"),
        cid: (
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base}"
            " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            f" /FontDescriptor {descriptor} 0 R /DW {_DW} /W [{_widths(use.advances, scale)}]"
            f" /CIDToGIDMap {cid_map} 0 R >>"
        ).encode("ascii"),
        descriptor: (
            f"<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [{bbox}]"
            f" /ItalicAngle 0 /Ascent {em(face.ascent)} /Descent {em(face.descent)}"
            f" /CapHeight {em(face.cap_height)} /StemV {120 if face.bold else 80}"
            f" /FontFile2 {file} 0 R >>"
        ).encode("ascii"),
        # /Length1: the uncompressed length of a TrueType program, required (PDF 32000-1, 9.9).
        file: _stream(f" /Length1 {len(program)}", program),
        to_unicode: _stream("", _to_unicode(use.glyphs)),
        cid_map: _stream("", _cid_to_gid(new_ids if new_ids is not None else {g: g for g in used | {0}})),
    }


def _cid_to_gid(new_ids: Mapping[int, int]) -> bytes:
    """/CIDToGIDMap stream: two bytes (big-endian) per CID from 0 to the highest, the glyph id
    in the embedded program (the identity for a program that kept the glyph ids)."""
    table = bytearray(2 * (max(new_ids) + 1))
    for old, new in new_ids.items():
        table[2 * old: 2 * old + 2] = new.to_bytes(2, "big")
    return bytes(table)


def _subset(face: FontFace, glyph_ids: set[int], *, notdef_outline: bool) -> tuple[bytes, dict[int, int] | None]:
    """The font program cut down to `glyph_ids`, renumbered (with the map from old to new ids),
    or — through fontTools, when HarfBuzz cannot — with the glyph ids kept (map None)."""
    # gid 0 is always kept by a subsetter; naming it keeps an empty FontUse from asking for
    # an empty set (which the subsetters refuse).
    wanted = glyph_ids | {0}
    compact = fontsubset.compact_subset(face.data, 0, wanted, notdef_outline=notdef_outline)
    if compact is not None:
        return compact
    return _fonttools_subset(face.data, wanted, notdef_outline=notdef_outline), None


def _fonttools_subset(data: bytes, glyph_ids: set[int], *, notdef_outline: bool) -> bytes:
    """fontTools' subsetter with WeasyPrint's options: slow on a 10 MB face (seconds), only for
    a font HarfBuzz cannot subset."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(
        retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
        hinting=False, desubroutinize=True, notdef_outline=notdef_outline,
    )
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyph_ids))
    # recalcTimestamp=False: head.modified stays the source's, so the bytes do not follow the
    # clock.
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _widths(advances: Mapping[int, int], scale: float) -> str:
    """The /W array's content: runs of consecutive glyph ids, `first [w w w]`, leaving out the
    glyphs as wide as /DW."""
    runs: list[str] = []
    run: list[str] = []
    start = previous = -2
    exact = scale == 1.0  # a 1000-unit em (Noto Sans SC): the advances are the widths
    for gid in sorted(advances):
        width = str(advances[gid]) if exact else _width(advances[gid] * scale)
        if width == "1000":
            continue
        if gid != previous + 1 and run:
            runs.append(f"{start} [{' '.join(run)}]")
            run = []
        if not run:
            start = gid
        run.append(width)
        previous = gid
    if run:
        runs.append(f"{start} [{' '.join(run)}]")
    return " ".join(runs)


def _width(value: float) -> str:
    """A glyph-space number: an integer, or one decimal (what a viewer can position with)."""
    rounded = round(value, 1)
    if rounded == int(rounded):
        return str(int(rounded))
    return f"{rounded:.1f}"


# The CMap program around the mappings (PDF 32000-1, 9.10.3; Adobe technical note 5099).
_CMAP_HEAD = (
    "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
)
_CMAP_TAIL = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"


def _to_unicode(glyphs: Mapping[int, str]) -> bytes:
    """The ToUnicode CMap: each glyph id (2 bytes, Identity-H) to its text in UTF-16BE, where
    a character beyond the BMP (𠮷) is a surrogate pair, as the CMap format requires.

    bfchar only: a report's glyph ids and code points rarely run in step, and bfrange's
    "last byte increments" rule makes ranges error-prone for little gain.
    """
    entries = [
        f"<{gid:04X}> <{text.encode('utf-16-be').hex().upper()}>"
        for gid, text in sorted(glyphs.items())
        if text  # a glyph standing for no text (an empty mapping is invalid) is left unmapped
    ]
    blocks = [
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n"
        for chunk in (
            entries[i : i + _BFCHAR_BLOCK] for i in range(0, len(entries), _BFCHAR_BLOCK)
        )
    ]
    return (_CMAP_HEAD + "".join(blocks) + _CMAP_TAIL).encode("ascii")


# --- attachments -----------------------------------------------------------------------------


@functools.cache
def _mime_types() -> mimetypes.MimeTypes:
    # A fresh MimeTypes holds Python's built-in table only, not the system's mime.types, so a
    # file's /Subtype (and the PDF's bytes) does not depend on the machine.
    return mimetypes.MimeTypes()


def _attachment_objects(
    attachments: Sequence[tuple[str, bytes, str]], attached_on: datetime.date | None, first: int
) -> tuple[str, dict[int, bytes]]:
    """The EmbeddedFiles name tree's /Names content and the file specs and streams it names.

    The tree's keys must be sorted by their bytes (PDF 32000-1, 7.9.6) for a viewer's lookup
    by name; the keys are the UTF-16BE strings written, so that is what is sorted on.
    """
    objects: dict[int, bytes] = {}
    keyed = sorted(attachments, key=lambda a: _utf16(a[0]))
    names: list[str] = []
    date = ""
    if attached_on is not None:
        date = f" /CreationDate {_date(attached_on)} /ModDate {_date(attached_on)}"
    for number, (name, data, description) in zip(range(first, first + 2 * len(keyed), 2), keyed):
        spec, stream = number, number + 1
        text_name = "<" + _utf16(name).hex().upper() + ">"
        names.append(f"{text_name} {spec} 0 R")
        # /F and /UF both UTF-16BE: /F is a "file specification string" that older readers
        # decode as bytes, but pypdf and current viewers read a BOM-marked one as text, and
        # a PDFDocEncoding /F cannot spell 评分.json at all.
        objects[spec] = (
            f"<< /Type /Filespec /F {text_name} /UF {text_name} /Desc {_text(description)}"
            f" /EF << /F {stream} 0 R >> >>"
        ).encode("ascii")
        mime = _mime_types().guess_type(name, strict=False)[0]
        subtype = f" /Subtype /{_name(mime)}" if mime else ""
        params = (
            f"/Params << /Size {len(data)} /CheckSum <{hashlib.md5(data).hexdigest().upper()}>"
            f"{date} >>"
        )
        objects[stream] = _stream(f" /Type /EmbeddedFile{subtype} {params}", data)
    return " ".join(names), objects


def _date(day: datetime.date) -> str:
    return f"(D:{day.year:04d}{day.month:02d}{day.day:02d}000000Z)"


# --- low-level syntax ------------------------------------------------------------------------


def _stream(extra: str, data: bytes) -> bytes:
    """A Flate-compressed stream object; `extra` is more dictionary entries (leading space)."""
    packed = zlib.compress(data, ZLIB_LEVEL)
    return b"".join(
        (
            f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n".encode("ascii"),
            packed,
            b"\nendstream",
        )
    )


def _name(value: str) -> str:
    """`value` as a PDF name's characters (without the slash): UTF-8, unsafe bytes as #XX."""
    return "".join(
        chr(b) if b in _NAME_SAFE else f"#{b:02X}" for b in value.encode("utf-8")
    )


def _utf16(value: str) -> bytes:
    return b"\xfe\xff" + value.encode("utf-16-be")


def _text(value: str) -> str:
    """A PDF text string: a literal for printable ASCII (the same in PDFDocEncoding), else
    UTF-16BE with a byte order mark, written in hex so no byte needs escaping."""
    if value.isascii() and value.isprintable():
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({escaped})"
    return "<" + _utf16(value).hex().upper() + ">"


def _num(value: float) -> str:
    """A real number for dictionaries: at most four decimals, no exponent, no "-0"."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"two {what}s named {name!r}")
        seen.add(name)


def _assemble(objects: Mapping[int, bytes], size: int) -> bytes:
    """Header, objects 1..size-1 in order, xref table, trailer with the md5 /ID."""
    chunks: list[bytes] = [_HEADER]
    offset = len(_HEADER)
    xref = ["xref\n", f"0 {size}\n", "0000000000 65535 f \n"]
    for number in range(1, size):
        xref.append(f"{offset:010d} 00000 n \n")
        chunk = b"".join((f"{number} 0 obj\n".encode("ascii"), objects[number], b"\nendobj\n"))
        chunks.append(chunk)
        offset += len(chunk)
    body = b"".join(chunks)
    # The /ID is a digest of the content, not of a clock or a path: the same document gives
    # the same identifier, and two different documents different ones.
    ident = hashlib.md5(body).hexdigest().upper()
    trailer = (
        f"trailer\n<< /Size {size} /Root {_CATALOG} 0 R /Info {_INFO} 0 R"
        f" /ID [<{ident}> <{ident}>] >>\nstartxref\n{offset}\n%%EOF\n"
    )
    return body + ("".join(xref) + trailer).encode("ascii")
