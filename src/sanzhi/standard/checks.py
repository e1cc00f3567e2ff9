"""Semantic checks pydantic cannot express: ids, sums, caps, bands, tiers, field use.

Each check returns Problems located by raw path; all of them run, so a standards body sees
every inconsistency of an edit at once.
"""

import difflib
import re
from collections.abc import Iterator
from decimal import Decimal

from sanzhi.common.numbers import fmt
from sanzhi.standard.intervals import Interval, parse_interval
from sanzhi.standard.models import Item, Rubric
from sanzhi.standard.problems import Problem

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


def _unique(entries: list[tuple[P, str]], what: str) -> list[Problem]:
    seen: dict[str, P] = {}
    out = []
    for path, ident in entries:
        if ident in seen:
            out.append(Problem("R201", (*path, "id"), f"{what} id “{ident}” 重复", hint="每个 id 在评分标准中只能出现一次",
                               first=(*seen[ident], "id")))
        else:
            seen[ident] = path
    return out


def check_ids(rubric: Rubric) -> list[Problem]:
    dims = [(("dimensions", d), dim.id) for d, dim in enumerate(rubric.dimensions)]
    inds = [(("dimensions", d, "indicators", i), ind.id) for d, dim in enumerate(rubric.dimensions) for i, ind in enumerate(dim.indicators)]
    items = [(path, item.id) for path, item in _items(rubric)]
    problems = _unique(dims, "维度") + _unique(inds, "指标") + _unique(items, "评分项")
    problems += _unique([(("vetoes", v), veto.id) for v, veto in enumerate(rubric.vetoes)], "否决项")
    problems += _unique([(("rating", "tiers", t), tier.id) for t, tier in enumerate(rubric.rating.tiers)], "等级")
    problems += _unique([(("review_levels", n), lv.id) for n, lv in enumerate(rubric.review_levels)], "评审层级")
    for path, item in _items(rubric):
        for r, rule in enumerate(item.rules):
            if rule.kind == "criteria":
                problems += _unique([((*path, "rules", r, "criteria", c), k.id) for c, k in enumerate(rule.criteria)], "标准")
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


_HINT_ZERO = "扣分不能超过本项分值；“全扣/不得分” 请改用 kind: zero"
_HINT_DEFAULT = "不能超过本项分值；省略 {slot} 即以本项分值为上限"
_HINT_SCORE = "得分不能超过本项分值"


def _bound(path: P, value: Decimal | None, points: Decimal, what: str, hint: str) -> list[Problem]:
    if value is not None and value > points:
        return [Problem("R203", path, f"{what}（{fmt(value)}）超过本项分值 {fmt(points)}",
                        expected=f"不超过 {fmt(points)}", found=fmt(value), hint=hint.format(slot=path[-1]))]
    return []


def _check_bands(path: P, bands: list[Interval], field_range: tuple[Decimal | None, Decimal | None], name: str | None) -> list[Problem]:
    out = []
    ordered = sorted(range(len(bands)), key=lambda k: (bands[k].low is not None, bands[k].low or 0))
    for a, b in zip(ordered, ordered[1:]):
        x, y = bands[a], bands[b]
        if x.high is None or y.low is None or x.high > y.low or (x.high == y.low and x.high_closed and y.low_closed):
            out.append(Problem("R205", (*path, "bands", b, "range"), f"分档 {y.text} 与 {x.text} 重叠",
                               found=f"{_overlap(x, y)} 同时属于两档", hint=_EDGE_HINT))
        elif x.high < y.low or (not x.high_closed and not y.low_closed):
            gap = f"{'(' if x.high_closed else '['}{fmt(x.high)}, {fmt(y.low)}{')' if y.low_closed else ']'}"
            gap = fmt(x.high) if x.high == y.low else gap
            out.append(Problem("R205", (*path, "bands", b, "range"), f"分档 {x.text} 与 {y.text} 之间有空缺",
                               found=f"{gap} 不属于任何分档", hint=_EDGE_HINT))
    low, high = field_range
    first, last = bands[ordered[0]], bands[ordered[-1]]
    # The declared min/max of the field is the range a village can answer; without one the
    # bands must reach infinity, or some answers would fall in no band at all.
    if first.low is not None and (low is None or first.low > low or (first.low == low and not first.low_closed)):
        bound = fmt(low) if low is not None else "-∞"
        upper = f"{fmt(first.high)}{']' if first.high_closed else ')'}" if first.high is not None else "∞)"
        example = f"{'[' if low is not None else '('}{bound}, {upper}"
        out.append(Problem("R205", (*path, "bands", ordered[0], "range"), _uncovered("下限", bound, name, low is not None),
                           expected=f"{'最低一档包含' if low is not None else '最低一档从'} {bound}{'' if low is not None else ' 开始'}（如改为 {example}）", found=first.text))
    if last.high is not None and (high is None or last.high < high or (last.high == high and not last.high_closed)):
        bound = fmt(high) if high is not None else "∞"
        lower = f"{'[' if last.low_closed else '('}{fmt(last.low)}" if last.low is not None else "(-∞"
        example = f"{lower}, {bound}{']' if high is not None else ')'}"
        out.append(Problem("R205", (*path, "bands", ordered[-1], "range"), _uncovered("上限", bound, name, high is not None),
                           expected=f"{'最高一档包含' if high is not None else '最高一档延伸到'} {bound}（如改为 {example}）", found=last.text))
    return out


_EDGE_HINT = "相邻分档须首尾相接、边界一开一闭，如 [80, 90) 与 [90, 100]"


def _overlap(x: Interval, y: Interval) -> str:
    """The shared part of two bands, `y` starting inside `x` (y.low ≥ x.low)."""
    if x.high is not None and y.high is not None and (y.high, y.high_closed) < (x.high, x.high_closed):
        high, high_closed = y.high, y.high_closed
    else:
        high, high_closed = x.high, x.high_closed
    low = fmt(y.low) if y.low is not None else "-∞"
    if high is not None and y.low == high:
        return low
    left = "[" if y.low_closed else "("
    right = ("]" if high_closed else ")") if high is not None else ")"
    return f"{left}{low}, {fmt(high) if high is not None else '∞'}{right}"


def _uncovered(side: str, bound: str, name: str | None, declared: bool) -> str:
    """`side` is "下限"/"上限"; `declared` says whether the field has that min/max."""
    what = f"字段 “{name}” " if name else "该取值"
    extreme, limit = ("最小值", "min") if side == "下限" else ("最大值", "max")
    if declared:
        return f"分档没有覆盖{what}的{extreme} {bound}（{limit}: {bound}）"
    return f"分档没有覆盖到 {bound}：{what}没有声明 {limit}，更{'小' if side == '下限' else '大'}的值不属于任何分档"


def check_rules(rubric: Rubric) -> list[Problem]:
    specs = {s.id: s for s in (*rubric.fields, *rubric.attributes, *rubric.derived)}
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
            rp = (*path, "rules", r)
            if rule.kind in ("deduct", "threshold"):
                out += _bound((*rp, "points"), rule.points, pts, "扣分", _HINT_ZERO)
            elif rule.kind in ("per_occurrence", "per_unit"):
                out += _bound((*rp, "cap"), rule.cap, pts, "封顶分", _HINT_DEFAULT)
            elif rule.kind == "linear":
                out += _bound((*rp, "points"), rule.points, pts, "满分", _HINT_DEFAULT)
            elif rule.kind == "judgment":
                out += _bound((*rp, "max"), rule.max, pts, "最高分", _HINT_DEFAULT)
                if rule.max is not None and rule.min > rule.max:
                    out.append(Problem("R204", (*rp, "min"), f"最低分 {fmt(rule.min)} 大于最高分 {fmt(rule.max)}"))
            elif rule.kind == "criteria":
                for g, grade in enumerate(rule.grades):
                    out += _bound((*rp, "grades", g, "score"), grade.score, pts, "等级得分", _HINT_SCORE)
            elif rule.kind == "bands":
                for b, band in enumerate(rule.bands):
                    out += _bound((*rp, "bands", b, "score"), band.score, pts, "分档得分", _HINT_SCORE)
                name = rule.value.strip()
                spec = specs.get(name)
                field_range = (spec.min, spec.max) if spec is not None else (None, None)
                out += _check_bands(rp, [parse_interval(b.range) for b in rule.bands], field_range, name if spec else None)
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
    return out


def _names_in(text: object) -> set[str]:
    # Over-approximation (string literals may contain name-like words) is harmless here:
    # it can only hide an unused-field warning, never invent an error. Slots that hold a
    # number in some rule kinds (linear `target`) are not expressions.
    return set(_NAME.findall(text)) if isinstance(text, str) else set()


def check_field_use(rubric: Rubric) -> list[Problem]:
    used: set[str] = set()
    for _, item in _items(rubric):
        used |= _names_in(item.applies_when)
        for rule in item.rules:
            for slot in ("when", "count", "value", "target"):
                used |= _names_in(getattr(rule, slot, None))
            for crit in getattr(rule, "criteria", ()):
                used |= _names_in(crit.when)
    for d in rubric.derived:
        used |= _names_in(d.expr)
    veto_names: set[str] = set()
    for v in rubric.vetoes:
        veto_names |= _names_in(v.when)  # the date field may stay empty: no date, no event
        used |= {v.date_field} if v.date_field else set()
    tier_names: set[str] = set()
    for t in rubric.rating.tiers:
        tier_names |= _names_in(t.requires)
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


def check_rubric(rubric: Rubric) -> list[Problem]:
    return check_ids(rubric) + check_sums(rubric) + check_rules(rubric) + check_rating(rubric) + check_field_use(rubric)
