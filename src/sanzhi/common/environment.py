"""The machine's trouble, told apart from sanzhi's bugs: a full disk, a read-only folder, a
database another program holds.

Why: these are not defects (exit 3, "这是 sanzhi 的缺陷") nor bad input (exit 2); the user
fixes the machine and resumes. `environment_diagnostic` recognises them in an exception (or in
what it was raised during: a commit that fails on a full disk after a write failed on it) and
says what and where; the CLI boundary exits with `ExitCode.ENVIRONMENT`. A batch's work done
before is kept (`--resume` goes on from it).

Codes: O140 disk full, O141 read-only or no permission, O142 database busy, O143 other
input/output failure of the machine.
"""

from __future__ import annotations

import errno
import os
import sqlite3

from sanzhi.common.errors import Diagnostic, Location, UserError

__all__ = ["EnvironmentProblem", "database_diagnostic", "environment_diagnostic"]

RESUME_HINT = "已完成的部分已保存：解决后用相同命令重新运行（批次加 --resume 续跑，已完成的村不会重做）"


class EnvironmentProblem(UserError):
    """The machine stopped the work (disk, permissions, a busy database): not the input, not a bug."""


_OS = {
    errno.ENOSPC: ("O140", "磁盘已满，无法写入", "请腾出磁盘空间（或换一个输出目录）。"),
    errno.EDQUOT: ("O140", "磁盘配额已用完，无法写入", "请腾出空间或请管理员增加配额。"),
    errno.EROFS: ("O141", "目录只读（只读文件系统），无法写入", "请换一个可写的输出目录，或把磁盘重新挂载为可写。"),
    errno.EACCES: ("O141", "没有访问权限", "请检查该文件或目录的权限（或换一个输出目录）。"),
    errno.EPERM: ("O141", "不允许的操作（权限不足）", "请检查该文件或目录的权限（或换一个输出目录）。"),
    errno.EIO: ("O143", "磁盘读写错误", "请检查磁盘或网络存储是否正常。"),
    errno.EMFILE: ("O143", "打开的文件过多", "请提高打开文件数上限（ulimit -n）或减少 --jobs。"),
    errno.ENFILE: ("O143", "系统打开的文件过多", "请关闭其他程序或减少 --jobs。"),
}


def _where(path: object) -> str | None:
    """The path to show: a temporary file's target folder rather than the temporary name."""
    if path is None:
        return None
    text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else str(path)
    base = os.path.basename(text)
    if base.startswith(".") and base.endswith(".tmp"):
        return os.path.dirname(text) or "."
    return text


def _os_diagnostic(e: OSError) -> Diagnostic | None:
    known = _OS.get(e.errno or -1)
    if known is None:
        return None
    code, message, hint = known
    where = _where(e.filename)
    return Diagnostic(code, message, Location(where) if where else None, hint=hint + RESUME_HINT)


_SQLITE_BUSY = ("database is locked", "database table is locked")
_SQLITE_FULL = ("database or disk is full",)
_SQLITE_READONLY = ("attempt to write a readonly database", "readonly database")
_SQLITE_IO = ("disk i/o error",)


def database_diagnostic(e: BaseException, where: str | None, waited_seconds: float | None = None) -> Diagnostic | None:
    """A SQLite error that is the machine's, told for the database at `where`.

    By the message text: a pool worker's exception arrives pickled, without the error code."""
    if not isinstance(e, sqlite3.OperationalError):
        return None
    text = str(e).lower()
    loc = Location(where) if where else None
    if any(t in text for t in _SQLITE_BUSY):
        waited = f"，已等待 {waited_seconds:g} 秒" if waited_seconds else ""
        return Diagnostic("O142", f"数据库被占用：另一个程序正在写入该结果数据库{waited}", loc,
                          hint="请等另一个 sanzhi 批次结束，或关闭打开该数据库的程序（如 DB Browser for SQLite）。"
                               + RESUME_HINT)
    if any(t in text for t in _SQLITE_FULL):
        return Diagnostic("O140", "磁盘已满，无法写入结果数据库", loc, hint="请腾出磁盘空间。" + RESUME_HINT)
    if any(t in text for t in _SQLITE_READONLY):
        return Diagnostic("O141", "结果数据库只读，无法写入", loc,
                          hint="请检查该文件及其所在目录的权限，或用 --db 换一个数据库。" + RESUME_HINT)
    if any(t in text for t in _SQLITE_IO):
        return Diagnostic("O143", "读写结果数据库时发生磁盘错误", loc, hint="请检查磁盘是否正常。" + RESUME_HINT)
    return None


def environment_diagnostic(e: BaseException, database: str | None = None,
                           waited_seconds: float | None = None) -> Diagnostic | None:
    """What the machine did wrong, if that is what `e` (or what it was raised during) is;
    `database`: the SQLite database in use, named in a database error."""
    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, EnvironmentProblem) and cur.diagnostics:
            return cur.diagnostics[0]
        d = _os_diagnostic(cur) if isinstance(cur, OSError) else database_diagnostic(cur, database, waited_seconds)
        if d is not None:
            return d
        cur = cur.__cause__ or cur.__context__
    return None
