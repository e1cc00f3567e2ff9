"""Evaluations per second of compiled rubric expressions (sanzhi.standard.expr).

Run: python scripts/bench_expressions.py [--number N]
Times `Expression.evaluate(values)` (the public API, including its error handling and result
type check) and, for comparison, the raw compiled function. Median of 5 repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
from decimal import Decimal
from pathlib import Path

try:
    import sanzhi  # noqa: F401
except ImportError:  # running from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sanzhi.standard.expr import NameType, ValueType, compile_expression

NAMES = {
    "plan_made": NameType(ValueType.BOOL, label="已制定年度计划"),
    "meetings_held": NameType(ValueType.NUMBER, label="村民议事会召开次数"),
    "households": NameType(ValueType.NUMBER, label="户数"),
    "grids": NameType(ValueType.NUMBER, label="网格数"),
    "collective_income": NameType(ValueType.NUMBER, label="村集体经营性收入（万元）"),
    "county_class": NameType(ValueType.STRING, ("加快发展县", "其他县"), "县域类别"),
    "titles": NameType(ValueType.TAGS, ("市级民主法治示范村", "省级民主法治示范村"), "所获称号"),
}
VALUES = {
    "plan_made": True,
    "meetings_held": 7,
    "households": 812,
    "grids": 9,
    "collective_income": Decimal("15.5"),
    "county_class": "加快发展县",
    "titles": ("市级民主法治示范村",),
}
EXPRESSIONS = [
    "meetings_held >= 4 and plan_made",
    "min(3, meetings_held * 0.5)",
    "collective_income >= (10 if county_class == '加快发展县' else 20)",
    "households / grids <= 100",
    "'市级民主法治示范村' in titles or not plan_made",
]


def _median_seconds(function, number: int) -> float:
    values = VALUES
    return statistics.median(timeit.repeat(lambda: function(values), number=number, repeat=5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200_000)
    number = parser.parse_args().number
    print(f"Python {sys.version.split()[0]}, {number:,} evaluations per repeat, median of 5")
    print(f"{'expression':<64} {'result':>12} {'evaluate/s':>12} {'µs':>6} {'raw fn/s':>12}")
    for text in EXPRESSIONS:
        expr = compile_expression(text, NAMES)
        public = _median_seconds(expr.evaluate, number)
        raw = _median_seconds(expr._function, number)
        rate = number / public
        print(
            f"{text:<64} {expr.evaluate(VALUES)!s:>12} {rate:>12,.0f} {1e6 / rate:>6.2f} {number / raw:>12,.0f}"
        )
    compile_time = timeit.timeit(
        lambda: [compile_expression(t, NAMES) for t in EXPRESSIONS], number=200
    )
    print(f"compile: {compile_time / (200 * len(EXPRESSIONS)) * 1e6:.1f} µs per expression")


if __name__ == "__main__":
    main()
