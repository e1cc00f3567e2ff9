"""Decimal display shared by every layer: 2 → "2", 0.50 → "0.5", never 1E+1."""

from decimal import Decimal


def fmt(value: Decimal | int) -> str:
    if isinstance(value, int):
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
