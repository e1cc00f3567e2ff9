"""Every rule, field and veto the recognizer writes is valid rubric data, and compiles.

Shortfall rules (a kind added after the recognizer) are validated and compiled like the rest.
"""

import json
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter

from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.loader import parse_rubric
from sanzhi.standard.models import Veto
from sanzhi.standard.rules import Rule
from tests.standard.recognize.corpus_rows import rows, run

_RULE = TypeAdapter(Rule)
_NEW_KINDS: set[str] = set()  # every kind the recognizer writes is in the format now


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda d: str(d) if isinstance(d, Decimal) else d))


def _recognitions() -> list[tuple[str, dict[str, Any], Any]]:
    return [(name, row, run(row, f"r{k}")) for k, (name, row) in enumerate(rows())]


def test_rules_fields_vetoes_validate() -> None:
    for name, _row, got in _recognitions():
        plain = got.to_plain()
        for rule in plain["rules"]:
            if rule["kind"] in _NEW_KINDS:
                assert {"value", "target", "each", "reason"} <= set(rule), name
                assert rule["direction"] in ("below", "above") and rule["partial"] in ("floor", "ceil", "exact"), name
                continue
            _RULE.validate_python(rule)
        for spec in plain["fields"]:
            FieldSpec.model_validate(spec)
        for veto in plain["vetoes"]:
            Veto.model_validate(veto)


def _rubric(recognitions: list[tuple[str, dict[str, Any], Any]]) -> dict[str, Any]:
    items, fields, vetoes = [], [], []
    for k, (name, row, got) in enumerate(recognitions):
        plain = got.to_plain()
        items.append({"id": f"i{k}", "name": name[:60], "points": str(row["points"]), "criterion": row.get("criterion") or name,
                      "provenance": "quoted", "clause": row["text"], "rules": plain["rules"]})
        fields += plain["fields"]
        vetoes += plain["vetoes"]
    total = sum(Decimal(str(row["points"])) for _, row, _ in recognitions)
    return {
        "schema_version": 1, "id": "recognized", "version": "1", "title": "识别结果", "issuer": "测试",
        "effective_date": "2026-01-01", "provenance_note": "由评分细则识别器生成，须复核",
        "changelog": [{"version": "1", "date": "2026-01-01", "changes": "识别"}],
        "total_points": str(total), "fields": fields, "vetoes": vetoes,
        "dimensions": [{"id": "d", "name": "识别", "points": str(total),
                        "indicators": [{"id": "d.1", "name": "识别", "points": str(total), "items": items}]}],
        "rating": {"tiers": [{"id": "ok", "name": "合格", "min_score": "0"}]},
    }


def test_recognized_items_compile_into_a_rubric() -> None:
    """Expressions type-check against the declared fields; bands cover their fields."""
    usable = [(n, r, g) for n, r, g in _recognitions()
              if not r.get("note") and r.get("points") is not None and g.rules
              and not any(rule["kind"] in _NEW_KINDS for rule in g.rules)]
    assert len(usable) >= 90
    text = json.dumps(_plain(_rubric(usable)), ensure_ascii=False)
    try:
        parse_rubric(text, "recognized.yaml")
    except Exception as e:  # noqa: BLE001 — RubricError (its module is moving); show every diagnostic
        pytest.fail("\n".join(str(d) for d in getattr(e, "diagnostics", [e])))
