"""One reader for one-village files: `sanzhi score`, a batch worker and the rubric tools read
the same bytes into the same assessment, or fail with the same located problems.

The cases are the broken-village corpus (invalid/*.yaml), each also written as JSON (the JSON
fast path of `sanzhi.common.json_source`), plus files broken below the data format: bad
syntax, not UTF-8, a BOM, unreadable.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sanzhi.app.revisions import run_sensitivity
from sanzhi.batch.reportstep import FormatReports
from sanzhi.batch.work import Failed, FileRef, ScoredVillage, WorkContext, process
from sanzhi.common.errors import DataError
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.files import read_text_village
from sanzhi.inputs.loaded import LoadedVillage, LoadFailure, Source
from sanzhi.inputs.read import read_input, read_village
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.loader import load_rubric_file

HERE = Path(__file__).resolve().parent
CASES = sorted((HERE / "invalid").glob("*.yaml"))
GOOD = HERE / "valid" / "xinglin.yaml"


@pytest.fixture(scope="module")
def compiled() -> CompiledRubric:
    return load_rubric_file(HERE / "rubric.yaml")[0]


def _json_default(o: object) -> object:
    if isinstance(o, Decimal):
        return float(o) if o != o.to_integral_value() else int(o)
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(type(o))


def _as_json(case: Path, folder: Path) -> Path | None:
    try:
        raw, _ = load_yaml(case.read_text(encoding="utf-8"), case.name, code_prefix="D")
    except DataError:  # broken below the data (too deeply nested): no JSON twin
        return None
    out = folder / (case.stem + ".json")
    out.write_text(json.dumps(raw, ensure_ascii=False, indent=2, default=_json_default), encoding="utf-8")
    return out


def _broken_below_the_format(folder: Path) -> list[Path]:
    good = GOOD.read_bytes()
    files = {
        "syntax.json": b'{"village": {"code": "330483101201",}}',
        "syntax.yaml": b"village:\n  code: [1, 2\n",
        "gbk.yaml": good.decode("utf-8").encode("gb18030"),
        "empty.json": b"",
        "list.json": b"[1, 2]",
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / n for n in files]


def _all_cases(folder: Path) -> list[Path]:
    twins = [j for j in (_as_json(c, folder) for c in CASES) if j is not None]
    return [*CASES, *twins, *_broken_below_the_format(folder)]


def _worker(compiled: CompiledRubric, path: Path, out: Path) -> Failed | ScoredVillage:
    ctx = WorkContext(compiled, 1, 2025, str(out), (), FormatReports(), local_files=True, report_date=date(2026, 1, 15))
    outcome = process(ctx, FileRef(str(path), str(path)), None)
    assert isinstance(outcome, (Failed, ScoredVillage))
    return outcome


def test_score_batch_and_rubric_tools_report_the_same_problems(compiled: CompiledRubric, tmp_path: Path) -> None:
    cases = _all_cases(tmp_path)
    _, tool_failures = run_sensitivity(compiled, cases, jobs=1)
    by_tool = {f.source: f for f in tool_failures}
    for case in cases:
        loaded = read_text_village(compiled, case)
        assert isinstance(loaded, LoadFailure), case.name
        lines = tuple(d.one_line() for d in loaded.error.diagnostics)
        assert lines, case.name
        worker = _worker(compiled, case, tmp_path / "out")
        assert isinstance(worker, Failed) and worker.lines == lines, case.name
        assert worker.file == str(case)
        assert by_tool[str(case)].problems == tuple(d.to_dict() for d in loaded.error.diagnostics), case.name


def test_a_good_file_reads_the_same_everywhere_as_yaml_json_and_with_a_bom(compiled: CompiledRubric, tmp_path: Path) -> None:
    as_json = _as_json(GOOD, tmp_path)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes())
    first = read_village(compiled, str(GOOD), GOOD.read_bytes())
    assert not isinstance(first, DataError), first
    for path in (as_json, bom):
        loaded = read_text_village(compiled, path)
        assert isinstance(loaded, LoadedVillage) and loaded.assessment == first.assessment, path.name
        assert loaded.source == Source(str(path)) and loaded.input_bytes == path.read_bytes()
        worker = _worker(compiled, path, tmp_path / "out")
        assert isinstance(worker, ScoredVillage) and worker.file == str(path)


def test_not_utf8_is_one_d100_with_a_hint(compiled: CompiledRubric, tmp_path: Path) -> None:
    [gbk] = [p for p in _broken_below_the_format(tmp_path) if p.name == "gbk.yaml"]
    got = read_village(compiled, "gbk.yaml", gbk.read_bytes())
    assert isinstance(got, DataError)
    assert [(d.code, d.message, d.hint) for d in got.diagnostics] == [("D100", "文件不是 UTF-8 编码", "请用 UTF-8 另存该文件")]


def test_problems_carry_the_text_for_snippets(compiled: CompiledRubric) -> None:
    case = HERE / "invalid" / "several_problems.yaml"
    got = read_village(compiled, "x.yaml", case.read_bytes())
    assert isinstance(got, DataError) and got.sources == {"x.yaml": case.read_text(encoding="utf-8")}


def test_unreadable_files_are_d100_not_exceptions(tmp_path: Path) -> None:
    missing = read_input(str(tmp_path / "none.yaml"), "none.yaml")
    assert isinstance(missing, DataError)
    assert [(d.code, d.message, str(d.location)) for d in missing.diagnostics] == [("D100", "找不到村自评数据文件", "none.yaml")]
    folder = read_input(str(tmp_path))
    assert isinstance(folder, DataError)
    assert [d.message for d in folder.diagnostics] == ["无法读取村自评数据文件：这是一个文件夹，不是文件"]
