"""CSV files → villages: the many-villages sheet saved as CSV (see `sanzhi.inputs.table`).

The template is written as UTF-8 with a BOM, which Excel opens correctly. Excel on a Chinese
Windows saves CSV as GBK unless told otherwise, so a file that is not UTF-8 is read as
GB18030 (a superset of GBK); a wrong guess could not pass the rubric line and the headers,
so it cannot go unnoticed. Rows are counted as records, which is what Excel shows as rows.
"""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from sanzhi.common.errors import DataError, Diagnostic, Location
from sanzhi.common.regular_file import SHEET_LIMIT
from sanzhi.inputs.cellmap import failed
from sanzhi.inputs.loaded import Loaded
from sanzhi.inputs.read import read_input
from sanzhi.inputs.table import read_table
from sanzhi.standard.compile import CompiledRubric


def read_csv(compiled: CompiledRubric, path: Path, display: str | None = None) -> Iterator[Loaded]:
    name = display or str(path)
    blob = read_input(str(path), name, SHEET_LIMIT)
    if isinstance(blob, DataError):
        yield failed(name, blob.diagnostics)
        return
    text = _decode(blob)
    if text is None:
        yield failed(name, [Diagnostic("D100", "无法识别 CSV 文件的编码", Location(name),
                                       hint="请在 Excel 中“另存为” CSV UTF-8（逗号分隔）(*.csv)")], blob)
        return
    if "\x00" in text:
        yield failed(name, [Diagnostic("D100", "文件不是文本格式的 CSV", Location(name),
                                       hint="Excel 工作簿请保存为 .xlsx；CSV 请“另存为” CSV UTF-8（逗号分隔）(*.csv)")], blob)
        return
    yield from read_table(compiled, csv.reader(io.StringIO(text, newline="")), name, None)


def _decode(blob: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return blob.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
