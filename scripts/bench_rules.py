"""The rule kinds' scorers alone: every item of N synthetic villages scored with no memo.

Usage: python scripts/bench_rules.py [RUBRIC] [N]
Prints figures; asserts nothing. `scripts/bench_scoring.py` measures the engine as a run
uses it, where the item memo (sanzhi/scoring/memo.py) answers most items; this measures
what a memo miss costs — a first-seen combination of answers, a small run, `rubric impact`.
"""

import gc
import statistics
import sys
import time

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.errors import Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.synthetic import synthetic_village
from sanzhi.scoring.derive import compute_values
from sanzhi.scoring.items import is_applicable, score_item


def main() -> None:
    ref = sys.argv[1] if len(sys.argv) > 1 else "jiaxing-sanzhi"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    compiled, _ = load_compiled_rubric(ref)
    display, precision = compiled.display, compiled.rubric.precision
    work = []
    for i in range(n):
        a = read_assessment(compiled, synthetic_village(compiled, i), lambda p, k: Location("bench"))
        values = compute_values(compiled, {**a.attributes, **a.answers})
        for ci in compiled.items:
            if is_applicable(ci, values):
                work.append((ci, values, a.judgments.get(ci.item.id) if ci.judgment is not None else None))
    rules = sum(len(ci.rules) for ci, _, _ in work)
    cpus = []
    for _ in range(7):
        gc.collect()
        c0 = time.process_time()
        for ci, values, judgment in work:
            score_item(ci, values, display, judgment, precision)
        cpus.append(time.process_time() - c0)
    cpu = statistics.median(cpus)
    print(f"rubric {compiled.ref}: {len(work):,} item scorings ({rules:,} rules) over {n} villages, no memo")
    print(f"  median of 7: {cpu:.3f} CPU-s, {cpu / len(work) * 1e6:.2f} µs per item, {cpu / rules * 1e6:.2f} µs per rule"
          f" (min {min(cpus):.3f}, max {max(cpus):.3f})")


if __name__ == "__main__":
    main()
