"""Fast loading of village data written as JSON, with positions computed only when needed.

Why: a batch run reads one JSON file per village. Composing it with the YAML parser to record
every node's line:column (`sanzhi.common.yaml_source`) cost ~560 µs a file, more than scoring it;
`json.loads` takes ~30 µs. Positions are only read when something is wrong, so here a valid
JSON file is parsed by `json.loads` and its SourceMap is built lazily, by the full YAML path,
on the first `locate`.

The fast path gives exactly the data `load_yaml` would (a property test holds that; a file
with a raw U+0085, a line break to YAML, is read by the YAML path): numbers
with a fraction or exponent as Decimal from their text, other numbers as int. Anything it does
not accept as-is (invalid JSON, duplicate keys, NaN/Infinity, a top level that is not a
mapping) goes down the full path, which reports the problem with its position. (Nesting
deeper than the YAML path's limit of 100 is not re-checked here: the village format nests four
levels at most, so such a file fails validation, with the position, instead.)
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from sanzhi.common.errors import Location
from sanzhi.common.yaml_source import PathLike, SourceMap, load_yaml


class _NotPlain(Exception):
    """The fast path declines this file."""


def _pairs(items: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(items)
    if len(result) != len(items):
        raise _NotPlain  # duplicate key: the full path says where
    return result


def _constant(name: str) -> object:
    raise _NotPlain  # NaN / Infinity: the full path refuses them with a position


@dataclass(frozen=True)
class LazySourceMap(SourceMap):
    """A SourceMap whose positions are computed by the full YAML path on first use."""

    code_prefix: str = "D"
    _full: list[SourceMap] = field(default_factory=list, repr=False, compare=False)

    def _positions(self) -> SourceMap:
        if not self._full:
            self._full.append(load_yaml(self.text, self.filename, code_prefix=self.code_prefix)[1])
        return self._full[0]

    def locate(self, path: PathLike, *, key: bool = False) -> Location:
        return self._positions().locate(path, key=key)

    def has(self, path: PathLike) -> bool:
        return self._positions().has(path)


def load_data_text(text: str, filename: str, *, code_prefix: str = "D") -> tuple[object, SourceMap]:
    """Like `load_yaml(text, filename, code_prefix=…)`, faster for a valid `*.json` mapping."""
    if filename.lower().endswith(".json"):
        body = text.removeprefix("\ufeff")
        if "\x85" in body:
            # YAML reads a raw NEL (U+0085) in a quoted string as a line break (folded to a
            # space); JSON keeps it. The YAML reading stands, so both paths give the same data.
            data, positions = load_yaml(text, filename, code_prefix=code_prefix)
            lazy = LazySourceMap(filename, body, code_prefix=code_prefix)
            lazy._full.append(positions)
            return data, lazy
        try:
            data = json.loads(body, parse_float=Decimal, parse_constant=_constant, object_pairs_hook=_pairs)
        except (ValueError, _NotPlain, RecursionError):  # RecursionError: absurdly deep nesting
            data = None
        if isinstance(data, dict):
            return data, LazySourceMap(filename, body, code_prefix=code_prefix)
    return load_yaml(text, filename, code_prefix=code_prefix)
