"""Assessment periods: a year, or a month, quarter or half within it.

`--year 2025` is the year; `--period 2025-11` a month, `2025-Q3` a quarter, `2025-H1` a half
(建德 ranks its townships monthly, 长兴 scores villages in bimonthly rounds that are recorded by
the month they end in). The canonical text is what the results database stores in
`runs.period` ('' for the year) and what `--period` takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PeriodKind = Literal["year", "month", "quarter", "half"]
_PATTERN = re.compile(r"^\s*(\d{4})(?:-(?:(\d{1,2})|[Qq]([1-4])|[Hh]([12])))?\s*$")
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")
_HALVES = ("上半年", "下半年")


class PeriodError(ValueError):
    """Text that is not a period; the message is the Chinese one to show."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    year: int
    kind: PeriodKind
    index: int = 0  # month 1–12, quarter 1–4, half 1–2; 0 for the year

    @property
    def text(self) -> str:
        """Canonical text: 2025 (the year; stored as '' in runs.period), 2025-11, 2025-Q3, 2025-H1."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        return f"{self.year}-{'Q' if self.kind == 'quarter' else 'H'}{self.index}"

    @property
    def stored(self) -> str:
        """`runs.period`: '' for the whole year (every run before periods existed), else `text`."""
        return "" if self.kind == "year" else self.text

    @property
    def label(self) -> str:
        """How lists and reports name it: 2025年度, 2025年11月, 2025年第三季度, 2025年上半年."""
        if self.kind == "year":
            return f"{self.year}年度"
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        if self.kind == "quarter":
            return f"{self.year}年{_QUARTERS[self.index - 1]}"
        return f"{self.year}年{_HALVES[self.index - 1]}"

    @property
    def months(self) -> tuple[int, int]:
        """First and last month covered."""
        if self.kind == "year":
            return 1, 12
        if self.kind == "month":
            return self.index, self.index
        size = 3 if self.kind == "quarter" else 6
        return (self.index - 1) * size + 1, self.index * size


def parse_period(text: str) -> Period:
    """2025, 2025-11, 2025-Q3, 2025-H1 → Period; PeriodError (in Chinese) otherwise."""
    m = _PATTERN.match(text or "")
    if not m:
        raise PeriodError(f"评定期 “{text}” 无效：应为 2025（年度）、2025-11（月）、2025-Q3（季度）或 2025-H1（半年）")
    year = int(m.group(1))
    if m.group(2) is not None:
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"评定期 “{text}” 无效：月份应为 1—12")
        return Period(year, "month", month)
    if m.group(3) is not None:
        return Period(year, "quarter", int(m.group(3)))
    if m.group(4) is not None:
        return Period(year, "half", int(m.group(4)))
    return Period(year, "year")


def stored_period(year: int, stored: str) -> Period:
    """The Period of a run from its year and `runs.period`."""
    return Period(year, "year") if not stored else parse_period(stored)


__all__ = ["Period", "PeriodError", "PeriodKind", "parse_period", "stored_period"]
