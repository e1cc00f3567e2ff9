"""The batch's fast JSON equals the reference `result_data`, and reads back to the same result."""

from __future__ import annotations

import json

import pytest

from sanzhi.app import api
from sanzhi.batch.serialize import decode_village, village_data, village_json
from sanzhi.reports.json_output import (
    RESULT_SCHEMA_VERSION,
    dumps_results,
    encode_json,
    result_data,
)


@pytest.mark.parametrize("ref", ["jiaxing-sanzhi@2018"])
def test_fast_json_equals_reference_and_round_trips(ref: str) -> None:
    compiled, _ = api.load_compiled_rubric(ref)
    outcomes = [o for o in api.score_paths(compiled, api.samples_for(compiled)) if isinstance(o, api.ScoredSource)]
    assert outcomes
    assert any(len(o.result.levels) > 1 for o in outcomes), "the samples should include reviewed villages"
    for o in outcomes:
        fast = village_data(o.result, o.input_sha256)
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(result_data(o.result, o.input_sha256), ensure_ascii=False)
        blob = village_json(o.result, o.input_sha256)
        # Byte for byte what the plain encoder writes: items come as cached pre-encoded fragments.
        reference = {"format": "sanzhi.results", "schema_version": RESULT_SCHEMA_VERSION,
                     "villages": [result_data(o.result, o.input_sha256)], "failures": []}
        assert blob == encode_json(reference, indent=False)
        assert village_json(o.result, o.input_sha256) == blob  # the fragments now come from the cache
        doc = json.loads(blob)
        assert doc["villages"] == json.loads(dumps_results([(o.result, o.input_sha256)]))["villages"]
        back, sha = decode_village(doc["villages"][0])
        assert sha == o.input_sha256
        # Typed values shown in findings (`inputs`) and corrections (before, after) come back as
        # their JSON text; all else is exact.
        plain = {"items": (), "bonus_items": (), "vetoes": (), "corrections": ()}
        assert back._replace(**plain) == o.result._replace(**plain)
        assert [c._replace(before=None, after=None) for c in back.corrections] == \
            [c._replace(before=None, after=None) for c in o.result.corrections]
        assert [v.id for v in back.vetoes] == [v.id for v in o.result.vetoes]
        assert [(i.id, i.score, i.levels[-1].score) for i in back.items] == [(i.id, i.score, i.levels[-1].score) for i in o.result.items]
        assert village_json(back, sha) == village_json(o.result, o.input_sha256)
