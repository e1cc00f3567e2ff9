"""Hand-computed scoring cases, one YAML file per rule kind or topic (tests/scoring/cases/).

Case file format (readable by a standards person; every number worked out by hand):

    kind: per_occurrence              # must equal the file name
    defaults: {fields: [...], item: {...}}   # optional: merged into every case (a case's own
                                      # item / items / dimensions replace the default shape)
    cases:
      - id: cap_reached               # test id is "<kind>_<id>"
        fields: [...]                 # rubric fields / attributes / derived, as in a rubric
        item: {points: 3, rules: [...]}   # or items: [...], or dimensions: [{id, items}]
        bonus: {cap, items}           # optional, as in a rubric
        vetoes: [...]  rating: {...}  precision: 0.01   # optional rubric parts
        village: {county_class: 一般县, assessed_on: 2025-06-30}  # attributes etc.
        answers: {findings: 7}        # village data, exactly as in a village data file
        judgments: {...}  reviews: [...]
        expect: {...}                 # see EXPECT_KEYS below
        worked: "7 × 0.5 = 3.5 > 封顶 3 → 扣 3，得 0"   # the hand computation, required
        xfail: "…"                    # optional: a known engine bug (strict xfail)
    wording:                          # rule kinds' files: how a rule reads, written out by hand
      - rule: {kind: per_occurrence, count: n, each: 0.5, reason: 越级上访}
        points: 2                     # the item's
        describe: "越级上访，每发现1项扣0.5分，扣完为止"   # its 评分细则 sentence
        outline: "每次（n）扣 0.5 分，扣完为止（越级上访）"  # optional: its `rubric diff` line
      (checked by tests/standard/test_rule_kinds.py)

`expect` keys (all optional, at least one):
- score, levels, findings, applicable, missing, lost: about the first item (the first
  main item, or the first bonus item when there is no main item);
- items: {item id: {score, levels, findings, applicable, missing, lost}};
- dimensions: {dim id: score | {score, scores: {level: score}, applicable_points, rescaled}};
- total (operative), totals: {level: total | {base, bonus, total}};
- vetoes: [veto id | {id, text_has}] — exactly the vetoes triggered, in rubric order;
- rating: {tier, name, blocked_by_veto, gate_passed, reasons_has: [substring, …]};
- data_error: a diagnostic code the village data must be rejected with (nothing scored).

`levels` maps a review level id to a score or {score, changed}. `findings` is the exact list
of findings in order; each expected finding gives only the keys it checks among kind, rule,
amount, occurrences, cap, capped, text_has. Numbers are compared as Decimals ("2.5" == 2.50).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sanzhi.common.errors import DataError
from sanzhi.common.yaml_source import load_yaml
from sanzhi.scoring.results import Finding, ItemResult, VillageResult
from sanzhi.standard.rules import KIND_NAMES
from tests.scoring import builders

CASES_DIR = Path(__file__).parent / "cases"
# One file per registered rule kind, and one per topic of the engine.
TOPICS = ("bonus", "vetoes", "not_applicable", "missing", "review_levels", "rating", "rounding")
KINDS = (*KIND_NAMES, *TOPICS)
CASE_KEYS = {
    "id", "worked", "expect", "xfail", "note",
    "fields", "attributes", "derived", "item", "items", "dimensions", "bonus", "vetoes", "rating",
    "precision", "review_levels",
    "village", "answers", "judgments", "evidence", "reviews",
}
SHAPES = {"item", "items", "dimensions"}
ITEM_KEYS = {"score", "levels", "findings", "applicable", "missing", "lost"}
EXPECT_KEYS = ITEM_KEYS | {"items", "dimensions", "total", "totals", "vetoes", "rating", "data_error"}
FINDING_KEYS = {"kind", "rule", "amount", "occurrences", "cap", "capped", "text_has"}
RATING_KEYS = {"tier", "name", "blocked_by_veto", "gate_passed", "reasons_has"}


def _load(path: Path) -> dict[str, Any]:
    data, _ = load_yaml(path.read_text(encoding="utf-8"), path.name)
    assert isinstance(data, dict), path
    return data


def _all_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = _load(path)
        defaults = data.get("defaults") or {}
        for case in data.get("cases") or []:
            base = dict(defaults)
            if SHAPES & set(case):  # a case's own item / items / dimensions replace the default shape
                base = {k: v for k, v in base.items() if k not in SHAPES}
            out.append((f"{data.get('kind')}_{case.get('id')}", {**base, **case}))
    return out


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        params = []
        for test_id, case in _all_cases():
            marks = [pytest.mark.xfail(strict=True, reason=str(case["xfail"]))] if case.get("xfail") else []
            params.append(pytest.param(case, id=test_id, marks=marks))
        metafunc.parametrize("case", params)


# --- the case files themselves ------------------------------------------------------------


def test_case_files_are_well_formed() -> None:
    files = {p.stem: p for p in CASES_DIR.glob("*.yaml")}
    assert set(files) == set(KINDS), f"missing: {set(KINDS) - set(files)}; unexpected: {set(files) - set(KINDS)}"
    seen: set[str] = set()
    problems = []
    for stem, path in sorted(files.items()):
        data = _load(path)
        if not {"kind", "cases"} <= set(data) <= {"kind", "defaults", "cases", "wording"} or data["kind"] != stem:
            problems.append(f"{path.name}: top level must be kind: {stem}, cases and optionally defaults, wording")
            continue
        for n, entry in enumerate(data.get("wording") or []):
            if not {"rule", "points", "describe"} <= set(entry) <= {"rule", "points", "describe", "outline"}:
                problems.append(f"{path.name}: wording #{n + 1} must hold rule, points, describe and optionally outline")
        if unknown := set(data.get("defaults") or {}) - (CASE_KEYS - {"id", "worked", "expect", "xfail"}):
            problems.append(f"{path.name}: defaults may not hold {sorted(unknown)}")
        if len(data["cases"]) < 3:
            problems.append(f"{path.name}: fewer than 3 cases")
        for case in data["cases"]:
            cid = f"{stem}_{case.get('id')}"
            if cid in seen:
                problems.append(f"{cid}: duplicate id")
            seen.add(cid)
            if unknown := set(case) - CASE_KEYS:
                problems.append(f"{cid}: unknown keys {sorted(unknown)}")
            if not str(case.get("worked") or "").strip():
                problems.append(f"{cid}: no worked explanation")
            expect = case.get("expect") or {}
            if not expect:
                problems.append(f"{cid}: no expect")
            if unknown := set(expect) - EXPECT_KEYS:
                problems.append(f"{cid}: unknown expect keys {sorted(unknown)}")
            for iid, sub in (expect.get("items") or {}).items():
                if unknown := set(sub) - ITEM_KEYS:
                    problems.append(f"{cid}: item {iid}: unknown keys {sorted(unknown)}")
            if unknown := set(expect.get("rating") or {}) - RATING_KEYS:
                problems.append(f"{cid}: unknown rating keys {sorted(unknown)}")
            for f in _findings_in(expect):
                if unknown := set(f) - FINDING_KEYS:
                    problems.append(f"{cid}: unknown finding keys {sorted(unknown)}")
    assert not problems, "\n".join(problems)
    assert len(seen) >= 60


def _findings_in(expect: dict[str, Any]) -> list[dict[str, Any]]:
    out = list(expect.get("findings") or [])
    for sub in (expect.get("items") or {}).values():
        out += list(sub.get("findings") or [])
        for lv in (sub.get("levels") or {}).values():
            if isinstance(lv, dict):
                out += list(lv.get("findings") or [])
    return out


# --- comparison helpers -------------------------------------------------------------------


def _num(value: object) -> Decimal:
    assert not isinstance(value, float), "write expected numbers as text or exact YAML numbers"
    return Decimal(str(value))


def _check_finding(actual: Finding, expected: dict[str, Any], where: str) -> None:
    for key, want in expected.items():
        if key == "text_has":
            assert want in actual.text, f"{where}: text {actual.text!r} lacks {want!r}"
        elif key in ("amount", "cap"):
            got = getattr(actual, key)
            assert got is not None and got == _num(want), f"{where}: {key} {got} != {want}"
        else:
            got = getattr(actual, key)
            assert got == want, f"{where}: {key} {got!r} != {want!r}"


def _check_findings(actual: tuple[Finding, ...], expected: list[dict[str, Any]], where: str) -> None:
    shown = [(f.kind, str(f.amount), f.text) for f in actual]
    assert len(actual) == len(expected), f"{where}: {len(actual)} findings, expected {len(expected)}: {shown}"
    for n, (a, e) in enumerate(zip(actual, expected)):
        _check_finding(a, e, f"{where} finding {n + 1}")


def _check_item(it: ItemResult, expected: dict[str, Any], where: str) -> None:
    where = f"{where} item {it.id}"
    if "score" in expected:
        assert it.score == _num(expected["score"]), f"{where}: score {it.score} != {expected['score']}"
    if "lost" in expected:
        assert it.lost == _num(expected["lost"]), f"{where}: lost {it.lost} != {expected['lost']}"
    if "applicable" in expected:
        assert it.applicable is expected["applicable"], f"{where}: applicable {it.applicable}"
    if "missing" in expected:
        assert list(it.missing) == list(expected["missing"]), f"{where}: missing {it.missing}"
    if "findings" in expected:
        _check_findings(it.operative.findings, expected["findings"], where)
    if "levels" in expected:
        got_levels = [ls.level for ls in it.levels]
        assert got_levels == list(expected["levels"]), f"{where}: levels {got_levels}"
        for ls in it.levels:
            want = expected["levels"][ls.level]
            if not isinstance(want, dict):
                want = {"score": want}
            if "score" in want:
                assert ls.score == _num(want["score"]), f"{where} [{ls.level}]: score {ls.score} != {want['score']}"
            if "changed" in want:
                assert ls.changed is want["changed"], f"{where} [{ls.level}]: changed {ls.changed}"
            if "findings" in want:
                _check_findings(ls.findings, want["findings"], f"{where} [{ls.level}]")


def check_result(result: VillageResult, expect: dict[str, Any]) -> None:
    all_items = {it.id: it for it in (*result.items, *result.bonus_items)}
    first = (result.items or result.bonus_items)[0]
    own = {k: v for k, v in expect.items() if k in ITEM_KEYS}
    if own:
        _check_item(first, own, "")
    for iid, sub in (expect.get("items") or {}).items():
        assert str(iid) in all_items, f"no item {iid}"
        _check_item(all_items[str(iid)], sub, "")
    dims = {d.id: d for d in result.dimensions}
    for did, want in (expect.get("dimensions") or {}).items():
        d = dims[str(did)]
        if not isinstance(want, dict):
            want = {"score": want}
        if "score" in want:
            assert d.score == _num(want["score"]), f"dimension {did}: score {d.score} != {want['score']}"
        if "scores" in want:
            got = {lv: s for lv, s in d.scores}
            assert list(got) == list(want["scores"]), f"dimension {did}: levels {list(got)}"
            for lv, s in want["scores"].items():
                assert got[lv] == _num(s), f"dimension {did} [{lv}]: {got[lv]} != {s}"
        if "applicable_points" in want:
            assert d.applicable_points == _num(want["applicable_points"]), f"dimension {did}: applicable_points {d.applicable_points}"
        if "rescaled" in want:
            assert d.rescaled is want["rescaled"], f"dimension {did}: rescaled {d.rescaled}"
    if "total" in expect:
        assert result.total == _num(expect["total"]), f"total {result.total} != {expect['total']}"
    if "totals" in expect:
        got = {t.level: t for t in result.totals}
        assert list(got) == list(expect["totals"]), f"total levels {list(got)}"
        for lv, want in expect["totals"].items():
            if not isinstance(want, dict):
                want = {"total": want}
            for key in ("base", "bonus", "total"):
                if key in want:
                    value = getattr(got[lv], key)
                    assert value == _num(want[key]), f"totals [{lv}] {key}: {value} != {want[key]}"
    if "vetoes" in expect:
        wants = [w if isinstance(w, dict) else {"id": w} for w in expect["vetoes"]]
        assert [v.id for v in result.vetoes] == [str(w["id"]) for w in wants], f"vetoes {[v.text for v in result.vetoes]}"
        for v, w in zip(result.vetoes, wants):
            if "text_has" in w:
                assert w["text_has"] in v.text, f"veto {v.id}: {v.text!r} lacks {w['text_has']!r}"
    if "rating" in expect:
        r, want = result.rating, expect["rating"]
        for key in ("tier", "name", "blocked_by_veto", "gate_passed"):
            if key in want:
                exp = want[key] if want[key] is None or isinstance(want[key], bool) else str(want[key])
                assert getattr(r, key) == exp, f"rating {key}: {getattr(r, key)!r} != {exp!r} (reasons {r.reasons})"
        for text in want.get("reasons_has") or []:
            assert any(text in reason for reason in r.reasons), f"rating reasons {r.reasons} lack {text!r}"


def test_case(case: dict[str, Any]) -> None:
    compiled = builders.compile_spec(case)
    raw = builders.village_raw(case)
    expect = case["expect"]
    if "data_error" in expect:
        with pytest.raises(DataError) as info:
            builders.read(compiled, raw)
        codes = [d.code for d in info.value.diagnostics]
        assert expect["data_error"] in codes, codes
        return
    result = builders.score(compiled, raw)
    check_result(result, expect)


# --- regression: found while writing the cases -------------------------------------------------

LINEAR_RUBRIC = """\
schema_version: 1
id: linear-check
version: "1"
title: 按比例计分
issuer: 测试
effective_date: 2024-01-01
provenance_note: 测试
changelog: [{version: "1", date: 2024-01-01, changes: 初版}]
total_points: 4
fields:
  - {id: volunteers, label: 注册志愿者人数, type: integer, min: 0}
dimensions:
  - id: "1"
    name: 维度
    points: 4
    indicators:
      - id: "1.1"
        name: 指标
        points: 4
        items:
          - id: "1.1.1"
            name: 志愿者
            points: 4
            criterion: 志愿者人数
            provenance: calibrated
            clause: 测试
            rules:
              - {kind: linear, value: volunteers, target: 10, reason: 志愿者人数}
rating:
  tiers: [{id: A, name: 达标, min_score: 0}]
"""


def test_rubric_with_linear_rule_loads() -> None:
    """check_field_use once read linear.target (a number) as expression text: TypeError at load."""
    from sanzhi.standard.loader import parse_rubric

    compiled, _ = parse_rubric(LINEAR_RUBRIC, "linear.yaml")
    assert compiled.items[0].rules[0].rule.kind == "linear"
