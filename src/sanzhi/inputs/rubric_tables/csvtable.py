"""CSV → one Grid. Excel on a Chinese Windows saves CSV as GBK ("CSV (逗号分隔)"), newer
Excel as UTF-8 with a BOM ("CSV UTF-8"); both are read. A file that is not UTF-8 is decoded as
GB18030, the superset of GBK, which is what such a file is. CSV has no merged cells: an
exported merged cell arrives as its text followed by blanks, which the importer fills down.
"""

import csv
import io
from pathlib import Path

from sanzhi.common.errors import Diagnostic, Location, UserError
from sanzhi.standard.tables.grid import Grid, GridCell, TableFile


def decode(blob: bytes) -> tuple[str, str] | None:
    """(text, encoding name) or None when the bytes are neither UTF-8 nor GB18030."""
    for encoding, label in (("utf-8-sig", "UTF-8"), ("gb18030", "GBK/GB18030")):
        try:
            return blob.decode(encoding), label
        except UnicodeDecodeError:
            continue
    return None


def read_csv_table(path: Path, name: str) -> TableFile:
    blob = path.read_bytes()
    decoded = decode(blob)
    if decoded is None or "\x00" in decoded[0]:
        raise UserError([Diagnostic("T101", "无法识别 CSV 文件的编码" if decoded is None else "文件不是文本格式的 CSV",
                                    Location(name), expected="UTF-8、带 BOM 的 UTF-8 或 GBK/GB18030 编码的文本",
                                    hint="请在 Excel 中“另存为” CSV UTF-8（逗号分隔）(*.csv)，或直接导入 .xlsx 文件")])
    text, encoding = decoded
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:  # an unbalanced quote: the csv module says which line
        raise UserError([Diagnostic("T101", "CSV 文件格式有误，无法逐行读取", Location(name), found=str(e),
                                    hint="请在 Excel 中打开后重新“另存为” CSV")]) from None
    width = max((len(r) for r in records), default=0)
    rows = tuple(tuple(GridCell(v) for v in r) + tuple(GridCell("") for _ in range(width - len(r))) for r in records)
    grid = Grid(name, "csv", rows)
    return TableFile(name, "csv", (grid,), notes=(f"编码：{encoding}",))
