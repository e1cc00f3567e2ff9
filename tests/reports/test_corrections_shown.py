"""A reviewer's correction and its reason reach every output: the result (and its JSON), the
village report (HTML, so PDF and DOCX too), the terminal detail and the results database —
also when the corrected answer leaves the rounded score where it was (issue 13 point 12,
issue 14 point 5)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import yaml

from sanzhi.reports.html import render_village_html
from sanzhi.reports.json_output import to_data
from sanzhi.standard.bundled import sample_files
from tests.reports.test_html import JIAXING, by_name, jiaxing, parse

EXPECTED = yaml.safe_load((Path(__file__).parent / "data" / "xinglin_corrections.yaml").read_text(encoding="utf-8"))
XINGLIN = next(p for p in sample_files("jiaxing-sanzhi") if p.name.endswith("xinglin.yaml"))


def _sanzhi(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "240", "XDG_DATA_HOME": str(cwd / "xdg"), "XDG_CACHE_HOME": str(cwd / "xdg")}
    return subprocess.run([sys.executable, "-m", "sanzhi", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False, env=env)


def test_the_result_keeps_every_correction_with_its_reason() -> None:
    result = by_name(jiaxing(), "杏林村").result
    assert [to_data(c._asdict()) for c in result.corrections] == EXPECTED


def test_the_report_says_what_was_corrected_and_why_when_the_score_does_not_move() -> None:
    view = by_name(jiaxing(), "杏林村").view
    rows = {r.id: r for g in view.groups for r in g.rows}
    app = rows["5.1.3"]
    assert app.level_scores == ("1.4", "1.4", "1.4")
    texts = [r.text for r in app.reasons]
    assert EXPECTED[0]["text"] in texts
    assert "乡镇评分：得分不变（1.4 分）" in texts
    assert not any("由 1.4 分调整为 1.4 分" in t for t in texts)
    assert EXPECTED[1]["text"] in [r.text for r in rows["B.1"].reasons]
    assert [r.text for r in rows["B.1"].reasons][-1] == "县审核：由 3 分调整为 1.5 分"
    shown = " ".join(parse(render_village_html(view)).texts)
    assert all(e["text"] in shown for e in EXPECTED)


def test_score_json_and_detail_show_the_corrections(tmp_path: Path) -> None:
    run = _sanzhi("score", "--rubric", str(JIAXING), str(XINGLIN), "-o", "out.json", "--detail", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    village = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["villages"][0]
    assert village["corrections"] == EXPECTED
    assert "按APP后台注册户数核实为72%" in run.stdout


def test_the_database_keeps_the_corrections(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(XINGLIN, folder / XINGLIN.name)
    run = _sanzhi("batch", "in", "--rubric", str(JIAXING), "--year", "2025", "-o", "out", "--db", "r.sqlite",
                  "--jobs", "1", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stderr
    db = sqlite3.connect(tmp_path / "r.sqlite")
    rows = db.execute("SELECT village_code, level, field_id, old_value, new_value, reviewer, reason"
                      " FROM review_corrections ORDER BY level DESC").fetchall()
    db.close()
    assert rows == [("330483101201", e["level"], e["field"], str(e["before"]), str(e["after"]), e["reviewer"], e["reason"])
                    for e in EXPECTED]
