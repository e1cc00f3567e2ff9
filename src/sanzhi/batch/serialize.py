"""One village per JSON file for batch runs, and reading such files back.

The conversion itself is `sanzhi.reports.json_convert` (shared with `sanzhi score -o`).
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from sanzhi.reports.json_convert import converter, is_namedtuple, village_data
from sanzhi.reports.json_output import RESULT_SCHEMA_VERSION, encode_json, result_data
from sanzhi.scoring.memo import per_shared_item
from sanzhi.scoring.results import ItemResult, VillageResult


def village_json(result: VillageResult, input_sha256: str | None) -> bytes:
    """One village as a complete `sanzhi.results` document (the format `sanzhi score -o` writes).

    Compact separators: the C encoder then does the work, and 100,000 files take half the disk.
    Items come as encoded fragments: villages that scored an item alike share its ItemResult
    (`sanzhi.scoring.memo`), so each shared item is encoded once, not once per village.
    """
    data = village_data(result._replace(items=(), bonus_items=()), input_sha256)  # items: below, keys in place
    try:
        data["items"] = [_encoded(it) for it in result.items]
        data["bonus_items"] = [_encoded(it) for it in result.bonus_items]
        return orjson.dumps(_document(data), option=orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:  # a number orjson refuses (see encode_json): the plain path
        return encode_json(_document(village_data(result, input_sha256)), indent=False)


def _document(village: dict[str, object]) -> dict[str, object]:
    return {"format": "sanzhi.results", "schema_version": RESULT_SCHEMA_VERSION, "villages": [village], "failures": []}


_convert_item = converter(ItemResult)
# One item's compact JSON; ~2 KB each, and a county repeats a few thousand distinct items.
_encoded = per_shared_item(lambda it: orjson.Fragment(orjson.dumps(_convert_item(it))), 20_000)


# ------------------------------------------------------------------------------ reading back


def _decoder(tp: object) -> Callable[[Any], Any]:
    if tp is Decimal:
        return Decimal
    if tp in (str, int, bool, float, type(None), object):
        return lambda v: v
    if is_namedtuple(tp):
        hints = typing.get_type_hints(tp)
        fields = [(name, _decoder(hints.get(name, object))) for name in typing.cast(Any, tp)._fields]
        cls = typing.cast(Any, tp)
        return lambda d: cls(*(fn(d[name]) for name, fn in fields if name in d))
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        fn = _decoder(inner[0]) if len(inner) == 1 else (lambda v: v)
        return lambda v: None if v is None else fn(v)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        fn = _decoder(args[0])
        return lambda v: tuple(fn(x) for x in v)
    if origin is tuple:
        fns = [_decoder(a) for a in args]
        return lambda v: tuple(f(x) for f, x in zip(fns, v))
    return lambda v: v


_DECODE_VILLAGE: Callable[[Any], VillageResult] | None = None


def decode_village(data: dict[str, Any]) -> tuple[VillageResult, str | None]:
    """A village as written by `village_data`, back to (VillageResult, input_sha256).

    Exact for every number, name and rating; values typed `object` (the raw answers shown in
    findings) come back as the JSON text they were written as. Writing the result again gives
    the same bytes.
    """
    global _DECODE_VILLAGE
    if _DECODE_VILLAGE is None:
        _DECODE_VILLAGE = _decoder(VillageResult)
    return _DECODE_VILLAGE(data), typing.cast(str | None, data.get("input_sha256"))


def read_result_file(path: str | Path) -> tuple[VillageResult, str | None]:
    """A village's stored result file (the batch's JSON output), not village input."""
    doc = json.loads(Path(path).read_bytes())
    return decode_village(doc["villages"][0])


__all__ = ["converter", "decode_village", "read_result_file", "result_data", "village_data", "village_json"]
