"""Village data files, whatever their format: the one table from file suffix to reader.

`FORMATS` is the only place that knows which suffixes sanzhi reads and who reads them; the
walker (`sanzhi.inputs.walk`), `sanzhi score`, `sanzhi batch` (which reads one-village files
in its workers and workbooks where it plans) and the rubric tools all ask it.

- YAML / JSON: one village per file (`sanzhi.inputs.read`).
- Excel `.xlsx`: a per-village form (one village) or a many-villages sheet (one per row),
  told apart by its sheets (`sanzhi.inputs.xlsx`; the sheet itself: `sanzhi.inputs.table`);
  a scoring body's form (`--by-body`) is one part of a village, merged with the village's
  other bodies' forms (`sanzhi.inputs.bodies`) by `read_villages` and the batch plan.
- CSV: a many-villages sheet (`sanzhi.inputs.csvfile`).
- Old Excel `.xls` / WPS `.et`: read only to say how to convert them.

A file with any other suffix, named on the command line, is read as YAML.
"""

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sanzhi.common.errors import DataError, Diagnostic, Location
from sanzhi.inputs.bodies import BodyForm, BodyForms
from sanzhi.inputs.loaded import Loaded, LoadedVillage, LoadFailure, Source
from sanzhi.inputs.read import read_input, read_village
from sanzhi.inputs.walk import walk
from sanzhi.standard.compile import CompiledRubric

Reader = Callable[[CompiledRubric, Path], Iterator[Loaded | BodyForm]]


@dataclass(frozen=True, slots=True)
class InputFormat:
    suffixes: tuple[str, ...]  # lowercase, with the dot
    one_village: bool  # True: one village per file, read from its bytes anywhere (a batch worker); False: a workbook
    read: Reader


def read_text_village(compiled: CompiledRubric, path: Path, display: str | None = None) -> Loaded:
    """One YAML/JSON village file, named `display` (default: the path as given) in messages."""
    name = display or str(path)
    data = read_input(str(path), name)
    if isinstance(data, DataError):
        return LoadFailure(Source(name), data, b"")
    got = read_village(compiled, name, data)
    if isinstance(got, DataError):
        return LoadFailure(Source(name), got, data)
    return LoadedVillage(Source(name), got.assessment, data, got.carried_from)


def _text(compiled: CompiledRubric, path: Path) -> Iterator[Loaded]:
    yield read_text_village(compiled, path)


def _xlsx(compiled: CompiledRubric, path: Path) -> Iterator[Loaded | BodyForm]:
    from sanzhi.inputs.xlsx import read_workbook  # openpyxl is imported only when needed

    return read_workbook(compiled, path)


def _csv(compiled: CompiledRubric, path: Path) -> Iterator[Loaded]:
    from sanzhi.inputs.csvfile import read_csv

    return read_csv(compiled, path)


def _old_excel(compiled: CompiledRubric, path: Path) -> Iterator[Loaded]:
    yield LoadFailure(Source(str(path)), DataError([Diagnostic(
        "D100", "不支持旧版 Excel（.xls）或 WPS（.et）格式", Location(str(path)),
        hint="请在 Excel 或 WPS 中打开后“另存为” Excel 工作簿（*.xlsx）")]), b"")


FORMATS = (
    InputFormat((".yaml", ".yml", ".json"), True, _text),  # first: also the reader of unknown suffixes
    InputFormat((".xlsx", ".xlsm"), False, _xlsx),
    InputFormat((".csv",), False, _csv),
    InputFormat((".xls", ".et"), False, _old_excel),
)
_BY_SUFFIX = {s: f for f in FORMATS for s in f.suffixes}
INPUT_SUFFIXES = tuple(_BY_SUFFIX)
ONE_VILLAGE_SUFFIXES = tuple(s for f in FORMATS if f.one_village for s in f.suffixes)
WORKBOOK_SUFFIXES = tuple(s for f in FORMATS if not f.one_village for s in f.suffixes)


def format_of(path: str | Path) -> InputFormat:
    """The format a file is read as, by its suffix (any case)."""
    return _BY_SUFFIX.get(os.path.splitext(path)[1].lower(), FORMATS[0])


def is_one_village(path: str) -> bool:
    """Whether a file's suffix is that of a one-village format (an unknown suffix is not)."""
    return path.lower().endswith(ONE_VILLAGE_SUFFIXES)


def is_workbook(path: str) -> bool:
    """Whether a file may hold many villages (and is read where it is listed, not in a worker)."""
    return path.lower().endswith(WORKBOOK_SUFFIXES)  # a str test: called for every file of a national run


def input_files(paths: Sequence[Path], skip: Path | None = None) -> Iterator[str]:
    """Every input file under `paths`, in order (the rules: `sanzhi.inputs.walk`)."""
    return walk(paths, INPUT_SUFFIXES, skip)


def read_village_file(compiled: CompiledRubric, path: Path) -> Iterator[Loaded | BodyForm]:
    """Every village in one file: one for YAML/JSON and the per-village form, one per row otherwise;
    a scoring body's form is a `BodyForm`, for `BodyForms` to merge with the village's others."""
    return format_of(path).read(compiled, path)


def read_villages(compiled: CompiledRubric, paths: list[Path]) -> Iterator[Loaded]:
    """Every village under `paths`; scoring bodies' forms of one village merged into one."""
    forms = BodyForms(compiled)
    for file in input_files(paths):
        yield from forms.take(read_village_file(compiled, Path(file)))
    yield from forms.rest()


__all__ = [
    "FORMATS",
    "INPUT_SUFFIXES",
    "ONE_VILLAGE_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "InputFormat",
    "format_of",
    "input_files",
    "is_one_village",
    "is_workbook",
    "read_text_village",
    "read_village_file",
    "read_villages",
]
