"""Unit runs at national scale: 100,000 stored village results aggregated into 5,000 townships
and 500 counties.

Usage: python scripts/bench_units.py [-n 100000] [--per-township 20] [--per-county 200] [--distinct 400] [--dir DIR]

1. Scores `--distinct` plausible kunshan-grid@2026 villages (bundled samples with answers
   redrawn, `sanzhi.inputs.synthetic.plausible_village`) with the engine, and stores N village
   results in a fresh SQLite database as a complete village run would: village_results,
   level_totals, dimension_scores, item_scores and village_values, the distinct villages
   repeated under N codes (500 counties × 10 townships × 20 villages for N = 100,000).
   Not timed as part of the target: it stands in for the village batch.
2. Times `score_units` alone for townships and for counties — the target's "aggregation and
   scoring": villages streamed from the database, aggregates, the engine per unit.
3. Runs the township batch (kunshan-grid-township@2026, `sanzhi.batch.units.run_unit_batch`,
   JSON result files, no PDFs) over it, then a county batch (the same rubric with
   `unit: county`, written to a scratch file), and prints wall and CPU seconds by stage:
   setup (checks, reading the run), aggregation and scoring (streaming the villages from the
   database, aggregates, the engine, the unit files and rows), publishing (lists, 红黑榜,
   summary), and units per second.

Target on the 2-core machine: under 10 s for the aggregation and scoring of the units. The
host is shared and swings 2× in speed: the pure-Python loop time printed first says how fast
it was at the time. Asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sanzhi import __version__
from sanzhi.app.api import load_compiled_rubric
from sanzhi.batch.result_rows import result_rows
from sanzhi.batch.runner import rubric_parts
from sanzhi.batch.store import (
    DIMENSION_COLUMNS,
    ITEM_COLUMNS,
    LEVEL_COLUMNS,
    VALUE_COLUMNS,
    VILLAGE_COLUMNS,
    Store,
)
from sanzhi.batch.units import UnitBatchOptions, run_unit_batch, score_units
from sanzhi.batch.values import values_json
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.read import read_village
from sanzhi.inputs.synthetic import plausible_village
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.engine import score_with_values
from sanzhi.standard.bundled import find_bundled, sample_files

CLOCK = "2026-12-20T09:00:00+08:00"


def host_speed() -> float:
    """Seconds for a fixed pure-Python loop (10 M additions), as in scripts/bench_batch.py."""
    t0 = time.perf_counter()
    s = 0
    for i in range(10_000_000):
        s += i
    return time.perf_counter() - t0


def distinct_villages(n: int) -> list[tuple[tuple[object, ...], ...]]:
    """`n` scored villages as row templates: (village row, level rows, dimension rows, item rows, values JSON)."""
    import json

    compiled, _ = load_compiled_rubric("kunshan-grid@2026")
    samples = [load_yaml(p.read_text(encoding="utf-8"), p.name, code_prefix="D")[0] for p in sample_files("kunshan-grid")]
    out = []
    for i in range(n):
        raw = plausible_village(compiled, samples, i)
        a = read_village(compiled, f"v{i}.json", json.dumps(raw, ensure_ascii=False, default=str).encode())
        assert isinstance(a, Assessment), a
        result, values = score_with_values(compiled, a)
        v, lv, dims, items = result_rows(0, result, "sha256:bench", "bench")
        out.append((v, lv, dims, items, values_json(values)))  # type: ignore[arg-type]
    return out


def store_village_run(db: str, n: int, per_township: int, per_county: int, templates: list) -> str:  # type: ignore[type-arg]
    compiled, _ = load_compiled_rubric("kunshan-grid@2026")
    r = compiled.rubric
    with Store(db) as store:
        store.ensure_schema()
        run_id = f"2026-kunshan-grid-bench{n}"
        rk = store.create_run(run_id=run_id, year=2026, rubric_id=r.id, rubric_version=r.version,
                              rubric_hash=compiled.content_hash, engine_version=__version__, started_at=CLOCK,
                              rank_tiers=None, options={"bench": True})
        store.add_rubric_parts(compiled.content_hash, rubric_parts(compiled))
        batch: dict[str, list[tuple[object, ...]]] = {"v": [], "l": [], "d": [], "i": [], "x": []}

        def flush() -> None:
            with store.transaction():
                store.insert("village_results", VILLAGE_COLUMNS, batch["v"])
                store.insert("level_totals", LEVEL_COLUMNS, batch["l"])
                store.insert("dimension_scores", DIMENSION_COLUMNS, batch["d"])
                store.insert("item_scores", ITEM_COLUMNS, batch["i"])
                store.insert("village_values", VALUE_COLUMNS, batch["x"])
            for b in batch.values():
                b.clear()

        for i in range(n):
            county, town, village = i // per_county, (i % per_county) // per_township, i % per_township
            code = f"9{county:05d}{town + 1:03d}{village + 1:03d}"
            cname, tname = f"合成县{county:05d}", f"合成县{county:05d}镇{town + 1:03d}"
            v, lv, dims, items, values = templates[i % len(templates)]
            batch["v"].append((rk, code, f"村{i}", tname, cname, *v[5:]))
            batch["l"].extend((rk, code, *x[2:]) for x in lv)
            batch["d"].extend((rk, code, *x[2:]) for x in dims)
            batch["i"].extend((rk, code, *x[2:]) for x in items)
            batch["x"].append((rk, code, values))
            if len(batch["v"]) >= 5000:
                flush()
        flush()
        store.finish_run(rk, finished_at=CLOCK, villages=n, skipped=0, inputs_sha256="sha256:bench")
    return run_id


def county_rubric(folder: Path) -> Path:
    text = find_bundled("kunshan-grid-township@2026").path.read_text(encoding="utf-8")
    text = text.replace("unit: township", "unit: county").replace("id: kunshan-grid-township", "id: kunshan-grid-county-bench")
    path = folder / "kunshan-grid-county-bench.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def timed_core(ref: str, db: str, run_id: str) -> None:
    """Aggregation and scoring alone (`score_units`: the villages streamed from the database, the
    aggregates, the engine), without the unit files, rows and lists."""
    compiled, _ = load_compiled_rubric(ref)
    with Store(db) as store:
        run = store.run(run_id)
        assert run is not None
        c0, t0 = time.process_time(), time.perf_counter()
        n = sum(1 for _ in score_units(compiled, store, run, {}))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"  {compiled.unit:8s} {n:6,d} units  aggregation + scoring alone: wall {wall:6.2f} s  cpu {cpu:6.2f} s")


def timed_unit_run(ref: str, db: str, run_id: str, out: Path) -> None:
    compiled, _ = load_compiled_rubric(ref)
    c0, t0 = time.process_time(), time.perf_counter()
    summary = run_unit_batch(compiled, UnitBatchOptions(from_run=run_id, out_dir=out, db=db), clock=lambda: CLOCK)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    tm = summary.timings
    print(f"  {compiled.unit:8s} {summary.scored:6,d} units  wall {wall:6.2f} s  cpu {cpu:6.2f} s  |"
          f"  setup {tm['setup']:5.2f}  aggregation + scoring {tm['score']:6.2f}  publishing {tm['publish']:5.2f} s  |"
          f"  {summary.scored / tm['score']:6.0f} units/s, {_villages(db, run_id) / tm['score']:7.0f} villages/s aggregated")


def _villages(db: str, run_id: str) -> int:
    with Store(db) as store:
        run = store.run(run_id)
        assert run is not None and run.villages is not None
        return run.villages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--per-township", type=int, default=20)
    ap.add_argument("--per-county", type=int, default=200)
    ap.add_argument("--distinct", type=int, default=400)
    ap.add_argument("--dir", type=Path, default=None)
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="sanzhi-bench-units-"))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    db = str(work / "r.sqlite")
    print(f"host: pure-Python loop {host_speed():.2f} s (0.31 s on a fast hour, ≥ 0.47 s on slow ones)")
    t0 = time.perf_counter()
    templates = distinct_villages(args.distinct)
    t1 = time.perf_counter()
    run_id = store_village_run(db, args.n, args.per_township, args.per_county, templates)
    t2 = time.perf_counter()
    townships = -(-args.n // args.per_township)
    counties = -(-args.n // args.per_county)
    print(f"village run (stand-in, not the target): {args.distinct} distinct villages scored in {t1 - t0:.1f} s;"
          f" {args.n:,} results stored in {t2 - t1:.1f} s ({townships:,} townships, {counties:,} counties)")
    county = str(county_rubric(work))
    print("the unit batch (sanzhi batch --from-run: files, rows, lists; no PDFs):")
    timed_unit_run("kunshan-grid-township@2026", db, run_id, work / "townships")
    timed_unit_run(county, db, run_id, work / "counties")
    print("the target's part:")
    timed_core("kunshan-grid-township@2026", db, run_id)
    timed_core(county, db, run_id)
    print(f"host again: pure-Python loop {host_speed():.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB; target: aggregation + scoring under 10 s for each unit run on 2 cores")
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
