"""Listing a national run's inputs: the walker (`sanzhi.inputs.walk`) over N village files.

Usage: python scripts/bench_walk.py [-n 100000] [--dir DIR] [--repeat 5]

Builds (once, kept in DIR) N empty `.json` files laid out as a national run is: counties of
12 townships × 15 villages, one folder per township, plus an output folder inside the input
folder (which the walker must skip) and a lock file per county. Then times
`sanzhi.batch.plan.list_files(…, skip=out)` — what `sanzhi batch` calls once per run —
and prints the median wall and CPU time of `--repeat` listings with the files found.
Run it from two checkouts on the same DIR to compare them side by side. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sanzhi.batch.plan import list_files

PER_TOWNSHIP, TOWNSHIPS = 15, 12


def build(root: Path, n: int) -> None:
    done = root / f".built-{n}"
    if done.exists():
        return
    for i in range(n):
        county, town = divmod(i // PER_TOWNSHIP, TOWNSHIPS)
        folder = root / "in" / f"county{county:04d}" / f"town{town:02d}"
        if i % PER_TOWNSHIP == 0:
            folder.mkdir(parents=True, exist_ok=True)
            if town == 0:
                (folder.parent / f"~$county{county:04d}.xlsx").write_bytes(b"")
        (folder / f"9{i:011d}.json").write_bytes(b"")
    (root / "in" / "out" / "villages").mkdir(parents=True, exist_ok=True)
    for i in range(200):
        (root / "in" / "out" / "villages" / f"{i}.json").write_bytes(b"")
    done.write_bytes(b"")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/sanzhi-bench-walk"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    build(args.dir, args.n)
    walls, cpus, found = [], [], 0
    for _ in range(args.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        found = len(list_files([args.dir / "in"], skip=args.dir / "in" / "out"))
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    print(f"list_files over {args.n:,} village files: {found:,} found; median of {args.repeat}: "
          f"{statistics.median(walls) * 1e3:.0f} ms wall, {statistics.median(cpus) * 1e3:.0f} ms CPU "
          f"({statistics.median(cpus) / max(found, 1) * 1e6:.2f} µs CPU a file)")


if __name__ == "__main__":
    main()
