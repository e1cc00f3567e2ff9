"""Synthetic villages for benchmarks: valid, reproducible, and (plausible ones) spread over the ratings."""

from collections import Counter
from typing import cast

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.errors import Location
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.synthetic import plausible_village, synthetic_village
from sanzhi.scoring.engine import score_village
from sanzhi.standard.bundled import sample_files
from sanzhi.standard.compile import CompiledRubric


def _score(compiled, raw):  # type: ignore[no-untyped-def]
    return score_village(compiled, read_assessment(compiled, raw, lambda p, k: Location("synthetic")))


def _samples(compiled: CompiledRubric) -> list[dict[str, object]]:
    files = sample_files(compiled.rubric.id)
    return [cast(dict[str, object], load_yaml(p.read_text(encoding="utf-8"), p.name, code_prefix="D")[0]) for p in files]


def test_plausible_villages_spread_over_the_ratings_and_repeat_exactly() -> None:
    compiled, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    samples = _samples(compiled)
    raws = [plausible_village(compiled, samples, i) for i in range(60)]
    assert raws == [plausible_village(compiled, samples, i) for i in range(60)]
    assert len({r["village"]["code"] for r in raws}) == 60  # type: ignore[index]
    ratings = Counter(_score(compiled, raw).rating.name for raw in raws)
    assert {"三治融合示范村(社区)", "三治融合达标村(社区)", "不予评定"} <= ratings.keys()
    # The samples themselves are not changed by drawing villages from them.
    assert samples == _samples(compiled)


def test_plain_synthetic_villages_read_under_every_bundled_rubric() -> None:
    for ref in ("jiaxing-sanzhi@2018", "kunshan-grid", "minzhu-fazhi", "shandan-wuzhi", "tongxiang-carriers", "zhejiang-shanzhi"):
        compiled, _ = load_compiled_rubric(ref)
        for i in range(5):
            assert _score(compiled, synthetic_village(compiled, i)).items


def test_reading_gives_the_same_assessments_with_the_parse_cache_cold_or_warm() -> None:
    # sanzhi.inputs.assessment caches parsed answers across villages; keyed wrongly (e.g. by
    # the raw value without its field, or 1 and True alike) the order of reading would matter.
    from sanzhi.inputs import assessment as asm

    compiled, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    samples = _samples(compiled)
    raws = [plausible_village(compiled, samples, i) for i in range(40)]

    def read(order: list[int]) -> dict[int, str]:
        # repr, not ==: Decimal(3) == 3 == True, but a field's value must keep its type
        return {i: repr(read_assessment(compiled, raws[i], lambda p, k: Location("synthetic"))) for i in order}

    asm._PARSED.clear()
    forward = read(list(range(40)))
    asm._PARSED.clear()
    backward = read(list(range(39, -1, -1)))
    assert forward == backward
    for i in range(40):
        asm._PARSED.clear()
        assert read([i]) == {i: forward[i]}
