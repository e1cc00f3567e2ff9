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
    records = _Records(csv.reader(io.StringIO(text, newline="")))
    try:
        yield from read_table(compiled, records, name, None)
    except csv.Error as e:  # the csv module stops at a record it cannot split: the rows before it were read
        too_long = "field larger than field limit" in str(e)
        found = f"有一格超过 {csv.field_size_limit():,} 个字符" if too_long else f"CSV 格式错误（{e}）"
        yield failed(name, [Diagnostic(
            "D100", f"CSV 文件从第 {records.number} 行起无法读取" + ("；之前的行已读取" if records.number > 3 else ""),
            Location(name, row=records.number), found=found,
            hint="请在 Excel 中打开、检查该行后重新保存为 CSV UTF-8（逗号分隔）(*.csv)")], blob)


class _Records:
    """The csv reader's records, counted (a record is what Excel shows as a row)."""

    def __init__(self, reader: Iterator[list[str]]) -> None:
        self.reader, self.read = reader, 0

    @property
    def number(self) -> int:
        """The record being read: the one the reader stopped at, after an error."""
        return self.read + 1

    def __iter__(self) -> Iterator[list[str]]:
        for record in self.reader:
            self.read += 1
            yield record


def _decode(blob: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return blob.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
