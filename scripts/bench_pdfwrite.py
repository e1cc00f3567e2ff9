"""The direct renderer's PDF writer: time to assemble a village-sized PDF.

Usage: python scripts/bench_pdfwrite.py [GLYPHS] [REPEAT]
Six A4 pages, two bundled faces with GLYPHS ideographs each (default 700, spread over the CJK
block as a report's text is), one JSON attachment. Prints the median time of write_pdf with
the subsetting call included and with it answered from a cache (what the writer itself costs),
and how much of the latter is zlib on the font programs. Asserts nothing.
"""

from __future__ import annotations

import datetime
import random
import statistics
import sys
import time
import zlib
from collections.abc import Callable, Collection

import uharfbuzz as hb
from fontTools.ttLib import TTFont

from sanzhi.reports import fontsubset
from sanzhi.reports.direct import pdfwrite
from sanzhi.reports.direct.pdfwrite import FontFace, FontUse, Page, write_pdf
from sanzhi.reports.fonts import FONT_FILES, font_dir


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _use(index: int, chars: list[str]) -> FontUse:
    path = font_dir() / FONT_FILES[index]
    data = path.read_bytes()
    tables = TTFont(str(path), lazy=True)
    head, hhea, os2 = tables["head"], tables["hhea"], tables["OS/2"]
    face = FontFace(
        f"F{index + 1}", "Noto-Sans-SC-Bold" if index else "Noto-Sans-SC", data,
        head.unitsPerEm, hhea.ascent, hhea.descent, os2.sCapHeight,
        (head.xMin, head.yMin, head.xMax, head.yMax), bool(index),
    )
    font = hb.Font(hb.Face(data))
    glyphs: dict[int, str] = {}
    advances: dict[int, int] = {}
    for char in chars:
        gid = font.get_nominal_glyph(ord(char)) or 0
        glyphs[gid] = char
        advances[gid] = font.get_glyph_h_advance(gid)
    return FontUse(face, glyphs, advances)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 700
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 9
    rng = random.Random(15)
    chars = rng.sample([chr(c) for c in range(0x4E00, 0x9FA6)], count) + list("0123456789.% ")
    uses = [_use(0, chars), _use(1, chars)]
    codes = "".join(f"{gid:04X}" for gid in list(uses[0].glyphs)[:40])
    line = f"BT /F1 9.5 Tf 56.7 700 Td <{codes}> Tj ET\n".encode("ascii")
    pages = [Page(line * 120) for _ in range(6)]
    attachment = ("评分.json", b'{"item": "95.5"}' * 3000, "评分结果")

    def run() -> bytes:
        return write_pdf(pages, uses, alphas={"GA0.25": 0.25}, title="村级自评报告",
                         attachments=[attachment], attached_on=datetime.date(2026, 5, 1))

    run()  # the subsetter's faces parsed once, as in a worker after its first report
    total = _median_ms(run, repeat)

    real = fontsubset.subset_font
    programs = {id(u.face.data): pdfwrite._subset(u.face, set(u.glyphs) | set(u.advances),
                                                  notdef_outline=0 in u.glyphs) for u in uses}

    def cached(data: bytes, index: int, glyph_ids: Collection[int], **_: bool) -> bytes | None:
        return programs[id(data)]

    fontsubset.subset_font = cached  # type: ignore[assignment]
    try:
        writer = _median_ms(run, repeat)
    finally:
        fontsubset.subset_font = real
    font_zlib = sum(_median_ms(lambda p=p: zlib.compress(p, pdfwrite.ZLIB_LEVEL), repeat)
                    for p in programs.values())
    size = len(run())
    print(f"{count} glyphs x 2 faces, 6 pages, {size / 1000:.0f} KB PDF; "
          f"font programs {sum(map(len, programs.values())) / 1000:.0f} KB before zlib")
    print(f"write_pdf with subsetting   {total:7.1f} ms")
    print(f"write_pdf, subsets cached   {writer:7.1f} ms  (of which zlib on the fonts "
          f"{font_zlib:.1f} ms, the rest {writer - font_zlib:.1f} ms)")


if __name__ == "__main__":
    main()
