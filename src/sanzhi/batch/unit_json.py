"""One township or county per JSON file for unit runs (`units/<county code>/<code>.json`), and
reading such files back.

The village result format (`sanzhi.reports.json_convert.village_data`), plus the unit, the
villages behind it and its aggregates, each call listing the villages it counted; the file
names the unit rubric, the rubric it reads and the village run it was scored from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from sanzhi.batch.store import RunInfo
from sanzhi.common.numbers import fmt_cached
from sanzhi.reports.json_convert import village_data
from sanzhi.reports.json_output import encode_json, to_data
from sanzhi.scoring.units import AggregateValue, UnitResult
from sanzhi.standard.compile import CompiledRubric

UNIT_RESULTS_FORMAT = "sanzhi.unit-results"


def unit_data(unit: UnitResult, input_sha256: str) -> dict[str, object]:
    """One unit as JSON data: the village result format, plus the unit and its aggregates."""
    data = village_data(unit.result, input_sha256)
    data["unit"] = unit.unit
    data["villages"] = unit.villages
    data["aggregates"] = aggregates_data(unit.aggregates)
    return data


def _listed_value(v: object) -> object:
    t = v.__class__
    if t is Decimal:
        return fmt_cached(v)  # type: ignore[arg-type]
    return v if t is str or t is bool or t is int or v is None else to_data(v)  # dates, tags


def aggregates_data(aggregates: Sequence[AggregateValue]) -> list[dict[str, object]]:
    """The aggregates as JSON data, field for field what `to_data` gives (tested), written out:
    a county's aggregates list every village behind them, and the generic walk over 200
    villages × calls × aggregates cost more than scoring the county."""
    out: list[dict[str, object]] = []
    for a in aggregates:
        calls = [{"function": c.function, "argument": c.argument, "value": None if c.value is None else fmt_cached(c.value),
                  "counted": c.counted, "villages": c.villages, "missing": c.missing,
                  "listed": [{"code": x.code, "name": x.name, "value": _listed_value(x.value)} for x in c.listed]}
                 for c in a.calls]
        out.append({"id": a.id, "label": a.label, "unit": a.unit, "value": None if a.value is None else fmt_cached(a.value),
                    "text": a.text, "calls": calls})
    return out


def unit_json(unit: UnitResult, input_sha256: str, run: RunInfo, compiled: CompiledRubric) -> bytes:
    return encode_json({"format": UNIT_RESULTS_FORMAT, "schema_version": 1, "unit": unit.unit,
                        "rubric": compiled.ref, "reads": compiled.reads_ref, "from_run": run.run_id,
                        "year": run.year, "period": run.period, "units": [unit_data(unit, input_sha256)]})


def read_unit_file(path: Path) -> dict[str, Any]:
    """A unit result file back as data (tests and tools)."""
    doc: dict[str, Any] = json.loads(path.read_bytes())
    return doc


__all__ = ["UNIT_RESULTS_FORMAT", "aggregates_data", "read_unit_file", "unit_data", "unit_json"]
