"""A result as the results database's rows: village_results, level_totals, dimension_scores,
item_scores and review_corrections (the tables: sanzhi.batch.store).

Built in the worker, once per village of a national run (and for each township or county
of a unit run, sanzhi.batch.units): numbers in their exact decimal text, and each item's
`"id":score` fragment of `item_scores.scores` made once for the villages that share the item.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sanzhi.batch.store import json_key
from sanzhi.common.numbers import fmt_cached
from sanzhi.reports.json_output import to_data
from sanzhi.scoring.memo import per_shared_item
from sanzhi.scoring.results import ItemResult, VillageResult


def _fragments(it: ItemResult) -> tuple[tuple[str, str], ...]:
    """(level, '"id":score') per level of one item, for `item_scores.scores`."""
    key = json_key(it.id)
    return tuple((ls.level, key + fmt_cached(ls.score)) for ls in it.levels)


_item_fragments = per_shared_item(_fragments, 20_000)  # villages that score alike share items


def _value_json(value: object) -> str | None:
    """A corrected answer as JSON text, its type kept (72.5, "是", true, ["a"], "2025-06-30"); None
    stays NULL. A Decimal is written as its exact number, never through a float."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return fmt_cached(value)
    return json.dumps(to_data(value), ensure_ascii=False)


def correction_rows(rk: int, result: VillageResult) -> tuple[tuple[object, ...], ...]:
    """A result's rows of review_corrections: each reviewer's correction, with its reason."""
    return tuple((rk, result.village_code, c.level, c.field, _value_json(c.before), _value_json(c.after), c.reviewer,
                  c.reason) for c in result.corrections)


def result_rows(rk: int, result: VillageResult, sha: str, source: str) -> tuple[Any, Any, Any, Any]:
    """A result's rows of village_results, level_totals, dimension_scores and item_scores (a
    village's, or a township's or county's in a unit run: sanzhi.batch.units)."""
    code, num = result.village_code, fmt_cached
    village = (
        rk, code, result.village_name, result.township, result.county, result.year, num(result.total),
        result.rating.tier, result.rating.name, 1 if result.rating.blocked_by_veto else 0, "；".join(v.name for v in result.vetoes),
        result.operative_level, sha, source,
    )
    levels = tuple((rk, code, t.level, num(t.base), num(t.bonus), num(t.total)) for t in result.totals)
    dims = tuple(
        (rk, code, d.id, level, num(score), num(d.applicable_points)) for d in result.dimensions for level, score in d.scores
    )
    by_level: dict[str, list[str]] = {}  # level → '"id":score' fragments of item_scores.scores
    frags_of = _item_fragments
    for group in (result.items, result.bonus_items):
        for it in group:
            for level, frag in frags_of(it):
                frags = by_level.get(level)
                if frags is None:
                    frags = by_level[level] = []
                frags.append(frag)
    items = tuple((rk, code, level, "{" + ",".join(frags) + "}") for level, frags in by_level.items())
    return village, levels, dims, items


__all__ = ["correction_rows", "result_rows"]
