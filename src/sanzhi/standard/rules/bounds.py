"""The load-time check most kinds share: an amount must not exceed the item's points (R203)."""

from decimal import Decimal

from sanzhi.common.numbers import fmt
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.kind import Path

HINT_ZERO = "扣分不能超过本项分值；“全扣/不得分” 请改用 kind: zero"
HINT_DEFAULT = "不能超过本项分值；省略 {slot} 即以本项分值为上限"
HINT_SCORE = "得分不能超过本项分值"


def not_above(path: Path, value: Decimal | None, points: Decimal, what: str, hint: str) -> list[Problem]:
    if value is not None and value > points:
        return [Problem("R203", path, f"{what}（{fmt(value)}）超过本项分值 {fmt(points)}",
                        expected=f"不超过 {fmt(points)}", found=fmt(value), hint=hint.format(slot=path[-1]))]
    return []
