"""The bundled faces, measured with HarfBuzz: glyph ids, advances, and line breaking.

Why not shape every run: report text is Chinese with some digits and Latin words, set left to
right with no ligatures or kerning that matter at 7–10 pt; a glyph per character from the font's
cmap, advanced by its hmtx width, is what the PDF's /W array then says too, so what is measured
is exactly what a viewer draws. Each character's glyph and width is looked up once per process.

Line breaking follows what Chinese typesetting (and CSS ``line-break: auto``) does: a break is
allowed between any two CJK characters and at spaces; a closing mark (，。、）…) never starts a
line and an opening mark (（《“…) never ends one; a Latin word or number stays whole unless it
is wider than the line by itself (then it breaks anywhere, CSS ``overflow-wrap: anywhere``).
"""

from __future__ import annotations

import functools
import struct
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sanzhi.reports.fonts import FONT_FILES, font_dir

__all__ = ["Color", "Face", "Piece", "Style", "break_pieces", "face", "faces_loaded"]

Color = tuple[float, float, float]
INK_COLOR: Color = (0x1F / 255, 0x29 / 255, 0x33 / 255)  # #1f2933, the report's text colour


@dataclass(frozen=True, slots=True)
class Style:
    """How a run of text looks: size (pt), weight, colour, CSS line-height, letter spacing (pt)."""

    size: float
    bold: bool = False
    color: Color = INK_COLOR
    line_height: float = 1.5
    spacing: float = 0.0

# Never at the start of a line (closing punctuation, full stops, small kana-like marks).
_NO_START = frozenset("，。、；：？！）》」』】〉〕”’…·%‰,.;:!?)]}>／—–-～")
# Never at the end of a line.
_NO_END = frozenset("（《「『【〈〔“‘([{<")


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF
            or 0x3000 <= o <= 0x303F or o >= 0x20000)


@dataclass(eq=False)
class Face:
    """One bundled font file: its HarfBuzz face, metrics, and a per-character glyph memo."""

    name: str  # PDF base name: "Noto-Sans-SC" / "Noto-Sans-SC-Bold" (what WeasyPrint called them)
    bold: bool
    data: bytes
    upem: int
    ascent: int  # hhea, font units
    descent: int  # negative
    cap_height: int
    bbox: tuple[int, int, int, int]
    _font: Any = field(repr=False)
    # char -> (glyph id, advance in font units); glyph 0 (.notdef) for a character the font lacks
    _glyphs: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)

    def glyph(self, ch: str) -> tuple[int, int]:
        hit = self._glyphs.get(ch)
        if hit is None:
            gid = self._font.get_nominal_glyph(ord(ch))
            if gid is None:
                gid = 0
            hit = self._glyphs[ch] = (gid, self._font.get_glyph_h_advance(gid))
        return hit

    def advance(self, gid: int) -> int:
        """Advance of a glyph in font units."""
        return int(self._font.get_glyph_h_advance(gid))

    def width(self, text: str) -> int:
        """Advance of `text` in font units."""
        glyph = self.glyph
        return sum(glyph(ch)[1] for ch in text)


_lock = threading.Lock()


@functools.cache
def _load(index: int) -> Face:
    import uharfbuzz as hb

    data = (font_dir() / FONT_FILES[index]).read_bytes()
    hb_face = hb.Face(hb.Blob(data))
    hb_font = hb.Font(hb_face)
    extents = hb_font.get_font_extents("ltr")
    os2 = hb_face.reference_table("OS/2").data
    head = hb_face.reference_table("head").data
    cap = struct.unpack(">h", os2[88:90])[0] if len(os2) >= 90 else int(extents.ascender * 0.7)
    bbox = struct.unpack(">hhhh", head[36:44])
    return Face(
        name="Noto-Sans-SC-Bold" if index else "Noto-Sans-SC", bold=bool(index), data=data,
        upem=hb_face.upem, ascent=extents.ascender, descent=extents.descender, cap_height=cap,
        bbox=(bbox[0], bbox[1], bbox[2], bbox[3]), _font=hb_font,
    )


def face(bold: bool) -> Face:
    """The bundled regular or bold face (loaded on first use, ~20 ms, then kept)."""
    with _lock:
        return _load(1 if bold else 0)


def faces_loaded() -> bool:
    return _load.cache_info().currsize > 0


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text in one style, as the line breaker sees it (`face` is the style's)."""

    text: str
    face: Face
    style: Style


# An atom is the smallest unbreakable unit: (piece index, text, width in pt, is a space).
Atom = tuple[int, str, float, bool]


def _atoms(pieces: Sequence[Piece]) -> list[Atom]:
    """The pieces cut where a line may break; adjacent atoms with no break between them
    (a word, a closing mark after its character) are joined. A closing mark after a space
    still may not start a line (UAX #14 LB13), so the space between is no break either."""
    out: list[Atom] = []
    for atom in _raw_atoms(pieces):
        if (len(out) >= 2 and atom[1][0] in _NO_START and out[-1][3] and not out[-2][3]
                and out[-1][0] == out[-2][0] == atom[0]):
            space = out.pop()
            word = out.pop()
            atom = (atom[0], word[1] + space[1] + atom[1], word[2] + space[2] + atom[2], False)
        out.append(atom)
    return out


def _raw_atoms(pieces: Sequence[Piece]) -> Iterator[Atom]:
    for index, piece in enumerate(pieces):
        scale = piece.style.size / piece.face.upem
        glyph = piece.face.glyph
        spacing = piece.style.spacing
        word: list[str] = []
        word_w = 0.0
        for ch in piece.text:
            w = glyph(ch)[1] * scale + spacing
            if ch == " ":
                if word:
                    yield index, "".join(word), word_w, False
                    word, word_w = [], 0.0
                yield index, " ", w, True
            elif _is_cjk(ch):
                if ch in _NO_START and word:
                    word.append(ch)
                    word_w += w
                    continue
                if word and word[-1] not in _NO_END:
                    yield index, "".join(word), word_w, False
                    word, word_w = [], 0.0
                word.append(ch)
                word_w += w
            else:
                # A break after a character, and after a solidus before a letter (UAX #14: SY
                # allows a break after it, not before a digit: "2024/09/26" and "///" stay whole).
                if word and ((_is_cjk(word[-1]) and word[-1] not in _NO_END) or (
                        word[-1] == "/" and not ch.isdigit() and ch != "/")) and ch not in _NO_START:
                    yield index, "".join(word), word_w, False
                    word, word_w = [], 0.0
                word.append(ch)
                word_w += w
        if word:
            yield index, "".join(word), word_w, False


# A laid-out line: its segments (piece index, text, x offset in pt) and its width.
Line = tuple[tuple[tuple[int, str, float], ...], float]


def _split_wide(atom: Atom, pieces: Sequence[Piece], width: float, used: float) -> list[Atom]:
    """A word wider than a line, cut into parts that fit (the first into what is left)."""
    index, text, _, _ = atom
    piece = pieces[index]
    scale = piece.style.size / piece.face.upem
    spacing = piece.style.spacing
    parts: list[Atom] = []
    room = width - used
    current: list[str] = []
    current_w = 0.0
    for ch in text:
        w = piece.face.glyph(ch)[1] * scale + spacing
        if current and current_w + w > room + 1e-6:
            parts.append((index, "".join(current), current_w, False))
            current, current_w, room = [], 0.0, width
        current.append(ch)
        current_w += w
    if current:
        parts.append((index, "".join(current), current_w, False))
    return parts


def break_pieces(pieces: Sequence[Piece], width: float) -> list[Line]:
    """Greedy line breaking of styled pieces into lines no wider than `width` (pt).

    Spaces at a line's end are dropped; runs of spaces were collapsed by the caller.
    """
    lines: list[Line] = []
    segs: list[tuple[int, str, float]] = []
    x = 0.0
    pending_space: Atom | None = None

    def flush() -> None:
        nonlocal segs, x
        lines.append((_merge(segs), x))
        segs, x = [], 0.0

    queue = _atoms(pieces)
    queue.reverse()
    while queue:
        atom = queue.pop()
        if atom[3]:  # a space: kept only if something follows on the same line
            if segs:
                pending_space = atom
            continue
        lead = pending_space[2] if pending_space is not None else 0.0
        if x + lead + atom[2] <= width + 1e-6:
            if pending_space is not None:
                segs.append((pending_space[0], " ", x))
                x += lead
            segs.append((atom[0], atom[1], x))
            x += atom[2]
            pending_space = None
            continue
        pending_space = None
        if atom[2] > width + 1e-6:
            # Too wide for any line. CSS overflow-wrap: anywhere cuts a word only where the line
            # has no other break: so after the break before it (at a space, after a character)
            # the word starts the next line, and is cut there into parts that fit.
            if segs:
                flush()
                queue.append(atom)
                continue
            parts = _split_wide(atom, pieces, width, x)
            for part in reversed(parts):
                queue.append(part)
            if len(parts) == 1:  # a single glyph wider than the line
                segs.append((atom[0], atom[1], x))
                x += atom[2]
                queue.pop()
                flush()
            continue
        if segs:
            flush()
        queue.append(atom)
    if segs or not lines:
        flush()
    return lines


def _merge(segs: list[tuple[int, str, float]]) -> tuple[tuple[int, str, float], ...]:
    """Adjacent segments of one piece joined into one (fewer text operators to write)."""
    out: list[tuple[int, str, float]] = []
    for seg in segs:
        if out and out[-1][0] == seg[0]:
            index, text, x = out[-1]
            out[-1] = (index, text + seg[1], x)
        else:
            out.append(seg)
    return tuple(out)
