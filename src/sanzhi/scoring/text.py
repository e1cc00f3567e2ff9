"""How numbers and values read in Chinese explanations."""

from datetime import date
from decimal import Decimal

from sanzhi.numbers import fmt


def show(value: object, unit: str | None = None) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, Decimal)):
        return f"{fmt(value)} {unit}" if unit else fmt(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "、".join(value) if value else "（无）"
    return str(value)

