"""Published lists that cannot be turned against their reader or against each other: names
that look like formulas stay text in every CSV, and every county gets a folder of its own
with file names the file system accepts."""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from sanzhi.batch.sheets import safe_name
from sanzhi.common.csvtext import FORMULA_STARTS
from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import run_sanzhi
from tests.batch.helpers import RUBRIC_V1, raw_village

FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3", '=HYPERLINK("http://evil.example","点我")', "\t=1+1"]
# The input refuses a county that is only punctuation ("." or " ../ ", D112) or longer than 50
# characters; what it accepts must still make one folder per county and valid file names.
LONG = "很长的县名" * 9 + "自治县一二"  # 50 characters, 150 bytes
COUNTIES = ["宁波/../县", "甲/乙", "甲_乙", "甲:乙", LONG, "CON", "县."]


def _default(o: object) -> object:
    if isinstance(o, Decimal):
        return str(o)
    raise TypeError(type(o))


def _write(rubric: CompiledRubric, folder: Path) -> dict[str, list[str]]:
    """Two villages per county; the village and township names of the first county are formulas."""
    names: dict[str, list[str]] = {}
    i = 0
    for c, county in enumerate(COUNTIES):
        for k in range(2):
            raw = raw_village(rubric, i, 2025)
            v = raw["village"]
            assert isinstance(v, dict)
            v["code"] = f"{330100 + c:06d}{101 + k:03d}{i:03d}"
            v["county"] = county
            if c == 0:
                v["name"] = FORMULAS[i % len(FORMULAS)]
                v["township"] = FORMULAS[(i + 1) % len(FORMULAS)]
            names.setdefault(county, []).append(str(v["name"]))
            path = folder / f"c{c}" / f"{v['code']}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(raw, ensure_ascii=False, default=_default), encoding="utf-8")
            i += 1
    for n in range(len(FORMULAS) - 2):  # the rest of the formulas on their own villages
        raw = raw_village(rubric, 100 + n, 2025)
        v = raw["village"]
        assert isinstance(v, dict)
        v["code"], v["county"], v["name"] = f"330100109{n:03d}", COUNTIES[0], FORMULAS[2 + n]
        names[COUNTIES[0]].append(FORMULAS[2 + n])
        (folder / "c0" / f"{v['code']}.json").write_text(json.dumps(raw, ensure_ascii=False, default=_default),
                                                          encoding="utf-8")
    return names


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, rubric_v1: CompiledRubric) -> tuple[Path, dict[str, list[str]]]:
    root = tmp_path_factory.mktemp("published")
    names = _write(rubric_v1, root / "in")
    run = run_sanzhi("batch", "in", "--rubric", str(RUBRIC_V1), "--year", "2025", "-o", "out", "--db", "r.sqlite",
                     "--jobs", "2", cwd=root)
    assert run.returncode in (0, 1), run.stderr
    return root, names


def test_every_county_has_a_folder_of_its_own(published: tuple[Path, dict[str, list[str]]]) -> None:
    root, _ = published
    folders = sorted(p.name for p in (root / "out" / "published").iterdir())
    db = sqlite3.connect(root / "r.sqlite")
    by_county: dict[str, set[str]] = {}
    for county, name in db.execute("SELECT county, village_name FROM village_results"):
        by_county.setdefault(county, set()).add(name)
    db.close()
    assert len(by_county) == len(COUNTIES)
    assert folders == sorted(safe_name(c) for c in by_county)
    for county, villages in by_county.items():
        rank = root / "out" / "published" / safe_name(county) / f"{safe_name(county)}-排名.csv"
        with rank.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        col = rows[0].index("村名称")
        assert {row[col] for row in rows[1:]} == {("'" + n if n.startswith(FORMULA_STARTS) else n) for n in villages}
    for p in (root / "out" / "published").rglob("*"):
        assert len(p.name.encode("utf-8")) <= 255, p.name


@given(st.lists(st.text(min_size=1, max_size=120), min_size=2, max_size=6, unique=True))
@settings(max_examples=300, deadline=None)
def test_different_texts_never_share_a_name_and_every_name_is_a_file_name(texts: list[str]) -> None:
    names = [safe_name(t) for t in texts]
    assert len(set(names)) == len(names)
    for n in names:
        assert n not in ("", ".", "..") and not any(c in n for c in '/\\\x00:*?"<>|')
        assert n == n.strip(" .")  # Windows drops edge dots and spaces
        assert len(f"{n}-{n}-乡镇排名与红黑榜.xlsx".encode()) <= 255


@pytest.mark.parametrize("text", [".", "..", " ../ ", "./.", "很长的县名" * 16 + "自治县一二", "CON", "nul.txt", "a-0123456789"])
def test_names_a_file_system_would_refuse_or_merge_get_a_hash(text: str) -> None:
    name = safe_name(text)
    assert name != text and len(name.encode()) <= 100
    assert name.endswith("-" + hashlib.sha256(text.encode()).hexdigest()[:10])


def test_a_resume_of_a_run_with_a_long_county_name_finishes(published: tuple[Path, dict[str, list[str]]]) -> None:
    root, _ = published
    again = run_sanzhi("batch", "in", "--rubric", str(RUBRIC_V1), "--year", "2025", "-o", "out", "--db", "r.sqlite",
                       "--jobs", "2", "--resume", cwd=root)
    assert again.returncode in (0, 1), again.stderr
    assert "File name too long" not in again.stderr


def test_no_csv_cell_starts_a_formula(published: tuple[Path, dict[str, list[str]]]) -> None:
    root, _ = published
    files = [*(root / "out" / "published").rglob("*.csv"), root / "out" / "skipped.csv"]
    assert len(files) > 7 * 6
    seen = 0
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.reader(f):
                for cell in row:
                    assert not cell.startswith(FORMULA_STARTS), (path.name, cell)
                    seen += cell.startswith("'")
    assert seen >= 2 * len(FORMULAS)  # each name in the ranking and its rating list at least


def test_the_workbooks_keep_the_names_as_typed(published: tuple[Path, dict[str, list[str]]]) -> None:
    root, names = published
    first = COUNTIES[0]
    folder = root / "out" / "published" / safe_name(first)
    ws = load_workbook(folder / f"{safe_name(first)}-评定结果.xlsx")["排名"]
    cells = {c.value for row in ws.iter_rows(min_row=2) for c in row}
    assert {n.strip() for n in names[first]} <= cells  # as typed (the reader trims the tab)
