"""Declared fields: generated ids, Chinese labels from the clause, types from the wording.

A recognised rule reads a field the village answers. The id is generated (ASCII
snake_case, `<prefix>_<n>` in order of appearance) because a Chinese label has no
reliable ASCII spelling; the label carries the meaning and a reviewer renames ids.
Types: a condition is `bool` (true = the clause's condition holds, e.g. 未制定计划);
a count (每发现1项, 每处) is `integer` with its measure word as unit; a compared
value (80%, 20万元, 60岁) is `decimal` with the unit from the text.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TRIM = re.compile(r"^(?:[,;、:]|如|若|凡|对|其中)+|(?:[,;、:]|的|者|时|后)+$")


def clean_label(text: str) -> str:
    """A label from clause text: no leading/trailing punctuation or 的/者."""
    text = text.strip()
    prev = None
    while prev != text:
        prev = text
        text = _TRIM.sub("", text).strip()
    return text


@dataclass
class FieldAllocator:
    """Hands out field ids for one cell; kept by the entry point, never global."""

    prefix: str
    fields: list[dict[str, Any]] = field(default_factory=list)
    _by_label: dict[tuple[str, str, str | None], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _NAME.match(self.prefix) or len(self.prefix) > 48:
            raise ValueError(f"id_prefix must be ASCII snake_case (a-z, 0-9, _), found {self.prefix!r}")

    def _new(self, label: str, type_: str, unit: str | None, extra: dict[str, Any]) -> str:
        label = clean_label(label) or "未命名条件"
        key = (label, type_, unit)
        if key in self._by_label:  # the same wording twice in one cell is one answer
            return self._by_label[key]
        fid = f"{self.prefix}_{len(self.fields) + 1}"
        spec: dict[str, Any] = {"id": fid, "label": label, "type": type_}
        if unit:
            spec["unit"] = unit
        spec.update(extra)
        self.fields.append(spec)
        self._by_label[key] = fid
        return fid

    def flag(self, label: str, *, required: bool = False) -> str:
        return self._new(label, "bool", None, {"required": True} if required else {})

    def count(self, label: str, unit: str | None) -> str:
        return self._new(label, "integer", unit, {"min": Decimal(0)})

    def value(self, label: str, unit: str | None) -> str:
        extra: dict[str, Any] = {}
        if unit == "%":
            extra = {"min": Decimal(0), "max": Decimal(100)}
        elif unit == "‰":
            extra = {"min": Decimal(0), "max": Decimal(1000)}
        elif unit in ("岁", "万元", "元", "分钟", "小时", "天"):
            extra = {"min": Decimal(0)}
        integer = unit in ("人", "户", "次", "个", "名", "件", "起")
        return self._new(label, "integer" if integer else "decimal", unit, extra)

    def bounds(self, fid: str) -> tuple[Decimal | None, Decimal | None]:
        for spec in self.fields:
            if spec["id"] == fid:
                return spec.get("min"), spec.get("max")
        return None, None
