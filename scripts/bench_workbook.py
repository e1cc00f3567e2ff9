"""Workbook reading speed: a 2,000-village many-villages sheet read and validated.

Usage: python scripts/bench_workbook.py [RUBRIC] [N]
Builds the sheet from the generated template and synthetic villages (sanzhi.synthetic),
saves it to a temporary folder, then times reading it back into validated Assessments with
`read_villages` (openpyxl read-only, cached values). Prints figures; asserts nothing.
Target: under 5 s for 2,000 villages.
"""

import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

from sanzhi.api import load_compiled_rubric
from sanzhi.inputs.files import read_villages
from sanzhi.inputs.layout import RUBRIC_LABEL, many_columns
from sanzhi.synthetic import synthetic_village


def cell(value: object) -> object:
    """A synthetic value as a clerk's cell: 是/否, numbers, Excel dates, tags joined by 、."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return "、".join(value) or "无"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return date.fromisoformat(value)
    return value


def build(path: Path, ref: str, n: int) -> int:
    compiled, _ = load_compiled_rubric(ref)
    columns = many_columns(compiled)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("村汇总")
    ws.append([RUBRIC_LABEL, compiled.ref])
    ws.append([c.header for c in columns])
    for i in range(n):
        raw = synthetic_village(compiled, i)
        values: dict[str, object] = {**raw["village"], **raw["answers"]}  # type: ignore[dict-item]
        for item, j in raw["judgments"].items():  # type: ignore[union-attr]
            values[f"score:{item}"], values[f"reason:{item}"] = j["score"], j["reason"]
        ws.append([cell(values.get(c.key)) for c in columns])
    wb.save(path)
    return len(columns)


def main() -> None:
    ref = sys.argv[1] if len(sys.argv) > 1 else "jiaxing-sanzhi"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    compiled, _ = load_compiled_rubric(ref)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "村汇总.xlsx"
        width = build(path, ref, n)
        size = path.stat().st_size
        raw_runs, runs = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            cells = sum(len(row) for row in wb["村汇总"].iter_rows(values_only=True))
            wb.close()
            raw_runs.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            loaded = list(read_villages(compiled, [path]))
            runs.append(time.perf_counter() - t0)
        bad = [x for x in loaded if x.error is not None]
        best = statistics.median(runs)
        print(f"rubric {compiled.ref}: {n:,} villages × {width} columns, {size / 1e6:.1f} MB, {cells:,} cells")
        print(f"openpyxl read-only parse alone (values_only, median of 3): {statistics.median(raw_runs):.2f} s")
        print(f"read + validate {n:,} villages (read_villages, median of 3): {best:.2f} s "
              f"({n / best:,.0f} villages/s) — target < 5 s: {'OK' if best < 5 else 'MISSED'}")
        if bad:
            print(f"{len(bad)} villages had errors, e.g.: {bad[0].error}")


if __name__ == "__main__":
    main()
