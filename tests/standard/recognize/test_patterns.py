"""One test per pattern family, with hand-computed expectations."""

from decimal import Decimal

import pytest

from sanzhi.standard.recognize import recognize_cell, recognize_note
from sanzhi.standard.recognize.amounts import parse_number
from sanzhi.standard.recognize.normalize import normalize
from sanzhi.standard.recognize.result import thaw


def rules(text: str, points: int | str | None = None, **kw: object) -> list[dict]:
    return thaw(recognize_cell(text, points=points, **kw).rules)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "value"), [
    ("0.5", "0.5"), ("十五", "15"), ("二十", "20"), ("两", "2"), ("半", "0.5"), ("一百二十", "120"), ("三", "3"),
])
def test_numbers(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


def test_full_width_forms_are_normalised_and_mapped_back() -> None:
    cell = normalize("未制定计划扣１分；（含８０％）")
    assert cell.text == "未制定计划扣1分;(含80%)"
    assert cell.original(0, 8) == "未制定计划扣１分"


def test_fixed_deductions_split_at_semicolon_and_comma() -> None:
    got = rules("未制定计划扣1分，未落实专人负责扣2分", 3)
    assert [(r["kind"], r["points"]) for r in got] == [("deduct", 1), ("deduct", 2)]
    assert rules("党风廉政教育没有制度化的减2分", 2)[0]["points"] == Decimal(2)


def test_condition_without_amount_stays_with_its_clause() -> None:
    got = rules("未履职,或未经审核纳入事项的,每发现1项扣0.5分", 3)
    assert len(got) == 1 and got[0]["kind"] == "per_occurrence" and got[0]["each"] == Decimal("0.5")


@pytest.mark.parametrize("text", ["每处扣1分", "每次扣1分", "每起扣1分", "每例扣1分", "每少1次扣1分", "有一项未落实扣1分",
                                  "缺一项扣1分", "发生1起事故扣1分", "每发现一处扣1分"])
def test_per_occurrence_wordings(text: str) -> None:
    got = rules(text, 5)
    assert [(r["kind"], r["each"]) for r in got] == [("per_occurrence", Decimal(1))]


def test_caps() -> None:
    assert "cap" not in rules("每处扣1分,扣完为止", 5)[0]
    assert rules("每处扣1分,本项限扣3分", 5)[0]["cap"] == Decimal(3)
    assert rules("每处扣1分,最多扣3分", 5)[0]["cap"] == Decimal(3)


def test_zeroing_and_veto() -> None:
    assert rules("发生安全责任事故,全部扣完", 10)[0]["kind"] == "zero"
    assert rules("无选举原始记录的全扣", 8)[0]["kind"] == "zero"
    r = recognize_cell("重大责任事故取消评选资格;未建台账扣1分", points=5)
    assert [v["name"] for v in r.vetoes] == ["重大责任事故"]
    assert next(f for f in r.fields if f["id"] == r.vetoes[0]["when"])["required"] is True


def test_bands_with_stated_inclusivity() -> None:
    got = rules("满意度在60%到80%(含80%)扣4分,60%(含60%)以下扣8分", 10)[0]
    assert [(b["range"], b["score"]) for b in got["bands"]] == [("(80, 100]", 10), ("(60, 80]", 6), ("[0, 60]", 2)]


def test_bands_with_unstated_boundary_warn() -> None:
    r = recognize_cell("满意度在90分以上满分,90分以下扣1分,80分以下扣5分", points=10)
    assert [(b["range"], b["score"]) for b in r.rules[0]["bands"]] == [("[90, ∞)", 10), ("[80, 90)", 9), ("(-∞, 80)", 5)]
    assert {w.code for w in r.warnings} == {"ambiguous_boundary"}


def test_shortfall_and_excess() -> None:
    got = rules("低于80%的,每降低1个百分点扣0.5分,最多扣5分", 10)[0]
    assert (got["kind"], got["target"], got["direction"], got["each"], got["cap"]) == ("shortfall", 80, "below", Decimal("0.5"), 5)
    got = rules("超过45岁的,每超过1岁扣1分", 3)[0]
    assert (got["kind"], got["direction"], got["target"]) == ("shortfall", "above", 45)


def test_award_parts_sum_is_checked() -> None:
    r = recognize_cell("有领导小组,2分;有工作计划,2分", points=5)
    assert [(x["when"].startswith("not "), x["points"]) for x in r.rules] == [(True, 2), (True, 2)]
    assert any(w.code == "points_mismatch" for w in r.warnings)


def test_grades_from_criteria_met() -> None:
    r = recognize_cell("符合上述3项为A;符合2项为B;其余情形为C", points=6, criterion="1)有计划;2)有总结;3)有台账")
    rule = r.rules[0]
    assert rule["kind"] == "criteria" and len(rule["criteria"]) == 3
    assert [(g["min_met"], g["grade"]) for g in rule["grades"]] == [(3, "A"), (2, "B"), (0, "C")]


def test_judgment_ranges() -> None:
    assert rules("0~7", 7) == [{"kind": "judgment", "min": 0, "max": 7, "guidance": "评审员在 0～7 分之间酌情给分"}]
    assert rules("视情况酌情给分,最高1分", 2)[0]["max"] == Decimal(1)


def test_scored_by_and_variants() -> None:
    r = recognize_cell("有视频监控,5分(由区综治办评分)", points=5)
    assert r.scored_by == "区综治办"
    got = rules("发生1起恶性案件扣5分,如案件已破,扣3分", 15)
    assert [(x["kind"], x["each"]) for x in got] == [("per_occurrence", 5), ("per_occurrence", 3)]
    assert got[0]["count"] != got[1]["count"]


def test_gates_in_notes() -> None:
    assert [dict(g)["kind"] for g in recognize_note("自评分须达到90分以上才能申报").gates] == ["apply_gate"]
    assert [dict(g)["min_score"] for g in recognize_note("90分以上合格").gates] == [90]
    # Two thresholds are two tiers, even when one is named like a pass mark (合格, 达标村).
    two = [(g["kind"], g["min_score"], g["name"]) for g in recognize_note("总分9分以上为优秀，8分以上为合格").gates]
    assert two == [("tier", 9, "优秀"), ("tier", 8, "合格")]
    two = [(g["min_score"], g["name"]) for g in recognize_note("90分以上为示范村，80分以上为达标村").gates]
    assert two == [(90, "示范村"), (80, "达标村")]


def test_unrecognised_text_becomes_judgment_with_warning() -> None:
    r = recognize_cell("工作成效明显的酌情扣分", points=4)
    assert thaw(r.rules) == [{"kind": "judgment", "min": 0, "max": 4, "guidance": "工作成效明显的酌情扣分"}]
    assert [w.clause for w in r.warnings if w.code == "unrecognized"] == ["工作成效明显的酌情扣分"]


def test_result_is_frozen_and_deterministic() -> None:
    a = recognize_cell("未制定计划扣1分;每处扣1分", points=3, id_prefix="i4")
    b = recognize_cell("未制定计划扣1分;每处扣1分", points=3, id_prefix="i4")
    assert a == b and [f["id"] for f in a.fields] == ["i4_1", "i4_2"]
    with pytest.raises(TypeError):
        a.rules[0]["points"] = 9  # type: ignore[index]
    with pytest.raises(ValueError):
        recognize_cell("x", id_prefix="Bad-Prefix")


def test_a_band_outside_the_rate_range_is_left_out() -> None:
    # "低于0%" cannot happen to a rate in [0, 100]: no empty "[0, 0)" band (it would not load).
    got = thaw(recognize_cell("降幅10%及以上得满分，0%（含0%）至10%扣2分，低于0%扣6分", points=6).rules)
    assert [(b["range"], b["score"]) for b in got[0]["bands"]] == [("[10, 100]", 6), ("[0, 10)", 4)]


def test_a_lone_otherwise_grade_is_not_a_criteria_rule() -> None:
    # "其余为D" without the grades above it (their wording not understood) gives nothing to count.
    r = recognize_cell("文化礼堂建设：五项全部达到为A（4分），达到四项为B（3分），其余为D（0分）", points=4)
    assert [rule["kind"] for rule in thaw(r.rules)] == ["judgment"]
    assert any(w.code == "unrecognized" for w in r.warnings)


def test_bands_written_with_bu_zu_and_chao_guo() -> None:
    # The words the rule kinds print ("80至不足90", "超过150至300") read back as the same bands.
    got = thaw(recognize_cell("群众满意度：90及以上得4分，80至不足90得3分，不足80不得分", points=4).rules)
    assert [(b["range"], b["score"]) for b in got[0]["bands"]] == [("[90, ∞)", 4), ("[80, 90)", 3), ("(-∞, 80)", 0)]
    got = thaw(recognize_cell("户均规模：150及以下得3分，超过150至300得1分，超过300不得分", points=3).rules)
    assert sorted((b["range"], b["score"]) for b in got[0]["bands"]) == [("(-∞, 150]", 3), ("(150, 300]", 1), ("(300, ∞)", 0)]


def test_awards_above_the_item_are_set_aside() -> None:
    r = recognize_cell("视德治氛围酌情给分：氛围浓厚、成效明显3分，较好2分，一般1分，无明显成效0分，最高3分", points=3)
    rules = thaw(r.rules)
    assert all(rule.get("max", 3) <= 3 for rule in rules if rule["kind"] == "judgment")


def test_grades_written_with_man_zu() -> None:
    # The rule kinds print "满足5项为A（4分）"; tables write 符合 and 满足 alike.
    r = recognize_cell("满足2项为A（4分），满足1项为B（2分），其余为C（0分）", points=4, criterion="1)有场所 2)有专人")
    got = thaw(r.rules)[0]
    assert got["kind"] == "criteria" and [(g["min_met"], g["grade"], g["score"]) for g in got["grades"]] == [(2, "A", 4), (1, "B", 2), (0, "C", 0)]
