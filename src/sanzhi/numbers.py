"""Decimal display shared by every layer: 2 → "2", 0.50 → "0.5", never 1E+1."""

from decimal import Decimal


def fmt(value: Decimal | int) -> str:
    # String fast path: this runs for every number of every explanation of every village.
    text = str(value)
    if "E" in text or "e" in text:
        text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
