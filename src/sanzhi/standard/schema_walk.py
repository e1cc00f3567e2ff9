"""Find which keys a rubric mapping allows at a raw path, for "是否想写 …？" hints."""

import types
import typing
from collections.abc import Sequence

from pydantic import BaseModel

from sanzhi.standard.models import Rubric


def _unwrap(tp: object) -> list[object]:
    """Flatten Annotated/Optional/Union/tuple/dict into candidate element types."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(tp) for t in _unwrap(a)]
    if origin in (tuple, list):
        return [t for a in typing.get_args(tp) if a is not Ellipsis for t in _unwrap(a)]
    return [tp]


def allowed_keys(data: object, path: Sequence[str | int]) -> tuple[str, ...]:
    """Field names of the model at `path` (a mapping in the raw data), or () if unknown."""
    candidates: list[object] = [Rubric]
    node = data
    for key in path:
        if isinstance(key, int):
            node = node[key] if isinstance(node, list) and 0 <= key < len(node) else None
            continue
        nxt: list[object] = []
        for c in candidates:
            if isinstance(c, type) and issubclass(c, BaseModel) and key in c.model_fields:
                nxt.extend(_unwrap(c.model_fields[key].annotation))
        candidates = nxt
        node = node.get(key) if isinstance(node, dict) else None
        # A discriminated union narrows to the variant named by this mapping's `kind`.
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if len(models) > 1 and isinstance(node, dict):
        kind = node.get("kind")
        for m in models:
            field = m.model_fields.get("kind")
            if field is not None and typing.get_args(field.annotation) == (kind,):
                models = [m]
                break
    if len(models) != 1:
        return ()
    return tuple(models[0].model_fields)
