"""The unit tests' rubrics, villages and hand-computed expectations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from sanzhi.app.api import load_compiled_rubric
from sanzhi.inputs.files import read_text_village
from sanzhi.inputs.loaded import LoadedVillage
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.engine import score_with_values
from sanzhi.scoring.units import VillageFacts, village_facts
from sanzhi.standard.compile import CompiledRubric

HERE = Path(__file__).parent
DATA = HERE / "data"
VILLAGE_RUBRIC = DATA / "village.yaml"
TOWNSHIP_RUBRIC = DATA / "township.yaml"
COUNTY_RUBRIC = DATA / "county.yaml"
VILLAGES = DATA / "villages"
TOWNSHIP_DATA = DATA / "township-data"


def expected() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((HERE / "expected.yaml").read_text(encoding="utf-8"))
    return data


def d(value: object) -> Decimal:
    return Decimal(str(value))


def compiled(path: Path) -> CompiledRubric:
    c, warnings = load_compiled_rubric(str(path))
    assert not warnings, [w.message for w in warnings]
    return c


def read(c: CompiledRubric, path: Path) -> Assessment:
    loaded = read_text_village(c, path)
    assert isinstance(loaded, LoadedVillage), [x.message for x in loaded.error.diagnostics]
    return loaded.assessment


def direct_facts(village: CompiledRubric) -> list[VillageFacts]:
    """Every test village's facts, scored here (not read from a run), by code."""
    out = []
    for path in sorted(VILLAGES.glob("*.yaml")):
        result, values = score_with_values(village, read(village, path))
        out.append(village_facts(result, values))
    return out
