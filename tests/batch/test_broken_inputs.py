"""Broken inputs through a real `sanzhi batch`: each is listed in skipped.csv with a message,
and the run goes on (exit 1). Never exit 3, never a hang.

Each case builds one bad file next to a good township folder; the exact problem lines on
stderr and the rows of skipped.csv are pinned in broken/expected/<case>.txt
(`pytest --update-golden` rewrites them; review the diff).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import run_sanzhi
from tests.batch.helpers import RUBRIC_V1, write_many_csv, write_villages
from tests.golden import compare_golden

EXPECTED = Path(__file__).parent / "broken" / "expected"
DEPTH = 200_000  # libyaml's composer and the json module recurse: far past any stack


def _deep_yaml(c: CompiledRubric, folder: Path) -> Path:
    path = folder / "deep.yaml"
    path.write_text("village: " + "[" * DEPTH + "]" * DEPTH + "\n", encoding="utf-8")
    return path


def _deep_json(c: CompiledRubric, folder: Path) -> Path:
    path = folder / "deep.json"
    path.write_text('{"village": ' + "[" * DEPTH + "]" * DEPTH + "}\n", encoding="utf-8")
    return path


def _csv_field_too_long(c: CompiledRubric, folder: Path) -> Path:
    path = folder / "汇总.csv"
    write_many_csv(c, path, range(100, 103), 2025)
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = next(csv.reader([lines[3]]))
    cells[1] = "村" * 140_000  # row 4's name: over the csv module's 131,072-character field limit
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    lines[3] = buf.getvalue()
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _xlsx_number_cell_with_text(c: CompiledRubric, folder: Path) -> Path:
    """A many-villages workbook whose first numeric cell of row 3 says `<c t="n"><v>abc</v></c>`."""
    import openpyxl

    from sanzhi.inputs.forms import write_form

    path = folder / "汇总.xlsx"
    write_form(c, path, layout="many")
    write_many_csv(c, folder / "row.csv", range(100, 102), 2025)
    rows = list(csv.reader(io.StringIO((folder / "row.csv").read_text(encoding="utf-8-sig"))))
    (folder / "row.csv").unlink()
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    for r, values in enumerate(rows[2:], start=3):
        for col, v in enumerate(values, start=1):
            if v:
                ws.cell(r, col, int(v) if v.isdigit() and len(v) < 6 else v)
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    xml = parts[sheet].decode("utf-8")
    m = re.search(r'<c r="([A-Z]+3)"((?: s="\d+")?)(?: t="n")?><v>\d+</v></c>', xml)
    assert m is not None
    parts[sheet] = xml.replace(m[0], f'<c r="{m[1]}"{m[2]} t="n"><v>abc</v></c>', 1).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return path


CASES: dict[str, Callable[[CompiledRubric, Path], Path]] = {
    "deep_nesting_yaml": _deep_yaml,
    "deep_nesting_json": _deep_json,
    "csv_field_too_long": _csv_field_too_long,
    "xlsx_number_cell_with_text": _xlsx_number_cell_with_text,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_input_is_skipped_and_the_run_goes_on(case: str, tmp_path: Path, rubric_v1: CompiledRubric,
                                                       request: pytest.FixtureRequest) -> None:
    write_villages(rubric_v1, tmp_path / "good", 8, 2025, townships=1)
    (tmp_path / "bad").mkdir()
    bad = CASES[case](rubric_v1, tmp_path / "bad")
    args = ("batch", "bad", "good", "--rubric", str(RUBRIC_V1), "--year", "2025", "--jobs", "2", "-o", "out")
    run = run_sanzhi(*args, "--db", "r.sqlite", cwd=tmp_path, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "这是 sanzhi 的缺陷，不是您的输入问题" not in run.stderr and "Traceback" not in run.stderr
    problems = [line for line in run.stderr.splitlines() if line.startswith("跳过 ")]
    skipped = (tmp_path / "out" / "skipped.csv").read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    assert str(bad.relative_to(tmp_path)) in skipped
    assert "完成：2025 年度评分 " in run.stderr
    text = f"$ sanzhi batch bad/{bad.name} good/ …\nexit {run.returncode}\n" + "\n".join(problems) + \
        "\n\nskipped.csv:\n" + skipped
    compare_golden(EXPECTED / f"{case}.txt", text, request)
