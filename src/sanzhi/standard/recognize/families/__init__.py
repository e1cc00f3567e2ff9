"""One module per pattern family; `parse_clause` tries them in a fixed order.

Order matters where wordings overlap: a veto ("取消评选资格") before a zero, a stepped
value ("超过6%的扣3分") before a plain deduction, a per-occurrence ("有一项未落实扣2分")
before a plain deduction, a judgment ("视情量分") before an award part.
"""

import re
from collections.abc import Callable

from sanzhi.standard.recognize.amounts import NUM
from sanzhi.standard.recognize.clauses import has_outcome
from sanzhi.standard.recognize.families import awards, deductions, judgment, ratings, values
from sanzhi.standard.recognize.families.common import CapInfo, strip_caps
from sanzhi.standard.recognize.pieces import Cap, Piece, Remark, Unrecognized

Family = Callable[[str, CapInfo], "list[Piece] | None"]

FAMILIES: tuple[Family, ...] = (
    ratings.total,
    ratings.veto,
    ratings.gate,
    judgment.grades,
    judgment.judgment,
    deductions.discretionary,
    awards.per_unit,
    values.shortfall,
    values.threshold,
    values.step,
    deductions.variant,
    deductions.occurrence,
    deductions.named_parts,
    deductions.zero,
    deductions.deduct,
    awards.award_part,
)


def parse_clause(text: str) -> list[Piece]:
    """Pieces for one clause; never empty (Remark or Unrecognized when nothing fits)."""
    body, caps = strip_caps(text)
    if not body:
        return [Cap(caps.amount)] if caps.present else [Remark()]
    for family in FAMILIES:
        found = family(body, caps)
        if found:
            return found
    if has_outcome(body) or SCORING.search(body):
        return [Unrecognized()]
    return [Remark()]


SCORING = re.compile(rf"扣|\d分|否决|资格|每.{{0,3}}{NUM}|得分|给分|计分|记分")
"""Words that make a clause a scoring rule; a clause without them is a remark."""
