"""The report's SVG charts (:mod:`sanzhi.reports.charts`) as laid-out blocks.

The charts stay SVG, the one description of their geometry (the screen HTML shows the same
markup); :mod:`sanzhi.reports.direct.svgdraw` turns it into PDF operators and this module
gives it the text: measured with the bundled faces, anchored as SVG says.
"""

from __future__ import annotations

from sanzhi.reports.direct.layout import Ink, Laid, num
from sanzhi.reports.direct.svgdraw import draw_svg, svg_size
from sanzhi.reports.direct.text import Color, face

__all__ = ["lay_svg"]


def lay_svg(markup: str, ink: Ink) -> Laid:
    """The chart with its top-left corner at the block's origin."""

    def draw_text(text: str, x: float, y: float, *, size: float, bold: bool, anchor: str, fill: Color) -> bytes:
        f = face(bold)
        if anchor in ("middle", "end"):
            w = f.width(text) * size / f.upem
            x -= w / 2 if anchor == "middle" else w
        return (f"BT {num(fill[0])} {num(fill[1])} {num(fill[2])} rg /{ink.resource(f)} {num(size)} Tf "
                f"1 0 0 1 {num(x)} {num(y)} Tm <{ink.hex_run(f, text)}> Tj ET\n").encode()

    _, height = svg_size(markup)
    ops = draw_svg(markup, 0.0, 0.0, text=draw_text, alpha=ink.alpha)
    return Laid(height, ops.decode())
