"""Error taxonomy shared by every layer.

Why: a user mistake (bad rubric, bad village data) must reach the person as located Chinese
diagnostics, all at once, with a documented exit code; only a bug may produce a traceback, and
then only into a log file. Every layer raises these types and the CLI alone renders them.

Codes are short and greppable: R1xx rubric schema, R2xx rubric semantics, D1xx village data,
S1xx scoring, O1xx output, T1xx 评分表 tables brought to `rubric import` (T2xx its warnings).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from sanzhi.common.regular_file import FileTooLargeError, NotRegularFileError, describe_size


class ExitCode(IntEnum):
    OK = 0
    SOME_SKIPPED = 1  # a batch finished but some villages were reported and skipped
    INVALID_INPUT = 2  # bad arguments, rubric or single-village data
    INTERNAL = 3  # a bug: traceback written to a log file
    ENVIRONMENT = 4  # the machine stopped the work: disk full, folder read-only, database busy
    INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a text file position, or a spreadsheet cell.

    Lines and columns are 1-based, as editors show them.
    """

    file: str
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    row: int | None = None
    cell_column: str | None = None  # spreadsheet column letter or header text
    sheet_index: int | None = None  # the sheet's position in its workbook, for ordering only
    table: int | None = None  # a Word document's table, 1-based (a .docx has tables, not sheets)

    def __str__(self) -> str:
        if self.sheet is not None or self.row is not None or self.table is not None:
            parts = [self.file]
            if self.sheet is not None:
                parts.append(f"工作表 “{self.sheet}”")
            if self.table is not None:
                parts.append(f"第 {self.table} 个表格")
            if self.row is not None:
                parts.append(f"第 {self.row} 行")
            if self.cell_column is not None:
                parts.append(f"列 “{self.cell_column}”")
            return "，".join(parts)
        if self.line is None:
            return self.file
        if self.column is None:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem, with everything a person needs to fix it.

    `path` is the domain path (维度 “1” › 指标 “1.2” › 评分项 “1.2.3” › points), never a
    list index. `expected`/`found`/`hint` are optional refinements of `message`.
    """

    code: str
    message: str
    location: Location | None = None
    path: str | None = None
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    severity: str = "error"  # "error" | "warning"

    def __post_init__(self) -> None:
        # Messages quote what was written (a key, a value): a 10 MB key must not become 40 MB
        # of error output, whichever rendering (terminal, JSON, skipped.csv) it reaches.
        for name, limit in _ECHO_LIMITS:
            value = getattr(self, name)
            if value is not None and len(value) > limit:
                object.__setattr__(self, name, clipped(value, limit))

    def sort_key(self) -> tuple[str, str, int, int, str, str]:
        # Spreadsheet problems group by sheet, then row, so a clerk can work down each sheet.
        loc = self.location
        if loc is None:
            return ("", "", 0, 0, "", self.code)
        sheet = (f"{loc.sheet_index:04d}" if loc.sheet_index is not None
                 else f"{loc.table:04d}" if loc.table is not None else (loc.sheet or ""))
        return (loc.file, sheet, loc.line or loc.row or 0, loc.column or 0, loc.cell_column or "", self.code)

    def one_line(self) -> str:
        """`file:line:col: CODE message（path）` for logs and grep."""
        where = f"{self.location}: " if self.location else ""
        extra = f"（{self.path}）" if self.path else ""
        detail = ""
        if self.expected is not None:
            detail += f"；期望：{self.expected}"
        if self.found is not None:
            detail += f"；实际：{self.found}"
        return f"{where}{self.code} {self.message}{detail}{extra}"

    def to_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "sheet": loc.sheet if loc else None,
            "row": loc.row if loc else None,
            "cell_column": loc.cell_column if loc else None,
            "path": self.path,
            "expected": self.expected,
            "found": self.found,
            "hint": self.hint,
        }


_ECHO_LIMITS = (("message", 400), ("path", 400), ("expected", 1000), ("found", 300), ("hint", 600))


def clipped(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…（共 {len(text):,} 个字符）"


class SanzhiError(Exception):
    """Base of every error sanzhi raises on purpose."""


@dataclass
class UserError(SanzhiError):
    """A mistake the user can fix; carries every diagnostic found, not just the first."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    summary: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # file → text, for snippets

    def __post_init__(self) -> None:
        self.diagnostics = sorted(self.diagnostics, key=Diagnostic.sort_key)
        super().__init__(self.summary or "\n".join(d.one_line() for d in self.diagnostics))


class RubricError(UserError):
    """The rubric file is invalid (schema or semantics)."""


class DataError(UserError):
    """A village's data is invalid for the rubric."""


class InternalError(SanzhiError):
    """A bug in sanzhi, never the user's fault."""


_OS_REASONS = {
    "FileNotFoundError": "文件或文件夹不存在",
    "PermissionError": "没有访问权限",
    "IsADirectoryError": "这是一个文件夹，不是文件",
    "NotADirectoryError": "路径中有一段不是文件夹",
    "FileExistsError": "文件已存在",
}


def os_reason(exc: OSError) -> str:
    """An operating-system error in Chinese, for user-facing messages (the OS words it in English)."""
    if isinstance(exc, FileTooLargeError):
        return f"文件过大（{describe_size(exc.size)}，上限 {describe_size(exc.limit)}）"
    if isinstance(exc, NotRegularFileError):
        return "不是普通文件（是管道、设备或套接字），不能作为输入读取"
    if type(exc).__name__ in _OS_REASONS:
        return _OS_REASONS[type(exc).__name__]
    if exc.errno == 28:  # ENOSPC
        return "磁盘空间不足"
    return f"系统错误（{exc.strerror or type(exc).__name__}）"
