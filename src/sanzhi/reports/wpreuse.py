"""Per-process reuse inside WeasyPrint 70: what is the same in every report is worked out once.

Why: a village report has ~600 pieces of text and ~150 distinct element styles, and nine in
ten of them (item names, criteria, column headers, the rubric's fixed sentences, the styles
of the same template) are the same from one village to the next. WeasyPrint 70 recomputes all
of it for every document, in Python: every style property of every element, and every piece
of text shaped twice with Pango (once to find where its line ends, once to draw its glyphs).
This module remembers, per process, three results and hands them out again (and the font
files' bytes, which WeasyPrint copied out of HarfBuzz for every document):

- the computed style of an element (:func:`_make_set_computed_styles`), for the same parent
  style and the same cascaded declarations (the same rule objects of the long-lived
  stylesheets, or equal plain values from attributes);
- the line break of a piece of text in a given style and width (:func:`_make_split_first_line`;
  a copy of WeasyPrint's layout object, already emptied of its Pango pointers at that point);
- the PDF text operators drawing it (:func:`_make_draw_first_line`, for HTML and SVG text),
  replayed with the glyphs' widths and Unicode mapping added to the document's font objects
  in the order WeasyPrint would add them; the Pango layout WeasyPrint rebuilds before drawing
  is then built only if something reads it (:func:`_make_lazy_layout`).

Why it is safe: each entry is keyed on everything the original code reads (the text, the
width, every style property it looks at; for styles, the identities of the parent style and
of each cascaded value, which the entry keeps alive so that no other object can take their
ids), and only the common path is remembered (no ellipsis, emoji, bitmap or colour font, or
missing glyph). Missing glyphs are never remembered, so WeasyPrint still logs
each one (sanzhi turns those logs into MissingGlyphError). tests/reports/test_wpreuse.py
renders reports with and without this module and compares the PDFs byte for byte.

The reuse is on only inside :func:`reuse` blocks (sanzhi's PdfRenderer opens one per render):
any other WeasyPrint use in the process, such as the benchmark's naive render, runs
WeasyPrint's own code. Only for the WeasyPrint version sanzhi pins (70.x): the functions
replaced are internal ones; :func:`install` patches them once per process. The caches are
IdentityCaches (:mod:`sanzhi.common.identity_cache`): bounded, the oldest half dropped when one
is full, emptied by :func:`clear` or by ``identity_cache.clear_all()``.
"""

from __future__ import annotations

import contextlib
import operator
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from sanzhi.common.identity_cache import IdentityCache

__all__ = ["clear", "install", "reuse", "stats"]

# Entries kept per cache (a village report adds ~100 new texts; a run over many rubrics or long
# free texts stays bounded). Styles are fewer and larger.
_MAX_ENTRIES = 50_000
_MAX_STYLES = 5_000
# Font configurations: one per renderer, and a process has a few.
_MAX_FONT_CONFIGS = 16
_PLAIN = (str, int, float, bool, type(None))

# Every style property WeasyPrint 70's split_first_line, Layout.setup/set_text and
# get_font_description read (weasyprint/text/line_break.py, text/fonts.py).
_LINE_PROPS = (
    "white_space", "font_size", "font_family", "font_style", "font_stretch", "font_weight",
    "font_variant_caps", "font_variant_ligatures", "font_variant_position", "font_variant_numeric",
    "font_variant_alternates", "font_variant_east_asian", "font_feature_settings",
    "font_variation_settings", "font_kerning", "font_language_override", "lang", "direction",
    "text_decoration_line", "letter_spacing", "word_spacing", "overflow_wrap", "word_break",
    "hyphens", "hyphenate_character", "hyphenate_limit_chars", "hyphenate_limit_zone", "tab_size",
)
# A glyph number in a font (the keys of WeasyPrint's per-font to_unicode and widths maps).
_Glyph = int
# Stream methods draw_first_line calls, replayed in order.
_TEXT_OPS = frozenset(("set_text_matrix", "set_font_size", "show_text", "set_text_rise"))

_local = threading.local()
# Renders are serialised per renderer, but two renderers may run in two threads: entries are
# only added (and so evicted) and the caches only cleared under this lock.
_lock = threading.RLock()
_installed = False
# Each entry keeps the objects whose ids are in its key (the font configuration; for styles also
# the parent and root styles and the cascaded values): a hit is that very object's result.
_line_cache: IdentityCache[tuple[Any, ...], tuple[Any, ...]] = IdentityCache(
    "reports.wpreuse lines", _MAX_ENTRIES)
_draw_cache: IdentityCache[tuple[Any, ...], tuple[tuple[Any, ...], ...]] = IdentityCache(
    "reports.wpreuse draws", _MAX_ENTRIES)
_style_cache: IdentityCache[tuple[Any, ...], Any] = IdentityCache("reports.wpreuse styles", _MAX_STYLES)
# id(font configuration) → its initial style.
_initial_styles: IdentityCache[int, Any] = IdentityCache(
    "reports.wpreuse initial styles", _MAX_FONT_CONFIGS)
_counts = {"line_hits": 0, "line_misses": 0, "draw_hits": 0, "draw_misses": 0,
           "style_hits": 0, "style_misses": 0}


def _enabled() -> bool:
    return getattr(_local, "on", False)


@contextlib.contextmanager
def reuse(on: bool = True) -> Iterator[None]:
    """Reuse remembered styles and text in WeasyPrint renders inside the block (this thread)."""
    saved = getattr(_local, "on", False)
    _local.on = on
    try:
        yield
    finally:
        _local.on = saved


def stats() -> dict[str, int]:
    """Hits and misses so far, and the cache sizes (for the benchmark)."""
    return {**_counts, "lines": len(_line_cache), "draws": len(_draw_cache), "styles": len(_style_cache)}


def clear() -> None:
    """Forget everything remembered (tests; a long-lived process that wants its memory back).
    ``identity_cache.clear_all()`` does the same: these are all IdentityCaches, and the Pango
    font references (`_fonts`) live only as long as the drawings that keep them."""
    with _lock:
        for cache in (_line_cache, _draw_cache, _style_cache, _initial_styles, _blobs):
            cache.clear()


def _store(cache: IdentityCache[Any, Any], key: Any, value: Any, keep: object) -> None:
    with _lock:  # a put may evict: not while another thread puts
        cache.put(key, value, keep)


_style_key: Callable[[Any], tuple[Any, ...]] = operator.itemgetter(*_LINE_PROPS)


def _copy_layout(layout: Any) -> Any:
    """A fresh deactivated layout object with the same data (drawing re-activates its own)."""
    twin = object.__new__(type(layout))
    twin.__dict__.update(layout.__dict__)
    return twin


def _make_split_first_line(original: Callable[..., Any]) -> Callable[..., Any]:
    def split_first_line(text: str, style: Any, context: Any, max_width: Any,
                         justification_spacing: Any, is_line_start: bool = True,
                         minimum: bool = False) -> Any:
        if not _enabled():
            return original(text, style, context, max_width, justification_spacing,
                            is_line_start, minimum)
        try:
            key = (id(style.font_config), text, max_width, justification_spacing, is_line_start,
                   minimum, _style_key(style))
            hit = _line_cache.get(key)
        except TypeError:  # an unhashable property value: not remembered
            return original(text, style, context, max_width, justification_spacing,
                            is_line_start, minimum)
        if hit is not None:
            _counts["line_hits"] += 1
            layout, *rest = hit
            return (_copy_layout(layout), *rest)
        result = original(text, style, context, max_width, justification_spacing,
                          is_line_start, minimum)
        layout = result[0]
        if not hasattr(layout, "layout"):  # emptied as WeasyPrint always leaves it
            _counts["line_misses"] += 1
            # The font configuration is kept with the entry: its id in the key stays its own.
            _store(_line_cache, key, (_copy_layout(layout), *result[1:]), style.font_config)
        return result

    split_first_line.__wrapped__ = original  # type: ignore[attr-defined]
    return split_first_line


def _value_key(value: Any) -> Any:
    """A cascaded value in a style key: plain data (numbers, strings and tuples of them, as
    parsed from a lang or style attribute, new objects in every document) by type and value;
    anything else (tinycss2 tokens, lists) by identity, which the entry keeps alive."""
    kind = type(value)
    if kind in _PLAIN:
        return kind, value
    if isinstance(value, tuple):
        parts = tuple(_value_key(part) for part in value)
        if all(part[0] != "id" for part in parts):
            return kind, parts
    return "id", id(value)


def _make_set_computed_styles(original: Callable[..., Any], computed_style: Any,
                              initial_style: Any) -> Callable[..., Any]:
    """StyleFor.set_computed_styles that hands out a remembered ComputedStyle.

    WeasyPrint already shares one computed style between the elements of a document that have
    the same parent style and the same matched rules; this extends the sharing across
    documents. A ComputedStyle is a function of its parent style, its cascaded declarations,
    the root style, the base URL and the font configuration (it computes its properties from
    those alone, lazily): the key holds the identities of those objects and the entry holds
    the objects themselves, so an id in the key can only ever mean the object it was made from.
    """

    def set_computed_styles(self: Any, element: Any, parent: Any, root: Any = None,
                            pseudo_type: Any = None, base_url: Any = None,
                            target_collector: Any = None) -> None:
        if not _enabled():
            return original(self, element, parent, root, pseudo_type, base_url,
                            target_collector)
        cascaded_styles = self.get_cascaded_styles()
        computed_styles = self.get_computed_styles()
        font_config = self.font_config
        if element == root and pseudo_type is None:
            parent_style = None
            # One initial style per font configuration instead of one per document, so that
            # the root's style, and through it every other, can be found again.
            root_style = _initial_styles.get(id(font_config))
            if root_style is None:
                root_style = initial_style(font_config)
                _store(_initial_styles, id(font_config), root_style, font_config)
        else:
            parent_style = computed_styles[parent, None]
            root_style = computed_styles[root, None]
        cascaded = cascaded_styles.get((element, pseudo_type), {})
        values = tuple(cascaded.items())
        key: tuple[Any, ...] | None = (
            id(parent_style), id(root_style), pseudo_type, base_url, id(font_config),
            tuple((name, _value_key(value), weight) for name, (value, weight) in values))
        try:
            hit = _style_cache.get(key)  # type: ignore[arg-type]
        except TypeError:  # a weight that does not hash (page rules): not remembered
            hit = key = None
        if hit is not None:
            _counts["style_hits"] += 1
            computed = hit
        else:
            computed = computed_style(parent_style, cascaded, pseudo_type, root_style, base_url,
                                      font_config, self.initial_page_sizes)
            if key is not None:
                _counts["style_misses"] += 1
                # Everything the key names by id is kept alive with the entry.
                _store(_style_cache, key, computed, (parent_style, root_style, font_config, values))
        computed_styles[element, pseudo_type] = computed
        if target_collector and computed["anchor"]:
            target_collector.collect_anchor(computed["anchor"])
        return None

    set_computed_styles.__wrapped__ = original  # type: ignore[attr-defined]
    return set_computed_styles


class _Recorder:
    """Stands in for the page stream while draw_first_line runs: passes every call through
    and records the text operators and the fonts used, with the glyph data each font gains."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.ops: list[tuple[Any, ...]] = []
        # One entry per font used: (font, its pango font, the document's glyph maps)
        self.fonts: list[tuple[Any, Any, dict[_Glyph, str], dict[_Glyph, int]]] = []
        # Font → its index in `fonts`, for this one text (pdf.fonts.Font hashes by identity, and
        # every font drawn with is alive in the document's stream).
        self._index: dict[Any, int] = {}
        self.ok = True

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._stream, name)
        if name in _TEXT_OPS:
            def op(*args: Any) -> Any:
                self.ops.append((name, args))
                return attr(*args)
            return op
        return attr

    def add_font(self, pango_font: Any) -> Any:
        font, font_size = self._stream.add_font(pango_font)
        if font.png or font.svg or font.colr or font.bitmap:
            self.ok = False
        index = self._index.get(font)
        if index is None:
            # Fresh glyph maps while this text is drawn: afterwards they hold exactly the
            # glyphs this text needs, merged into the document's maps as WeasyPrint would
            # have added them (a glyph already there keeps its entry).
            index = self._index[font] = len(self.fonts)
            self.fonts.append((font, pango_font, font.to_unicode, font.widths))
            font.to_unicode, font.widths = {}, {}
        self.ops.append(("font", index))
        return font, font_size

    def finish(self) -> list[tuple[dict[_Glyph, str], dict[_Glyph, int]]]:
        """Put the document's glyph maps back, with this text's glyphs merged in; return the
        glyphs this text needs, per font."""
        drawn = []
        for font, _, to_unicode, widths in self.fonts:
            glyphs = (font.to_unicode, font.widths)
            font.to_unicode, font.widths = to_unicode, widths
            _merge(font, *glyphs)
            drawn.append(glyphs)
        return drawn


def _merge(font: Any, to_unicode: dict[_Glyph, str], widths: dict[_Glyph, int]) -> None:
    for glyph, text in to_unicode.items():
        font.to_unicode.setdefault(glyph, text)
    for glyph, width in widths.items():
        font.widths.setdefault(glyph, width)


class _HeldFont:
    """A Pango font that remembered drawings refer to, with one GObject reference of ours: it
    stays alive, and its address its own, as long as this object does."""

    __slots__ = ("__weakref__", "pango_font", "ref")

    def __init__(self, pango_font: Any, ref: Any) -> None:
        self.pango_font = pango_font
        self.ref = ref


# Address → the held font, one reference per font however many drawings use it. Each drawing
# keeps its fonts (the `keep` of its draw-cache entry), and this map only finds them: the
# reference is dropped when the last drawing using the font is evicted or cleared (weak values),
# so a draw cache that empties lets go of every font, and a font kept by surviving drawings
# is never dropped under them. (Keyed by a C address, not an id(): the held reference keeps
# the address its own while the entry exists.)
_fonts: weakref.WeakValueDictionary[int, _HeldFont] = weakref.WeakValueDictionary()
_gobject: Any = None


def _kept(ffi: Any, pango_font: Any) -> _HeldFont:
    address = int(ffi.cast("uintptr_t", pango_font))
    held = _fonts.get(address)
    if held is None:
        own = _gobject.ffi
        ref = own.gc(_gobject.lib.g_object_ref(own.cast("void *", address)), _gobject.lib.g_object_unref)
        held = _fonts[address] = _HeldFont(pango_font, ref)
    return held


class _GObject:
    """g_object_ref, which WeasyPrint's bindings do not declare, from the same library."""

    def __init__(self) -> None:
        import cffi
        from weasyprint.text import ffi as wp_ffi

        self.ffi = cffi.FFI()
        self.ffi.cdef("void *g_object_ref (void *object); void g_object_unref (void *object);")
        self.lib = wp_ffi._dlopen(
            self.ffi, "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libgobject-2.0.so.0",
            "libgobject-2.0.0.dylib", "libgobject-2.0-0.dll")


def _make_draw_first_line(original: Callable[..., Any], ffi: Any) -> Callable[..., Any]:
    """draw_first_line (a text box's glyphs as PDF text operators) that replays a remembered
    drawing; used by WeasyPrint for HTML text and, letter by letter, for SVG text."""

    def draw_first_line(stream: Any, textbox: Any, text_overflow: Any, block_ellipsis: Any,
                        matrix: Any) -> Any:
        if not _enabled() or text_overflow == "ellipsis" or block_ellipsis != "none":
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        style = textbox.style
        layout = textbox.pango_layout
        try:
            key = (id(style.font_config), textbox.text, layout.text, layout.justification_spacing,
                   _style_key(style))
            hit = _draw_cache.get(key)
        except TypeError:
            return original(stream, textbox, text_overflow, block_ellipsis, matrix)
        if hit is not None:
            _counts["draw_hits"] += 1
            _replay(stream, hit, matrix)
            return []
        recorder = _Recorder(stream)
        try:
            emojis = original(recorder, textbox, text_overflow, block_ellipsis, matrix)
        finally:
            drawn = recorder.finish()
        # A missing glyph is never remembered: WeasyPrint draws it with an id past the font's
        # last glyph that it gives out per document, and must log it every time. Every glyph
        # this text drew is in its fresh to_unicode map.
        if not emojis and recorder.ok and all(
                glyph < font.glyph_count
                for (font, *_), (to_unicode, _) in zip(recorder.fonts, drawn) for glyph in to_unicode):
            _counts["draw_misses"] += 1
            with _lock:
                held = tuple(_kept(ffi, pango_font) for _, pango_font, _, _ in recorder.fonts)
                fonts = tuple((h.pango_font, glyphs) for h, glyphs in zip(held, drawn))
                # The entry keeps the font configuration (its id is in the key) and the Pango
                # fonts its drawing replays (their references go when it does).
                _store(_draw_cache, key, (tuple(recorder.ops), fonts), (style.font_config, held))
        return emojis

    draw_first_line.__wrapped__ = original  # type: ignore[attr-defined]
    return draw_first_line


_ACTIVE = ("layout", "language", "style")


def _make_lazy_layout(layout_class: Any) -> None:
    """Layout.reactivate (before drawing) that sets the Pango layout up only when it is used.

    WeasyPrint re-creates a text box's Pango layout to draw it; a remembered drawing does not
    need it. The layout object then sets itself up the first time its Pango attributes are
    read, exactly as reactivate would have done, so any path that does use them (ellipsis,
    decorations, a drawing not remembered) gets the same state.
    """
    reactivate = layout_class.reactivate
    deactivate = layout_class.deactivate

    def lazy_reactivate(self: Any, style: Any) -> None:
        if not _enabled():
            reactivate(self, style)
            return
        for name in _ACTIVE:
            self.__dict__.pop(name, None)
        self._sanzhi_pending = style

    def __getattr__(self: Any, name: str) -> Any:
        pending = self.__dict__.pop("_sanzhi_pending", None) if name in _ACTIVE else None
        if pending is None:
            raise AttributeError(name)
        reactivate(self, pending)
        return getattr(self, name)

    def lazy_deactivate(self: Any) -> None:
        if self.__dict__.pop("_sanzhi_pending", None) is not None:
            return  # never set up: nothing to release
        deactivate(self)

    lazy_reactivate.__wrapped__ = reactivate  # type: ignore[attr-defined]
    lazy_deactivate.__wrapped__ = deactivate  # type: ignore[attr-defined]
    layout_class.reactivate = lazy_reactivate
    layout_class.deactivate = lazy_deactivate
    layout_class.__getattr__ = __getattr__


def _replay(stream: Any, entry: tuple[Any, ...], matrix: Any) -> None:
    ops, fonts = entry
    for op in ops:
        name = op[0]
        if name == "font":
            pango_font, (to_unicode, widths) = fonts[op[1]]
            font, _ = stream.add_font(pango_font)
            _merge(font, to_unicode, widths)
        elif name == "set_text_matrix":
            stream.set_text_matrix(*matrix.values)
        else:
            getattr(stream, name)(*op[1])


# Font files as bytes, by the address and length of their HarfBuzz blob (which the entry keeps
# referenced, so those bytes stay at that address, as an id() stays its object's): a font
# object copied the whole 10 MB face out of HarfBuzz for every document.
_MAX_BLOBS = 6
_blobs: IdentityCache[tuple[int, int], bytes] = IdentityCache("reports.wpreuse font files", _MAX_BLOBS)


def _make_font_data(original: Callable[..., Any], ffi: Any, harfbuzz: Any) -> Callable[..., Any]:
    def get_hb_object_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        if ot_color is not None or not _enabled():
            return original(hb_object, ot_color, glyph)
        hb_blob = harfbuzz.hb_face_reference_blob(hb_object)
        length = ffi.new("unsigned int *")
        hb_data = harfbuzz.hb_blob_get_data(hb_blob, length)
        if hb_data == ffi.NULL:
            harfbuzz.hb_blob_destroy(hb_blob)
            return None
        key = (int(ffi.cast("uintptr_t", hb_data)), int(length[0]))
        hit = _blobs.get(key)
        if hit is not None:
            harfbuzz.hb_blob_destroy(hb_blob)
            return hit
        data = ffi.unpack(hb_data, key[1])
        _store(_blobs, key, data, ffi.gc(hb_blob, harfbuzz.hb_blob_destroy))
        return data

    get_hb_object_data.__wrapped__ = original  # type: ignore[attr-defined]
    return get_hb_object_data


def install() -> None:
    """Patch WeasyPrint 70's functions once per process (no-op on other versions)."""
    global _installed
    if _installed:
        return
    import weasyprint

    if not weasyprint.__version__.startswith("70."):  # pragma: no cover - pinned to 70.0
        return
    from weasyprint import css
    from weasyprint.draw import text as draw_text_module
    from weasyprint.layout import inline, preferred
    from weasyprint.pdf import fonts as pdf_fonts
    from weasyprint.text import line_break
    from weasyprint.text.ffi import ffi, harfbuzz

    css.StyleFor.set_computed_styles = _make_set_computed_styles(
        css.StyleFor.set_computed_styles, css.ComputedStyle, css.InitialStyle)
    split = _make_split_first_line(line_break.split_first_line)
    for module in (line_break, inline, preferred):
        module.split_first_line = split
    global _gobject
    _gobject = _GObject()
    draw_text_module.draw_first_line = _make_draw_first_line(
        draw_text_module.draw_first_line, ffi)
    _make_lazy_layout(line_break.Layout)
    pdf_fonts.get_hb_object_data = _make_font_data(
        pdf_fonts.get_hb_object_data, ffi, harfbuzz)
    _installed = True
