"""Reading the 评分标准 tables standards bodies keep (issue 16): .xlsx, .csv, .docx → `TableFile`.

One reader per format, chosen by suffix in `READERS`; each turns its file into rectangular
`Grid`s with merged cells resolved and every cell's position kept, and raises a located
Chinese `UserError` (code T100/T101) when the file cannot be read at all. Everything after
reading (finding the header row, building the hierarchy, recognising the rules) is pure and
lives in `sanzhi.standard.tables`.
"""

from collections.abc import Callable
from pathlib import Path

from sanzhi.common.errors import Diagnostic, Location, UserError
from sanzhi.inputs.rubric_tables.csvtable import read_csv_table
from sanzhi.inputs.rubric_tables.docxtable import read_docx_tables
from sanzhi.inputs.rubric_tables.xlsxtable import read_xlsx_tables
from sanzhi.standard.tables.grid import TableFile

READERS: dict[str, Callable[[Path, str], TableFile]] = {
    ".xlsx": read_xlsx_tables,
    ".csv": read_csv_table,
    ".docx": read_docx_tables,
}

_OLD_FORMATS = {".xls": "Excel 97-2003 工作簿（.xls）", ".doc": "Word 97-2003 文档（.doc）", ".wps": "WPS 文字文档", ".et": "WPS 表格文档"}


def read_rubric_table(path: Path, display: str | None = None) -> TableFile:
    """The tables in `path`; a UserError naming the file when it cannot be read."""
    name = display or str(path)
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        hint = "请在 Excel、Word 或 WPS 中打开后“另存为” .xlsx 或 .docx" if suffix in _OLD_FORMATS else None
        found = _OLD_FORMATS.get(suffix) or (f"“{path.suffix}”" if path.suffix else "没有扩展名")
        raise UserError([Diagnostic("T100", "不支持的评分表文件格式", Location(name),
                                    expected="Excel 工作簿（.xlsx）、CSV 文件（.csv）或 Word 文档（.docx）", found=found, hint=hint)])
    if not path.is_file():
        raise UserError([Diagnostic("T100", "找不到评分表文件" if not path.exists() else "这是一个文件夹，不是评分表文件", Location(name))])
    return reader(path, name)


__all__ = ["READERS", "read_rubric_table"]
