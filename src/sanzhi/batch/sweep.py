"""Output files the database no longer accounts for, removed: what makes a resumed run leave
exactly the files an uninterrupted one would.

Under `villages/`, a village keeps its result file (`<code>.json`, for every village in
`village_results`) and the report files that the `outputs` table records for it (unit
`village`, one per format); anything else — a killed writer's temporary file, a village whose
input went away, a format no longer wanted — goes. Before sweeping, the runner drops the
output rows of formats this invocation does not want, so their files go too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sanzhi.batch.files import VILLAGES_DIR, report_path, result_path
from sanzhi.batch.store import VILLAGE_UNIT, Store
from sanzhi.reports.formats import FORMATS, get_format

__all__ = ["remove_village_files", "sweep"]


def remove_village_files(out_dir: Path, code: str) -> None:
    """A village's result and its reports in every registered format, wherever present."""
    for p in (result_path(out_dir, code), *(report_path(out_dir, code, f.name) for f in FORMATS)):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def sweep(store: Store, run_key: int, out_dir: Path) -> int:
    """Remove every file under villages/ that this run's database rows do not account for."""
    root = out_dir / VILLAGES_DIR
    removed = 0
    if not root.is_dir():
        return 0
    # One query per township folder for the codes; the report rows only when there are any
    # (a scoring-only national run has ~7,000 township folders and no reports).
    any_reports = bool(store.query("SELECT 1 FROM outputs WHERE run_key = ? AND unit = ? LIMIT 1",
                                   (run_key, VILLAGE_UNIT)))
    for county_dir in sorted(root.iterdir()):
        if not county_dir.is_dir():
            county_dir.unlink()
            removed += 1
            continue
        for town_dir in sorted(county_dir.iterdir()):
            if not town_dir.is_dir():
                town_dir.unlink()
                removed += 1
                continue
            prefix = town_dir.name
            span = (run_key, prefix, prefix + "~")
            expected = {f"{c}.json" for (c,) in store.query(
                "SELECT village_code FROM village_results WHERE run_key = ? AND village_code >= ? AND village_code <= ?",
                span)}
            if any_reports:
                expected |= {c + get_format(fmt).suffix for c, fmt in store.query(
                    f"SELECT code, format FROM outputs WHERE run_key = ? AND unit = '{VILLAGE_UNIT}'"
                    " AND code >= ? AND code <= ?", span)}
            for f in os.listdir(town_dir):
                if f not in expected:
                    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                        (town_dir / f).unlink()
                        removed += 1
            with contextlib.suppress(OSError):
                town_dir.rmdir()  # only when empty
        with contextlib.suppress(OSError):
            county_dir.rmdir()
    return removed
