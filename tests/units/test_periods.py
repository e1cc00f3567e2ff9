"""Runs by period: period texts, the year rated from its rounds (hand-computed cases as data),
and end to end — village runs for bimonthly rounds, a township run of one round, `ranking`,
`yoy` and `periods` by period, the year from the rounds as the rubric's `periods:` states."""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from sanzhi.common.periods import Period, PeriodError, parse_period
from sanzhi.scoring.periods import rate_year
from sanzhi.standard.models import Periods
from tests.batch.conftest import run_sanzhi
from tests.units.helpers import DATA, TOWNSHIP_RUBRIC, VILLAGE_RUBRIC, VILLAGES

CASES = yaml.safe_load((DATA / "periods-cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("SANZHI_DB", raising=False)


@pytest.mark.parametrize("text,period,label", [
    ("2025", Period(2025, "year"), "2025年度"),
    ("2025-11", Period(2025, "month", 11), "2025年11月"),
    ("2025-3", Period(2025, "month", 3), "2025年3月"),
    ("2025-q3", Period(2025, "quarter", 3), "2025年第三季度"),
    ("2025-H1", Period(2025, "half", 1), "2025年上半年"),
])
def test_period_texts(text: str, period: Period, label: str) -> None:
    assert parse_period(text) == period and period.label == label
    assert parse_period(period.text) == period


@pytest.mark.parametrize("text", ["2025-13", "2025-Q5", "2025-H3", "25-11", "2025/11", ""])
def test_bad_period_texts(text: str) -> None:
    with pytest.raises(PeriodError, match="评定期"):
        parse_period(text)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_year_from_rounds(case: dict[str, Any]) -> None:
    rule = Periods.model_validate({**case["rule"], "provenance": "calibrated"})
    got = rate_year(rule, {int(k): Decimal(str(v)) for k, v in case["scores"].items()}, Decimal("0.1"))
    assert (None if got.total is None else str(got.total)) == case["total"]
    assert got.text == case["text"]
    assert [r.how for r in got.rounds] == case["how"]


def test_periods_rule_is_checked_at_load(tmp_path: Path) -> None:
    base = VILLAGE_RUBRIC.read_text(encoding="utf-8")
    for rule, words in (("{every: month, rounds: [2, 14], provenance: calibrated}", "超出范围"),
                        ("{every: month, rounds: [4, 2], provenance: calibrated}", "按时间先后"),
                        ("{every: month, missing: 95, provenance: calibrated}", "超过总分"),
                        ("{every: week, provenance: calibrated}", "periods")):
        p = tmp_path / "r.yaml"
        p.write_text(base + f"periods: {rule}\n", encoding="utf-8")
        done = run_sanzhi("rubric", "check", str(p), cwd=tmp_path)
        assert done.returncode == 2 and words in done.stderr, (rule, done.stderr)
        assert "Traceback" not in done.stderr


BIMONTHLY = "periods: {every: month, rounds: [2, 4, 6, 8, 10, 12], combine: mean, missing: 9.5, provenance: calibrated," \
            " clause: 长兴式双月考核（缺轮次按固定分）}\n"


def _round(tmp: Path, name: str, disputes: int) -> Path:
    """The test villages, 甲村 with `disputes` unresolved disputes (10 − disputes points)."""
    folder = tmp / name
    shutil.copytree(VILLAGES, folder)
    p = folder / "330100001001.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("disputes: 0", f"disputes: {disputes}"), encoding="utf-8")
    return folder


def _run_id(stderr: str) -> str:
    return stderr.split("批次 ", 1)[1].split(" 完成", 1)[0]


def test_bimonthly_rounds_end_to_end(tmp_path: Path) -> None:
    rubric = tmp_path / "village.yaml"
    rubric.write_text(VILLAGE_RUBRIC.read_text(encoding="utf-8") + BIMONTHLY, encoding="utf-8")
    township = tmp_path / "township.yaml"
    township.write_text(TOWNSHIP_RUBRIC.read_text(encoding="utf-8"), encoding="utf-8")
    db = str(tmp_path / "r.sqlite")
    runs = {}
    for period, disputes in (("2025-02", 0), ("2025-04", 2), ("2025-06", 1)):
        done = run_sanzhi("batch", str(_round(tmp_path, f"in-{period}", disputes)), "--rubric", str(rubric),
                          "--period", period, "-o", f"v-{period}", "--db", db, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        runs[period] = _run_id(done.stderr)
        assert runs[period].startswith(f"{period}-")
    # the published village lists say which period they are for, in their names
    names = sorted(p.name for p in (tmp_path / "v-2025-04" / "published" / "甲县").iterdir())
    assert "甲县-2025年4月-排名.csv" in names and "甲县-2025年4月-红黑榜.csv" in names
    assert all("2025年4月" in n for n in names)

    ranking = run_sanzhi("ranking", "--year", "2025", "--period", "2025-04", "--county", "甲县", "--db", db, "--json", cwd=tmp_path)
    assert ranking.returncode == 0, ranking.stderr
    by_code = {r["village_code"]: r for r in json.loads(ranking.stdout)}
    assert Decimal(str(by_code["330100001001"]["total"])) == 8

    view = run_sanzhi("periods", "--year", "2025", "330100001001", "--db", db, "--json", cwd=tmp_path)
    assert view.returncode == 0, view.stderr
    doc = json.loads(view.stdout)["330100001001"]
    assert [(p["label"], Decimal(str(p["total"])), None if p["delta"] is None else Decimal(str(p["delta"])))
            for p in doc["periods"]] == [("2025年2月", 10, None), ("2025年4月", 8, -2), ("2025年6月", 9, 1)]
    year = doc["year_from_periods"]
    # (10 + 8 + 9 + 9.5 + 9.5 + 9.5) ÷ 6 = 9.25 → 9.3, 示范 (≥ 9)
    assert (Decimal(str(year["total"])), year["rating"]) == (Decimal("9.3"), "示范")
    assert [r["how"] for r in year["rounds"]] == ["scored"] * 3 + ["filled"] * 3
    vetoed = json.loads(run_sanzhi("periods", "--year", "2025", "330100002003", "--db", db, "--json", cwd=tmp_path).stdout)
    assert vetoed["330100002003"]["year_from_periods"]["rating"] == "不予评定"  # vetoed in its rounds
    assert vetoed["330100002003"]["year_from_periods"]["text"].endswith("2月、4月、6月一票否决，年度不予评定")
    table = run_sanzhi("periods", "--year", "2025", "--county", "甲县", "--db", db, cwd=tmp_path, env={"COLUMNS": "250"})
    assert table.returncode == 0, table.stderr
    assert "年度（由各期评定）" in table.stdout and "9.3 示范" in table.stdout
    assert "8月、10月、12月无评分，按 9.5 分计" in table.stderr

    # a township run of one round: the round's 红黑榜 and ranking, by the round's period
    town = run_sanzhi("batch", "--rubric", str(township), "--from-run", runs["2025-04"], "-o", "t-04", "--db", db,
                      cwd=tmp_path)
    assert town.returncode == 0, town.stderr
    assert _run_id(town.stderr).startswith("2025-04-")
    folder = tmp_path / "t-04" / "published" / "甲县"
    board = next(folder.glob("*乡镇红黑榜.csv"))
    assert "2025年4月" in board.name
    with board.open(encoding="utf-8-sig") as f:
        assert {r[0] for r in list(csv.reader(f))[1:]} == {"2025年4月"}
    wrong = run_sanzhi("batch", "--rubric", str(township), "--from-run", runs["2025-04"], "--period", "2025-06",
                       "-o", "t-x", "--db", db, cwd=tmp_path)
    assert wrong.returncode == 2 and "2025-06" in wrong.stderr and "Traceback" not in wrong.stderr
    year_rank = run_sanzhi("ranking", "--year", "2025", "--county", "甲县", "--db", db, "--json", cwd=tmp_path)
    assert json.loads(year_rank.stdout) == []  # no whole-year run: the periods' runs are not the year's

    # the same period a year before: yoy --period compares 2025-04 with 2024-04
    old = _round(tmp_path, "in-2024-04", 1)
    for f in old.iterdir():
        f.write_text(f.read_text(encoding="utf-8").replace("year: 2025", "year: 2024"), encoding="utf-8")
    done = run_sanzhi("batch", str(old), "--rubric", str(rubric), "--period", "2024-04", "-o", "v-2024-04", "--db", db,
                      cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    yoy = run_sanzhi("yoy", "--year", "2025", "--period", "2025-04", "330100001001", "--db", db, "--json", cwd=tmp_path)
    assert yoy.returncode == 0, yoy.stderr
    change = json.loads(yoy.stdout)[0]
    assert Decimal(str(change["delta"])) == -1  # 9 in April 2024 (1 dispute), 8 in April 2025 (2)
    none = run_sanzhi("yoy", "--year", "2025", "--period", "2025-06", "330100001001", "--db", db, "--json", cwd=tmp_path)
    assert json.loads(none.stdout)[0]["note"] == "2024年6月无评分记录"


def test_rubric_show_states_the_periods_rule(tmp_path: Path) -> None:
    rubric = tmp_path / "village.yaml"
    rubric.write_text(VILLAGE_RUBRIC.read_text(encoding="utf-8") + BIMONTHLY, encoding="utf-8")
    done = run_sanzhi("rubric", "show", str(rubric), cwd=tmp_path, env={"COLUMNS": "250"})
    assert done.returncode == 0, done.stderr
    assert "评定期：每月一轮（2月、4月、6月、8月、10月、12月）；年度取各轮平均；缺轮次按 9.5 分计" in done.stdout
