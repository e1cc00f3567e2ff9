"""Find the villages of a batch and cut them into shards, streaming, in a fixed order.

Inputs are files and folders. Inside a folder every `.yaml/.yml/.json` file is one village
and every workbook (`.xlsx`, `.csv`, …: whatever `sanzhi.inputs.files.read_villages`
reads) may hold many. Files are taken in sorted path order, so the plan, and with it the
processing order, is the same on every run.

- One-village files are read by the workers (in parallel). A shard is a run of consecutive
  files in the same folder (in the usual layout, one folder per township), at most
  `shard_size` of them.
- Workbooks (`.xlsx` per-village forms or many-village sheets, `.csv`) are read here, in
  the main process, one village at a time through `sanzhi.inputs.files.read_village_file`;
  consecutive rows of the same township form a shard. A row with bad data becomes a failure
  here and never travels. (Reading is then serial: a folder of thousands of per-village
  `.xlsx` forms reads at openpyxl's speed on one core.)

Nothing is held beyond the shard being built, so memory stays flat however many villages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from sanzhi.batch.store import Known
from sanzhi.batch.work import Failed, FileRef, RowRef, Shard, sha256_tag
from sanzhi.common.errors import Diagnostic, Location
from sanzhi.inputs.files import OLD_EXCEL_SUFFIXES, SHEET_SUFFIXES, TEXT_SUFFIXES, read_village_file
from sanzhi.standard.compile import CompiledRubric

TABLE_SUFFIXES = SHEET_SUFFIXES + OLD_EXCEL_SUFFIXES  # old formats: the reader explains how to convert them
ALL_SUFFIXES = TEXT_SUFFIXES + TABLE_SUFFIXES
_LOCK_PREFIXES = (".", "~$")  # hidden files, Excel/WPS/LibreOffice lock files


class PlanError(ValueError):
    """An INPUT argument that is neither a folder nor a readable village file."""


def check_inputs(paths: Sequence[Path]) -> list[Diagnostic]:
    problems = []
    for p in paths:
        if not p.exists():
            problems.append(Diagnostic("D100", "找不到输入文件或文件夹", Location(str(p))))
        elif p.is_file() and p.suffix.lower() not in ALL_SUFFIXES:
            problems.append(Diagnostic("D100", "不是可读取的村数据文件", Location(str(p)),
                                       expected="文件夹，或 " + " / ".join(ALL_SUFFIXES) + " 文件"))
    return problems


def _walk(folder: Path, skip: Path | None) -> Iterator[str]:
    """Village files under `folder`, sorted by path; hidden entries and the output folder skipped.

    Plain strings, sorted by their components (what sorting Path.parts gives): a national
    run lists 100,000 files here, in the process that also feeds the workers.
    """
    found: list[str] = []
    skip_name = skip.name if skip is not None else None
    for root, dirs, files in os.walk(folder):  # symlinked folders are not followed
        # Only a folder with the output folder's (resolved) name can be it: resolve() costs a
        # system call per path component, and a national run has ~7,000 folders.
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and (d != skip_name or Path(os.path.join(root, d)).resolve() != skip)]
        rootn = str(Path(root))  # Path's spelling of the folder ("./in/" → "in"), as sources always had
        prefix = rootn + os.sep
        found.extend(prefix + f for f in files
                     if not f.startswith(_LOCK_PREFIXES) and f.lower().endswith(ALL_SUFFIXES))
    found.sort(key=lambda s: s.split(os.sep))
    yield from found


def iter_files(paths: Sequence[Path], skip: Path | None = None) -> Iterator[str]:
    """Every village file and workbook under `paths`, as path strings, in plan order."""
    skip = skip.resolve() if skip is not None else None
    for p in paths:
        if p.is_dir():
            yield from _walk(p, skip)
        else:
            yield str(p)


def is_table(path: str | Path) -> bool:
    return str(path).lower().endswith(TABLE_SUFFIXES)


def list_files(paths: Sequence[Path], skip: Path | None = None) -> list[str]:
    """Every input file in plan order, listed once per run (the progress total and the plan)."""
    return list(iter_files(paths, skip))


def count_text_files(files: Sequence[str]) -> tuple[int, int]:
    """(one-village files, workbooks): the progress bar's first total."""
    tables = sum(1 for f in files if is_table(f))
    return len(files) - tables, tables


KnownLookup = Callable[[Sequence[str]], Mapping[str, Known]]


def plan_shards(
    compiled: CompiledRubric,
    files: Sequence[str],
    *,
    shard_size: int,
    known: KnownLookup,
    ship_bytes: bool,
    on_rows: Callable[[int], None] = lambda n: None,
) -> Iterator[Shard | Failed]:
    """Shards in plan order; a workbook row that fails to read comes as a `Failed`, in its place.

    `known(sources)` returns the resume manifest entries for those sources; `ship_bytes`
    reads each file here so that workers on other machines need no shared file system.
    """
    index = 0
    refs: list[FileRef | RowRef] = []
    key: str | None = None

    def flush() -> Shard:
        nonlocal index, refs
        shard = Shard(index, key or "", tuple(refs), known([r.source for r in refs]))
        index += 1
        refs = []
        return shard

    for path in files:
        if is_table(path):
            for loaded in read_village_file(compiled, Path(path)):
                if loaded.assessment is None:
                    if refs:
                        yield flush()
                    diags = loaded.error.diagnostics if loaded.error is not None else [Diagnostic("D100", "无法读取", Location(loaded.source))]
                    on_rows(1)
                    yield Failed(loaded.source, sha256_tag(loaded.input_bytes), None,
                                 tuple(d.to_dict() for d in diags), tuple(d.one_line() for d in diags))
                    continue
                town = loaded.assessment.village.township
                if refs and (key != town or len(refs) >= shard_size):
                    yield flush()
                key = town
                on_rows(1)
                refs.append(RowRef(loaded.source, loaded.assessment, loaded.input_bytes))
            continue
        folder = os.path.dirname(path)
        if refs and (key != folder or len(refs) >= shard_size):
            yield flush()
        key = folder
        blob = None
        if ship_bytes:
            try:
                with open(path, "rb") as f:
                    blob = f.read()
            except OSError:
                blob = None  # the worker reports it
        refs.append(FileRef(path, path, blob))
    if refs:
        yield flush()


__all__ = ["TABLE_SUFFIXES", "PlanError", "check_inputs", "count_text_files", "iter_files", "list_files", "plan_shards"]
