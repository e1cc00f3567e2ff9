"""Font subsetting for the PDFs through the ``uharfbuzz`` wheel, whatever the system has.

Why: WeasyPrint subsets every embedded font, through the system library libharfbuzz-subset
when it finds it and through fontTools otherwise. A fresh machine (pip on Windows or macOS,
Debian 11, Ubuntu 22.04, the README's quick start) has no libharfbuzz-subset, and fontTools
parses our 10 MB Noto Sans SC faces on every report: a village PDF took 2.7x as long. The
``uharfbuzz`` wheel links HarfBuzz (with its subsetter) statically, so this module gives every
machine the fast route, and the same subsetter everywhere means the same PDF bytes everywhere,
with or without the system library.

What it does is WeasyPrint 70's own ``Font._harfbuzz_subset`` (same flags, same dropped tables,
same two passes: keep the used glyph ids, then cut the font after the last one), on a source
face that is parsed and pre-processed once per process (``hb_subset_preprocess``: about half of
a subset's cost) instead of once per report.

This module does not import weasyprint; :mod:`sanzhi.reports.pdf` plugs :func:`subset_font`
into it.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from typing import Any

__all__ = ["UHARFBUZZ_VERSION", "available", "compact_subset", "subset_font", "web_font"]

#: The version pinned in pyproject.toml (named in the hint for a broken install).
UHARFBUZZ_VERSION = "0.57.0"

# Tables WeasyPrint drops from an embedded font (weasyprint/pdf/fonts.py, _harfbuzz_subset):
# layout tables are useless once text is shaped, and bitmaps/SVG are handled elsewhere.
_DROP_TABLES = (
    "BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ",
)
# Source faces kept parsed: our two shipped faces, plus room for a system fallback font.
_MAX_FACES = 6
# A font file's first bytes hold its table directory, whose records carry a checksum of every
# table: together with the length and face index they tell two font files apart without
# hashing 10 MB per report (the key is then confirmed by comparing the whole file).
_KEY_BYTES = 4096

_lock = threading.Lock()
# key → (the font file, its HarfBuzz face, how often it was asked for)
_faces: OrderedDict[tuple[int, int, bytes], tuple[bytes, Any, int]] = OrderedDict()
_PREPROCESS_AFTER = 4

try:
    import uharfbuzz as _hb
except ImportError:  # pragma: no cover - a broken install; WeasyPrint's own route is used
    _hb = None


def available() -> bool:
    """True if the uharfbuzz subsetter can be used (it is a dependency of sanzhi)."""
    return _hb is not None


def _source_face(data: bytes, index: int) -> Any:
    """The parsed HarfBuzz face of a font file, kept for the next reports.

    Pre-processing a face for subsetting costs ~45 ms and saves ~7 ms per subset, so it is done
    only once a face has been used a few times: a one-village run (the cold CLI) skips it, a
    batch worker gets it after its first reports.
    """
    key = (len(data), index, data[:_KEY_BYTES])
    with _lock:
        hit = _faces.get(key)
        if hit is not None and hit[0] == data:
            _faces.move_to_end(key)
            source, face, uses = hit
            if uses != _PREPROCESS_AFTER:
                _faces[key] = (source, face, uses + 1)
                return face
    assert _hb is not None
    face = _hb.Face(_hb.Blob(data), index)
    uses = 1
    if hit is not None and hit[0] == data:
        face, uses = _hb.subset_preprocess(face), _PREPROCESS_AFTER + 1
    with _lock:
        _faces[key] = (data, face, uses)
        while len(_faces) > _MAX_FACES:
            _faces.popitem(last=False)
    return face


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def subset_font(
    data: bytes, index: int, glyph_ids: Collection[int], *, hinting: bool, notdef_outline: bool
) -> bytes | None:
    """The font `data` (face `index`) cut down to `glyph_ids`, glyph ids unchanged.

    Returns None when uharfbuzz is missing or HarfBuzz cannot subset this font; the caller
    then keeps WeasyPrint's own route.
    """
    if _hb is None or not glyph_ids:
        return None
    hb = _hb
    flags = hb.SubsetFlags
    base = flags.PASSTHROUGH_UNRECOGNIZED | flags.DESUBROUTINIZE
    if notdef_outline:
        base |= flags.NOTDEF_OUTLINE

    first = hb.SubsetInput()
    first.glyph_set.update(sorted(glyph_ids))
    first.flags = base | flags.RETAIN_GIDS
    drop = first.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for name in _DROP_TABLES:
        drop.add(_tag(name))
    try:
        kept = hb.subset(_source_face(data, index), first)
        if kept is None:
            return None
        # Second pass as in WeasyPrint: every glyph up to the last one used, hinting dropped
        # unless asked for, so the font ends at the highest glyph id in the text.
        second = hb.SubsetInput()
        second.glyph_set.add_range(0, max(glyph_ids))
        second.flags = base if hinting else base | flags.NO_HINTING
        cut = hb.subset(kept, second)
    except Exception:  # noqa: BLE001 - any HarfBuzz failure: fall back, never lose the report
        return None
    if cut is None:
        return None
    out: bytes = cut.blob.data
    return out or None


def compact_subset(
    data: bytes, index: int, glyph_ids: Collection[int], *, notdef_outline: bool
) -> tuple[bytes, dict[int, int]] | None:
    """The font cut down to `glyph_ids` with the glyphs renumbered 0, 1, 2, …, and the map from
    each old glyph id to its new one (composite glyphs' parts come along, so the map is
    HarfBuzz's, not a ranking of `glyph_ids`).

    For sanzhi's own PDF writer, which says the map in a /CIDToGIDMap: keeping the glyph ids
    instead (``subset_font``, WeasyPrint's way) leaves loca and hmtx as long as the highest id
    (~30,000 entries for a CJK face), and cutting and compressing that cost a fifth of a
    village report. No hinting (PDF viewers hint themselves). None when uharfbuzz is missing
    or HarfBuzz cannot subset the font.
    """
    if _hb is None or not glyph_ids:
        return None
    hb = _hb
    flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING
    if notdef_outline:
        flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    wanted = hb.SubsetInput()
    wanted.glyph_set.update(sorted(glyph_ids))
    wanted.flags = flags
    drop = wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for name in _DROP_TABLES:
        drop.add(_tag(name))
    try:
        plan = hb.SubsetPlan(_source_face(data, index), wanted)
        mapping = {int(old): int(new) for old, new in plan.old_to_new_glyph_mapping.items()}
        out: bytes = plan.execute().blob.data
    except Exception:  # noqa: BLE001 - any HarfBuzz failure: the caller's slower route
        return None
    if not out or any(g not in mapping for g in glyph_ids):
        return None
    return out, mapping


def web_font(data: bytes, chars: Iterable[str]) -> bytes:
    """The font `data` cut down to `chars` (a code point set, glyph ids renumbered) as WOFF.

    For the screen HTML, whose browser may have no Chinese font at all. WOFF (zlib) rather than
    WOFF2: fontTools' WOFF2 encoder (Brotli at its highest level) took ~0.5 s per face for a
    village report's ~500 characters, WOFF ~20 ms, for 84 KB instead of 66 KB. Deterministic:
    the subset keeps the source font's timestamps.
    """
    from fontTools.ttLib import TTFont

    assert _hb is not None, "uharfbuzz is a dependency of sanzhi"
    hb = _hb
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(sorted({ord(c) for c in chars}))
    wanted.flags = hb.SubsetFlags.NO_HINTING
    face = hb.subset(_source_face(data, 0), wanted)
    font = TTFont(io.BytesIO(face.blob.data), recalcTimestamp=False)
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
