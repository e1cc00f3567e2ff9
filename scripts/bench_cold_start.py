"""Cold `sanzhi score ONE.yaml --pdf DIR` (one village and the summary), old tree against new.

    python scripts/bench_cold_start.py [--runs 3] [--base /path/to/other/checkout/src]

Runs alternate (base, this tree, base, …) so that both see the same host minute; prints wall
and CPU seconds of each run and the medians. Without --base only this tree is timed.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
ONE = HERE / "src/sanzhi/standard/rubrics/samples/jiaxing-sanzhi/330483101001-qingfeng.yaml"


def run(src: Path) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryDirectory() as out:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sanzhi", "score", str(ONE), "--pdf", out], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--base", type=Path)
    args = ap.parse_args()
    trees = {"base": args.base, "this": HERE / "src"} if args.base else {"this": HERE / "src"}
    got: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for _ in range(args.runs):
        for name, src in trees.items():
            got[name].append(run(src))
    print(f"load {os.getloadavg()[0]:.1f}")
    for name, runs in got.items():
        walls = ", ".join(f"{w:.2f}" for w, _ in runs)
        cpus = ", ".join(f"{c:.2f}" for _, c in runs)
        print(f"{name}: wall {walls} s (median {statistics.median(w for w, _ in runs):.2f}); "
              f"CPU {cpus} s (median {statistics.median(c for _, c in runs):.2f})")


if __name__ == "__main__":
    main()
