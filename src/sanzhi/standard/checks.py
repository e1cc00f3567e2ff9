"""Semantic checks pydantic cannot express: ids, sums, caps, bands, tiers, field use.

Each check returns Problems located by raw path; all of them run, so a standards body sees
every inconsistency of an edit at once.
"""

import re
from collections.abc import Iterator
from decimal import Decimal

from sanzhi.numbers import fmt
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
            out.append(Problem("R201", (*path, "id"), f"{what} id “{ident}” 重复", hint="每个 id 在评分标准中只能出现一次"))
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
                out.append(Problem("R202", ("dimensions", d, "indicators", i, "points"), f"指标 “{ind.id}” 的分值与其评分项分值之和不符", expected=fmt(s), found=fmt(ind.points)))
        s = sum((ind.points for ind in dim.indicators), Decimal(0))
        if s != dim.points:
            out.append(Problem("R202", ("dimensions", d, "points"), f"维度 “{dim.id}” 的分值与其指标分值之和不符", expected=fmt(s), found=fmt(dim.points)))
    s = sum((dim.points for dim in rubric.dimensions), Decimal(0))
    if s != rubric.total_points:
        out.append(Problem("R202", ("total_points",), "总分与各维度分值之和不符", expected=fmt(s), found=fmt(rubric.total_points)))
    return out


def _bound(path: P, value: Decimal | None, points: Decimal, what: str) -> list[Problem]:
    if value is not None and value > points:
        return [Problem("R203", path, f"{what}（{fmt(value)}）超过本项分值 {fmt(points)}", hint="超过分值的扣分请改用 kind: zero（不得分）")]
    return []


def _check_bands(path: P, bands: list[Interval], field_range: tuple[Decimal | None, Decimal | None]) -> list[Problem]:
    out = []
    ordered = sorted(range(len(bands)), key=lambda k: (bands[k].low is not None, bands[k].low or 0))
    for a, b in zip(ordered, ordered[1:]):
        x, y = bands[a], bands[b]
        if x.high is None or y.low is None or x.high > y.low or (x.high == y.low and x.high_closed and y.low_closed):
            out.append(Problem("R205", (*path, "bands", b, "range"), f"分档 {y.text} 与 {x.text} 重叠"))
        elif x.high < y.low or (not x.high_closed and not y.low_closed):
            out.append(Problem("R205", (*path, "bands", b, "range"), f"分档 {x.text} 与 {y.text} 之间有空缺", hint="相邻分档的边界须一开一闭，如 [80, 90) 与 [90, 100]"))
    low, high = field_range
    first, last = bands[ordered[0]], bands[ordered[-1]]
    if first.low is not None and (low is None or first.low > low or (first.low == low and not first.low_closed)):
        out.append(Problem("R205", (*path, "bands"), f"分档未覆盖下限：最低一档从 {first.text} 开始", expected=f"覆盖到 {fmt(low) if low is not None else '-∞'}"))
    if last.high is not None and (high is None or last.high < high or (last.high == high and not last.high_closed)):
        out.append(Problem("R205", (*path, "bands"), f"分档未覆盖上限：最高一档为 {last.text}", expected=f"覆盖到 {fmt(high) if high is not None else '∞'}"))
    return out


def check_rules(rubric: Rubric) -> list[Problem]:
    specs = {s.id: s for s in (*rubric.fields, *rubric.attributes)}
    out: list[Problem] = []
    for path, item in _items(rubric):
        pts = item.points
        if (pts / rubric.precision) % 1 != 0:
            out.append(Problem("R206", (*path, "points"), f"分值 {fmt(pts)} 不是计分精度 {fmt(rubric.precision)} 的整数倍"))
        if (item.applies_when is None) != (item.not_applicable is None):
            out.append(Problem("R207", path, "applies_when 与 not_applicable 必须同时给出", hint="not_applicable: rescale（不计入分母）或 zero（按 0 分计）"))
        for r, rule in enumerate(item.rules):
            rp = (*path, "rules", r)
            if rule.kind in ("deduct", "threshold"):
                out += _bound((*rp, "points"), rule.points, pts, "扣分")
            elif rule.kind in ("per_occurrence", "per_unit"):
                out += _bound((*rp, "cap"), rule.cap, pts, "封顶分")
            elif rule.kind == "linear":
                out += _bound((*rp, "points"), rule.points, pts, "满分")
            elif rule.kind == "judgment":
                out += _bound((*rp, "max"), rule.max, pts, "最高分")
                if rule.max is not None and rule.min > rule.max:
                    out.append(Problem("R204", (*rp, "min"), f"最低分 {fmt(rule.min)} 大于最高分 {fmt(rule.max)}"))
            elif rule.kind == "criteria":
                for g, grade in enumerate(rule.grades):
                    out += _bound((*rp, "grades", g, "score"), grade.score, pts, "等级得分")
            elif rule.kind == "bands":
                for b, band in enumerate(rule.bands):
                    out += _bound((*rp, "bands", b, "score"), band.score, pts, "分档得分")
                spec = specs.get(rule.value.strip())
                field_range = (spec.min, spec.max) if spec is not None else (None, None)
                out += _check_bands(rp, [parse_interval(b.range) for b in rule.bands], field_range)
    return out


def check_rating(rubric: Rubric) -> list[Problem]:
    out: list[Problem] = []
    ceiling = rubric.total_points + (rubric.bonus.cap if rubric.bonus else 0)
    dims = {d.id: d for d in rubric.dimensions}
    prev = None
    for t, tier in enumerate(rubric.rating.tiers):
        tp = ("rating", "tiers", t)
        if tier.min_score > ceiling:
            out.append(Problem("R208", (*tp, "min_score"), f"等级 “{tier.name}” 不可达：最低分 {fmt(tier.min_score)} 超过满分 {fmt(ceiling)}"))
        if prev is not None and tier.min_score >= prev:
            out.append(Problem("R208", (*tp, "min_score"), "等级须按最低分从高到低排列", expected=f"小于 {fmt(prev)}", found=fmt(tier.min_score)))
        prev = tier.min_score
        for dim_id, minimum in tier.dimension_minimums.items():
            if dim_id not in dims:
                out.append(Problem("R209", (*tp, "dimension_minimums", dim_id), f"维度 “{dim_id}” 不存在", expected="、".join(dims), key=True))
            elif minimum > dims[dim_id].points:
                out.append(Problem("R208", (*tp, "dimension_minimums", dim_id), f"维度 “{dim_id}” 的最低分 {fmt(minimum)} 超过其分值 {fmt(dims[dim_id].points)}"))
    gate = rubric.rating.apply_gate
    if gate is not None and gate.min_self_score > ceiling:
        out.append(Problem("R208", ("rating", "apply_gate", "min_self_score"), f"申报门槛 {fmt(gate.min_self_score)} 超过满分 {fmt(ceiling)}"))
    return out


def _names_in(text: str | None) -> set[str]:
    # Over-approximation (string literals may contain name-like words) is harmless here:
    # it can only hide an unused-field warning, never invent an error.
    return set(_NAME.findall(text or ""))


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
                out.append(Problem("R221", (section, n, "required"), f"字段 “{f.id}” 用于一票否决或等级前提，必须设为 required: true", hint="否决项与等级前提不能因漏填而被绕过"))
    return out


def check_rubric(rubric: Rubric) -> list[Problem]:
    return check_ids(rubric) + check_sums(rubric) + check_rules(rubric) + check_rating(rubric) + check_field_use(rubric)
