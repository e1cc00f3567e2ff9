"""The JSON fast path reads exactly what the positioned YAML path reads, and defers to it on
anything unusual, so error messages and positions are the same either way."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from sanzhi.common.errors import DataError
from sanzhi.common.json_source import LazySourceMap, load_data_text
from sanzhi.common.yaml_source import load_yaml

_keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
_numbers = st.integers(-(10**30), 10**30) | st.decimals(allow_nan=False, allow_infinity=False)
_leaves = st.none() | st.booleans() | _numbers | st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10)
_values = st.recursive(_leaves, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3), max_leaves=15)


def _emit(v: object) -> str:
    """JSON text with numbers written as given (Decimal('1E+3') → 1E+3, as a person might)."""
    import json

    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_emit(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_emit(x) for x in v) + "]"
    if isinstance(v, Decimal):
        return str(v)
    return json.dumps(v, ensure_ascii=False)


def _typed(v: object) -> object:
    """Comparable form that tells 1 from Decimal('1') and keeps Decimal exponents."""
    if isinstance(v, dict):
        return {k: _typed(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_typed(x) for x in v]
    return (type(v).__name__, str(v))


@given(st.dictionaries(_keys, _values, max_size=5))
@example({"": "\x85"})  # NEL: a line break to YAML (found by hypothesis on a fresh clone)
def test_fast_path_reads_what_the_yaml_path_reads(doc: dict[str, object]) -> None:
    text = _emit(doc)
    fast, source = load_data_text(text, "村.json")
    full, _ = load_yaml(text, "村.json", code_prefix="D")
    assert _typed(fast) == _typed(full)
    assert isinstance(source, LazySourceMap)


def test_positions_are_the_full_paths_positions() -> None:
    text = '{\n  "village": {\n    "code": "330483101201",\n    "name": "示例村"\n  },\n  "answers": {"a": 1.50}\n}\n'
    fast, lazy = load_data_text(text, "v.json")
    _, full = load_yaml(text, "v.json", code_prefix="D")
    assert fast["answers"]["a"] == Decimal("1.50") and str(fast["answers"]["a"]) == "1.50"  # type: ignore[index]
    for path in (("village", "name"), ("answers", "a"), ("answers", "missing"), ()):
        assert lazy.locate(path) == full.locate(path)
        assert lazy.locate(path, key=True) == full.locate(path, key=True)
    assert lazy.locate(("village", "name")).line == 4


def _outcome(load, text: str) -> object:  # type: ignore[no-untyped-def]
    try:
        return "data", _typed(load(text)[0])
    except DataError as e:
        return "error", [d.to_dict() for d in e.diagnostics]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"a": 1, "a": 2}', "error"),  # duplicate key
        ('[1, 2]', "error"),  # not a mapping
        ('{"a": 1 "b": 2}', "error"),  # invalid JSON and invalid YAML
        ('{"a": NaN}', "data"),  # not JSON, but YAML reads the text NaN
        ('{"a": 1,}', "data"),  # not JSON, but valid YAML flow
    ],
)
def test_unusual_files_take_the_full_path(text: str, kind: str) -> None:
    fast = _outcome(lambda t: load_data_text(t, "v.json"), text)
    assert fast == _outcome(lambda t: load_yaml(t, "v.json", code_prefix="D"), text)
    assert fast[0] == kind  # type: ignore[index]


def test_yaml_files_take_the_yaml_path() -> None:
    data, source = load_data_text("a: 1.0\n", "v.yaml")
    assert data == {"a": Decimal("1.0")} and not isinstance(source, LazySourceMap)
