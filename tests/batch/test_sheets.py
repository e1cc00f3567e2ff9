"""The published workbooks themselves: exact numbers, text that stays text, same bytes each time."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from sanzhi.batch.sheets import Workbook, sheet_title


def _write(path: Path) -> None:
    wb = Workbook()
    ws = wb.sheet("排名", ("村名称", "总分", "备注"))
    ws.append(["=HYPERLINK(\"http://evil.example\",\"点我\")", Decimal("87.35"), None])
    ws.append(["http://evil.example", Decimal("0.5"), "330483101000"])
    wb.save(path)


def test_names_stay_text_and_numbers_are_exact(tmp_path: Path) -> None:
    # Village names come from self-assessment files: a name that looks like a formula or a
    # link must be shown as typed, never evaluated by Excel.
    _write(tmp_path / "a.xlsx")
    ws = load_workbook(tmp_path / "a.xlsx")["排名"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows == [["村名称", "总分", "备注"],
                    ["=HYPERLINK(\"http://evil.example\",\"点我\")", 87.35, None],
                    ["http://evil.example", 0.5, "330483101000"]]
    assert ws["A2"].data_type == "s" and ws["C3"].data_type == "s"
    assert ws["A2"].hyperlink is None and ws["A3"].hyperlink is None
    assert ws.freeze_panes == "A2"


def test_the_same_lists_give_the_same_bytes(tmp_path: Path) -> None:
    _write(tmp_path / "a.xlsx")
    _write(tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_sheet_titles_are_valid_and_distinct() -> None:
    # Township names become sheet names: Excel refuses []:*?/\, more than 31 characters, an
    # apostrophe at either end, and two names equal but for case.
    taken: set[str] = set()
    long = "很长的乡镇名称" * 6
    titles = [sheet_title(n, taken) for n in ("梧桐街道", "a[1]:b", "'引号'", long, long, "Town", "town", "")]
    assert titles == ["梧桐街道", "a_1__b", "引号", long[:31], long[:28] + "(2)", "Town", "town(2)", "_"]
    assert all(len(t) <= 31 for t in titles)
