"""One reason an item's score moved, as a rule kind's scorer (or the engine) reports it.

A NamedTuple rather than a pydantic model or a frozen dataclass: a province run builds tens of
millions of these, and a NamedTuple is built several times faster while staying immutable.
It lives with the rule kinds because their scorers make it; `sanzhi.scoring.results`, where
the rest of a village's result is defined, re-exports it.
"""

from decimal import Decimal
from typing import NamedTuple


class Finding(NamedTuple):
    """One reason the score moved: a deduction (amount < 0), an award (amount ≥ 0), or a note.

    `kind` is a rule kind, or one of: missing (an answer was not given), override (a
    reviewer set the score), clamp (deductions exceeded the item), not_applicable.
    `inputs` are the values that triggered it, as (field id, typed value) pairs.
    """

    kind: str
    rule: int | None  # index of the rule within its item; None for engine notes
    amount: Decimal
    text: str
    occurrences: int | None = None
    cap: Decimal | None = None
    capped: bool = False
    inputs: tuple[tuple[str, object], ...] = ()
