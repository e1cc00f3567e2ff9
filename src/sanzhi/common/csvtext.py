"""CSV cells that a spreadsheet cannot take for formulas (CSV injection).

Names, reasons and file paths in the CSV files sanzhi writes come from village data. Excel,
WPS and LibreOffice evaluate a cell that begins with `=`, `+`, `-` or `@` (and a tab or
carriage return before one), so a village named `=HYPERLINK(…)` or `=cmd|' /C calc'!A0`
would become a live link or a DDE command when the published list is opened. As OWASP
recommends for CSV, such a text cell is written with a leading apostrophe, which the
spreadsheet shows as text and does not print. Numbers are written as numbers, never touched.
(The XLSX files are safe as they are: XlsxWriter writes strings as strings.)
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "csv_text"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: object) -> object:
    """`value`, with an apostrophe in front when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
