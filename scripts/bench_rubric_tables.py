"""Print how long `rubric export` and `rubric import` take per bundled rubric, and what a Word copy
keeps when read back by recognition (it has no machine sheet).

    .venv/bin/python scripts/bench_rubric_tables.py [REF…]

CPU milliseconds per step (median of 3 after one warm-up run: the first PDF also starts WeasyPrint), then for the DOCX read back: items with the same id/name/points/criterion/
evidence and with the same rule kinds, and the import's warnings. Figures only, no assertions.
"""

import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sanzhi.app.api import load_compiled_rubric
from sanzhi.app.rubric_tables import ImportReport, import_table
from sanzhi.reports.rubric_export import WRITERS
from sanzhi.standard.bundled import bundled_rubrics
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.tables.layout import table_layout

T = TypeVar("T")


def cpu_ms(fn: Callable[[], T], runs: int = 3) -> tuple[float, T]:
    times = []
    out = fn()
    for _ in range(runs):
        t = time.process_time()
        out = fn()
        times.append((time.process_time() - t) * 1000)
    return statistics.median(times), out


def word_back(compiled: CompiledRubric, report: ImportReport) -> tuple[int, int]:
    """Items the Word copy gave back with the same id/name/points/criterion/evidence, and rule kinds."""
    a = [ci.item for ci in compiled.items]
    b = [ci.item for ci in report.compiled.items] if report.compiled is not None else []
    same = sum(1 for x, y in zip(a, b, strict=False) if (x.id, x.name, x.points, x.criterion, x.evidence) == (y.id, y.name, y.points, y.criterion, y.evidence))
    kinds = sum(1 for x, y in zip(a, b, strict=False) if [r.kind for r in x.rules] == [r.kind for r in y.rules])
    return same, kinds


def one(ref: str, folder: Path) -> str:
    compiled = load_compiled_rubric(ref)[0]
    layout = table_layout(compiled.rubric)
    times = []
    files = {}
    for suffix, writer in WRITERS.items():
        ms, blob = cpu_ms(functools.partial(writer, compiled.rubric, layout))
        files[suffix] = folder / f"t{suffix}"
        files[suffix].write_bytes(blob)
        times.append(ms)
    ms_x, rep_x = cpu_ms(functools.partial(import_table, files[".xlsx"], folder / "x.yaml"))
    ms_d, rep_d = cpu_ms(functools.partial(import_table, files[".docx"], folder / "d.yaml"))
    same, kinds = word_back(compiled, rep_d)
    n = len(compiled.items)
    exact = "exact" if rep_x.compiled is not None and rep_x.compiled.content_hash == compiled.content_hash else "resolved"
    return (f"{ref:34} {n:5} {times[0]:6.0f}ms {times[1]:6.0f}ms {times[2]:6.0f}ms {ms_x:7.0f}ms {ms_d:7.0f}ms  "
            f"{same}/{n} / {kinds}/{n} / {len(rep_d.warnings)}  (xlsx back: {exact})")


def main(refs: list[str]) -> None:
    refs = refs or [b.ref for b in bundled_rubrics()]
    print(f"{'rubric':34} {'items':>5} {'xlsx':>7} {'docx':>7} {'pdf':>7} {'imp xlsx':>8} {'imp docx':>8}  "
          "docx read back: same structure / same rule kinds / warnings")
    with tempfile.TemporaryDirectory() as tmp:
        for ref in refs:
            print(one(ref, Path(tmp)))


if __name__ == "__main__":
    main(sys.argv[1:])
