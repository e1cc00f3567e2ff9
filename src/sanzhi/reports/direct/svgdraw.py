"""The charts' SVG (sanzhi.reports.charts) drawn as PDF content-stream operators.

Only what the charts emit is understood: <svg> (width, height, viewBox, inherited
presentation attributes), <rect>, <line>, <polygon>, <path> (M/L/H/V/Z) and <text>; any
other element is skipped with everything inside it (a <line>'s <title> tooltip, say).

Why the transform is done here and not with a ``cm`` operator: text must never be drawn in a
y-flipped space, and doing the arithmetic ourselves keeps every number in the stream a page
coordinate a test can check by hand (X = left + x·0.75, Y = top − y·0.75).

Parsing is cached per markup string (charts repeat across villages: the same score scale,
the same grid); the cached value holds geometry in chart-local points only. Text is never
cached: the TextDrawer is called on every draw, so its output (font subsets, glyph use
bookkeeping) always reflects the caller that asked.
"""

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

__all__ = ["TextDrawer", "draw_svg", "svg_size"]

PX = 0.75  # one CSS px in pt
_SVG_NS = "{http://www.w3.org/2000/svg}"
_Color = tuple[float, float, float]
_Point = tuple[float, float]


class TextDrawer(Protocol):
    def __call__(self, text: str, x: float, y: float, *, size: float, bold: bool, anchor: str,
                 fill: tuple[float, float, float]) -> bytes: ...
    # PDF operators drawing `text` with its baseline at page point (x, y), `size` in pt,
    # anchor "start" | "middle" | "end".


def svg_size(markup: str) -> tuple[float, float]:
    """(width, height) of the chart in pt: the root's width/height attributes (CSS px) × 0.75."""
    chart = _parse(str(markup))
    return chart.width, chart.height


def draw_svg(markup: str, left: float, top: float, *, text: TextDrawer,
             alpha: Callable[[float], str]) -> bytes:
    """Operators drawing the chart with its top-left corner at page point (left, top).

    `alpha(a)` names an ExtGState (fill and stroke opacity a) the caller registers; it is
    asked only for opacities below 1. Each element is wrapped in q … Q. Texts come after the
    shapes, top to bottom and left to right: text extraction (copy and paste, screen readers)
    then reads the labels in that order with breaks between them; in markup order the scale's
    "100", "90", "80" read as "1009080".
    """
    chart = _parse(str(markup))
    out: list[bytes] = []
    shapes = [item for item in chart.items if not isinstance(item, _Text)]
    texts = sorted((item for item in chart.items if isinstance(item, _Text)), key=lambda t: (t.y, t.x))
    ordered: list[_Shape | _Text] = [*shapes, *texts]
    for item in ordered:
        if isinstance(item, _Text):
            drawn = text(item.text, _round(left + item.x), _round(top - item.y), size=item.size,
                         bold=item.bold, anchor=item.anchor, fill=item.fill)
            if item.alpha < 1:
                drawn = b"q\n/%s gs\n%s\nQ\n" % (alpha(item.alpha).encode("ascii"),
                                                  drawn.rstrip(b"\n"))
            out.append(drawn)
        else:
            out.append(_shape_ops(item, left, top, alpha).encode("ascii"))
    return b"".join(out)


# ---- numbers and colours -------------------------------------------------------------------

def _num(value: float) -> str:
    """At most two decimals, trailing zeros stripped, never "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _round(value: float) -> float:
    # The TextDrawer gets the same 2-decimal coordinates geometry is printed with.
    return float(_num(value))


def _color_ops(color: _Color) -> str:
    # Three decimals for colour components: two would shift an 8-bit channel by up to 1.3
    # levels; three round-trip every 8-bit value exactly.
    return " ".join(f"{c:.3f}".rstrip("0").rstrip(".") or "0" for c in color)


_NAMED = {"black": (0.0, 0.0, 0.0), "white": (1.0, 1.0, 1.0), "red": (1.0, 0.0, 0.0),
          "green": (0.0, 128 / 255, 0.0), "blue": (0.0, 0.0, 1.0), "gray": (128 / 255,) * 3,
          "grey": (128 / 255,) * 3}


def _color(value: str | None) -> _Color | None:
    """A paint: None for "none" (or anything we cannot read, which SVG also paints as none)."""
    if value is None:
        return None
    value = value.strip().lower()
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        if len(digits) == 6:
            try:
                return (int(digits[0:2], 16) / 255, int(digits[2:4], 16) / 255,
                        int(digits[4:6], 16) / 255)
            except ValueError:
                return None
        return None
    return _NAMED.get(value)


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _length(value: str | None, default: float) -> float:
    """A length in user units (plain number or "px"); anything else keeps the default."""
    if value is None:
        return default
    value = value.strip()
    value = value.removesuffix("px")
    try:
        number = float(value)
    except ValueError:
        return default
    return number if math.isfinite(number) else default


def _opacity(value: str | None) -> float:
    return max(0.0, min(1.0, _length(value, 1.0)))


# ---- the parsed chart ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Shape:
    """One rect/line/polygon/path: subpaths in chart-local pt (x right, y down from the top)."""
    subpaths: tuple[tuple[tuple[_Point, ...], bool], ...]   # (points, closed)
    rect: tuple[float, float, float, float] | None         # x, y(top), w, h in pt, for `re`
    fill: _Color | None
    fill_alpha: float
    evenodd: bool
    stroke: _Color | None
    stroke_alpha: float
    stroke_width: float                                     # pt
    join: int | None
    cap: int | None
    miter: float | None
    dash: tuple[float, ...]                                 # pt


@dataclass(frozen=True, slots=True)
class _Text:
    text: str
    x: float                                                # chart-local pt
    y: float
    size: float                                             # pt
    bold: bool
    anchor: str
    fill: _Color
    alpha: float


@dataclass(frozen=True, slots=True)
class _Chart:
    width: float
    height: float
    items: tuple[_Shape | _Text, ...]


_INHERITED = ("fill", "fill-opacity", "fill-rule", "stroke", "stroke-opacity", "stroke-width",
              "stroke-linejoin", "stroke-linecap", "stroke-miterlimit", "stroke-dasharray",
              "font-size", "font-weight", "text-anchor")
_JOINS = {"miter": 0, "round": 1, "bevel": 2}
_CAPS = {"butt": 0, "round": 1, "square": 2}


@lru_cache(maxsize=256)
def _parse(markup: str) -> _Chart:
    # The markup is ours: no DTD, no entities beyond XML's own. Refuse declarations outright
    # rather than trusting the parser's expansion limits.
    if "<!DOCTYPE" in markup or "<!ENTITY" in markup:
        raise ValueError("SVG with a DTD or entity declarations is not drawn")
    root = ET.fromstring(markup)
    if _tag(root) != "svg":
        raise ValueError(f"not an <svg> element: <{_tag(root)}>")
    width = _length(root.get("width"), math.nan)
    height = _length(root.get("height"), math.nan)
    box = [float(v) for v in _NUMBER.findall(root.get("viewBox", ""))]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if math.isnan(width):
            width = box[2] if math.isnan(height) else height * box[2] / box[3]
        if math.isnan(height):
            height = width * box[3] / box[2]
        # preserveAspectRatio's default, xMidYMid meet
        scale = min(width / box[2], height / box[3])
        ox = (width - box[2] * scale) / 2 - box[0] * scale
        oy = (height - box[3] * scale) / 2 - box[1] * scale
    else:
        scale, ox, oy = 1.0, 0.0, 0.0
    if math.isnan(width) or math.isnan(height):
        raise ValueError("an <svg> without width and height")
    inherited = {name: value for name in _INHERITED if (value := root.get(name)) is not None}
    unit = scale * PX

    def point(x: float, y: float) -> _Point:
        return ((ox + x * scale) * PX, (oy + y * scale) * PX)

    items: list[_Shape | _Text] = []
    for element in root:
        kind = _tag(element)
        style = dict(inherited)
        style.update((name, value) for name in _INHERITED
                     if (value := element.get(name)) is not None)
        opacity = _opacity(element.get("opacity"))
        if kind == "text":
            fill = _color(style.get("fill", "black"))
            if fill is None:
                continue
            content = " ".join("".join(element.itertext()).split())
            text_alpha = round(opacity * _opacity(style.get("fill-opacity")), 3)
            if not content or text_alpha <= 0:
                continue
            x, y = point(_first(element.get("x")), _first(element.get("y")))
            weight = style.get("font-weight", "normal").strip()
            anchor = style.get("text-anchor", "start").strip()
            items.append(_Text(
                text=content, x=x, y=y, size=_length(style.get("font-size"), 16.0) * unit,
                bold=weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600),
                anchor=anchor if anchor in ("start", "middle", "end") else "start",
                fill=fill, alpha=text_alpha))
            continue
        rect: tuple[float, float, float, float] | None = None
        if kind == "rect":
            w, h = _length(element.get("width"), 0.0), _length(element.get("height"), 0.0)
            if w <= 0 or h <= 0:  # SVG: a zero or negative size disables rendering
                continue
            x, y = point(_length(element.get("x"), 0.0), _length(element.get("y"), 0.0))
            rect = (x, y, w * unit, h * unit)
            subpaths: list[tuple[tuple[_Point, ...], bool]] = []
        elif kind == "line":
            ends = [_length(element.get(a), 0.0) for a in ("x1", "y1", "x2", "y2")]
            subpaths = [((point(ends[0], ends[1]), point(ends[2], ends[3])), False)]
            style["fill"] = "none"  # a line has no interior
        elif kind == "polygon":
            coords = [float(v) for v in _NUMBER.findall(element.get("points", ""))]
            pts = tuple(point(coords[i], coords[i + 1]) for i in range(0, len(coords) - 1, 2))
            if not pts:
                continue
            subpaths = [(pts, True)]
        elif kind == "path":
            subpaths = [(tuple(point(x, y) for x, y in pts), closed)
                        for pts, closed in _path(element.get("d", ""))]
            if not subpaths:
                continue
        else:
            continue
        items.append(_shape(style, opacity, unit, rect, subpaths))
    return _Chart(width * PX, height * PX, tuple(items))


def _shape(style: dict[str, str], opacity: float, unit: float,
           rect: tuple[float, float, float, float] | None,
           subpaths: Sequence[tuple[tuple[_Point, ...], bool]]) -> _Shape:
    fill = _color(style.get("fill", "black"))
    stroke = _color(style.get("stroke"))
    width = _length(style.get("stroke-width"), 1.0) * unit
    if width <= 0:
        stroke = None
    dash = tuple(float(v) * unit for v in _NUMBER.findall(style.get("stroke-dasharray", "")))
    if dash and (any(d < 0 for d in dash) or sum(dash) == 0):
        dash = ()
    if len(dash) % 2:
        dash = dash * 2
    miter = style.get("stroke-miterlimit")
    corners = any(len(pts) > 2 or closed for pts, closed in subpaths)
    return _Shape(
        subpaths=tuple(subpaths), rect=rect,
        fill=fill, fill_alpha=round(opacity * _opacity(style.get("fill-opacity")), 3),
        evenodd=style.get("fill-rule", "").strip() == "evenodd",
        stroke=stroke, stroke_alpha=round(opacity * _opacity(style.get("stroke-opacity")), 3),
        stroke_width=width,
        join=_JOINS.get(style.get("stroke-linejoin", "").strip()),
        cap=_CAPS.get(style.get("stroke-linecap", "").strip()),
        # SVG's default miter limit is 4, PDF's 10: say 4 where corners can be sharp (a
        # rect's right angles are within either limit)
        miter=_length(miter, 4.0) if miter is not None or corners else None,
        dash=dash)


def _tag(element: ET.Element) -> str:
    tag = element.tag
    return tag[len(_SVG_NS):] if isinstance(tag, str) and tag.startswith(_SVG_NS) else str(tag)


def _first(value: str | None) -> float:
    """The first number of an x/y attribute (which may list one per character)."""
    found = _NUMBER.search(value or "")
    return float(found.group()) if found else 0.0


_PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _path(d: str) -> list[tuple[list[_Point], bool]]:
    """Subpaths of path data with M/L/H/V/Z (either case); drawing stops at anything else,
    as SVG renders a path up to its first error."""
    out: list[tuple[list[_Point], bool]] = []
    current: list[_Point] = []
    x = y = 0.0
    command = ""
    tokens = _PATH_TOKEN.findall(d)
    i = 0

    def numbers(count: int) -> list[float] | None:
        nonlocal i
        if i + count > len(tokens) or any(t.isalpha() for t in tokens[i:i + count]):
            return None
        values = [float(t) for t in tokens[i:i + count]]
        i += count
        return values

    while i < len(tokens):
        token = tokens[i]
        if token.isalpha():
            command = token
            i += 1
            if command in "Zz":
                if current:
                    out.append((current, True))
                    x, y = current[0]
                    current = []
                continue
        elif not command or command in "Zz":
            break
        relative = command.islower()
        kind = command.upper()
        if kind in "ML":
            got = numbers(2)
            if got is None:
                break
            nx, ny = (x + got[0], y + got[1]) if relative else (got[0], got[1])
        elif kind in "HV":
            got = numbers(1)
            if got is None:
                break
            if kind == "H":
                nx, ny = (x + got[0] if relative else got[0]), y
            else:
                nx, ny = x, (y + got[0] if relative else got[0])
        else:
            break
        if kind == "M":
            if len(current) > 1:
                out.append((current, False))
            current = [(nx, ny)]
            command = "l" if relative else "L"  # coordinates after a moveto are linetos
        else:
            if not current:
                current = [(x, y)]
            current.append((nx, ny))
        x, y = nx, ny
    if len(current) > 1:
        out.append((current, False))
    return out


# ---- operators -----------------------------------------------------------------------------

def _shape_ops(shape: _Shape, left: float, top: float, alpha: Callable[[float], str]) -> str:
    fill = shape.fill if shape.fill_alpha > 0 else None
    stroke = shape.stroke if shape.stroke_alpha > 0 else None
    if fill is None and stroke is None:
        return ""
    if shape.rect is not None:
        x, y, w, h = shape.rect
        path = f"{_num(left + x)} {_num(top - y - h)} {_num(w)} {_num(h)} re\n"
    else:
        parts: list[str] = []
        for pts, closed in shape.subpaths:
            (x0, y0), rest = pts[0], pts[1:]
            parts.append(f"{_num(left + x0)} {_num(top - y0)} m\n")
            parts.extend(f"{_num(left + px)} {_num(top - py)} l\n" for px, py in rest)
            if closed:
                parts.append("h\n")
        path = "".join(parts)
    ops = ["q\n"]
    if fill is not None:
        ops.append(f"{_color_ops(fill)} rg\n")
    if stroke is not None:
        ops.append(f"{_color_ops(stroke)} RG\n{_num(shape.stroke_width)} w\n")
        if shape.join is not None:
            ops.append(f"{shape.join} j\n")
        if shape.cap is not None:
            ops.append(f"{shape.cap} J\n")
        if shape.miter is not None and shape.join in (None, 0):
            ops.append(f"{_num(shape.miter)} M\n")
        if shape.dash:
            ops.append(f"[{' '.join(_num(d) for d in shape.dash)}] 0 d\n")
    fill_op = "f*" if shape.evenodd else "f"
    if fill is not None and stroke is not None and shape.fill_alpha != shape.stroke_alpha:
        # Different opacities for fill and stroke: paint them one after the other (SVG's
        # order), each with its own graphics state.
        for op, opacity in ((fill_op, shape.fill_alpha), ("S", shape.stroke_alpha)):
            if opacity < 1:
                ops.append(f"q\n/{alpha(opacity)} gs\n{path}{op}\nQ\n")
            else:
                ops.append(f"{path}{op}\n")
    else:
        opacity = shape.fill_alpha if fill is not None else shape.stroke_alpha
        if opacity < 1:
            ops.append(f"/{alpha(opacity)} gs\n")
        op = ("B*" if shape.evenodd else "B") if fill and stroke else (fill_op if fill else "S")
        ops.append(f"{path}{op}\n")
    ops.append("Q\n")
    return "".join(ops)
