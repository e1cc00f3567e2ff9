"""The one walker: which files under the paths given are village data, in which order.

`sanzhi score`, `sanzhi batch` and the rubric tools list their inputs here (through
`sanzhi.inputs.files.input_files`, which supplies the suffixes of the registered formats).
The rules:

1. A path given by name is taken as it is, whatever its name or suffix, and in the order
   given; the reader says when it is missing or unreadable (`sanzhi batch` checks names
   up front, `sanzhi.batch.plan.check_inputs`).
2. A folder given is searched through all its subfolders, and from it only files whose
   suffix (any case) is a registered input format are taken — `.xls` and `.et` included,
   so that their reader can tell the person to save them as `.xlsx`.
3. Skipped inside folders, files and folders alike: names starting with "." — hidden ones (`.git`,
   a batch's `.sanzhi-batch` state), LibreOffice's `.~lock.…#` and WPS's `.~…` temporary
   files — and names starting with "~$", the owner files Excel and WPS keep beside an open
   workbook (`~$汇总.xlsx` is not a workbook).
4. Skipped: the folder `skip` wherever it sits under an input folder (`sanzhi batch` passes
   its output folder: its result files are JSON too, and a run must not read them back).
   It is compared resolved, so it is found however the two are spelled (`in/out`,
   `./in/out/`, an absolute path); a folder of the same name elsewhere is an ordinary input.
5. Symlinked folders are not followed (no loop, no file listed twice); a symlinked file is
   listed like a file (a broken link too: its reader reports it missing).
6. Files are in sorted order of their path components (by code point, not the locale), so
   the listing, and with it a batch's plan, is the same on every run and machine; paths are
   spelled as `pathlib` spells them ("./in/" → "in/…").

Plain strings, not Path objects: a national run lists 100,000 files here, in the process
that also feeds the workers.
"""

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

SKIPPED_PREFIXES = (".", "~$")  # rule 3: hidden files and folders; Excel/WPS/LibreOffice lock files


def walk(paths: Sequence[Path], suffixes: tuple[str, ...], skip: Path | None = None) -> Iterator[str]:
    """The input files under `paths` by the rules above; `suffixes` lowercase, with the dot."""
    skip = skip.resolve() if skip is not None else None
    for p in paths:
        if p.is_dir():
            yield from _folder(p, suffixes, skip)
        else:
            yield str(p)


def _folder(folder: Path, suffixes: tuple[str, ...], skip: Path | None) -> Iterator[str]:
    found: list[str] = []
    skip_name = skip.name if skip is not None else None
    for root, dirs, files in os.walk(folder):  # followlinks=False: rule 5
        # Only a folder with the skipped folder's (resolved) name can be it: resolve() costs a
        # system call per path component, and a national run has ~7,000 folders.
        dirs[:] = [d for d in dirs if not d.startswith(SKIPPED_PREFIXES)
                   and (d != skip_name or Path(os.path.join(root, d)).resolve() != skip)]
        rootn = str(Path(root))  # Path's spelling of the folder ("./in/" → "in")
        prefix = rootn + os.sep
        found.extend(prefix + f for f in files if not f.startswith(SKIPPED_PREFIXES) and f.lower().endswith(suffixes))
    found.sort(key=lambda s: s.split(os.sep))
    yield from found


__all__ = ["SKIPPED_PREFIXES", "walk"]
