"""Find the villages of a batch and cut them into shards, streaming, in a fixed order.

Inputs are files and folders, listed by the one walker (`sanzhi.inputs.files.input_files`;
its rules, in `sanzhi.inputs.walk`: suffixes, hidden and lock files, this run's output
folder, symlinks, sorted order, so the plan is the same on every run). Every
`.yaml/.yml/.json` file is one village and every workbook (`.xlsx`, `.csv`, …: the formats
of `sanzhi.inputs.files.FORMATS` that are not one village a file) may hold many.

- One-village files are read by the workers (in parallel). A shard is a run of consecutive
  files in the same folder (in the usual layout, one folder per township), at most
  `shard_size` of them.
- Workbooks (`.xlsx` per-village forms or many-village sheets, `.csv`) are read here, in
  the main process, one village at a time through `sanzhi.inputs.files.read_village_file`;
  consecutive rows of the same township form a shard. A row with bad data becomes a failure
  here and never travels. (Reading is then serial: a folder of thousands of per-village
  `.xlsx` forms reads at openpyxl's speed on one core.) Scoring bodies' forms (`sanzhi form
  --by-body`) of one village are merged into one village here (`sanzhi.inputs.bodies`), when
  the last of them is read, or at the end for a village whose forms are not all there: two
  files with one village code are then one village, not duplicates.

Nothing is held beyond the shard being built, so memory stays flat however many villages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from sanzhi.batch.files import sha256_tag
from sanzhi.batch.store import Known
from sanzhi.batch.work import Failed, FileRef, RowRef, Shard, log_internal
from sanzhi.common.errors import Diagnostic, Location
from sanzhi.inputs.bodies import BodyForm, BodyForms
from sanzhi.inputs.files import INPUT_SUFFIXES, input_files, is_workbook, read_village_file
from sanzhi.inputs.loaded import Loaded, LoadFailure
from sanzhi.inputs.read import read_file
from sanzhi.standard.compile import CompiledRubric


class PlanError(ValueError):
    """An INPUT argument that is neither a folder nor a readable village file."""


def check_inputs(paths: Sequence[Path]) -> list[Diagnostic]:
    problems = []
    for p in paths:
        if not p.exists():
            problems.append(Diagnostic("D100", "找不到输入文件或文件夹", Location(str(p))))
        elif p.is_file() and p.suffix.lower() not in INPUT_SUFFIXES:
            problems.append(Diagnostic("D100", "不是可读取的村数据文件", Location(str(p)),
                                       expected="文件夹，或 " + " / ".join(INPUT_SUFFIXES) + " 文件"))
    return problems


def list_files(paths: Sequence[Path], skip: Path | None = None) -> list[str]:
    """Every input file in plan order, listed once per run (the progress total and the plan);
    `skip`: the run's output folder."""
    return list(input_files(paths, skip))


def count_text_files(files: Sequence[str]) -> tuple[int, int]:
    """(one-village files, workbooks): the progress bar's first total."""
    tables = sum(1 for f in files if is_workbook(f))
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
        shard = Shard(index, key or "", tuple(refs), known([r.key for r in refs]))
        index += 1
        refs = []
        return shard

    forms = BodyForms(compiled)

    def rows(loaded_rows: Iterator[Loaded | Failed]) -> Iterator[Shard | Failed]:
        nonlocal key
        for loaded in loaded_rows:
            if isinstance(loaded, Failed):  # the reader itself failed: the rest of the file is not read
                if refs:
                    yield flush()
                on_rows(1)
                yield loaded
                continue
            if isinstance(loaded, LoadFailure):
                if refs:
                    yield flush()
                diags = loaded.error.diagnostics
                on_rows(1)
                yield Failed(loaded.source.display(), "\n".join(loaded.source.files()), sha256_tag(loaded.input_bytes), None,
                             tuple(d.to_dict() for d in diags), tuple(d.one_line() for d in diags))
                continue
            town = loaded.assessment.village.township
            if refs and (key != town or len(refs) >= shard_size):
                yield flush()
            key = town
            on_rows(1)
            refs.append(RowRef(loaded.source, loaded.assessment, loaded.input_bytes))

    for path in files:
        if is_workbook(path):
            broke: list[Failed] = []
            yield from rows(forms.take(_rows_of(compiled, path, broke)))
            yield from rows(iter(broke))
            continue
        folder = os.path.dirname(path)
        if refs and (key != folder or len(refs) >= shard_size):
            yield flush()
        key = folder
        blob = None
        if ship_bytes:
            try:
                blob = read_file(path)
            except OSError:
                blob = None  # the worker reports it
        refs.append(FileRef(path, path, blob))
    yield from rows(forms.rest())
    if refs:
        yield flush()


def _rows_of(compiled: CompiledRubric, path: str, broke: list[Failed]) -> Iterator[Loaded | BodyForm]:
    """A workbook's villages (or scoring bodies' forms); a reader that breaks on it (a bug: readers
    report bad data as diagnostics) ends that file with a `Failed` for it in `broke`, never the run
    (kept apart so that the forms merged so far still come first)."""
    try:
        yield from read_village_file(compiled, Path(path))
    except Exception as e:  # noqa: BLE001 - one file must not stop the run
        log_internal(path)
        try:
            sha = sha256_tag(Path(path).read_bytes())
        except OSError:
            sha = sha256_tag(b"")
        d = Diagnostic("S902", f"读取该文件时出现内部错误（{type(e).__name__}: {str(e)[:200]}），文件中其余的村未读取；"
                       "这是 sanzhi 的缺陷，请连同错误日志反馈", Location(path))
        broke.append(Failed(path, path, sha, None, (d.to_dict(),), (d.one_line(),)))


__all__ = ["PlanError", "check_inputs", "count_text_files", "list_files", "plan_shards"]
