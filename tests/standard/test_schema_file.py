"""The committed JSON Schema that rubric files reference matches the models."""

import json
from pathlib import Path

from sanzhi.standard.jsonschema import rubric_schema_json
from sanzhi.standard.rules import KIND_NAMES

SCHEMA = Path(__file__).resolve().parents[2] / "src/sanzhi/standard/schema/rubric.schema.json"


def test_committed_schema_is_current() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == rubric_schema_json(), (
        "schema is stale: run `sanzhi rubric schema -o src/sanzhi/standard/schema/rubric.schema.json`"
    )


def test_schema_describes_rule_kinds() -> None:
    schema = json.loads(rubric_schema_json())
    kinds = {d["properties"]["kind"]["const"] for name, d in schema["$defs"].items() if "kind" in d.get("properties", {})}
    assert set(KIND_NAMES) <= kinds
