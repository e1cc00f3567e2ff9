"""Interval notation for bands: "[80, 90)", "(-∞, 60)", "[90, ∞]"."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_PATTERN = re.compile(r"^([\[(])\s*([^,\s]+)\s*,\s*([^\]\s)]+)\s*([\])])$")
_INFINITE = {"∞", "+∞", "inf", "+inf", "-∞", "-inf"}


@dataclass(frozen=True, slots=True)
class Interval:
    low: Decimal | None  # None = unbounded
    low_closed: bool
    high: Decimal | None
    high_closed: bool
    text: str

    def contains(self, value: Decimal | int) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_closed)):
            return False
        return self.high is None or value < self.high or (value == self.high and self.high_closed)


def parse_interval(text: str) -> Interval:
    """Parse interval notation; raises ValueError with a Chinese message."""
    m = _PATTERN.match(text.strip())
    if not m:
        raise ValueError(f"区间写法无效：{text}（应写作 [80, 90) 这样的形式）")
    left, low_text, high_text, right = m.groups()
    low = None if low_text in _INFINITE else _bound(low_text, text)
    high = None if high_text in _INFINITE else _bound(high_text, text)
    if low_text in _INFINITE and not low_text.startswith("-"):
        raise ValueError(f"区间下界不能是正无穷：{text}")
    if high_text.startswith("-") and high_text in _INFINITE:
        raise ValueError(f"区间上界不能是负无穷：{text}")
    if low is not None and high is not None and (low > high or (low == high and (left, right) != ("[", "]"))):
        raise ValueError(f"区间为空：{text}")
    return Interval(low, left == "[" and low is not None, high, right == "]" and high is not None, text)


# Bounds are compared with village values, which are refused beyond this (sanzhi.standard.values).
MAX_MAGNITUDE = Decimal("1e15")


def _bound(part: str, text: str) -> Decimal:
    try:
        value = Decimal(part)
    except InvalidOperation:
        raise ValueError(f"区间端点 “{part}” 不是数值：{text}（无穷请写 ∞ 或 -∞）") from None
    if not value.is_finite():
        raise ValueError(f"区间端点 “{part}” 不是有限的数值：{text}（无穷请写 ∞ 或 -∞）")
    if abs(value) >= MAX_MAGNITUDE:
        raise ValueError(f"区间端点 “{part}” 超出范围：{text}（绝对值须小于 10^15）")
    return value
