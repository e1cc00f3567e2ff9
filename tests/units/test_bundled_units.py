"""The bundled unit rubrics over their samples: a village batch of samples/<id>/villages, the
township batch from it with samples/<id>/units, against the hand-computed samples/<id>/expected/hand-computed.yaml
(kunshan-grid-township: a 区镇 short of the 100 % legal-adviser rule by one village;
jiande-township: a month's township 红黑榜, one township vetoed)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from sanzhi.app.api import load_compiled_rubric
from sanzhi.batch.files import result_path
from sanzhi.batch.queries.ranking import ranking
from sanzhi.batch.runner import BatchOptions, run_batch
from sanzhi.batch.serialize import read_result_file
from sanzhi.batch.store import Store
from sanzhi.batch.units import UnitBatchOptions, run_unit_batch, unit_path
from sanzhi.standard.bundled import SAMPLE_DIR, find_bundled

CLOCK = "2026-12-20T09:00:00+08:00"
UNIT_RUBRICS = ["kunshan-grid-township@2026", "jiande-township@2026"]


def _d(v: object) -> Decimal:
    return Decimal(str(v))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("SANZHI_DB", raising=False)


@pytest.mark.parametrize("ref", UNIT_RUBRICS)
def test_bundled_unit_rubric_over_its_samples(ref: str, tmp_path: Path) -> None:
    folder = SAMPLE_DIR / ref.split("@")[0]
    want: dict[str, Any] = yaml.safe_load((folder / "expected" / "hand-computed.yaml").read_text(encoding="utf-8"))
    unit_rubric, warnings = load_compiled_rubric(ref)
    assert not warnings and unit_rubric.reads_ref == want["village_rubric"]
    village_rubric, _ = load_compiled_rubric(want["village_rubric"])
    period = str(want.get("period", ""))
    year = int(period[:4]) if period else int(want["year"])
    db = str(tmp_path / "r.sqlite")
    v = run_batch(village_rubric, BatchOptions(inputs=(folder / "villages",), out_dir=tmp_path / "v", year=year, period=period,
                                               db=db, jobs=1), clock=lambda: CLOCK)
    assert v.scored == len(want["villages"])
    for code, spec in want["villages"].items():
        result = read_result_file(result_path(tmp_path / "v", code))[0]
        assert (result.total, result.rating.name) == (_d(spec["total"]), spec["rating"]), code
    t = run_unit_batch(unit_rubric, UnitBatchOptions(from_run=v.run_id, out_dir=tmp_path / "t", unit_data=(folder / "units",),
                                                     db=db, formats=("pdf",)), clock=lambda: CLOCK)
    assert t.scored == len(want["units"])
    for code, spec in want["units"].items():
        u = json.loads(unit_path(tmp_path / "t", code).read_bytes())["units"][0]
        assert (u["village_name"], u["villages"]) == (spec["name"], spec["villages"]), code
        aggs = {a["id"]: a for a in u["aggregates"]}
        for aid, value in spec["aggregates"].items():
            assert _d(aggs[aid]["value"]) == _d(value), (code, aid)
        items = {it["id"]: it for it in u["items"]}
        assert {i: _d(items[i]["score"]) for i in spec["items"]} == {i: _d(s) for i, s in spec["items"].items()}, code
        for iid, text in spec.get("findings", {}).items():
            assert text in [f["text"] for f in items[iid]["levels"][-1]["findings"]], (code, iid)
        assert (_d(u["total"]), u["rating"]["name"]) == (_d(spec["total"]), spec["rating"]), code
        assert unit_path(tmp_path / "t", code, ".pdf").stat().st_size > 0
    county = next(iter(json.loads(unit_path(tmp_path / "t", code).read_bytes())["units"]))["county"]
    with Store(db) as store:
        ranked = ranking(store, year, county=county, unit="township", period=period)
    assert [r.village.village_code for r in ranked if r.rank is not None] == want["ranking"]
    board = next((tmp_path / "t" / "published" / county).glob("*乡镇红黑榜.csv"))
    with board.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))[1:]
    assert [[r[1], r[3]] for r in rows] == want["red_black"]
    label = f"{period[:4]}年{int(period[5:])}月" if period else f"{year}年度"
    assert {r[0] for r in rows} == {label}


def test_a_unit_rubrics_red_black_rule_is_the_one_published(tmp_path: Path) -> None:
    """jiande-township with `rating.red_black` (the best 2 red, the worst half of the rest black):
    梅岭镇 (95, rank 1) and 大洋镇 (rank 2) both red by the rule, none left for the worst half,
    寿昌镇 black by its veto — where the default (10 %) reds 梅岭镇 and blacks 大洋镇."""
    folder = SAMPLE_DIR / "jiande-township"
    text = find_bundled("jiande-township@2026").path.read_text(encoding="utf-8")
    assert "\nrating:\n  tiers:\n" in text
    path = tmp_path / "jiande-rule.yaml"
    path.write_text(text.replace("\nrating:\n  tiers:\n", "\nrating:\n  red_black: {red: {top: 2}, black: {share: 0.5}}\n  tiers:\n", 1),
                    encoding="utf-8")
    unit_rubric, _ = load_compiled_rubric(str(path))
    village_rubric, _ = load_compiled_rubric("zhejiang-shanzhi@2026")
    db = str(tmp_path / "r.sqlite")
    v = run_batch(village_rubric, BatchOptions(inputs=(folder / "villages",), out_dir=tmp_path / "v", year=2026, period="2026-11",
                                               db=db, jobs=1), clock=lambda: CLOCK)
    run_unit_batch(unit_rubric, UnitBatchOptions(from_run=v.run_id, out_dir=tmp_path / "t", unit_data=(folder / "units",), db=db),
                   clock=lambda: CLOCK)
    board = next((tmp_path / "t" / "published").glob("*/*乡镇红黑榜.csv"))
    with board.open(encoding="utf-8-sig") as f:
        rows = [[r[1], r[3], r[7]] for r in list(csv.reader(f))[1:]]
    assert rows[:2] == [["红榜", "330182105", "县内前 2 名"], ["红榜", "330182107", "县内前 2 名"]]
    assert [r[:2] for r in rows[2:]] == [["黑榜", "330182106"]] and rows[2][2].startswith("一票否决：")
    group = json.loads((tmp_path / "t" / "summary.json").read_text(encoding="utf-8"))["groups"][0]
    assert (group["red"], group["black"]) == (["330182105", "330182107"], ["330182106"])
