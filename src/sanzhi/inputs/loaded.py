"""What reading gives for one village: where it came from, and its assessment or its problems.

Every reader (one-village YAML/JSON files, per-village forms, many-villages sheets) yields
`Loaded` values, one per village; `sanzhi score`, `sanzhi batch` and the rubric tools take
them apart with `isinstance`, so a village is never both read and failed, or neither.

A village's `Source` is structured — the file, and for a sheet row the sheet and the row —
so code that needs the file (did it go away? which reader?) never parses it back out of the
text shown to people; `display()` is that text, the same words a `Location` prints.
"""

from dataclasses import dataclass
from typing import NamedTuple

from sanzhi.common.errors import DataError, Location
from sanzhi.scoring.assessment import Assessment


class Source(NamedTuple):
    """Where one village's data sits: a file, or a row of a sheet in a workbook (CSV: no sheet),
    or several scoring bodies' forms merged into one village (`parts`, in file order; `file`
    is the first: `sanzhi.inputs.bodies`)."""

    file: str
    sheet: str | None = None
    row: int | None = None
    parts: tuple[str, ...] = ()

    def display(self) -> str:
        """`file`, or `file，工作表 “村汇总”，第 3 行`: what messages, `skipped.csv` and the results database show."""
        if self.parts:
            return " + ".join(self.parts)
        if self.sheet is None and self.row is None:
            return self.file  # the common case, without building a Location
        return str(self.location())

    def files(self) -> tuple[str, ...]:
        """Every file the village was read from: its forms' files, or the one file."""
        return self.parts or (self.file,)

    def location(self) -> Location:
        return Location(self.file, sheet=self.sheet, row=self.row)


@dataclass(frozen=True, slots=True)
class LoadedVillage:
    """A village read and validated."""

    source: Source
    assessment: Assessment
    input_bytes: bytes  # what was read, for the input hash in reports and the resume manifest
    carried_from: str | None = None  # the rubric version the file names, when carried to the one scored


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """A village (or a whole file) that could not be read: every problem found, located."""

    source: Source
    error: DataError
    input_bytes: bytes  # what was read (b"" when nothing could be)


Loaded = LoadedVillage | LoadFailure


__all__ = ["LoadFailure", "Loaded", "LoadedVillage", "Source"]
