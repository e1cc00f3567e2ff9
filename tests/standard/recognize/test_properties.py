"""Generated sentences: amounts survive exactly; unrecognised text is never dropped."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sanzhi.standard.recognize import recognize_cell

_WORDS = ["制定计划", "落实专人负责", "建立台账", "公开村务", "召开会议", "开展培训", "配备网格员", "整改隐患"]
_NOUNS = ["问题", "违规建房", "隐患", "未公开事项", "缺失台账"]
_AMOUNTS = st.sampled_from(["0.5", "1", "1.5", "2", "3", "5", "0.25", "10"])


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_WORDS), _AMOUNTS, st.sampled_from(_NOUNS), _AMOUNTS, st.booleans(), st.sampled_from([";", "；", ",", "，"]))
def test_deduct_and_per_occurrence_amounts(word: str, n: str, noun: str, m: str, cap: bool, sep: str) -> None:
    text = f"未{word}扣{n}分{sep}每发现1项{noun}扣{m}分" + ("，扣完为止" if cap else "")
    r = recognize_cell(text, points=20)
    assert [(x["kind"], x.get("points", x.get("each"))) for x in r.rules] == [("deduct", Decimal(n)), ("per_occurrence", Decimal(m))]
    assert "cap" not in r.rules[1]
    assert not r.unrecognized


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("未扣分每项处得满以上下的，；。、（）0123456789.%一二三工作制度会议不") + ["酌情", "视情", "扣完为止", "不得分"]),
                max_size=30).map("".join),
       st.one_of(st.none(), st.integers(min_value=1, max_value=30)))
def test_never_raises_never_drops(text: str, points: int | None) -> None:
    r = recognize_cell(text, points=points)
    if text.strip():
        assert r.rules or r.vetoes or r.gates
    warned = {w.clause for w in r.warnings}
    for clause in r.unrecognized:
        assert clause in warned
    if any(w.code == "unrecognized" for w in r.warnings):
        assert any(x["kind"] == "judgment" for x in r.rules)
    assert r == recognize_cell(text, points=points)
