"""svgdraw: the charts' SVG as PDF operators, checked against hand-computed page coordinates.

Page placement in these tests: left = 100, top = 800 (or 0/300 for the radar), so a chart
point (x, y) in px lands at (100 + 0.75·x, 800 − 0.75·y) pt.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanzhi.reports import charts
from sanzhi.reports.direct.svgdraw import draw_svg, svg_size

D = Decimal
INK = (0x1F / 255, 0x29 / 255, 0x33 / 255)
ACCENT = (0xC0 / 255, 0x39 / 255, 0x2B / 255)
MUTED = (0x7B / 255, 0x87 / 255, 0x94 / 255)


@dataclass
class FakeText:
    """Records every call and returns a marker operator naming it."""
    calls: list[tuple[str, float, float, float, bool, str, tuple[float, float, float]]] = \
        field(default_factory=list)

    def __call__(self, text: str, x: float, y: float, *, size: float, bold: bool, anchor: str,
                 fill: tuple[float, float, float]) -> bytes:
        self.calls.append((text, x, y, size, bold, anchor, fill))
        return b"%% text %d\n" % len(self.calls)


@dataclass
class Alphas:
    asked: list[float] = field(default_factory=list)

    def __call__(self, a: float) -> str:
        self.asked.append(a)
        return f"GA{a:g}"


def draw(markup: str, left: float = 100, top: float = 800) -> tuple[str, FakeText, Alphas]:
    text, alphas = FakeText(), Alphas()
    ops = draw_svg(markup, left, top, text=text, alpha=alphas)
    return ops.decode("ascii"), text, alphas


def elements(ops: str) -> list[str]:
    """The top-level q … Q groups (one per drawn shape)."""
    out, depth, start = [], 0, 0
    lines = ops.splitlines(keepends=True)
    pos = 0
    for line in lines:
        if line == "q\n":
            if depth == 0:
                start = pos
            depth += 1
        elif line == "Q\n":
            depth -= 1
            if depth == 0:
                out.append(ops[start:pos + len(line)])
        pos += len(line)
    assert depth == 0, "unbalanced q/Q"
    return out


def close(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(abs(x - y) < 1e-9 for x, y in zip(a, b, strict=True))


RADAR = [("自治", D(5), D(10)), ("法治", D(10), D(10)), ("德治", D(0), D(10)),
         ("平安乡村", D("2.5"), D(10))]


def test_svg_size_is_the_root_size_in_pt() -> None:
    assert svg_size(charts.radar_chart(RADAR)) == (255.0, 195.0)  # 340 × 260 px
    assert svg_size(charts.score_scale(D(50), D(100), [])) == (375.0, 54.0)  # 500 × 72 px


def test_radar_grid_spokes_and_value_polygon() -> None:
    # 4 axes, size 280: centre (170, 132) px, radius 100 px; axes up, right, down, left.
    # Page (left 0, top 300): centre (127.5, 201) pt, radius 75 pt.
    ops, _, alphas = draw(charts.radar_chart(RADAR), left=0, top=300)
    groups = elements(ops)
    assert len(groups) == 6  # four rings, the spokes, the value polygon
    outer = groups[3]
    assert outer == ("q\n0.796 0.824 0.851 RG\n0.6 w\n4 M\n"
                     "127.5 276 m\n202.5 201 l\n127.5 126 l\n52.5 201 l\nh\nS\nQ\n")
    spokes = groups[4]
    assert spokes.count(" m\n") == 4 and "h\n" not in spokes and spokes.endswith("S\nQ\n")
    assert "127.5 201 m\n127.5 276 l\n" in spokes  # centre to the top axis end
    # value polygon: 0.5 up, 1.0 right, 0 down (the centre), 0.25 left
    value = groups[5]
    path = "127.5 238.5 m\n202.5 201 l\n127.5 201 l\n108.75 201 l\nh\n"
    assert value == ("q\n0.184 0.435 0.678 rg\n0.184 0.435 0.678 RG\n1.2 w\n4 M\n"
                     f"q\n/GA0.25 gs\n{path}f\nQ\n"  # the fill at 25 %
                     f"{path}S\nQ\n")                 # the stroke opaque
    assert alphas.asked == [0.25]


def test_radar_labels() -> None:
    ops, text, _ = draw(charts.radar_chart(RADAR), left=0, top=300)
    # top: (170, 132 − 110 + 4 − 4) px; right/left: y 132 + 4; bottom: 132 + 110 + 4 + 6
    assert sorted(text.calls, key=_reading) == [
        ("自治", 127.5, 283.5, 7.5, True, "middle", INK),
        ("平安乡村", 45.0, 198.0, 7.5, True, "end", INK),
        ("法治", 210.0, 198.0, 7.5, True, "start", INK),
        ("德治", 127.5, 111.0, 7.5, True, "middle", INK),
    ]
    assert ops.endswith("% text 1\n% text 2\n% text 3\n% text 4\n")


def test_score_scale() -> None:
    ops, text, alphas = draw(charts.score_scale(
        D("82.5"), D(100), [("优秀", D(90)), ("良好", D(75)), ("合格", D(60))]))
    groups = elements(ops)
    # background rect x 16, y 40, 468 × 10 px; the bar 386.1 px wide at 55 %
    assert groups[0] == ("q\n0.933 0.949 0.965 rg\n0.796 0.824 0.851 RG\n0.45 w\n"
                         "112 762.5 351 7.5 re\nB\nQ\n")
    assert groups[1] == "q\n0.184 0.435 0.678 rg\n/GA0.55 gs\n112 762.5 289.58 7.5 re\nf\nQ\n"
    assert alphas.asked == [0.55]
    # the 90 tick: x = 16 + 468·0.9 = 437.2 px, from y 36 to 54 px
    assert groups[2] == "q\n0.122 0.161 0.2 RG\n0.75 w\n427.9 773 m\n427.9 759.5 l\nS\nQ\n"
    # the marker triangle (tx = 402.1 px): (397.1, 28) (407.1, 28) (402.1, 38), filled only
    assert groups[-1] == ("q\n0.753 0.224 0.169 rg\n"
                          "397.83 779 m\n405.33 779 l\n401.58 771.5 l\nh\nf\nQ\n")
    # tier names sit in <title> inside the <line>: never drawn
    # in reading order: the marker above the bar, then the labels under it from left to right
    assert [c[0] for c in text.calls] == ["本村 82.5", "0", "60", "75", "90", "100"]
    assert text.calls[1] == ("0", 112.0, 752.0, 6.75, False, "middle", MUTED)
    assert text.calls[4] == ("90", 427.9, 752.0, 6.75, False, "middle", INK)
    assert text.calls[0] == ("本村 82.5", 401.58, 782.0, 7.5, True, "middle", ACCENT)


def test_score_scale_at_zero_draws_no_empty_bar() -> None:
    ops, _, alphas = draw(charts.score_scale(D(0), D(100), [("合格", D(60))]))
    assert ops.count(" re\n") == 1  # width="0.0": SVG draws nothing
    assert alphas.asked == []


def test_bar_chart() -> None:
    ops, text, _ = draw(charts.bar_chart([("自治", D(7), D(10)), ("法&治<", D(0), D(10))]))
    rects = re.findall(r"^(\S+) (\S+) (\S+) (\S+) re$", ops, re.MULTILINE)
    # row 0: frame + bar (70 % of 208 px = 145.6 px); row 1: frame only
    assert rects == [("172", "782", "156", "10.5"), ("172", "782", "109.2", "10.5"),
                     ("172", "764", "156", "10.5")]
    assert [(c[0], c[5]) for c in sorted(text.calls, key=_reading)] == [
        ("自治", "end"), ("7/10", "start"), ("法&治<", "end"), ("0/10", "start")]
    assert min(text.calls, key=_reading)[1:4] == (167.5, 784.25, 7.5)  # (90, 21) px, font-size 10 from the root


def test_histogram_and_count_bars() -> None:
    ops, text, _ = draw(charts.histogram([("0-60", 2), ("60+", 4)]))
    # axis line at y = 180 − 34 = 146 px from x 8 to 312 px
    assert "q\n0.122 0.161 0.2 RG\n0.6 w\n106 690.5 m\n334 690.5 l\nS\nQ\n" in ops
    assert ops.count(" re\n") == 2 and sorted(c[0] for c in text.calls) == sorted(["2", "0-60", "4", "60+"])
    # tallest bar: plot height 128 px from y 18 px; x = 8 + 152 + 27.36 px and width 97.28 px,
    # printed by charts as 187.4 and 97.3
    assert "240.55 690.5 72.97 96 re\n" in ops
    ops, text, _ = draw(charts.count_bars([("优秀", 3), ("合格", 0)]))
    assert ops.count(" re\n") == 1  # the zero-count bar has no width
    assert [c[0] for c in text.calls] == ["优秀", "3", "合格", "0"]


def test_defaults_inheritance_and_unknown_elements() -> None:
    markup = ('<svg width="40" height="20" font-size="12" font-weight="bold" fill="#ff0000">'
              '<circle cx="5" cy="5" r="5"/><g><rect width="9" height="9"/></g>'
              '<rect x="1" y="2" width="3" height="4"/>'
              '<rect width="3" height="4" fill="none" stroke="#000" opacity="0.5"/>'
              '<path d="M0 0 H10 V10 C1 1 2 2 3 3 L5 5"/>'
              '<text x="4" y="8" font-weight="normal">A &amp; B</text>'
              '<text x="4" y="8" fill="none">hidden</text></svg>')
    ops, text, alphas = draw(markup, left=0, top=15)
    groups = elements(ops)
    # the inherited red fill, no stroke (SVG's default), circle and <g> skipped
    assert groups[0] == "q\n1 0 0 rg\n0.75 10.5 2.25 3 re\nf\nQ\n"
    # stroke only, at the element's opacity, default width 1 px
    assert groups[1] == "q\n0 0 0 RG\n0.75 w\n/GA0.5 gs\n0 12 2.25 3 re\nS\nQ\n"
    # the path stops at the unsupported C command; open, so never closed
    assert groups[2] == "q\n1 0 0 rg\n0 15 m\n7.5 15 l\n7.5 7.5 l\nf\nQ\n"
    assert text.calls == [("A & B", 3.0, 9.0, 9.0, False, "start", (1.0, 0.0, 0.0))]
    assert alphas.asked == [0.5]


def test_refuses_declarations_and_other_roots() -> None:
    with pytest.raises(ValueError, match="DTD"):
        svg_size('<!DOCTYPE svg [<!ENTITY a "x">]><svg width="1" height="1">&a;</svg>')
    with pytest.raises(ValueError, match="svg"):
        svg_size('<html width="1" height="1"/>')


def test_text_is_drawn_on_every_call_not_cached() -> None:
    markup = charts.score_scale(D(50), D(100), [("合格", D(60))])
    first, second = FakeText(), FakeText()
    a = draw_svg(markup, 0, 100, text=first, alpha=Alphas())
    b = draw_svg(markup, 10, 100, text=second, alpha=Alphas())
    assert len(first.calls) == len(second.calls) == 4
    assert [c[1] + 10 for c in first.calls] == [c[1] for c in second.calls]
    assert a != b


_NUM = re.compile(r"-?\d+(?:\.\d+)?")


@settings(max_examples=60, deadline=None)
@given(left=st.floats(-50, 600), top=st.floats(-50, 900),
       score=st.decimals(0, 100, places=1), n=st.integers(3, 7))
def test_numbers_are_short_and_never_minus_zero(left: float, top: float, score: Decimal,
                                                 n: int) -> None:
    data = [(f"维度{i}", score * i / n, D(100)) for i in range(n)]
    for markup in (charts.radar_chart(data), charts.score_scale(score, D(100), [("合格", D(60))])):
        ops, text, _ = draw(markup, left, top)
        for line in ops.splitlines():
            if line.startswith("%"):
                continue
            colour = line.endswith(("rg", "RG"))
            for number in _NUM.findall(line):
                assert not re.fullmatch(r"-0(\.0*)?", number), line
                _, _, decimals = number.partition(".")
                assert len(decimals) <= (3 if colour else 2) and not decimals.endswith("0")
        for _, x, y, *_ in text.calls:
            assert x == round(x, 2) and y == round(y, 2)
        elements(ops)  # balanced q/Q


def test_a_coordinate_rounding_to_zero_prints_zero() -> None:
    # the radar's centre x is 127.5 pt from its left edge: placed at −127.5031 it lands at −0.0031
    ops, text, _ = draw(charts.radar_chart(RADAR), left=-127.5031, top=300)
    assert "\n0 201 m\n" in ops and "-0 " not in ops
    assert text.calls[0][1] == 0.0 and str(text.calls[0][1]) == "0.0"


def test_text_opacity_wraps_the_drawers_operators() -> None:
    ops, text, alphas = draw('<svg width="10" height="10"><text y="5" fill-opacity="0.5">半</text>'
                             '<text y="5" opacity="0">无</text></svg>')
    assert ops == "q\n/GA0.5 gs\n% text 1\nQ\n" and alphas.asked == [0.5]
    assert [c[0] for c in text.calls] == ["半"]


def _reading(call: tuple[object, ...]) -> tuple[float, float]:
    """Top to bottom, left to right (page y grows upwards)."""
    x, y = call[1], call[2]
    assert isinstance(x, float) and isinstance(y, float)
    return (-y, x)


def test_texts_come_after_the_shapes_in_reading_order() -> None:
    text = FakeText()
    draw_svg(charts.score_scale(Decimal("82.5"), Decimal(100), [("优", Decimal(90)), ("良", Decimal(60))]),
             100.0, 800.0, text=text, alpha=lambda a: "GA")
    assert text.calls == sorted(text.calls, key=_reading)
