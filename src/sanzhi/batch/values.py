"""A village's operative values in the results database (`village_values.data`), and back.

Township and county rubrics aggregate what a village run stored (sanzhi.batch.units): each
village's attributes and answers as corrected by the highest review level, and its derived
fields — the values its items were scored on. One JSON object per village, written by the
worker beside the item scores:

    {"households":1800,"legal_adviser_assigned":true,"safety_awareness_rate":85.5,
     "titles":["市级民主法治村"],"incident_date":"2025-03-01"}

Numbers are written in their exact decimal form (never through float), dates as ISO text,
tags as lists. JSON does not say which text is a date or which number an integer, so reading
back goes by the types the village rubric declares (`decode_values`): the same values come back
that the engine saw.

Encoding runs once per village of a national run, so it is built from cached fragments (a
county repeats the same few answers) rather than through a general encoder.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from decimal import Decimal

from sanzhi.batch.store import json_key
from sanzhi.common.numbers import fmt_cached
from sanzhi.standard.expr import NameType, ValueType

_FRAGMENTS: dict[tuple[type, object], str] = {}
_FRAGMENTS_MAX = 100_000


def _fragment(value: object) -> str:
    t = type(value)
    key = (t, value)
    try:
        text = _FRAGMENTS.get(key)
    except TypeError:  # not hashable: not a value the engine produces; encode it plainly
        text = None
    if text is not None:
        return text
    if t is bool:
        text = "true" if value else "false"
    elif t is int:
        text = str(value)
    elif t is Decimal:
        text = fmt_cached(value)  # type: ignore[arg-type]
    elif t is str:
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, datetime.date):
        text = '"' + value.isoformat() + '"'
    elif t is tuple:
        text = json.dumps(list(value), ensure_ascii=False)  # type: ignore[call-overload]
    else:
        text = json.dumps(str(value), ensure_ascii=False)
    if len(_FRAGMENTS) < _FRAGMENTS_MAX:
        _FRAGMENTS[key] = text
    return text


def values_json(values: Mapping[str, object]) -> str:
    """The values as one compact JSON object, keys sorted (the same values give the same text)."""
    return "{" + ",".join(json_key(k) + _fragment(values[k]) for k in sorted(values)) + "}"


def decode_values(text: str, names: Mapping[str, NameType], wanted: frozenset[str] | None = None) -> dict[str, object]:
    """`village_values.data` back to typed values, by the declared types in `names`; only the
    names in `wanted` when given (a unit rubric reads a few of a village's many answers).
    Names no longer declared are dropped."""
    raw: dict[str, object] = json.loads(text, parse_float=Decimal)
    out: dict[str, object] = {}
    for k, v in raw.items():
        if wanted is not None and k not in wanted:
            continue
        t = names.get(k)
        if t is None:
            continue
        kind = t.kind
        if kind is ValueType.DATE:
            out[k] = datetime.date.fromisoformat(v)  # type: ignore[arg-type]
        elif kind is ValueType.TAGS:
            out[k] = tuple(v)  # type: ignore[arg-type]
        else:
            out[k] = v
    return out


__all__ = ["decode_values", "values_json"]
