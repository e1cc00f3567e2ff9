"""encode_json (orjson) writes exactly the bytes the standard library would."""

import json

from hypothesis import given
from hypothesis import strategies as st

from sanzhi.reports.json_output import encode_json

_leaves = st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text()
_docs = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(_docs)
def test_indented_matches_standard_library(doc: object) -> None:
    assert encode_json(doc) == (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@given(_docs)
def test_compact_matches_standard_library(doc: object) -> None:
    expected = (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    assert encode_json(doc, indent=False) == expected
