"""`sanzhi rubric import` and `export`: 评分标准 tables in, printable tables out (issue 16).

Import: read the file (`sanzhi.inputs.rubric_tables`), build the draft (`sanzhi.standard.tables`),
write it, then load it the way `sanzhi rubric check` does, so the person learns at once whether
the draft passes or exactly what keeps it from passing. Export: load a rubric, build its table
layout and hand it to the writer registered for the output's suffix
(`sanzhi.reports.rubric_export`).
"""

import os
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from sanzhi.common.errors import Diagnostic, Location, RubricError, UserError, os_reason
from sanzhi.inputs.rubric_tables import read_rubric_table
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.loader import parse_rubric
from sanzhi.standard.tables.build import DraftOptions
from sanzhi.standard.tables.draft import Imported, draft_from_table, draft_text

SCHEMA_FILE = Path(str(resources.files("sanzhi.standard") / "schema" / "rubric.schema.json"))


@dataclass(frozen=True, slots=True)
class ImportReport:
    output: Path
    imported: Imported
    warnings: tuple[Diagnostic, ...]  # the import's (table and recognizer) warnings
    compiled: CompiledRubric | None  # the draft as loaded, when it passes the check
    check_warnings: tuple[Diagnostic, ...]
    check_error: RubricError | None  # what keeps the draft from passing `sanzhi rubric check`
    text: str

    def counts(self) -> tuple[int, int, int]:
        """(items, items scored by recognised rules only, items with a judgment rule)."""
        data = self.imported.draft.data
        items = [it for d in data["dimensions"] for ind in d["indicators"] for it in ind["items"]]
        items += list((data.get("bonus") or {}).get("items", []))
        judged = sum(1 for it in items if any(r["kind"] == "judgment" for r in it["rules"]))
        return len(items), len(items) - judged, judged


def schema_ref(output: Path) -> str:
    """The installed schema as seen from the draft's folder, so an editor completes keys."""
    try:
        rel = os.path.relpath(SCHEMA_FILE, output.resolve().parent)
    except ValueError:  # another drive on Windows
        return SCHEMA_FILE.as_uri()
    return Path(rel).as_posix()


def write_text_atomic(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    write_bytes_atomic(path, data)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: never a half-written file. Permissions as
    for any new file (0666 less the umask)."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as e:
        raise UserError([Diagnostic("O160", f"无法写入文件：{os_reason(e)}", Location(str(path)))]) from None


def import_table(path: Path, output: Path, *, rubric_id: str | None = None, version: str | None = None,
                 title: str | None = None, effective_date: date | None = None) -> ImportReport:
    """Read a table, write its draft rubric to `output`, and check the draft.

    Table mistakes (no header row, a 分值 that is not a number, sums that do not add up, a
    duplicate 序号) raise a UserError with all of them, and nothing is written.
    """
    table = read_rubric_table(path, str(path))
    options = DraftOptions(source=path.name, rubric_id=rubric_id, version=version, title=title, effective_date=effective_date)
    imported = draft_from_table(table, options)
    text = draft_text(imported, options, schema_ref(output))
    write_text_atomic(output, text)
    compiled = None
    check_warnings: tuple[Diagnostic, ...] = ()
    check_error = None
    try:
        compiled, found = parse_rubric(text, str(output))
        check_warnings = tuple(found)
    except RubricError as e:
        check_error = e
    return ImportReport(output, imported, tuple(imported.draft.warnings), compiled, check_warnings, check_error, text)


def export_formats() -> tuple[str, ...]:
    from sanzhi.reports.rubric_export import WRITERS

    return tuple(WRITERS)


def export_rubric(ref: str, output: Path) -> CompiledRubric:
    """Write rubric `ref` (ID[@VERSION] or a file) as the printable table `output` (.xlsx/.docx/.pdf)."""
    from sanzhi.app.api import load_compiled_rubric
    from sanzhi.reports.rubric_export import WRITERS
    from sanzhi.standard.tables.layout import table_layout

    writer = WRITERS[output.suffix.lower()]
    compiled, _ = load_compiled_rubric(ref)
    write_bytes_atomic(output, writer(compiled.rubric, table_layout(compiled.rubric)))
    return compiled


__all__ = ["ImportReport", "export_formats", "export_rubric", "import_table", "schema_ref", "write_bytes_atomic"]
