"""Property: any valid rubric, exported to a workbook and imported again, is the same rubric.

Generated rubrics mix every simple rule kind, optional evidence and scoring bodies, a bonus
section and vetoes with look-back windows, and texts made of the characters tables are made of —
including "=" at the start (never a formula), quotes, both comma widths, line breaks and
"（3分）" inside names (which a hand-made table would read as points; an exported one must not).
"""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sanzhi.app.rubric_tables import import_table
from sanzhi.reports.rubric_export import WRITERS
from sanzhi.standard.loader import parse_rubric
from sanzhi.standard.tables.layout import table_layout

_ALPHABET = "党建自治法治德治评分项目标准村社区会议加否决小计（）()、，,；;：:=+-\"'0123456789ABCxyz%\n 分"
TEXT = st.text(alphabet=_ALPHABET, min_size=1, max_size=20).filter(lambda t: t.strip() != "")
POINTS = st.sampled_from([Decimal("0.5"), Decimal(1), Decimal("1.5"), Decimal(2), Decimal(3), Decimal(4)])
KINDS = st.sampled_from(["deduct", "per_occurrence", "zero", "threshold", "bands", "judgment", "per_unit", "two_deducts"])


@st.composite
def rubrics(draw: st.DrawFn) -> dict[str, Any]:
    fields: list[dict[str, Any]] = []

    def field(type_: str, **extra: Any) -> str:
        fid = f"f{len(fields) + 1}"
        fields.append({"id": fid, "label": draw(TEXT), "type": type_, **extra})
        return fid

    def rules(points: Decimal) -> list[dict[str, Any]]:
        kind = draw(KINDS)
        reason = draw(TEXT)
        if kind == "deduct":
            return [{"kind": "deduct", "when": field("bool"), "points": points, "reason": reason}]
        if kind == "two_deducts":
            return [{"kind": "deduct", "when": f"not {field('bool')}", "points": points, "reason": reason},
                    {"kind": "deduct", "when": field("bool"), "points": points / 2, "reason": draw(TEXT)}]
        if kind == "per_occurrence":
            rule = {"kind": "per_occurrence", "count": field("integer", min=0, unit=draw(st.sampled_from(["项", "次", "处"]))),
                    "each": Decimal("0.5"), "reason": reason}
            if draw(st.booleans()):
                rule["cap"] = points
            return [rule]
        if kind == "zero":
            return [{"kind": "zero", "when": field("bool"), "reason": reason}]
        if kind == "threshold":
            return [{"kind": "threshold", "value": field("decimal", unit="%", min=0, max=100), "op": draw(st.sampled_from([">=", ">", "<=", "<"])),
                     "target": str(draw(st.integers(1, 99))), "points": points, "reason": reason}]
        if kind == "bands":
            cut = draw(st.integers(1, 99))
            return [{"kind": "bands", "value": field("decimal", unit="%", min=0, max=100), "reason": reason,
                     "bands": [{"range": f"[{cut}, ∞)", "score": points}, {"range": f"(-∞, {cut})", "score": 0}]}]
        if kind == "per_unit":
            return [{"kind": "per_unit", "count": field("integer", min=0, unit="个"), "each": Decimal("0.5"), "reason": reason}]
        return [{"kind": "judgment", "guidance": reason}]

    def item(ident: str) -> dict[str, Any]:
        points = draw(POINTS)
        out: dict[str, Any] = {"id": ident, "name": draw(TEXT), "points": points, "criterion": draw(TEXT),
                               "provenance": draw(st.sampled_from(["quoted", "paraphrased", "calibrated"])), "clause": draw(TEXT),
                               "rules": rules(points)}
        if draw(st.booleans()):
            out["evidence"] = {"methods": draw(st.lists(st.sampled_from(["听取汇报", "审核材料", "实地察看", "问卷调查"]), min_size=1, max_size=3, unique=True))}
        if draw(st.booleans()):
            out["scored_by"] = draw(st.sampled_from(["区综治办", "县司法局", "乡镇党委"]))
        return out

    dims = []
    for d in range(draw(st.integers(1, 3))):
        inds = []
        for i in range(draw(st.integers(1, 2))):
            items = [item(f"{d + 1}.{i + 1}.{k + 1}") for k in range(draw(st.integers(1, 3)))]
            inds.append({"id": f"{d + 1}.{i + 1}", "name": draw(TEXT), "points": sum(x["points"] for x in items), "items": items})
        dims.append({"id": str(d + 1), "name": draw(TEXT), "points": sum(x["points"] for x in inds), "indicators": inds})
    total = sum(x["points"] for x in dims)
    data: dict[str, Any] = {
        "schema_version": 1, "id": "generated", "version": "1", "title": draw(TEXT), "issuer": draw(TEXT),
        "effective_date": "2026-01-01", "provenance_note": draw(TEXT),
        "changelog": [{"version": "1", "date": "2026-01-01", "changes": draw(TEXT)}],
        "total_points": total, "dimensions": dims,
        "rating": {"tiers": [{"id": "good", "name": (good := draw(TEXT)), "min_score": total * Decimal("0.8")},
                             {"id": "ok", "name": draw(TEXT.filter(lambda t: t != good)),  # tier names are distinct
                              "min_score": total / 2}]},
    }
    if draw(st.booleans()):
        data["bonus"] = {"name": draw(TEXT), "cap": Decimal(2), "items": [item("B.1")]}
    if draw(st.booleans()):
        data["vetoes"] = [{"id": "V1", "name": draw(TEXT), "when": field("bool", required=True), "date_field": field("date"),
                           "lookback_months": draw(st.sampled_from([12, 24, 36, 18])), "provenance": "calibrated", "clause": draw(TEXT)}]
    if draw(st.booleans()):
        data["rating"]["apply_gate"] = {"min_self_score": total / 2}
    data["fields"] = fields
    return data


def _text(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None)
@given(rubrics())
def test_any_rubric_comes_back_from_its_workbook(tmp_path: Path, data: dict[str, Any]) -> None:
    _comes_back(tmp_path, data)


def _comes_back(tmp_path: Path, data: dict[str, Any]) -> None:
    compiled, _ = parse_rubric(_text(data), "generated.yaml")
    table = tmp_path / "t.xlsx"
    table.write_bytes(WRITERS[".xlsx"](compiled.rubric, table_layout(compiled.rubric)))
    report = import_table(table, tmp_path / "back.yaml")
    assert report.check_error is None, report.check_error
    assert report.imported.machine and not report.warnings, [w.one_line() for w in report.warnings]
    assert report.compiled is not None and report.compiled.content_hash == compiled.content_hash
    assert report.compiled.rubric == compiled.rubric


@pytest.mark.parametrize("bonus", ["小计", "合计", "总分"])
def test_a_bonus_section_named_like_a_subtotal_comes_back(tmp_path: Path, bonus: str) -> None:
    """Hypothesis' saved example, reduced: the bonus section's cell reads "小计（加分项）（最高加2分）",
    which the import took for a 小计 row of the last dimension (T116) though the row numbers item B.1."""
    def item(ident: str, field: str) -> dict[str, Any]:
        return {"id": ident, "name": "0", "points": Decimal("0.5"), "criterion": "0", "provenance": "quoted", "clause": "0",
                "rules": [{"kind": "deduct", "when": field, "points": Decimal("0.5"), "reason": "0"}]}

    data = {"schema_version": 1, "id": "generated", "version": "1", "title": "0", "issuer": "0", "effective_date": "2026-01-01",
            "provenance_note": "0", "changelog": [{"version": "1", "date": "2026-01-01", "changes": "0"}], "total_points": 1,
            "dimensions": [{"id": "1", "name": "0", "points": 1, "indicators": [
                {"id": "1.1", "name": "0", "points": 1, "items": [item("1.1.1", "f1"), item("1.1.2", "f2")]}]}],
            "rating": {"tiers": [{"id": "good", "name": "0", "min_score": Decimal("0.8")}, {"id": "ok", "name": "00", "min_score": Decimal("0.5")}]},
            "bonus": {"name": bonus, "cap": 2, "items": [item("B.1", "f3"), item("B.2", "f4")]},
            "fields": [{"id": f"f{i}", "label": "0", "type": "bool"} for i in range(1, 5)]}
    _comes_back(tmp_path, data)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture], deadline=None, max_examples=25)
@given(rubrics())
def test_any_rubric_keeps_its_structure_through_word(tmp_path: Path, data: dict[str, Any]) -> None:
    """A Word table has no machine sheet: the structure (ids, points) comes back by reading it.
    (A category named "…加分…" or "…否决…" is read as the bonus or veto section: not generated.)"""
    names = [d["name"] for d in data["dimensions"]] + [i["name"] for d in data["dimensions"] for i in d["indicators"]]
    assume(not any("加分" in n or "否决" in n for n in names))
    compiled, _ = parse_rubric(_text(data), "generated.yaml")
    table = tmp_path / "t.docx"
    table.write_bytes(WRITERS[".docx"](compiled.rubric, table_layout(compiled.rubric)))
    report = import_table(table, tmp_path / "back.yaml")
    assert not report.imported.machine
    back = report.imported.draft.data
    items = [(it["id"], it["points"]) for d in back["dimensions"] for ind in d["indicators"] for it in ind["items"]]
    assert items == [(ci.item.id, ci.item.points) for ci in compiled.items if ci.dimension is not None]
