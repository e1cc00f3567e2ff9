"""Scoring speed: villages scored per second on one core, rubric compiled once.

Usage: python scripts/bench_scoring.py [RUBRIC] [N]
Prints figures; asserts nothing (speed goals live here, not in tests).
"""

import gc
import statistics
import sys
import time
from collections.abc import Callable

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.errors import Location
from sanzhi.common.gcpolicy import fewer_collections
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.synthetic import synthetic_village
from sanzhi.reports.json_output import dumps_results
from sanzhi.scoring.engine import score_village


def _timed(run: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Median wall and CPU seconds of `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


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
    # The engine alone: each result dropped once made, as a batch run does after writing it.
    stream_wall, stream_cpu = _timed(lambda: [score_village(compiled, a) and None for a in assessments])
    # Every result kept in memory (as `sanzhi score` does before writing), with the CLI's GC
    # policy and with CPython's default one: the difference is the cyclic collector.
    with fewer_collections():
        kept_wall, kept_cpu = _timed(lambda: [score_village(compiled, a) for a in assessments])
    default_wall, default_cpu = _timed(lambda: [score_village(compiled, a) for a in assessments])
    results = [score_village(compiled, a) for a in assessments]
    t0 = time.perf_counter()
    dumps_results((r, None) for r in results)
    t_json = time.perf_counter() - t0
    print(f"rubric {compiled.ref}: {len(compiled.items)} items, loaded+compiled in {t_load * 1000:.0f} ms")
    print(f"validate village data: {n / t_read:,.0f} villages/s")
    print("score, median of 5 runs of", n, "villages; villages/s/core by CPU time (wall in brackets):")
    for label, wall, cpu in (
        ("engine, results streamed out", stream_wall, stream_cpu),
        ("results all kept, sanzhi's GC policy", kept_wall, kept_cpu),
        ("results all kept, default GC", default_wall, default_cpu),
    ):
        print(f"  {label:<38} {n / cpu:>7,.0f}/s  ({n / wall:,.0f}/s wall, {cpu / n * 1e6:.0f} µs/village)")
    print(f"JSON output: {n / t_json:,.0f} villages/s")


if __name__ == "__main__":
    main()
