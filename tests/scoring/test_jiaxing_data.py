"""Hand-computed expectations on the bundled jiaxing-sanzhi rubric and its sample villages.

Two data files, written by hand from the rubric text (never by running the engine):

- jiaxing_rows.yaml: one item's self-assessment (自评) score after overriding a few attributes or
  answers of a base sample village (`null` removes an answer);
- jiaxing_samples_expected.yaml: per sample village, totals per level, operative dimension
  scores, bonus, rating tier and vetoes.

When one of them disagrees with the engine, work out by hand which one is right: an engine bug
is reported, never "fixed" by copying the engine's number into the file.
"""

from __future__ import annotations

import copy
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.files import read_text_village
from sanzhi.inputs.loaded import LoadedVillage
from sanzhi.scoring.engine import score_village
from sanzhi.standard.bundled import sample_files
from sanzhi.standard.compile import CompiledRubric
from tests.scoring import builders

HERE = Path(__file__).parent
ROWS = HERE / "jiaxing_rows.yaml"
SAMPLES = HERE / "jiaxing_samples_expected.yaml"
RUBRIC = "jiaxing-sanzhi"

ROW_KEYS = {"id", "item", "village", "answers", "judgments", "expect", "worked", "note"}
ROW_EXPECT_KEYS = {"score", "applicable", "missing", "lost"}
SAMPLE_KEYS = {"code", "name", "self_total", "total", "level_totals", "bonus", "dimensions", "tier", "vetoes", "worked", "note"}


def _load(path: Path) -> dict[str, Any]:
    data, _ = load_yaml(path.read_text(encoding="utf-8"), path.name)
    assert isinstance(data, dict), path
    return data


def _num(value: object) -> Decimal:
    assert not isinstance(value, float)
    return Decimal(str(value))


@functools.cache
def _compiled() -> CompiledRubric:
    compiled, _ = load_compiled_rubric(RUBRIC)
    return compiled


def _sample_path(code: str) -> Path:
    matches = [p for p in sample_files(RUBRIC) if p.name.split("-", 1)[0] == code]
    assert len(matches) == 1, f"no single sample file for village code {code}: {matches}"
    return matches[0]


def _params(path: Path, key: str, id_key: str) -> list[Any]:
    if not path.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{path.name} not written yet"), id="absent")]
    data = _load(path)
    return [pytest.param(entry, id=str(entry.get(id_key))) for entry in data.get(key) or []]


# --- jiaxing_rows.yaml ------------------------------------------------------------------------


def test_rows_file_header() -> None:
    if not ROWS.exists():
        pytest.skip(f"{ROWS.name} not written yet")
    data = _load(ROWS)
    assert set(data) == {"rubric", "base", "cases"}, set(data)
    assert str(data["rubric"]) == _compiled().ref
    _sample_path(str(data["base"]))
    ids = [c.get("id") for c in data["cases"]]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    for case in data["cases"]:
        assert not set(case) - ROW_KEYS, (case["id"], set(case) - ROW_KEYS)
        assert case.get("expect") and not set(case["expect"]) - ROW_EXPECT_KEYS, case["id"]
        assert str(case.get("worked") or "").strip(), f"{case['id']}: no worked explanation"


def _row_raw(base_code: str, case: dict[str, Any]) -> dict[str, Any]:
    raw, _ = load_yaml(_sample_path(base_code).read_text(encoding="utf-8"), "base.yaml", code_prefix="D")
    assert isinstance(raw, dict)
    raw = copy.deepcopy(raw)
    # The expectation is the item's self-assessment score: review levels play no part.
    raw.pop("reviews", None)
    raw["village"].update(case.get("village") or {})
    answers = raw.setdefault("answers", {})
    for name, value in (case.get("answers") or {}).items():
        if value is None:
            answers.pop(name, None)
        else:
            answers[name] = value
    judgments = raw.setdefault("judgments", {})
    for iid, value in (case.get("judgments") or {}).items():
        if value is None:
            judgments.pop(iid, None)
        else:
            judgments[iid] = value
    return raw


@pytest.mark.parametrize("case", _params(ROWS, "cases", "id"))
def test_row(case: dict[str, Any]) -> None:
    base = str(_load(ROWS)["base"])
    compiled = _compiled()
    result = score_village(compiled, builders.read(compiled, _row_raw(base, case)))
    items = {it.id: it for it in (*result.items, *result.bonus_items)}
    iid = str(case["item"])
    assert iid in items, f"no item {iid} in {compiled.ref}"
    it = items[iid]
    self_level = it.levels[0]
    expect = case["expect"]
    why = "; ".join(f.text for f in self_level.findings)
    if "score" in expect:
        assert self_level.score == _num(expect["score"]), f"{iid}: {self_level.score} != {expect['score']} ({why}) — worked: {case['worked']}"
    if "applicable" in expect:
        assert it.applicable is expect["applicable"], f"{iid}: applicable {it.applicable} ({why})"
    if "missing" in expect:
        assert list(it.missing) == list(expect["missing"]), f"{iid}: missing {it.missing}"
    if "lost" in expect:
        assert it.lost == _num(expect["lost"]), f"{iid}: lost {it.lost}"


# --- jiaxing_samples_expected.yaml -------------------------------------------------------------


def test_every_sample_has_expectations() -> None:
    if not SAMPLES.exists():
        pytest.skip(f"{SAMPLES.name} not written yet")
    data = _load(SAMPLES)
    assert str(data["rubric"]) == _compiled().ref
    expected = [str(v["code"]) for v in data["villages"]]
    assert len(expected) == len(set(expected)), "a village is listed twice"
    on_disk = sorted(p.name.split("-", 1)[0] for p in sample_files(RUBRIC))
    assert sorted(expected) == on_disk
    for v in data["villages"]:
        assert not set(v) - SAMPLE_KEYS, (v["code"], set(v) - SAMPLE_KEYS)
        assert str(v.get("worked") or "").strip(), f"{v['code']}: no worked explanation"


@pytest.mark.parametrize("village", _params(SAMPLES, "villages", "code"))
def test_sample_village(village: dict[str, Any]) -> None:
    compiled = _compiled()
    code = str(village["code"])
    loaded = read_text_village(compiled, _sample_path(code))
    assert isinstance(loaded, LoadedVillage), str(loaded.error)
    r = score_village(compiled, loaded.assessment)
    got = {
        "self_total": r.totals[0].total,
        "total": r.total,
        "bonus": r.totals[-1].bonus,
        "levels": {t.level: t.total for t in r.totals},
        "dimensions": {d.id: d.score for d in r.dimensions},
        "tier": r.rating.tier,
        "vetoes": [v.id for v in r.vetoes],
    }
    want = {
        "self_total": _num(village["self_total"]),
        "total": _num(village["total"]),
        "bonus": _num(village.get("bonus", 0)),
        "levels": {str(k): _num(v) for k, v in (village.get("level_totals") or {"self": village["self_total"]}).items()},
        "dimensions": {str(k): _num(v) for k, v in village["dimensions"].items()},
        "tier": None if village.get("tier") is None else str(village["tier"]),
        "vetoes": [str(v) for v in village.get("vetoes") or []],
    }
    diffs = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    if diffs:
        lost = "\n".join(
            f"  {it.id} {it.name}: " + " / ".join(f"{ls.level} {ls.score}" for ls in it.levels)
            + " — " + "; ".join(f.text for f in it.operative.findings)
            for it in (*r.items, *r.bonus_items)
            if it.lost or any(ls.changed for ls in it.levels)
        )
        pytest.fail(f"{code} {village.get('name')}: (engine, hand) differ: {diffs}\nitems losing points or changed:\n{lost}\nworked: {village['worked']}")
