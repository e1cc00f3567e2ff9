"""The villages of a stored run as aggregates read them: one `VillageFacts` per village, streamed.

A village run stores each village's result (`village_results`, `level_totals`,
`dimension_scores`) and operative values (`village_values`, sanzhi.batch.values). A township or
county rubric reads a few names of them (`CompiledAggregate.reads`); this module reads only the
tables those names need, each in one ordered query, and merges them by village code, so memory
stays flat over a national run: rows come in code order, hence a township's (9-digit prefix)
and a county's (6-digit prefix) villages come together.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from sanzhi.batch.store import Store, dec
from sanzhi.batch.values import decode_values
from sanzhi.scoring.units import VillageFacts
from sanzhi.standard.aggregates import VillageNamespace


class VillageRecord(NamedTuple):
    """One stored village: where it sits (names) and its facts."""

    code: str
    name: str
    township: str
    county: str
    facts: VillageFacts


class _Side:
    """A second ordered stream merged into the main one by village code."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self._rows = rows
        self._next: tuple[Any, ...] | None = next(rows, None)

    def take(self, code: str) -> list[tuple[Any, ...]]:
        out = []
        while self._next is not None and self._next[0] <= code:
            if self._next[0] == code:
                out.append(self._next)
            self._next = next(self._rows, None)
        return out


def stream_villages(store: Store, run_key: int, namespace: VillageNamespace, reads: frozenset[str]) -> Iterator[VillageRecord]:
    """Every scored village of a run, by code, with the values of the names in `reads`."""
    value_names = frozenset(n for n in reads if n not in namespace.results)
    data = "vv.data" if value_names else "NULL"
    join = (" LEFT JOIN village_values vv ON vv.run_key = v.run_key AND vv.village_code = v.village_code"
            if value_names else "")
    main = store.stream(
        f"SELECT v.village_code, v.village_name, v.township, v.county, v.total, v.rating_tier, v.rating_name, v.vetoed,"
        f" {data} FROM village_results v{join} WHERE v.run_key = ? ORDER BY v.village_code", (run_key,))
    self_totals = None
    if "self_total" in reads:
        self_totals = _Side(store.stream("SELECT village_code, total FROM level_totals WHERE run_key = ? AND level = ?"
                                         " ORDER BY village_code", (run_key, namespace.first_level)))
    wanted_dims = {namespace.dimensions[n]: n for n in reads if n in namespace.dimensions}
    dims = None
    if wanted_dims:
        # A separate connection would let the streams run side by side on PostgreSQL; one cursor
        # each on one connection is enough, and SQLite reads them interleaved.
        dims = _Side(store.stream(
            "SELECT d.village_code, d.dimension_id, d.score FROM dimension_scores d JOIN village_results v"
            " ON v.run_key = d.run_key AND v.village_code = d.village_code AND v.operative_level = d.level"
            " WHERE d.run_key = ? ORDER BY d.village_code", (run_key,)))
    names = namespace.names
    for code, name, township, county, total, tier, rating, vetoed, blob in main:
        values: dict[str, object] = decode_values(blob, names, value_names) if blob is not None else {}
        values["total"] = dec(total)
        values["rating"] = rating
        values["vetoed"] = bool(vetoed)
        if tier is not None:
            values["rating_tier"] = tier
        if self_totals is not None:
            for _, t in self_totals.take(code):
                values["self_total"] = dec(t)
        if dims is not None:
            for _, did, score in dims.take(code):
                name_ = wanted_dims.get(did)
                if name_ is not None:
                    values[name_] = dec(score)
        yield VillageRecord(code, name, township, county, VillageFacts(code, name, values))


def has_values(store: Store, run_key: int) -> bool:
    """Did this run store its villages' values (a village run by sanzhi with schema version 4 or later)?"""
    return bool(store.query("SELECT 1 FROM village_values WHERE run_key = ? LIMIT 1", (run_key,)))


__all__ = ["VillageRecord", "has_values", "stream_villages"]
