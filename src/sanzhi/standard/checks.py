"""Semantic checks pydantic cannot express: ids, sums, tiers, field use, and each rule kind's own
(caps, bands, grades: in the kind's module, sanzhi.standard.rules).

Each check returns Problems located by raw path; all of them run, so a standards body sees
every inconsistency of an edit at once.
"""

import difflib
import re
from collections.abc import Iterator
from decimal import Decimal

from sanzhi.common.numbers import fmt
from sanzhi.standard.fields import DerivedField, FieldSpec
from sanzhi.standard.models import Item, Rubric
from sanzhi.standard.problems import Problem, unique_ids
from sanzhi.standard.rules import kind_of
from sanzhi.standard.rules.kind import RuleContext
from sanzhi.standard.rules.per_occurrence import PerOccurrence
from sanzhi.standard.rules.per_unit import PerUnit

P = tuple[str | int, ...]
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _items(rubric: Rubric) -> Iterator[tuple[P, Item]]:
    for d, dim in enumerate(rubric.dimensions):
        for i, ind in enumerate(dim.indicators):
            for t, item in enumerate(ind.items):
                yield ("dimensions", d, "indicators", i, "items", t), item
    if rubric.bonus is not None:
        for t, item in enumerate(rubric.bonus.items):
            yield ("bonus", "items", t), item


def check_ids(rubric: Rubric) -> list[Problem]:
    dims = [(("dimensions", d), dim.id) for d, dim in enumerate(rubric.dimensions)]
    inds = [(("dimensions", d, "indicators", i), ind.id) for d, dim in enumerate(rubric.dimensions) for i, ind in enumerate(dim.indicators)]
    items = [(path, item.id) for path, item in _items(rubric)]
    problems = unique_ids(dims, "维度") + unique_ids(inds, "指标") + unique_ids(items, "评分项")
    problems += unique_ids([(("vetoes", v), veto.id) for v, veto in enumerate(rubric.vetoes)], "否决项")
    # Rating tiers and rank tiers share one id space: a veto's `bars` names either.
    problems += unique_ids([(("rating", "tiers", t), tier.id) for t, tier in enumerate(rubric.rating.tiers)]
                           + [(("rating", "rank_tiers", t), tier.id) for t, tier in enumerate(rubric.rating.rank_tiers)
                              if tier.id is not None], "等级")
    problems += unique_ids([(("exemptions", n), ex.id) for n, ex in enumerate(rubric.exemptions)], "免检项")
    problems += unique_ids([(("review_levels", n), lv.id) for n, lv in enumerate(rubric.review_levels)], "评审层级")
    return problems


def check_sums(rubric: Rubric) -> list[Problem]:
    out = []
    for d, dim in enumerate(rubric.dimensions):
        for i, ind in enumerate(dim.indicators):
            s = sum((it.points for it in ind.items), Decimal(0))
            if s != ind.points:
                out.append(Problem("R202", ("dimensions", d, "indicators", i, "points"), f"指标 “{ind.id}” 的分值与其评分项分值之和不符", expected=f"{fmt(s)}（各评分项分值之和）", found=fmt(ind.points)))
        s = sum((ind.points for ind in dim.indicators), Decimal(0))
        if s != dim.points:
            out.append(Problem("R202", ("dimensions", d, "points"), f"维度 “{dim.id}” 的分值与其指标分值之和不符", expected=f"{fmt(s)}（各指标分值之和）", found=fmt(dim.points)))
    s = sum((dim.points for dim in rubric.dimensions), Decimal(0))
    if s != rubric.total_points:
        out.append(Problem("R202", ("total_points",), "总分与各维度分值之和不符", expected=f"{fmt(s)}（各维度分值之和）", found=fmt(rubric.total_points)))
    return out


def check_rules(rubric: Rubric) -> list[Problem]:
    declared: list[FieldSpec | DerivedField] = [*rubric.fields, *rubric.attributes, *rubric.derived, *rubric.aggregates]
    specs = {s.id: s for s in declared}
    out: list[Problem] = []
    for path, item in _items(rubric):
        pts = item.points
        if (pts / rubric.precision) % 1 != 0:
            out.append(Problem("R206", (*path, "points"), f"分值 {fmt(pts)} 不是计分精度 {fmt(rubric.precision)} 的整数倍"))
        if (item.applies_when is None) != (item.not_applicable is None):
            given, absent = ("applies_when", "not_applicable") if item.not_applicable is None else ("not_applicable", "applies_when")
            out.append(Problem("R207", (*path, given), f"有 {given} 却没有 {absent}：二者必须同时给出", key=True,
                               hint="not_applicable: rescale（不适用时不计入分母）或 zero（不适用时按 0 分计）"))
        for r, rule in enumerate(item.rules):
            out += kind_of(rule).check(rule, RuleContext((*path, "rules", r), pts, specs))
    return out


def check_rating(rubric: Rubric) -> list[Problem]:
    out: list[Problem] = []
    ceiling = rubric.total_points + (rubric.bonus.cap if rubric.bonus else 0)
    dims = {d.id: d for d in rubric.dimensions}
    prev = None
    for t, tier in enumerate(rubric.rating.tiers):
        tp = ("rating", "tiers", t)
        if tier.min_score > ceiling:
            out.append(Problem("R208", (*tp, "min_score"), f"等级 “{tier.name}” 不可达：最低分 {fmt(tier.min_score)} 超过满分 {fmt(ceiling)}",
                               expected=f"不超过 {fmt(ceiling)}", found=fmt(tier.min_score)))
        if prev is not None and tier.min_score >= prev.min_score:
            out.append(Problem("R208", (*tp, "min_score"), f"等级须按最低分从高到低排列：“{tier.name}” 排在 “{prev.name}”（{fmt(prev.min_score)} 分）之后",
                               expected=f"小于 {fmt(prev.min_score)}", found=fmt(tier.min_score), hint="请把最好的等级写在最前面"))
        prev = tier
        for dim_id, minimum in tier.dimension_minimums.items():
            if dim_id not in dims:
                close = difflib.get_close_matches(dim_id, list(dims), n=1)
                out.append(Problem("R209", (*tp, "dimension_minimums", dim_id), f"dimension_minimums 中的维度 “{dim_id}” 不存在",
                                   expected="已有维度 " + "、".join(f"“{d}”" for d in dims) + " 之一", key=True,
                                   hint=f"是否想写 “{close[0]}”？" if close else None))
            elif minimum > dims[dim_id].points:
                out.append(Problem("R208", (*tp, "dimension_minimums", dim_id), f"维度 “{dim_id}” 的最低分 {fmt(minimum)} 超过其分值 {fmt(dims[dim_id].points)}"))
    gate = rubric.rating.apply_gate
    if gate is not None and gate.min_self_score > ceiling:
        out.append(Problem("R208", ("rating", "apply_gate", "min_self_score"), f"申报门槛 {fmt(gate.min_self_score)} 超过满分 {fmt(ceiling)}"))
    return out + _check_rank_tiers(rubric, ceiling)


def _check_rank_tiers(rubric: Rubric, ceiling: Decimal) -> list[Problem]:
    rating = rubric.rating
    out: list[Problem] = []
    prev: tuple[str, int | None, Decimal | None] | None = None
    for t, tier in enumerate(rating.rank_tiers):
        tp = ("rating", "rank_tiers", t)
        if tier.min_score is not None and tier.min_score > ceiling:
            out.append(Problem("R208", (*tp, "min_score"), f"按名次等级 “{tier.name}” 不可达：最低分 {fmt(tier.min_score)} 超过满分 {fmt(ceiling)}",
                               expected=f"不超过 {fmt(ceiling)}", found=fmt(tier.min_score)))
        if rating.rank_cumulative and prev is not None:
            # Cumulative limits count positions from the first: a lower tier must reach at least as far.
            name, top, share = prev
            if tier.top is not None and top is not None and tier.top < top:
                out.append(Problem("R217", (*tp, "top"), f"累计名次须逐档不减：“{tier.name}” 的前 {tier.top} 名少于上一档 “{name}” 的前 {top} 名",
                                   expected=f"不小于 {top}", found=str(tier.top),
                                   hint="rank_cumulative: true（默认）时各档的 top/share 都从第一名算起；各档单独计名额请写 rank_cumulative: false"))
            if tier.share is not None and share is not None and tier.share < share:
                out.append(Problem("R217", (*tp, "share"), f"累计名次须逐档不减：“{tier.name}” 的 {fmt(tier.share)} 小于上一档 “{name}” 的 {fmt(share)}",
                                   expected=f"不小于 {fmt(share)}", found=fmt(tier.share),
                                   hint="rank_cumulative: true（默认）时各档的 top/share 都从第一名算起；各档单独计名额请写 rank_cumulative: false"))
        prev = (tier.name, tier.top, tier.share)
    return out


def check_vetoes_and_exemptions(rubric: Rubric) -> list[Problem]:
    out: list[Problem] = []
    tiers = [t.id for t in rubric.rating.tiers] + [t.id for t in rubric.rating.rank_tiers if t.id is not None]
    for v, veto in enumerate(rubric.vetoes):
        for b, ident in enumerate(veto.bars):
            if ident not in tiers:
                close = difflib.get_close_matches(ident, tiers, n=1)
                out.append(Problem("R216", ("vetoes", v, "bars", b), f"bars 中的等级 “{ident}” 不存在",
                                   expected="rating.tiers 或 rating.rank_tiers 的 id 之一：" + "、".join(f"“{t}”" for t in tiers),
                                   found=ident, hint=f"是否想写 “{close[0]}”？" if close else "按名次等级要写 id 才能被 bars 引用"))
    parts: dict[str, str] = {}
    for dim in rubric.dimensions:
        parts[dim.id] = "维度"
        for ind in dim.indicators:
            parts.setdefault(ind.id, "指标")
            for it in ind.items:
                parts.setdefault(it.id, "评分项")
    bonus = {it.id for it in rubric.bonus.items} if rubric.bonus else set()
    for n, ex in enumerate(rubric.exemptions):
        for k, ident in enumerate(ex.items):
            path = ("exemptions", n, "items", k)
            if ident in bonus:
                out.append(Problem("R215", path, f"加分项 “{ident}” 不能免检", found=ident,
                                   hint="免检给的是基本分的满分；加分项按实际成绩加分"))
            elif ident not in parts:
                close = difflib.get_close_matches(ident, list(parts), n=1)
                out.append(Problem("R215", path, f"免检范围中的 “{ident}” 不是本评分标准的维度、指标或评分项", found=ident,
                                   expected="维度、指标或评分项的 id", hint=f"是否想写 “{close[0]}”？" if close else None))
    return out


def _names_in(text: object) -> set[str]:
    # Over-approximation (string literals may contain name-like words) is harmless here:
    # it can only hide an unused-field warning, never invent an error.
    return set(_NAME.findall(text)) if isinstance(text, str) else set()


def check_field_use(rubric: Rubric) -> list[Problem]:
    used: set[str] = set()
    for _, item in _items(rubric):
        used |= _names_in(item.applies_when)
        for rule in item.rules:
            for slot in kind_of(rule).expressions(rule):
                used |= _names_in(slot.text)
    for d in rubric.derived:
        used |= _names_in(d.expr)
    veto_names: set[str] = set()
    for v in rubric.vetoes:
        veto_names |= _names_in(v.when)  # the date field may stay empty: no date, no event
        used |= {v.date_field} if v.date_field else set()
    tier_names: set[str] = set()
    for t in rubric.rating.tiers:
        tier_names |= _names_in(t.requires)
    for ex in rubric.exemptions:
        used |= _names_in(ex.when)
    used |= veto_names | tier_names
    out = []
    for section in ("fields", "derived"):
        for n, f in enumerate(getattr(rubric, section)):
            if f.id not in used:
                out.append(Problem("R220", (section, n, "id"), f"已声明的字段 “{f.id}” 未被任何规则使用", hint="删除该字段，或在规则中使用它"))
    for section in ("fields", "attributes"):
        for n, f in enumerate(getattr(rubric, section)):
            if f.id in veto_names | tier_names and not f.required:
                # Point at `required: false` when written, else at the field's id.
                where = (section, n, "required") if "required" in f.model_fields_set else (section, n, "id")
                out.append(Problem("R221", where, f"字段 “{f.id}” 用于一票否决或等级前提，必须设为 required: true",
                                   expected="required: true", found="required: false" if "required" in f.model_fields_set else "未写 required（默认 false）",
                                   hint="否决项与等级前提不能因漏填而被绕过"))
    return out


def check_tier_names(rubric: Rubric) -> list[Problem]:
    """Tier names are what reports, lists and rankings print: two tiers of one name cannot be told
    apart, nor a tier named like the below-all rating."""
    out = []
    sections = (("tiers", [t.name for t in rubric.rating.tiers]), ("rank_tiers", [t.name for t in rubric.rating.rank_tiers]))
    for section, names in sections:
        seen: dict[str, P] = {}
        for t, name in enumerate(names):
            path = ("rating", section, t, "name")
            if name in seen:
                out.append(Problem("R201", path, f"等级名称 “{name}” 重复", first=seen[name],
                                   hint="每个等级的名称都要不同：报告和名单只按名称区分等级"))
            elif section == "tiers" and name == rubric.rating.below_all:
                out.append(Problem("R201", path, f"等级名称 “{name}” 与未达到任何等级时的名称（below_all）相同",
                                   hint="请为该等级或 rating.below_all 另取名称"))
            seen.setdefault(name, path)
    return out


def check_count_bounds(rubric: Rubric) -> list[Problem]:
    """W250: an integer field counted by per_occurrence / per_unit without a `max`. Values are
    bounded anyway (10^15), but a count with no plausible ceiling lets a typo (3000 for 3) through."""
    counted: set[str] = set()
    for _, item in _items(rubric):
        for rule in item.rules:
            if isinstance(rule, (PerOccurrence, PerUnit)):
                counted |= _names_in(rule.count)
    out = []
    for n, f in enumerate(rubric.fields):
        if f.id in counted and f.type == "integer" and f.max is None:
            out.append(Problem("W250", ("fields", n, "id"), f"计数字段 “{f.id}”（{f.label}）没有设置上限 max",
                               hint="请按实际可能的最大次数设置 max（如 max: 50），填错的数字才会被拒绝"))
    return out


def check_rubric(rubric: Rubric) -> list[Problem]:
    return (check_ids(rubric) + check_sums(rubric) + check_rules(rubric) + check_rating(rubric)
            + check_vetoes_and_exemptions(rubric) + check_field_use(rubric) + check_tier_names(rubric) + check_count_bounds(rubric))
