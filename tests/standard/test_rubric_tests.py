"""Example villages shipped inside a rubric (`examples:`) with their expected scores.

Why: a standards body edits its rubric and must see at once which of its own worked examples
no longer score as expected, and where an example's data is wrong.
"""

from decimal import Decimal
from pathlib import Path

import pytest

from sanzhi.app.revisions import run_examples
from sanzhi.cli.rubric_tools import render_examples
from sanzhi.common.diagnostics import render_human
from sanzhi.common.errors import RubricError
from sanzhi.standard.loader import parse_rubric
from sanzhi.standard.models import Example
from sanzhi.standard.rubric_tests import Actual, Difference, compare
from tests.golden import compare_golden

HERE = Path(__file__).parent / "versions"
EXPECTED = HERE / "expected"
D = Decimal

EXAMPLE = """
examples:
  - name: 样例村
    village: {code: "330000000201", name: 样例村, township: 测试镇, county: 测试县, year: 2025, county_class: 一般县}
    answers: {plan_made: true, staffed: false, findings: 2, income: 15, meetings: 7, incident: false, honors: 1}
    expect:
      total: 14            # 2 + 2 + 2 + 7 + 1 (see tests/scoring/test_impact.py)
      rating: 达标
      dimensions: {"1": 6, "2": 7}
      items: {"1.1.1": 2, "B.1": 1}
      vetoes: []
"""


def _actual(**kw: object) -> Actual:
    base = {"total": D(14), "self_total": D(14), "tier": "B", "rating": "达标", "dimensions": {"1": D(6), "2": D(7)},
            "items": {"1.1.1": D(2), "B.1": D(1)}, "vetoes": ()}
    return Actual(**{**base, **kw})  # type: ignore[arg-type]


def _example(**expect: object) -> Example:
    return Example.model_validate({"name": "样例", "village": {}, "expect": expect})


def test_compare_reports_each_unmet_expectation_in_a_fixed_order() -> None:
    ex = _example(total=15, self_total=14, rating="A", dimensions={"1": 7, "2": 7, "9": 1}, items={"1.1.1": 3}, vetoes=["V1"])
    assert compare(ex, _actual()) == [
        Difference("总分", "15", "14"),
        Difference("等级", "A", "达标"),
        Difference("维度 “1”", "7", "6"),
        Difference("维度 “9”", "1", "—"),
        Difference("评分项 “1.1.1”", "3", "2"),
        Difference("一票否决", "V1", "无"),
    ]
    assert compare(_example(rating="B"), _actual()) == []  # a tier id or its name
    assert compare(_example(rating="达标", total=14), _actual()) == []
    assert compare(_example(vetoes=[]), _actual(vetoes=("V1",))) == [Difference("一票否决", "无", "V1")]


def test_an_expectation_must_say_something() -> None:
    with pytest.raises(ValueError, match="expect 至少要给出"):
        _example()


def test_expectations_must_name_real_ids(request: pytest.FixtureRequest) -> None:
    text = (HERE / "base.yaml").read_text(encoding="utf-8") + EXAMPLE.replace("rating: 达标", "rating: 优秀").replace(
        '{"1.1.1": 2, "B.1": 1}', '{"1.1.9": 2, "B.1": 1}').replace("vetoes: []", "vetoes: [V9]").replace('{"1": 6, "2": 7}', '{"1": 6, "3": 7}')
    with pytest.raises(RubricError) as info:
        parse_rubric(text, "examples.yaml")
    compare_golden(EXPECTED / "error_examples.txt", render_human(info.value.diagnostics, info.value.sources) + "\n", request)


def _rubric_with(tmp_path: Path, examples: str) -> str:
    path = tmp_path / "rubric.yaml"
    path.write_text((HERE / "base.yaml").read_text(encoding="utf-8") + examples, encoding="utf-8")
    return str(path)


def test_passing_example(tmp_path: Path) -> None:
    compiled, outcomes = run_examples(_rubric_with(tmp_path, EXAMPLE))
    assert [(o.name, o.passed, o.total, o.rating) for o in outcomes] == [("样例村", True, "14", "达标")]
    assert render_examples(compiled, outcomes).splitlines()[1:] == ["✓ 样例村（总分 14，达标）", "共 1 个示例村：1 个通过，0 个未通过。"]


def test_failing_and_invalid_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.chdir(tmp_path)
    broken = EXAMPLE + EXAMPLE.replace("examples:\n", "").replace("样例村", "数据有误的村").replace("findings: 2", "findings: 两项").replace(
        "year: 2025, ", "")
    _rubric_with(tmp_path, broken.replace("total: 14 ", "total: 15 ").replace('"1.1.1": 2', '"1.1.1": 4', 1))
    compiled, outcomes = run_examples("rubric.yaml")
    assert [o.passed for o in outcomes] == [False, False]
    compare_golden(EXPECTED / "examples_failing.txt", render_examples(compiled, outcomes) + "\n", request)


def test_bundled_examples_pass() -> None:
    for ref in ("jiaxing-sanzhi@2024", "jiaxing-sanzhi-county-demo"):
        compiled, outcomes = run_examples(ref)
        assert len(outcomes) >= 2 and all(o.passed for o in outcomes), render_examples(compiled, outcomes)
