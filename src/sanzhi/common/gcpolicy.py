"""Cyclic garbage-collector settings for processes that handle many villages.

Scoring, serializing and rendering allocate many small containers (tuples, NamedTuples,
dicts) that are not garbage: results are kept until written. With CPython's default
thresholds (700, 10, 10) the collector keeps re-scanning everything kept so far, and that
scanning cost more than the scoring itself (scripts/bench_scoring.py, 2,000 villages kept:
engine 310 µs/village, default GC adds ~360 µs; with these thresholds it adds ~60 µs).
WeasyPrint's pattern is the same: GC was a quarter of a report's render time.

Reference cycles are still collected, in fewer, larger passes; memory stays flat
(see scripts/bench_reports.py and scripts/bench_batch.py). Nothing here changes results.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: First-generation threshold raised from 700 allocations; the older generations a bit.
MANY_OBJECTS_THRESHOLD = (50_000, 20, 10)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect less often inside the block; the previous thresholds are restored on exit."""
    previous = gc.get_threshold()
    gc.set_threshold(*MANY_OBJECTS_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def settle_worker() -> None:
    """For worker processes sanzhi owns (freezing is process-wide): after setup, freeze what
    is alive (modules, the compiled rubric, fonts) out of the collector's sight, since it
    lives as long as the worker, and keep the higher thresholds for the worker's life."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*MANY_OBJECTS_THRESHOLD)
