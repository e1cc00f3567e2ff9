"""Where each value of a village's raw data sits in a spreadsheet, for located errors.

`read_assessment` reports problems against paths of the data format (("answers",
"findings"), ("reviews", 0, "corrections", "grids")); `CellMap.locate` turns them into the
cell the clerk typed in. Some problems are reported on the parent path (a missing required
answer on ("answers",), a missing reason on the judgment itself); `refine` moves those to
the one cell that needs filling in, so every message names its row and column.
"""

import dataclasses
import re
from collections.abc import Mapping, Sequence

from sanzhi.common.errors import DataError, Diagnostic, Location
from sanzhi.inputs.layout import SHEET_ORDER
from sanzhi.inputs.loaded import LoadFailure, Source
from sanzhi.standard.values import Unusable

Path = tuple[str | int, ...]
_NAME = re.compile(r"[a-z][a-z0-9_]*")
# Hints written for YAML files (“请在 village 中补上 “name: …””, “{value: 2, reason: …}”) and
# the quoting advice for codes do not apply to a cell: reword them for the spreadsheet.
_YAML_WORDS = re.compile(r"[{}]|: …|请在 [a-z_]+ 中")
_QUOTE_ADVICE = re.compile(r"（请加引号[^）]*）")
_SHEET_HINTS = {"D111": "请在该单元格填写", "D113": "每处更正都要在“更正理由”列写明理由"}


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def cell(file: str, sheet: str | None, row: int, column: int, label: str) -> Location:
    return Location(file, sheet=sheet, row=row, cell_column=f"{column_letter(column)}（{label}）")


class RowPlaces(Mapping[Path, Location]):
    """The cells of one row of a many-villages sheet, built only when an error needs one."""

    def __init__(self, file: str, sheet: str | None, row: int, columns: Mapping[Path, tuple[int, str]]) -> None:
        self.file, self.sheet, self.row, self.columns = file, sheet, row, columns

    def __getitem__(self, path: Path) -> Location:
        index, label = self.columns[path]
        return cell(self.file, self.sheet, self.row, index, label)

    def __contains__(self, path: object) -> bool:
        return path in self.columns

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


class CellMap:
    def __init__(self, default: Location, places: Mapping[Path, Location] | None = None) -> None:
        self.default = default
        self.places: Mapping[Path, Location] = places if places is not None else {}
        self._issued: dict[int, tuple[Location, Path]] = {}

    def put(self, path: Path, location: Location) -> None:
        assert isinstance(self.places, dict)
        self.places[path] = location

    def locate(self, path: Sequence[str | int], key: bool = False) -> Location:
        """The cell for `path`, or for its nearest ancestor that has one."""
        p = tuple(path)
        probe = p
        while probe and probe not in self.places:
            probe = probe[:-1]
        found = self.places.get(probe, self.default)
        issued = dataclasses.replace(found)  # a fresh object, so refine can tell which path it was
        self._issued[id(issued)] = (issued, p)
        return issued

    def refine(self, error: DataError, own: Sequence[Diagnostic] = ()) -> list[Diagnostic]:
        """`own` diagnostics, then `read_assessment`'s, each pointing at its cell and worded for a
        spreadsheet; one problem per cell: a cell `own` already reports on is not reported twice."""
        taken = {d.location for d in own if d.location is not None and d.location.row is not None}
        out = list(own)
        for d in error.diagnostics:
            issued = self._issued.get(id(d.location))
            better = self._better(d, issued[1]) if issued is not None and issued[0] is d.location else None
            hint = d.hint if d.hint is None or not _YAML_WORDS.search(d.hint) else _SHEET_HINTS.get(d.code)
            expected = _QUOTE_ADVICE.sub("", d.expected) if d.expected else d.expected
            if (better or d.location) not in taken:
                out.append(dataclasses.replace(d, location=better or d.location, hint=hint, expected=expected))
        return out

    def _better(self, d: Diagnostic, path: Path) -> Location | None:
        if d.code == "D113":  # the reason is missing: point at the reason cell
            return self.places.get((*path, "reason"))
        if d.code == "D111" and path in (("village",), ("answers",)):  # a required value is missing
            for name in _NAME.findall(d.message):
                if (*path, name) in self.places:
                    return self.places[(*path, name)]
        return None


def unusable_text(value: object, label: str, at: Location) -> Diagnostic | None:
    """A village name, code or reviewer taken as plain text must not be a formula error: those
    keys are read as text, without the value parser that reports `Unusable` values."""
    if not isinstance(value, Unusable):
        return None
    return Diagnostic("D112", f"“{label}” 取值无效", at, expected="文本", found=value.found)


def in_sheet_order(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Tag each location with its sheet's position, so errors list the tabs left to right."""
    out = []
    for d in diagnostics:
        loc = d.location
        if loc is not None and loc.sheet is not None and loc.sheet_index is None and loc.sheet in SHEET_ORDER:
            d = dataclasses.replace(d, location=dataclasses.replace(loc, sheet_index=SHEET_ORDER[loc.sheet]))
        out.append(d)
    return out


def failed(source: Source | str, diagnostics: list[Diagnostic], blob: bytes = b"") -> LoadFailure:
    """A village (a row's `Source`) or a whole file (its name) that could not be read."""
    return LoadFailure(Source(source) if isinstance(source, str) else source, DataError(in_sheet_order(diagnostics)), blob)
