"""Small SVG charts drawn by the project: radar, bars, a score scale and a histogram.

Why hand-made SVG: no chart library, no external service, identical output on every machine
(golden HTML), and text we control. Rules every chart follows:

- ``font-family="Noto Sans SC"`` on the ``<svg>``: WeasyPrint's SVG ``<text>`` does not inherit
  the page font (tech notes §1.6, gotcha 1);
- every piece of text goes through ``markupsafe.escape`` (labels can be rubric or village data);
- no newline inside a ``<text>`` (a newline in Chinese text prints as a space);
- coordinates are printed with one decimal so the markup is stable across platforms;
- no ``xmlns`` attribute: inline ``<svg>`` in HTML gets the SVG namespace from the parser, and
  leaving the namespace URL out keeps "the report contains no URL" simple to check.

Each function returns ``Markup`` for direct inclusion in an autoescaping template.
"""

import math
from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

__all__ = ["bar_chart", "count_bars", "fraction", "histogram", "radar_chart", "score_scale"]

FONT = "Noto Sans SC"
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#cbd2d9"
FILL = "#2f6fad"
ACCENT = "#c0392b"


def _n(x: float) -> str:
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


def _svg(width: int, height: int, body: list[str], label: str) -> Markup:
    head = (
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="10" role="img" '
        f'aria-label="{escape(label)}">'
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: float = 10,
          fill: str = INK, bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{_n(size)}" '
            f'fill="{fill}"{weight}>{escape(text)}</text>')


def fraction(score: Decimal, points: Decimal) -> float:
    """How much of a bar a score fills (0 to 1): geometry only, never summed."""
    if points <= 0:
        return 0.0
    return max(0.0, min(1.0, float(score / points)))


def _fmt(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def radar_chart(data: Sequence[tuple[str, Decimal, Decimal]], size: int = 280) -> Markup:
    """Each dimension's score as a share of its maximum, on one axis per dimension (≥ 3).

    Only the dimension names label the axes: the numbers sit in the table printed beside the
    chart, and every SVG text costs a text layout in WeasyPrint.
    """
    if len(data) < 3:
        raise ValueError("a radar chart needs at least three axes")
    width, height = size + 60, size - 20
    cx, cy = width / 2, height / 2 + 2
    radius = size / 2 - 40
    n = len(data)
    angles = [-math.pi / 2 + 2 * math.pi * i / n for i in range(n)]
    body: list[str] = []
    for ring in (0.25, 0.5, 0.75, 1.0):
        pts = " ".join(f"{_n(cx + radius * ring * math.cos(a))},{_n(cy + radius * ring * math.sin(a))}"
                       for a in angles)
        body.append(f'<polygon points="{pts}" fill="none" stroke="{GRID}" stroke-width="0.8"/>')
    spokes = " ".join(f"M{_n(cx)} {_n(cy)}L{_n(cx + radius * math.cos(a))} {_n(cy + radius * math.sin(a))}"
                      for a in angles)
    body.append(f'<path d="{spokes}" stroke="{GRID}" stroke-width="0.8" fill="none"/>')
    values = [fraction(score, points) for _, score, points in data]
    pts = " ".join(f"{_n(cx + radius * v * math.cos(a))},{_n(cy + radius * v * math.sin(a))}"
                   for v, a in zip(values, angles))
    body.append(f'<polygon points="{pts}" fill="{FILL}" fill-opacity="0.25" stroke="{FILL}" '
                f'stroke-width="1.6"/>')
    for (label, _, _), a in zip(data, angles):
        lines = _wrap(label)
        lx, ly = cx + (radius + 10) * math.cos(a), cy + (radius + 10) * math.sin(a) + 4
        cos, sin = math.cos(a), math.sin(a)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        if sin < -0.3:  # above the centre: the last line sits at the axis end
            ly -= 4 + _LINE * (len(lines) - 1)
        elif sin > 0.3:  # below: the first line does
            ly += 6
        else:  # beside: centre the block of lines on the axis
            ly -= _LINE * (len(lines) - 1) / 2
        for k, line in enumerate(lines):
            body.append(_text(lx, ly + k * _LINE, line, anchor=anchor, size=10, bold=True))
    return _svg(width, height, body, "各维度得分率雷达图")


_LINE = 12  # line height of wrapped radar labels


def _wrap(label: str, most: int = 5) -> list[str]:
    """Split a long axis label into even lines of at most `most` characters (one <text> each:
    a newline inside SVG text would print as a space)."""
    if len(label) <= most + 1:
        return [label]
    count = math.ceil(len(label) / most)
    size = math.ceil(len(label) / count)
    return [label[i:i + size] for i in range(0, len(label), size)]


def bar_chart(data: Sequence[tuple[str, Decimal, Decimal]], width: int = 360) -> Markup:
    """Horizontal bars: each row's score as a share of its maximum (for any number of rows)."""
    label_w, row_h, right = 96, 24, 56
    height = row_h * len(data) + 12
    bar_w = width - label_w - right
    body: list[str] = []
    for i, (label, score, points) in enumerate(data):
        y = 6 + i * row_h
        frac = fraction(score, points)
        body.append(_text(label_w - 6, y + 15, label, anchor="end"))
        body.append(f'<rect x="{label_w}" y="{_n(y + 4)}" width="{bar_w}" height="14" '
                    f'fill="#eef2f6" stroke="{GRID}" stroke-width="0.6"/>')
        body.append(f'<rect x="{label_w}" y="{_n(y + 4)}" width="{_n(bar_w * frac)}" height="14" '
                    f'fill="{FILL}"/>')
        body.append(_text(label_w + bar_w + 4, y + 15, f"{_fmt(score)}/{_fmt(points)}",
                          anchor="start", fill=MUTED))
    return _svg(width, height, body, "各维度得分率条形图")


def score_scale(total: Decimal, points: Decimal, thresholds: Sequence[tuple[str, Decimal]],
                width: int = 500, marker: str = "本村") -> Markup:
    """A 0…points scale with each tier's minimum score marked and the village's total on it.

    `thresholds` are (tier name, minimum score), best first.
    """
    left, right, y = 16, 16, 40
    span = width - left - right

    def x_of(value: Decimal) -> float:
        return left + span * fraction(value, points)

    body = [
        (f'<rect x="{left}" y="{y}" width="{span}" height="10" fill="#eef2f6" stroke="{GRID}" '
         f'stroke-width="0.6"/>'),
        (f'<rect x="{left}" y="{y}" width="{_n(x_of(total) - left)}" height="10" fill="{FILL}" '
         f'fill-opacity="0.55"/>'),
    ]
    ticks = [x_of(minimum) for _, minimum in thresholds]
    for x_end, value in ((float(left), Decimal(0)), (float(left + span), points)):
        if all(abs(x_end - x) > 18 for x in ticks):  # keep 0 and the maximum clear of tier ticks
            body.append(_text(x_end, y + 24, _fmt(value), size=9, fill=MUTED))
    for (name, minimum), x in zip(thresholds, ticks):
        # Tier names can be long; the tier table printed with the chart names them, the chart
        # marks each threshold with its score.
        body.append(f'<line x1="{_n(x)}" y1="{y - 4}" x2="{_n(x)}" y2="{y + 14}" stroke="{INK}" '
                    f'stroke-width="1"><title>{escape(name)}</title></line>')
        body.append(_text(x, y + 24, _fmt(minimum), size=9))
    tx = x_of(total)
    body.append(f'<polygon points="{_n(tx - 5)},{y - 12} {_n(tx + 5)},{y - 12} {_n(tx)},{y - 2}" '
                f'fill="{ACCENT}"/>')
    anchor = "start" if tx < left + 40 else ("end" if tx > width - 60 else "middle")
    body.append(_text(tx, y - 16, f"{marker} {_fmt(total)}", anchor=anchor, size=10,
                      fill=ACCENT, bold=True))
    return _svg(width, 72, body, "总分与等级分数线")


def histogram(bins: Sequence[tuple[str, int]], width: int = 320, height: int = 180,
              label: str = "分布图") -> Markup:
    """Vertical bars with the count above each bar and the bin label below it."""
    top, bottom, left = 18, 34, 8
    n = max(1, len(bins))
    slot = (width - 2 * left) / n
    peak = max((count for _, count in bins), default=0) or 1
    plot_h = height - top - bottom
    body = [(f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" '
             f'stroke="{INK}" stroke-width="0.8"/>')]
    for i, (name, count) in enumerate(bins):
        h = plot_h * count / peak
        x = left + i * slot + slot * 0.18
        w = slot * 0.64
        body.append(f'<rect x="{_n(x)}" y="{_n(height - bottom - h)}" width="{_n(w)}" height="{_n(h)}" '
                    f'fill="{FILL}"/>')
        body.append(_text(x + w / 2, height - bottom - h - 4, str(count), size=9))
        body.append(_text(x + w / 2, height - bottom + 14, name, size=9))
    return _svg(width, height, body, label)


def count_bars(rows: Sequence[tuple[str, int]], width: int = 330, label: str = "分布图") -> Markup:
    """Horizontal bars of counts, for categories with long names (rating tiers)."""
    label_w, row_h, right = 130, 22, 30
    height = row_h * len(rows) + 10
    bar_w = width - label_w - right
    peak = max((count for _, count in rows), default=0) or 1
    body: list[str] = []
    for i, (name, count) in enumerate(rows):
        y = 5 + i * row_h
        body.append(_text(label_w - 6, y + 14, name, anchor="end", size=9))
        body.append(f'<rect x="{label_w}" y="{_n(y + 4)}" width="{_n(bar_w * count / peak)}" '
                    f'height="13" fill="{FILL}"/>')
        body.append(_text(label_w + bar_w * count / peak + 4, y + 14, str(count), anchor="start",
                          size=9, fill=MUTED))
    return _svg(width, height, body, label)
