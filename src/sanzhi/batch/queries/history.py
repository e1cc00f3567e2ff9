"""History: one village's (or township's, county's) scores year by year, and where its rubric changed."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import NamedTuple

from sanzhi.batch.queries.rows import VillageRow, latest_rows, period_order, unit_of_code
from sanzhi.batch.queries.yoy import link
from sanzhi.batch.store import Store
from sanzhi.common.numbers import fmt
from sanzhi.standard.lineage import fates


def history(store: Store, code: str) -> list[VillageRow]:
    """Score and rating by year (and period) for one village, township or county: the latest
    complete run of each year and period."""
    return sorted(latest_rows(store, code=code, unit=unit_of_code(code), period=None), key=period_order)



class RubricStep(NamedTuple):
    """Where a village's history moves from one rubric to another."""

    year: int  # the first year (or period: `period`) under the new rubric
    period: str  # runs.period of that first run ('' the year)
    before: str  # ID@VERSION
    after: str
    pairing: str | None  # the crosswalk used, in words; None: items paired by id (and content)
    items: tuple[str, ...]  # renamed, moved, split, merged, added, removed items, in words
    changed: int  # further items whose definition changed
    dimensions: tuple[str, ...]  # dimensions whose points changed: "德治体系 20 → 16"
    outline_missing: bool  # one of the two rubrics was recorded without an outline


def rubric_steps(store: Store, rows: Sequence[VillageRow]) -> list[RubricStep]:
    """Every change of rubric between consecutive years (periods) of a history."""
    out = []
    for prev, row in itertools.pairwise(rows):
        if prev.rubric_hash == row.rubric_hash:
            continue
        before, after = f"{prev.rubric_id}@{prev.rubric_version}", f"{row.rubric_id}@{row.rubric_version}"
        lk = link(store, prev.rubric_hash, row.rubric_hash)
        if lk is None:
            out.append(RubricStep(row.year, row.period, before, after, None, (), 0, (), True))
            continue
        fs = fates(lk.base, lk.current, lk.pairing)
        listed = tuple(f.text for f in fs if f.status != "changed")
        dims = tuple(f"{y.name} {fmt(lk.base.dimensions[d].points)} → {fmt(y.points)}" for d, y in lk.current.dimensions.items()
                     if d in lk.base.dimensions and lk.base.dimensions[d].points != y.points)
        out.append(RubricStep(row.year, row.period, before, after, lk.described, listed, sum(1 for f in fs if f.status == "changed"),
                              dims, False))
    return out



__all__ = ["RubricStep", "history", "rubric_steps"]
