"""Memo hit rates: how often the engine's item memo and the batch's item encoding reuse a result.

Usage: python scripts/bench_memo.py [-n 100000] [--limit N]

Streams N plausible villages (bench_batch's data: bundled samples with answers redrawn, a
quarter of them reviewed) through read → score → one result file's JSON, as a batch worker
does, and counts the work the caches saved:

- outcomes: items whose (score, findings, missing) had to be computed (`score_item` calls),
- items: ItemResults that had to be built (the engine's `_item_result` calls),
- encoded: shared items encoded afresh for a result file (`batch.serialize._convert_item` calls),

each against the number of items scored. `--limit N` shrinks the engine's memos to N entries,
to see what the eviction policy does once a run outgrows them. The counts come from wrapping
those three functions, so the script runs unchanged on older commits (for before/after).
Asserts nothing.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, cast

from sanzhi.app.api import load_compiled_rubric
from sanzhi.batch import serialize
from sanzhi.common.errors import Location
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.synthetic import plausible_village
from sanzhi.scoring import engine, memo
from sanzhi.standard.bundled import sample_files


def _counted(fn: Callable[..., Any], counts: dict[str, int], name: str) -> Callable[..., Any]:
    def wrapped(*args: Any) -> Any:
        counts[name] += 1
        return fn(*args)

    return wrapped


def _shrink(limit: int) -> str:
    if hasattr(memo, "_OUTCOMES"):  # IdentityCache memos: drop the oldest half when full
        memo._OUTCOMES.limit = memo._ITEMS.limit = limit
        memo._SHARED.limit = 2 * limit
        return "drop the oldest half"
    memo._MAX_ENTRIES = limit  # before: all memos emptied when one was full
    return "empty all"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--limit", type=int, default=0, help="engine memo entries (0: as shipped)")
    args = ap.parse_args()
    compiled, _ = load_compiled_rubric("jiaxing-sanzhi")
    samples = [cast(dict[str, object], load_yaml(p.read_text(encoding="utf-8"), p.name, code_prefix="D")[0])
               for p in sample_files(compiled.rubric.id)]
    policy = _shrink(args.limit) if args.limit else "as shipped"
    counts = {"outcomes": 0, "items": 0, "encoded": 0}
    memo.score_item = _counted(memo.score_item, counts, "outcomes")
    engine._item_result = _counted(engine._item_result, counts, "items")
    serialize._convert_item = _counted(serialize._convert_item, counts, "encoded")
    scored = 0
    t0 = time.process_time()
    for i in range(args.n):
        raw = plausible_village(compiled, samples, i)
        result = engine.score_village(compiled, read_assessment(compiled, raw, lambda p, k: Location("bench")))
        serialize.village_json(result, None)
        scored += len(result.items) + len(result.bonus_items)
    cpu = time.process_time() - t0
    print(f"{args.n:,} villages, {scored:,} items; engine memos {policy}"
          + (f" at {args.limit:,} entries" if args.limit else "") + f"; {cpu:.1f} CPU-s")
    for name, made in counts.items():
        print(f"  {name:<9} made {made:>9,}  reused {1 - made / scored:7.3%}")


if __name__ == "__main__":
    main()
