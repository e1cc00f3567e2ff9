"""Scoring speed: villages scored per second on one core, rubric compiled once.

Usage: python scripts/bench_scoring.py [RUBRIC] [N]
Prints figures; asserts nothing (speed goals live here, not in tests).
"""

import statistics
import sys
import time

from sanzhi.api import load_compiled_rubric
from sanzhi.errors import Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.reports.json_output import dumps_results
from sanzhi.scoring.engine import score_village
from sanzhi.synthetic import synthetic_village


def main() -> None:
    ref = sys.argv[1] if len(sys.argv) > 1 else "jiaxing-sanzhi"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    t0 = time.perf_counter()
    compiled, _ = load_compiled_rubric(ref)
    t_load = time.perf_counter() - t0
    raws = [synthetic_village(compiled, i) for i in range(n)]
    t0 = time.perf_counter()
    assessments = [read_assessment(compiled, raw, lambda p, k: Location("bench")) for raw in raws]
    t_read = time.perf_counter() - t0
    runs, cpu = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        results = [score_village(compiled, a) for a in assessments]
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t0 = time.perf_counter()
    dumps_results((r, None) for r in results)
    t_json = time.perf_counter() - t0
    best = statistics.median(runs)
    print(f"rubric {compiled.ref}: {len(compiled.items)} items, loaded+compiled in {t_load * 1000:.0f} ms")
    print(f"validate village data: {n / t_read:,.0f} villages/s")
    best_cpu = statistics.median(cpu)
    print(f"score (engine only, median of 5): {n / best:,.0f} villages/s/core wall ({best / n * 1e6:.0f} µs/village); "
          f"{n / best_cpu:,.0f} villages/s/core by CPU time (the figure that holds on a busy machine)")
    print(f"JSON output: {n / t_json:,.0f} villages/s")


if __name__ == "__main__":
    main()
