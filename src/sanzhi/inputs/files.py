"""Read village data files into Assessments, whatever their format.

YAML and JSON hold one village per file. An Excel workbook holds one village (the
per-village form) or many (the many-villages sheet), a CSV file many; those readers live in
`sanzhi.inputs.xlsx` and `sanzhi.inputs.csvfile` and yield one `Loaded` per village.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sanzhi.common.errors import DataError, Diagnostic, Location
from sanzhi.common.json_source import load_data_text
from sanzhi.inputs.assessment import read_assessment
from sanzhi.scoring.assessment import Assessment
from sanzhi.standard.compile import CompiledRubric

TEXT_SUFFIXES = (".yaml", ".yml", ".json")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")
OLD_EXCEL_SUFFIXES = (".xls", ".et")


@dataclass(frozen=True, slots=True)
class Loaded:
    """One village read from a file: its assessment, or the problems that stopped it."""

    source: str  # file (and sheet/row) it came from, for messages
    assessment: Assessment | None
    error: DataError | None
    input_bytes: bytes  # what was read, for the input hash in reports


def read_text_village(compiled: CompiledRubric, path: Path, display: str | None = None) -> Loaded:
    name = display or str(path)
    try:
        blob = path.read_bytes()
        text = blob.decode("utf-8-sig")
    except FileNotFoundError:
        return Loaded(name, None, DataError([Diagnostic("D100", "找不到村自评数据文件", Location(name))]), b"")
    except UnicodeDecodeError:
        err = DataError([Diagnostic("D100", "文件不是 UTF-8 编码", Location(name), hint="请用 UTF-8 另存该文件")])
        return Loaded(name, None, err, b"")
    try:
        raw, source = load_data_text(text, name, code_prefix="D")
        assessment = read_assessment(compiled, raw, lambda p, key: source.locate(p, key=key))
    except DataError as e:
        e.sources = {name: text}
        return Loaded(name, None, e, blob)
    return Loaded(name, assessment, None, blob)


def iter_village_files(paths: list[Path]) -> Iterator[Path]:
    """Files given, and files inside folders given (sorted, so runs are reproducible)."""
    for p in paths:
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (*TEXT_SUFFIXES, *SHEET_SUFFIXES)
                              and not f.name.startswith(("~$", ".~lock")))  # Excel/WPS/LibreOffice lock files
        else:
            yield p


def read_villages(compiled: CompiledRubric, paths: list[Path]) -> Iterator[Loaded]:
    for path in iter_village_files(paths):
        yield from read_village_file(compiled, path)


def read_village_file(compiled: CompiledRubric, path: Path) -> Iterator[Loaded]:
    """Every village in one file: one for YAML/JSON and the per-village form, one per row otherwise."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from sanzhi.inputs.xlsx import read_workbook  # openpyxl is imported only when needed

        yield from read_workbook(compiled, path)
    elif suffix == ".csv":
        from sanzhi.inputs.csvfile import read_csv

        yield from read_csv(compiled, path)
    elif suffix in OLD_EXCEL_SUFFIXES:
        yield Loaded(str(path), None, DataError([Diagnostic(
            "D100", "不支持旧版 Excel（.xls）或 WPS（.et）格式", Location(str(path)),
            hint="请在 Excel 或 WPS 中打开后“另存为” Excel 工作簿（*.xlsx）")]), b"")
    else:
        yield read_text_village(compiled, path)
