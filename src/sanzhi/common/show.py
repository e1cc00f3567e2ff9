"""How values read in Chinese explanations: 是/否, "15 万元", dates, lists of tags.

Used by the rule kinds' scorers (sanzhi.standard.rules) and the engine alike."""

from datetime import date
from decimal import Decimal

from sanzhi.common.numbers import fmt, round_to

_SHOWN = Decimal("0.01")


def show(value: object, unit: str | None = None) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal) and value.as_tuple().exponent < -4:  # type: ignore[operator]
        # A computed ratio (1166.666…) reads to two decimals; the exact value stays in the data.
        value = round_to(value, _SHOWN)
    if isinstance(value, (int, Decimal)):
        return f"{fmt(value)} {unit}" if unit else fmt(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "、".join(value) if value else "（无）"
    return str(value)

