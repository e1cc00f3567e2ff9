"""A table as the readers hand it over: rectangular rows of cells, merges resolved.

Why a type of its own: Excel, CSV and Word tables differ in how they store merged cells and
numbers, but the importer reasons about one thing — text in rows and columns, where each
text came from (for errors a person can find) and which cells are one merged cell.
The readers live in `sanzhi.inputs.rubric_tables`; everything from here on is pure.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from sanzhi.common.errors import Location

TableKind = Literal["xlsx", "csv", "docx"]


@dataclass(frozen=True, slots=True)
class GridCell:
    """One cell. A merged range repeats its top-left cell's text in every position it covers,
    with `origin` naming that top-left cell, so a vertically merged 项目 cell labels every row."""

    text: str  # what the cell shows, verbatim (a number as Excel shows it)
    number: Decimal | None = None  # the value when the cell holds a number (Excel's 15 digits)
    origin: tuple[int, int] | None = None  # (row, column) 0-based of the merged range's first cell

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as Excel labels columns)."""
    out = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass(frozen=True, slots=True)
class Grid:
    """One sheet (xlsx), the whole file (csv) or one Word table (docx)."""

    file: str  # the name errors show
    kind: TableKind
    rows: tuple[tuple[GridCell, ...], ...]  # rectangular: every row has the same number of cells
    sheet: str | None = None  # worksheet name (xlsx)
    sheet_index: int | None = None
    table: int | None = None  # 1-based table number (docx)
    before: tuple[str, ...] = ()  # paragraphs above the table (docx): the title block
    after: tuple[str, ...] = ()  # paragraphs below the table (docx): notes and rating rules

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def column_name(self, col: int, header: str | None = None) -> str:
        """How errors name a column: "C（分值）" in a spreadsheet, "第 3 列（分值）" in Word."""
        base = f"第 {col + 1} 列" if self.kind == "docx" else column_letter(col)
        return f"{base}（{header}）" if header else base

    def at(self, row: int | None = None, col: int | None = None, header: str | None = None) -> Location:
        """A 0-based row/column as the Location a person reads (1-based rows, lettered columns)."""
        return Location(
            self.file,
            sheet=self.sheet,
            sheet_index=self.sheet_index,
            table=self.table,
            row=row + 1 if row is not None else None,
            cell_column=self.column_name(col, header) if col is not None else None,
        )


@dataclass(frozen=True, slots=True)
class MachineRow:
    """One row of an exported workbook's machine sheet (see `tables.machine`)."""

    row: int  # 1-based, for errors
    kind: str
    key: str
    data: str
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class TableFile:
    """Everything read from one file: its tables in order, and the machine sheet if it has one."""

    file: str
    kind: TableKind
    grids: tuple[Grid, ...]
    machine: tuple[MachineRow, ...] | None = None
    machine_sheet: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # reader remarks (e.g. the encoding guessed)
