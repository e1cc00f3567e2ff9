"""Decimal display shared by every layer: 2 → "2", 0.50 → "0.5", never 1E+1."""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal


def fmt(value: Decimal | int) -> str:
    # String fast path: this runs for every number of every explanation of every village.
    text = str(value)
    if "E" in text or "e" in text:
        text = format(Decimal(value).normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# fmt's results, shared: a batch formats the same few hundred scores over and over. Equal
# Decimals (2.50 and 2.5) give the same text, so keying by value is exact.
FMT_CACHE: dict[Decimal, str] = {}
_FMT_CACHE_MAX = 50_000


def fmt_cached(value: Decimal) -> str:
    """`fmt(value)`, remembered."""
    text = FMT_CACHE.get(value)
    if text is None:
        text = fmt(value)
        if len(FMT_CACHE) < _FMT_CACHE_MAX:
            FMT_CACHE[value] = text
    return text


# One fixed context for the engine's divisions, so a caller's decimal settings never change a score.
EXACT = Context(prec=28, rounding=ROUND_HALF_EVEN)


_POWERS_OF_TEN = frozenset(Decimal(1).scaleb(-n) for n in range(9))


def round_to(value: Decimal, step: Decimal) -> Decimal:
    """Round half up to a multiple of `step` (0.1, 0.01, or 0.5), written with step's exponent.

    Decimal.quantize alone rounds to decimal places, which is wrong for a step of 0.5.
    """
    if step in _POWERS_OF_TEN:
        # 1, 0.1, 0.01…: one quantize is the same rounding, and this runs for every item score.
        return value.quantize(step, ROUND_HALF_UP, EXACT)
    units = EXACT.divide(value, step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return EXACT.multiply(units, step).quantize(step)
