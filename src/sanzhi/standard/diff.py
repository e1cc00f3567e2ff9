"""What changed between two rubrics: a revision and its predecessor, or a variant and its base.

Pure: two validated Rubrics in, a RubricDiff (plain NamedTuples) out; the CLI renders it as a
Chinese table or JSON. Items are paired by `sanzhi.standard.lineage.pair` (crosswalk, same id,
identical content; a renumbered item nobody declared is reported as renamed "by content").

Unpaired items are added or removed. A paired item is renamed (its id changed), moved (its
indicator changed), or changed (points, rules, criterion, …); unchanged items are not listed.
"""

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from sanzhi.common.numbers import fmt
from sanzhi.standard.lineage import Pairing, outline, pair
from sanzhi.standard.models import Dimension, Indicator, Item, RedBlack, Rubric
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules import Rule, kind_of

STATUS_ZH = {
    "added": "新增", "removed": "删除", "renamed": "改号", "split": "拆分", "merged": "合并",
    "moved": "移动", "changed": "修改",
}
WHAT_ZH = {
    "dimension": "维度", "indicator": "指标", "item": "评分项", "veto": "否决项", "tier": "等级",
    "rank_tier": "按名次等级", "exemption": "免检项",
    "field": "字段", "attribute": "属性", "derived": "派生字段", "setting": "设置",
}
_ITEM_KEYS = (
    ("name", "名称"), ("points", "分值"), ("criterion", "评定标准"), ("applies_when", "适用条件"),
    ("not_applicable", "不适用处理"), ("provenance", "出处类型"), ("clause", "出处"), ("evidence", "评价方法"),
    ("advice", "改进建议"), ("scored_by", "评分单位"),
)


class Change(NamedTuple):
    """One attribute that differs: `old`/`new` are display text (None when absent)."""

    field: str
    label: str
    old: str | None
    new: str | None


class EntryDiff(NamedTuple):
    what: str  # dimension | indicator | item | veto | tier | field | attribute | derived | setting
    status: str  # added | removed | renamed | split | merged | moved | changed
    old_ids: tuple[str, ...]
    new_ids: tuple[str, ...]
    old_name: str | None
    new_name: str | None
    via: str | None  # for renamed/split/merged: "crosswalk" or "content"
    changes: tuple[Change, ...]


class RubricRef(NamedTuple):
    ref: str
    title: str
    effective_date: str
    status: str
    total_points: str


class RubricDiff(NamedTuple):
    a: RubricRef
    b: RubricRef
    crosswalk: str | None  # which crosswalk paired the items, in words
    entries: tuple[EntryDiff, ...]
    warnings: tuple[str, ...]

    def of(self, what: str) -> list[EntryDiff]:
        return [e for e in self.entries if e.what == what]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for e in self.entries:
            out.setdefault(e.what, {}).setdefault(e.status, 0)
            out[e.what][e.status] += 1
        return out


# --------------------------------------------------------------------------- display helpers


def show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, (tuple, list)):
        return "、".join(show(v) or "" for v in value)
    if hasattr(value, "model_dump"):
        return json.dumps(value.model_dump(mode="json", exclude_none=True), ensure_ascii=False, sort_keys=True)
    return str(value)


def describe_rule(rule: Rule) -> str:
    """One line of Chinese a standards person can compare, expressions shown as written."""
    return kind_of(rule).outline(rule)


def _rules_change(a: Sequence[Rule], b: Sequence[Rule]) -> Change | None:
    old = [describe_rule(r) for r in a]
    new = [describe_rule(r) for r in b]
    if old == new:
        return None
    gone = [x for x in old if x not in new]
    came = [x for x in new if x not in old]
    if not gone and not came:  # same rules, another order
        gone, came = old, new
    return Change("rules", "规则", "\n".join(gone) or None, "\n".join(came) or None)


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|\s+|.", re.DOTALL)


def text_hunks(old: str, new: str, context: int = 5) -> list[tuple[str, str]]:
    """The differing stretches of two texts, each with a few shared tokens of context, for
    display: "…最高3分；未…" → "…最高2分；未…" instead of two whole paragraphs. Tokens are
    single characters except words and numbers, so a field name or "1.5" is never cut."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    hunks: list[list[int]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            continue
        if hunks and i1 - hunks[-1][1] <= 2 * context:
            hunks[-1][1], hunks[-1][3] = i2, j2
        else:
            hunks.append([i1, i2, j1, j2])
    out = []
    for i1, i2, j1, j2 in hunks:
        before = min(context, i1)
        after = min(context, len(a) - i2)
        lead = "…" if i1 - before > 0 else ""
        tail = "…" if i2 + after < len(a) else ""
        pre, post = "".join(a[i1 - before:i1]), "".join(a[i2:i2 + after])
        out.append((lead + pre + "".join(a[i1:i2]) + post + tail, lead + pre + "".join(b[j1:j2]) + post + tail))
    return out


def natural_key(ident: str) -> tuple[tuple[int, int | str], ...]:
    """"2.10" after "2.9": digits compare as numbers."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|\D+", ident))


# --------------------------------------------------------------------------- comparing entries


def _field_changes(a: Any, b: Any, keys: Iterable[tuple[str, str]]) -> list[Change]:
    out = []
    for key, label in keys:
        x, y = getattr(a, key, None), getattr(b, key, None)
        if x != y:
            out.append(Change(key, label, show(x), show(y)))
    return out


class _Placed(NamedTuple):
    item: Item
    place: str  # indicator id, or 加分项
    order: int


def _items(r: Rubric) -> dict[str, _Placed]:
    out: dict[str, _Placed] = {}
    n = 0
    for dim in r.dimensions:
        for ind in dim.indicators:
            for item in ind.items:
                out[item.id] = _Placed(item, ind.id, n)
                n += 1
    if r.bonus is not None:
        for item in r.bonus.items:
            out[item.id] = _Placed(item, "加分项", n)
            n += 1
    return out


def _item_changes(a: _Placed, b: _Placed) -> list[Change]:
    out = _field_changes(a.item, b.item, _ITEM_KEYS)
    rules = _rules_change(a.item.rules, b.item.rules)
    if rules is not None:
        out.append(rules)
    if a.place != b.place:
        out.append(Change("place", "位置", a.place, b.place))
    return out


def _pair_items(a: Rubric, b: Rubric, warnings: list[str]) -> tuple[Pairing, list[EntryDiff]]:
    """The pairing of `sanzhi.standard.lineage`, and its split / merged groups as entries."""
    ia, ib = _items(a), _items(b)
    p = pair(outline(a), outline(b))
    warnings += p.warnings
    groups = []
    for g in p.groups:
        changes = [Change("points", "分值", " + ".join(fmt(ia[i].item.points) for i in g.old), " + ".join(fmt(ib[i].item.points) for i in g.new))]
        if g.note:
            changes.append(Change("note", "说明", None, g.note))
        groups.append(EntryDiff("item", g.kind, g.old, g.new, "、".join(ia[i].item.name for i in g.old),
                                "、".join(ib[i].item.name for i in g.new), "crosswalk", tuple(changes)))
    return p, groups


def _diff_items(a: Rubric, b: Rubric, warnings: list[str]) -> tuple[list[EntryDiff], str | None]:
    ia, ib = _items(a), _items(b)
    p, groups = _pair_items(a, b, warnings)
    out = list(groups)
    for i, j, via in p.pairs:
        changes = _item_changes(ia[i], ib[j])
        if i != j:
            status = "renamed"
        elif ia[i].place != ib[j].place:
            status = "moved"
        elif changes:
            status = "changed"
        else:
            continue
        out.append(EntryDiff("item", status, (i,), (j,), ia[i].item.name, ib[j].item.name, via, tuple(changes)))
    for i in p.left_a:
        x = ia[i]
        out.append(EntryDiff("item", "removed", (i,), (), x.item.name, None, None,
                             (Change("points", "分值", fmt(x.item.points), None), Change("place", "位置", x.place, None))))
    for j in p.left_b:
        y = ib[j]
        out.append(EntryDiff("item", "added", (), (j,), None, y.item.name, None,
                             (Change("points", "分值", None, fmt(y.item.points)), Change("place", "位置", None, y.place))))
    return out, p.crosswalk


def _by_id(what: str, a: Sequence[Any], b: Sequence[Any], keys: Sequence[tuple[str, str]], name: str = "name", parent: dict[str, tuple[str, str]] | None = None) -> list[EntryDiff]:
    """Entries of one kind paired by id; `parent` maps id → (old parent, new parent) for moves."""
    ma = {x.id: x for x in a}
    mb = {x.id: x for x in b}
    out = []
    for i, x in ma.items():
        if i not in mb:
            out.append(EntryDiff(what, "removed", (i,), (), getattr(x, name), None, None, ()))
            continue
        changes = _field_changes(x, mb[i], keys)
        moved = parent is not None and i in parent and parent[i][0] != parent[i][1]
        if moved:
            changes.append(Change("place", "位置", parent[i][0], parent[i][1]))  # type: ignore[index]
        if changes:
            out.append(EntryDiff(what, "moved" if moved else "changed", (i,), (i,), getattr(x, name), getattr(mb[i], name), None, tuple(changes)))
    for i, y in mb.items():
        if i not in ma:
            out.append(EntryDiff(what, "added", (), (i,), None, getattr(y, name), None, ()))
    return out


def _indicators(r: Rubric) -> tuple[list[Indicator], dict[str, str]]:
    inds, parent = [], {}
    for dim in r.dimensions:
        for ind in dim.indicators:
            inds.append(ind)
            parent[ind.id] = dim.id
    return inds, parent


def _minimums(tier: Any) -> str:
    return "、".join(f"{d} ≥ {fmt(v)}" for d, v in tier.dimension_minimums.items()) or "无"


def _settings(a: Rubric, b: Rubric) -> list[EntryDiff]:
    rows: list[tuple[str, str, Any, Any]] = [
        ("total_points", "总分", a.total_points, b.total_points),
        ("precision", "计分精度", a.precision, b.precision),
        ("bonus_cap", "加分封顶", a.bonus.cap if a.bonus else None, b.bonus.cap if b.bonus else None),
        ("apply_gate", "申报门槛（自评分）", a.rating.apply_gate.min_self_score if a.rating.apply_gate else None,
         b.rating.apply_gate.min_self_score if b.rating.apply_gate else None),
        ("below_all", "未达任何等级时的名称", a.rating.below_all, b.rating.below_all),
        ("review_levels", "评审层级", [lv.name for lv in a.review_levels], [lv.name for lv in b.review_levels]),
        ("rank_within", "按名次等级的排名范围", _cohort(a.rating.rank_within), _cohort(b.rating.rank_within)),
        ("rank_cumulative", "按名次等级名额", _cumulative(a), _cumulative(b)),
        ("red_black", "红黑榜规则", red_black_text(a.rating.red_black), red_black_text(b.rating.red_black)),
    ]
    out = []
    for key, label, x, y in rows:
        if x != y:
            status = "added" if x is None else "removed" if y is None else "changed"
            out.append(EntryDiff("setting", status, (key,), (key,), label, label, None, (Change(key, label, show(x), show(y)),)))
    return out


def _cohort(within: str | None) -> str | None:
    return None if within is None else {"township": "乡镇内", "county": "县内"}[within]


def _cumulative(r: Rubric) -> str | None:
    if not r.rating.rank_tiers:
        return None
    return "累计（各档从第一名算起）" if r.rating.rank_cumulative else "逐档（各档单独计名额）"


def limit_text(limit: Any) -> str:
    """A RankLimit or RankTier's top/share in words: 前 3 名, 前 10%."""
    return f"前 {limit.top} 名" if limit.top is not None else f"前 {fmt(limit.share * 100)}%"


def red_black_text(rule: RedBlack | None) -> str:
    """The 红黑榜 rule in words; None (not set) reads as the default."""
    r = rule or RedBlack()
    where = "乡镇" if r.within == "township" else "县"
    black = limit_text(r.black).replace("前", "后", 1)
    return f"{where}{limit_text(r.red)}为红榜，{where}{black}和一票否决的村为黑榜" + ("" if rule is not None else "（默认）")


class _RankTierView(NamedTuple):
    id: str
    name: str
    limit: str
    min_score: Decimal | None


def _rank_tiers(r: Rubric) -> list[_RankTierView]:
    # Rank tiers need no id: those without one are paired by name.
    return [_RankTierView(t.id or t.name, t.name, limit_text(t), t.min_score) for t in r.rating.rank_tiers]


def _ref(r: Rubric) -> RubricRef:
    return RubricRef(f"{r.id}@{r.version}", r.title, r.effective_date.isoformat(), r.status, fmt(r.total_points))


_ORDER = {w: n for n, w in enumerate(WHAT_ZH)}


def diff_rubrics(a: Rubric, b: Rubric) -> RubricDiff:
    """Every difference from `a` to `b`, in a stable order (kind, then id)."""
    warnings: list[str] = []
    dims = _by_id("dimension", a.dimensions, b.dimensions, (("name", "名称"), ("points", "分值")))
    inds_a, par_a = _indicators(a)
    inds_b, par_b = _indicators(b)
    parent = {i: (par_a[i], par_b[i]) for i in par_a if i in par_b}
    inds = _by_id("indicator", inds_a, inds_b, (("name", "名称"), ("points", "分值"), ("scored_by", "评分部门")), parent=parent)
    items, used = _diff_items(a, b, warnings)
    tiers = _by_id("tier", a.rating.tiers, b.rating.tiers, (("name", "名称"), ("min_score", "最低分"), ("requires", "前提条件")))
    for ta in a.rating.tiers:
        tb = next((t for t in b.rating.tiers if t.id == ta.id), None)
        if tb is None or ta.dimension_minimums == tb.dimension_minimums:
            continue
        change = Change("dimension_minimums", "维度最低分", _minimums(ta), _minimums(tb))
        n = next((k for k, e in enumerate(tiers) if e.old_ids == (ta.id,)), None)
        if n is None:
            tiers.append(EntryDiff("tier", "changed", (ta.id,), (tb.id,), ta.name, tb.name, None, (change,)))
        else:
            tiers[n] = tiers[n]._replace(changes=(*tiers[n].changes, change))
    tb_ids = [t.id for t in b.rating.tiers]
    ta_ids = [t.id for t in a.rating.tiers if t.id in tb_ids]
    if ta_ids != [t for t in tb_ids if t in ta_ids]:
        warnings.append("等级的先后顺序有变化")
    vetoes = _by_id("veto", a.vetoes, b.vetoes, (("name", "名称"), ("when", "条件"), ("date_field", "日期字段"), ("lookback_months", "回溯月数"),
                                                 ("bars", "只挡等级")))
    rank_tiers = _by_id("rank_tier", _rank_tiers(a), _rank_tiers(b), (("name", "名称"), ("limit", "名额"), ("min_score", "最低分")))
    exemptions = _by_id("exemption", a.exemptions, b.exemptions, (("name", "名称"), ("when", "条件"), ("items", "免检范围")))
    spec_keys = (("label", "标签"), ("type", "类型"), ("unit", "单位"), ("required", "必填"), ("choices", "选项"), ("min", "下限"), ("max", "上限"))
    fields = _by_id("field", a.fields, b.fields, spec_keys, name="label")
    attrs = _by_id("attribute", a.attributes, b.attributes, spec_keys, name="label")
    derived = _by_id("derived", a.derived, b.derived, (("label", "标签"), ("expr", "公式"), ("unit", "单位")), name="label")
    entries = [*dims, *inds, *items, *vetoes, *tiers, *rank_tiers, *exemptions, *fields, *attrs, *derived, *_settings(a, b)]

    def key(e: EntryDiff) -> tuple[Any, ...]:
        ident = (e.new_ids or e.old_ids)[0]
        return (_ORDER[e.what], natural_key(ident), e.status)

    entries.sort(key=key)
    return RubricDiff(_ref(a), _ref(b), used, tuple(entries), tuple(warnings))


def dimension_of(r: Rubric) -> dict[str, Dimension]:
    return {d.id: d for d in r.dimensions}


# --------------------------------------------------------------------------- load-time checks


def check_crosswalk(rubric: Rubric) -> list[Problem]:
    """A crosswalk names its previous version as ID@VERSION and points at items that exist."""
    cw = rubric.crosswalk
    if cw is None:
        return []
    out: list[Problem] = []
    if "@" not in cw.previous:
        out.append(Problem("R230", ("crosswalk", "previous"), "previous 须写成 ID@版本", found=cw.previous, expected="如 jiaxing-sanzhi@2018"))
    elif cw.previous == f"{rubric.id}@{rubric.version}":
        out.append(Problem("R230", ("crosswalk", "previous"), "previous 不能是本版本自己", found=cw.previous))
    ids = list(_items(rubric))
    seen_old: set[str] = set()
    for n, entry in enumerate(cw.items):
        for k, new in enumerate(entry.new):
            if new not in ids:
                close = difflib.get_close_matches(new, ids, n=1)
                out.append(Problem("R231", ("crosswalk", "items", n, "new", k) if len(entry.new) > 1 else ("crosswalk", "items", n, "new"),
                                   f"crosswalk 指向的评分项 “{new}” 在本版本中不存在",
                                   hint=f"是否想写 “{close[0]}”？" if close else None))
        for old in entry.old:
            if old in seen_old:
                out.append(Problem("R232", ("crosswalk", "items", n, "old"), f"评分项 “{old}” 在 crosswalk 中出现了不止一次",
                                   hint="一个旧编号只能有一种去向：renamed、split 或 merged 之一"))
            seen_old.add(old)
    return out
