"""Example villages a rubric ships with their expected scores (`examples:`), so a standards
body can check its own edits with `sanzhi rubric test FILE`.

This module is the pure half: load-time checks that an expectation names real ids, and the
comparison of an expectation with what the engine gave. Scoring the example (reading its
data, running the engine) happens above the core, in the CLI's runner.

    examples:
      - name: 满分村
        note: 各项齐全，无扣分
        village: {code: "330000000001", name: 示例村, township: 示例镇, county: 示例县, year: 2025, …}
        answers: {plan_made: true, …}
        judgments: {"5.2.1": {score: 1, reason: …}}
        expect:
          total: 100
          rating: 示范            # tier id or name, the below_all text, or 不予评定
          dimensions: {"1": 20}
          items: {"1.1.1": 2}
          vetoes: []              # exactly these vetoes triggered
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from sanzhi.common.numbers import fmt
from sanzhi.standard.models import Example, Rubric, iter_items
from sanzhi.standard.problems import Problem

RATING_BLOCKED = "不予评定"  # what the engine calls a vetoed or gated village (scoring.rating.VETO_BLOCKED)


class Actual(NamedTuple):
    """What the engine gave for one example, reduced to what an expectation can name."""

    total: Decimal
    self_total: Decimal
    tier: str | None
    rating: str
    dimensions: Mapping[str, Decimal]
    items: Mapping[str, Decimal]
    vetoes: tuple[str, ...]


class Difference(NamedTuple):
    what: str  # 总分, 等级, 维度 “1”, 评分项 “1.1.1”, 一票否决
    expected: str
    actual: str


def compare(example: Example, actual: Actual) -> list[Difference]:
    """Every expectation of `example` that `actual` does not meet, in a fixed order."""
    e = example.expect
    out: list[Difference] = []
    if e.total is not None and e.total != actual.total:
        out.append(Difference("总分", fmt(e.total), fmt(actual.total)))
    if e.self_total is not None and e.self_total != actual.self_total:
        out.append(Difference("自评总分", fmt(e.self_total), fmt(actual.self_total)))
    if e.rating is not None and e.rating not in (actual.tier, actual.rating):
        out.append(Difference("等级", e.rating, actual.rating))
    for dim_id, score in e.dimensions.items():
        got = actual.dimensions.get(dim_id)
        if got != score:
            out.append(Difference(f"维度 “{dim_id}”", fmt(score), "—" if got is None else fmt(got)))
    for item_id, score in e.items.items():
        got = actual.items.get(item_id)
        if got != score:
            out.append(Difference(f"评分项 “{item_id}”", fmt(score), "—" if got is None else fmt(got)))
    if e.vetoes is not None and sorted(e.vetoes) != sorted(actual.vetoes):
        out.append(Difference("一票否决", "、".join(sorted(e.vetoes)) or "无", "、".join(sorted(actual.vetoes)) or "无"))
    return out


def check_examples(rubric: Rubric) -> list[Problem]:
    """Expectations name dimensions, items, vetoes and ratings the rubric has."""
    out: list[Problem] = []
    dims = [d.id for d in rubric.dimensions]
    items = [item.id for _, _, item in iter_items(rubric)]
    vetoes = [v.id for v in rubric.vetoes]
    ratings = [*(t.id for t in rubric.rating.tiers), *(t.name for t in rubric.rating.tiers), rubric.rating.below_all, RATING_BLOCKED]
    for n, ex in enumerate(rubric.examples):
        base = ("examples", n, "expect")
        if ex.expect.rating is not None and ex.expect.rating not in ratings:
            out.append(Problem("R240", (*base, "rating"), f"示例村 “{ex.name}” 期望的等级 “{ex.expect.rating}” 不存在",
                               expected="、".join(dict.fromkeys(ratings))))
        for key, known, what in (("dimensions", dims, "维度"), ("items", items, "评分项")):
            for ident in getattr(ex.expect, key):
                if ident not in known:
                    out.append(Problem("R240", (*base, key, ident), f"示例村 “{ex.name}” 期望中的{what} “{ident}” 不存在", key=True))
        for k, ident in enumerate(ex.expect.vetoes or ()):
            if ident not in vetoes:
                out.append(Problem("R240", (*base, "vetoes", k), f"示例村 “{ex.name}” 期望中的否决项 “{ident}” 不存在",
                                   expected="、".join(vetoes) or "（本评分标准没有否决项）"))
    return out
