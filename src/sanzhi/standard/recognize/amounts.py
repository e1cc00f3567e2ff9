"""Numbers as the tables write them: "0.5", "十五", "两", "半", and the regex pieces for them.

All values are Decimal built from the text (exact arithmetic, never float).
"""

import re
from decimal import Decimal

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
           "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100}

NUM = r"(?:\d+(?:\.\d+)?|[零〇一壹二两贰三叁四肆五伍六陆七柒八捌九玖十拾百佰]+(?:点[零〇一二三四五六七八九]+)?|半)"
"""One number, Arabic or Chinese (the regex source, to embed in larger patterns)."""

NUM_RE = re.compile(NUM)

MEASURE = r"(?:个百分点|百分点|人次|户次|个月|季度|项|处|次|起|例|户|辆|份|个|卷|种|人|件|家|名|类|条|宗|场|篇|期|本|张|天|月|年|栋|座|块|台|套)"
"""Measure words a count is made of (每发现1项, 每处, 每起…)."""

VALUE_UNIT = r"(?:%|‰|万元|元|岁|分钟|小时|分|人|户|次|个|天|名|件|起|平方米|米|公里)"
"""Units a measured value carries in a comparison (80%, 20万元, 60岁, 90分)."""


def parse_number(text: str) -> Decimal:
    """Decimal value of a number written in Arabic or Chinese numerals.

    >>> parse_number("十五"), parse_number("0.5"), parse_number("两"), parse_number("二十")
    (Decimal('15'), Decimal('0.5'), Decimal('2'), Decimal('20'))
    """
    text = text.strip()
    if not text:
        raise ValueError("empty number")
    if text == "半":
        return Decimal("0.5")
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Decimal(text)
    whole, _, frac = text.partition("点")
    value = Decimal(_chinese_integer(whole))
    if frac:
        value += Decimal("0." + "".join(str(_DIGITS[c]) for c in frac))
    return value


def _chinese_integer(text: str) -> int:
    if not text:
        return 0
    if all(c in _DIGITS for c in text) and len(text) > 1:
        return int("".join(str(_DIGITS[c]) for c in text))  # "二〇" style digit strings
    total = 0
    current = 0
    for c in text:
        if c in _DIGITS:
            current = _DIGITS[c]
        elif c in _UNITS:
            total += (current or 1) * _UNITS[c]  # "十五": an implicit 一 before 十
            current = 0
        else:
            raise ValueError(f"not a number: {text}")
    return total + current


def fmt(value: Decimal) -> str:
    """Plain text of a Decimal without exponent or trailing zeros: 2, 0.5, 12.25."""
    text = format(value.normalize(), "f")
    return text
