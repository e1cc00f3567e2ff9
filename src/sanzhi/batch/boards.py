"""红黑榜: who is on the red and the black list of one ranked cohort, by the rubric's rule.

One rule for every list that publishes a 红黑榜 — a township's or county's villages
(`sanzhi.batch.publish`) and the townships or counties of a unit run
(`sanzhi.batch.publish_units`): the red list is the best `red` of the ranked (a share rounds
up, at least one; ties at the edge in); the black list every one barred from every rating
(not ranked) plus the worst `black` of the rest not on the red list. Each list words the
reasons for its own cohort.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from sanzhi.batch.queries.ranking import RankRow
from sanzhi.common.numbers import fmt
from sanzhi.standard.models import RankLimit, RedBlack

DEFAULT_RED_BLACK = RedBlack()  # 前/后 10 %: the rule of a rubric without `rating.red_black`


class Boards(NamedTuple):
    red: list[RankRow]  # in rank order
    red_text: str  # how the red limit reads: 10%, 3 名
    black: list[RankRow]  # the worst of the rest, in rank order
    black_text: str
    vetoed: list[RankRow]  # not ranked: barred from every rating


def count(limit: RankLimit, n: int) -> tuple[int, str]:
    """How many of `n` ranked a limit takes, and how it reads (10%, 3 名)."""
    if limit.top is not None:
        return min(limit.top, n), f"{limit.top} 名"
    assert limit.share is not None
    return (max(1, math.ceil(limit.share * n)) if n else 0), f"{fmt(limit.share * 100)}%"


def boards(ranked: Sequence[RankRow], rule: RedBlack | None = None) -> Boards:
    """The red and black lists of one cohort, ranked (`assign_ranks`) and in rank order."""
    rule = rule or DEFAULT_RED_BLACK
    scored = [r for r in ranked if r.rank is not None]
    n = len(scored)
    k, red_text = count(rule.red, n)
    red = [r for r in scored if r.rank is not None and r.rank <= k]
    red_codes = {r.village.village_code for r in red}
    rest = [r for r in scored if r.village.village_code not in red_codes]
    b, black_text = count(rule.black, n)
    cutoff = rest[-b].rank if len(rest) >= b and b else None
    black = [r for r in rest if cutoff is not None and r.rank is not None and r.rank >= cutoff]
    return Boards(red, red_text, black, black_text, [r for r in ranked if r.rank is None])


__all__ = ["DEFAULT_RED_BLACK", "Boards", "boards", "count"]
