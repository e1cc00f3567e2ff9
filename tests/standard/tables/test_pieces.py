"""The small parts of table import and export, with hand-written expectations.

Column names and their synonyms (the ones issue 16 lists, and the ones real tables use),
category labels with their stated totals, 考核方法 cells, and each rule kind in the words of a
published 评分细则.
"""

from decimal import Decimal

import pytest
import yaml
from pydantic import TypeAdapter

from sanzhi.standard.rules import Rule
from sanzhi.standard.tables.columns import role_of
from sanzhi.standard.tables.methods import methods_text, parse_methods
from sanzhi.standard.tables.phrasing import Shown, expr_words, rules_text
from sanzhi.standard.tables.skeleton import clean_seq, parse_label, parse_points
from sanzhi.standard.tables.yaml_writer import dump

SYNONYMS = {
    "category": ["项目", "类别", "考评指标", "测评项目", "一级指标"],
    "name": ["评分项", "考评内容", "测评内容"],
    "criterion": ["评定标准", "创建标准"],
    "points": ["分值", "分数", "分值（分）", "标准分"],
    "rules": ["评分细则", "评分标准", "扣分说明", "评分办法", "考核标准及评分办法", "评 分 细 则", "评分\n细则"],
    "method": ["考核方法", "测评方法", "考评办法"],
    "seq": ["序号", "编号"],
    "score": ["乡镇评分", "县审核得分", "自评分"],
    "scored_by": ["评分单位", "考核部门"],
}


@pytest.mark.parametrize(("role", "name"), [(r, n) for r, names in SYNONYMS.items() for n in names])
def test_column_synonyms(role: str, name: str) -> None:
    assert role_of(name) == role


def test_sentences_are_not_column_names() -> None:
    assert role_of("村党组织注重自身建设，领导核心作用明显，班子团结，工作制度健全") is None
    assert role_of("") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("一、党建引领坚强有力（16分）", ("一", "党建引领坚强有力", Decimal(16), "cn")),
    ("二、村民自治充满活力(20分)", ("二", "村民自治充满活力", Decimal(20), "cn")),
    ("（一）组织建设", ("一", "组织建设", None, "paren")),
    ("1.1 基层党组织领导（12分）", ("1.1", "基层党组织领导", Decimal(12), "num")),
    ("3、法治体系（20分）", ("3", "法治体系", Decimal(20), "num")),
    ("第二部分 德治教化（满分20分）", ("二", "德治教化", Decimal(20), "section")),
    ("党建引领", (None, "党建引领", None, "none")),
    ("A级景区创建", (None, "A级景区创建", None, "none")),
])
def test_category_labels(text: str, expected: tuple[object, ...]) -> None:
    assert parse_label(text) == expected


def test_points_and_sequence_numbers() -> None:
    assert [parse_points(t) for t in ("4", "4分", "４", "0.5", " 2 分", "四分", "4-6", "")] == [
        Decimal(4), Decimal(4), Decimal(4), Decimal("0.5"), Decimal(2), None, None, None]
    assert [clean_seq(t) for t in ("1.", "（3）", "②", "1.1.1", "4、")] == ["1", "3", "2", "1.1.1", "4"]


def test_methods_cells() -> None:
    assert parse_methods("查阅资料、实地查看、走访群众") == (["审核材料", "实地察看", "访问调查"], [], [])
    assert parse_methods("听取汇报、审核材料\n佐证材料：会议记录、工作台账") == (["听取汇报", "审核材料"], ["会议记录", "工作台账"], [])
    assert parse_methods("材料审核、实地考察") == (["材料审核", "实地考察"], [], [])  # the 文明村镇 wording, kept
    assert parse_methods("看群众脸色") == ([], ["看群众脸色"], ["看群众脸色"])
    assert methods_text(("听取汇报", "审核材料"), ("会议记录",)) == "听取汇报、审核材料\n佐证材料：会议记录"
    two = methods_text(("审核材料",), ("议事会、参事会会议记录", "工作台账"))
    assert two == "审核材料\n佐证材料：议事会、参事会会议记录；工作台账"
    assert parse_methods(two) == (["审核材料"], ["议事会、参事会会议记录", "工作台账"], [])
    one = methods_text(("审核材料",), ("议事会、参事会会议记录",))
    assert one == "审核材料\n佐证材料：议事会、参事会会议记录；" and parse_methods(one)[1] == ["议事会、参事会会议记录"]


_RULE = TypeAdapter(Rule)
DISPLAY = {
    "count": Shown("未落实事项数", "项", Decimal(0)),
    "income": Shown("年经营性收入", "万元", Decimal(0)),
    "county_class": Shown("所在县类别"),
    "village_type": Shown("村(社区)类型"),
    "titles": Shown("已获称号"),
    "party_star": Shown("党组织星级", "星"),
    "households": Shown("常住户数", "户"),
}


@pytest.mark.parametrize(("expr", "words"), [
    ("village_type == '社区'", "村(社区)类型为社区"),
    ("party_star >= 4 and '善治村' in titles", "党组织星级不低于4星且已获称号含“善治村”"),
    ("not plan_made", "未plan_made"),
    ("10 if county_class == '加快发展县' else 20", "所在县类别为加快发展县时为10，否则为20"),
    ("households / 200", "常住户数÷200"),
    ("max(income, 3) > 2", "max(income, 3) > 2"),  # not a simple shape: as written
])
def test_expressions_in_words(expr: str, words: str) -> None:
    assert expr_words(expr, DISPLAY) == words


def test_the_cell_is_each_kind_s_own_wording_and_the_item_s_floor() -> None:
    rules = [_RULE.validate_python({"kind": "deduct", "when": "a", "points": 1, "reason": "未制定计划"}),
             _RULE.validate_python({"kind": "deduct", "when": "b", "points": 2, "reason": "未落实专人负责"})]
    assert rules_text(rules, Decimal(2)) == "未制定计划扣1分；未落实专人负责扣2分；本项扣完为止。"
    assert rules_text(rules[:1], Decimal(2)) == "未制定计划扣1分。"
    counted = [_RULE.validate_python({"kind": "per_occurrence", "count": "count", "each": "0.5", "reason": "未落实的事项"})]
    assert rules_text(counted, Decimal(3)) == "未落实的事项，每发现1项扣0.5分，扣完为止。"  # said once


def test_a_text_ending_in_blank_lines_does_not_end_the_document() -> None:
    # "|+" makes PyYAML write "..." after it, and whatever a draft puts after that would not load
    text = dump({"changes": "0\n\n"}) + dump({"next": 1})
    assert "..." not in text and yaml.safe_load(text) == {"changes": "0\n\n", "next": 1}
