"""Chart SVG → PDF operators (sanzhi.reports.direct.svgdraw): microseconds per chart.

Usage: python scripts/bench_svgdraw.py [N]
"Cached" draws markup already parsed (the same chart again, as repeated score scales are);
"parsed" clears the parse cache before every draw. The text callback is a stub that returns
nothing, so only svgdraw's own work is timed. Prints figures; asserts nothing.
"""

import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

from sanzhi.reports import charts
from sanzhi.reports.direct import svgdraw

D = Decimal


def _no_text(text: str, x: float, y: float, *, size: float, bold: bool, anchor: str,
             fill: tuple[float, float, float]) -> bytes:
    return b""


def _per_call_us(run: Callable[[], object], n: int, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            run()
        times.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    dims = [("自治", D(7), D(10)), ("法治", D(9), D(10)), ("德治", D(4), D(10)),
            ("智治建设情况", D("8.5"), D(10)), ("平安乡村", D(6), D(10))]
    tiers = [("优秀", D(90)), ("良好", D(75)), ("合格", D(60))]
    cases = {
        "radar_chart (5 axes)": charts.radar_chart(dims),
        "score_scale (3 tiers)": charts.score_scale(D("82.5"), D(100), tiers),
        "bar_chart (5 rows)": charts.bar_chart(dims),
    }
    for name, markup in cases.items():
        def cached(markup: str = markup) -> bytes:
            return svgdraw.draw_svg(markup, 50, 700, text=_no_text, alpha=str)

        def parsed(markup: str = markup) -> bytes:
            svgdraw._parse.cache_clear()
            return svgdraw.draw_svg(markup, 50, 700, text=_no_text, alpha=str)

        print(f"{name:24s} cached {_per_call_us(cached, n):7.1f} µs   "
              f"parsed {_per_call_us(parsed, n):7.1f} µs   ({len(cached())} bytes)")


if __name__ == "__main__":
    main()
