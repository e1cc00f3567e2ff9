"""Build small rubrics and village data in code, the way a standards person would write them.

A *case spec* is a compact dict (usually read from tests/scoring/cases/*.yaml) that says only
what matters for one scoring question; everything else (ids, names, provenance, sums of
points, a default rating) is filled in here so that the result is a complete, valid rubric
that passes the same semantic checks as a rubric file would (`check_rubric`).

Shapes accepted:

- `item: {points, rules, ...}`           one item "1.1.1" in dimension "1";
- `items: [{points, rules, ...}, ...]`   several items "1.1.1", "1.1.2", … in dimension "1";
- `dimensions: [{id, items: [...]}, ...]` several dimensions, one indicator each;
- `bonus: {cap, items: [...]}`           bonus items "B1", "B2", …;
- `vetoes`, `exemptions`, `rating`, `precision`, `review_levels`, `fields`, `attributes`, `derived`
  as in a rubric file (vetoes, exemptions and tiers get default names/provenance).

Village data: `village` (attribute values and optionally year / assessed_on), `answers`,
`judgments`, `evidence`, `reviews` exactly as in a village data file.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sanzhi.common.errors import Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.checks import check_rubric
from sanzhi.standard.compile import CompiledRubric, compile_rubric
from sanzhi.standard.models import Rubric
from sanzhi.standard.problems import RubricProblems

VILLAGE = {
    "code": "330483101201",
    "name": "测试村",
    "township": "测试镇",
    "county": "测试县",
    "year": 2025,
}

LENIENT = frozenset({"R220"})
_ITEM_DEFAULTS = {"criterion": "测试用评分要求", "provenance": "calibrated", "clause": "测试用例"}


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def _fill_item(item: Mapping[str, Any], item_id: str) -> dict[str, Any]:
    out = {"id": item_id, "name": f"评分项{item_id}", **_ITEM_DEFAULTS}
    out.update(copy.deepcopy(dict(item)))
    return out


def _sum_points(items: list[dict[str, Any]]) -> Decimal:
    return sum((_d(it["points"]) for it in items), Decimal(0))


def _dimension(dim: Mapping[str, Any]) -> dict[str, Any]:
    did = str(dim["id"])
    items = [_fill_item(it, str(it.get("id", f"{did}.1.{n + 1}"))) for n, it in enumerate(dim["items"])]
    pts = _sum_points(items)
    out = {
        "id": did,
        "name": dim.get("name", f"维度{did}"),
        "points": pts,
        "indicators": [{"id": f"{did}.1", "name": f"指标{did}.1", "points": pts, "items": items}],
    }
    return out


def rubric_dict(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A complete rubric mapping from a compact case spec (see module docstring)."""
    shapes = [k for k in ("item", "items", "dimensions") if k in spec]
    if len(shapes) != 1:
        raise ValueError(f"case must give exactly one of item / items / dimensions, got {shapes}")
    if "item" in spec:
        dims_spec = [{"id": "1", "items": [spec["item"]]}]
    elif "items" in spec:
        dims_spec = [{"id": "1", "items": spec["items"]}]
    else:
        dims_spec = spec["dimensions"]
    dims = [_dimension(d) for d in dims_spec]
    rubric: dict[str, Any] = {
        "schema_version": 1,
        "id": "case",
        "version": "1",
        "title": "测试用例评分标准",
        "issuer": "测试",
        "effective_date": "2024-01-01",
        "provenance_note": "测试用例：全部为测试而设",
        "changelog": [{"version": "1", "date": "2024-01-01", "changes": "初版"}],
        "total_points": sum((d["points"] for d in dims), Decimal(0)),
        "attributes": copy.deepcopy(list(spec.get("attributes", []))),
        "fields": copy.deepcopy(list(spec.get("fields", []))),
        "derived": copy.deepcopy(list(spec.get("derived", []))),
        "dimensions": dims,
    }
    if "precision" in spec:
        rubric["precision"] = spec["precision"]
    if "review_levels" in spec:
        rubric["review_levels"] = copy.deepcopy(spec["review_levels"])
    if "bonus" in spec:
        b = spec["bonus"]
        items = [_fill_item(it, str(it.get("id", f"B{n + 1}"))) for n, it in enumerate(b["items"])]
        rubric["bonus"] = {"name": b.get("name", "加分项"), "cap": b["cap"], "items": items}
    vetoes = []
    for v in spec.get("vetoes", []):
        vid = str(v["id"])
        vetoes.append({"name": f"否决项{vid}", "provenance": "calibrated", "clause": "测试用例", **copy.deepcopy(dict(v))})
    rubric["vetoes"] = vetoes
    if "exemptions" in spec:
        rubric["exemptions"] = [{"provenance": "calibrated", "clause": "测试用例", **copy.deepcopy(dict(e))}
                                for e in spec["exemptions"]]
    rating = copy.deepcopy(dict(spec.get("rating", {"tiers": [{"id": "T", "min_score": 0}]})))
    rating["tiers"] = [{"name": f"等级{t['id']}", **t} for t in rating["tiers"]]
    rubric["rating"] = rating
    return rubric


def compile_dict(data: Mapping[str, Any]) -> CompiledRubric:
    """Validate, check and compile a rubric mapping; any problem fails loudly.

    The one check relaxed is R220 (a declared field no rule reads): a case file declares
    its fields once in `defaults` and not every case uses all of them.
    """
    rubric = Rubric.model_validate(data)
    problems = [p for p in check_rubric(rubric) if not p.code.startswith("W") and p.code not in LENIENT]
    try:
        compiled = compile_rubric(rubric)
    except RubricProblems as e:
        problems += list(e.problems)
        compiled = None
    if problems or compiled is None:
        lines = "\n".join(f"{p.code} {'/'.join(map(str, p.path))}: {p.message}" for p in problems)
        raise ValueError(f"test rubric is not valid:\n{lines}")
    return compiled


def compile_spec(spec: Mapping[str, Any]) -> CompiledRubric:
    return compile_dict(rubric_dict(spec))


def village_raw(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The village data mapping (village data file format) of a case spec."""
    village = copy.deepcopy(dict(spec.get("village") or {}))
    if "assessed_on" in village and "year" not in village:  # a case dated in 2024 is assessed for 2024
        village["year"] = int(str(village["assessed_on"])[:4])
    raw: dict[str, Any] = {"village": {**VILLAGE, **village}}
    for key in ("answers", "judgments", "evidence", "reviews"):
        if key in spec:
            raw[key] = copy.deepcopy(spec[key])
    return raw


def _locate(path: object, key: bool) -> Location:
    return Location("case")


def read(compiled: CompiledRubric, raw: Mapping[str, Any]) -> Assessment:
    return read_assessment(compiled, raw, _locate)


def score(compiled: CompiledRubric, raw: Mapping[str, Any]) -> VillageResult:
    return score_village(compiled, read(compiled, raw))


def score_spec(spec: Mapping[str, Any]) -> VillageResult:
    compiled = compile_spec(spec)
    return score(compiled, village_raw(spec))
