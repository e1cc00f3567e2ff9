"""Rubric → CompiledRubric: every expression parsed and type-checked once, ids indexed.

The compiled rubric is plain picklable data so a batch can ship it to worker processes;
the engine never re-interprets rubric text per village.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sanzhi.standard.aggregates import (
    CompiledAggregate,
    VillageNamespace,
    compile_aggregates,
    village_names,
)
from sanzhi.standard.expr import (
    Expression,
    ExpressionError,
    NameType,
    ValueType,
    compile_expression,
)
from sanzhi.standard.fields import DerivedField, FieldSpec
from sanzhi.standard.models import Exemption, Item, Rubric, Tier, Veto
from sanzhi.standard.problems import Problem, RubricProblems
from sanzhi.standard.rules import CompiledRule, kind_of
from sanzhi.standard.rules.judgment import Judgment, judgment_rule
from sanzhi.standard.rules.kind import RuleContext

_KIND_TYPES = {
    "bool": ValueType.BOOL,
    "integer": ValueType.NUMBER,
    "decimal": ValueType.NUMBER,
    "choice": ValueType.STRING,
    "text": ValueType.STRING,
    "date": ValueType.DATE,
    "tags": ValueType.TAGS,
}


@dataclass(frozen=True, slots=True)
class CompiledExemption:
    """An exemption (免检) compiled: the items it covers score full marks when `when` holds.

    Also the outcome the engine records for an exempt item at a level: its identity is stable
    for the compiled rubric's lifetime, as the item memo's keys need."""

    exemption: Exemption
    when: Expression
    items: frozenset[str]  # the item ids it covers (dimensions and indicators expanded)


@dataclass(frozen=True, slots=True)
class CompiledItem:
    item: Item
    dimension: str | None
    indicator: str | None
    rules: tuple[CompiledRule[Any, Any], ...]
    applies_when: Expression | None
    needs: frozenset[str]  # names read: derived fields and the inputs they expand to
    has_award: bool
    judgment: CompiledRule[Judgment, None] | None  # the rule the village's `judgments` entry is for
    needs_order: tuple[str, ...]  # `needs`, sorted: the engine's memo key reads them in this order
    scored_by: str | None = None  # the body that scores it: its own scored_by, else its indicator's
    exemptions: tuple[CompiledExemption, ...] = ()  # those covering it, in rubric order (the first that holds wins)


@dataclass(frozen=True, slots=True)
class CompiledVeto:
    veto: Veto
    when: Expression | None
    needs: frozenset[str]
    barred: str = ""  # names of the tiers a veto with `bars` bars, joined (不能评为…); "" for every rating


@dataclass(frozen=True, slots=True)
class CompiledTier:
    tier: Tier
    requires: Expression | None


@dataclass(frozen=True, slots=True)
class CompiledRubric:
    rubric: Rubric
    content_hash: str
    names: Mapping[str, NameType]
    specs: Mapping[str, FieldSpec]  # attributes and answer fields by id
    derived: tuple[tuple[str, Expression], ...]  # in dependency order
    items: tuple[CompiledItem, ...]  # rubric order, bonus items last
    vetoes: tuple[CompiledVeto, ...]
    tiers: tuple[CompiledTier, ...]
    display: Mapping[str, tuple[str, str | None]]  # name → (Chinese label, unit) for explanations
    # Per dimension (rubric order): the positions in `items` of its items, and of those whose
    # points leave the dimension's denominator when they do not apply (not_applicable: rescale).
    dimension_items: tuple[tuple[int, ...], ...]
    dimension_rescaled: tuple[tuple[int, ...], ...]
    # A township or county rubric (docs/rubrics/units.md): its aggregate fields, compiled against
    # the village rubric it reads, and that rubric's ref and content hash (a stored village run
    # must have been scored with exactly it).
    aggregates: tuple[CompiledAggregate, ...] = ()
    reads_ref: str | None = None
    reads_hash: str | None = None
    village_namespace: VillageNamespace | None = None
    exemptions: tuple[CompiledExemption, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.rubric.id}@{self.rubric.version}"

    @property
    def unit(self) -> str:
        return self.rubric.unit


def content_hash(rubric: Rubric) -> str:
    """sha256 of the rubric's canonical JSON: comments, key order and spelled-out defaults do not change it."""
    # Defaults left out: an optional key added to the format later leaves existing hashes (and
    # resumable runs, stored history) as they were; the HTML goldens pin the Jiaxing hash.
    canonical = json.dumps(rubric.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


class _Compiler:
    def __init__(self, rubric: Rubric) -> None:
        self.rubric = rubric
        self.problems: list[Problem] = []
        self.names: dict[str, NameType] = {}
        self.specs: dict[str, FieldSpec] = {}
        self.derived_needs: dict[str, frozenset[str]] = {}
        self.declared: dict[str, FieldSpec | DerivedField] = {
            **{d.id: d for d in rubric.derived}, **{s.id: s for s in (*rubric.attributes, *rubric.fields)}}

    def expr(self, text: str, path: tuple[str | int, ...], expect: ValueType, names: Mapping[str, NameType] | None = None) -> Expression | None:
        try:
            return compile_expression(text, names if names is not None else self.names, expect=expect)
        except ExpressionError as e:
            self.problems.append(Problem("R210", path, e.message, hint=e.hint, found=text, column_offset=e.column))
            return None

    def declare(self) -> None:
        for section in ("attributes", "fields"):
            for i, spec in enumerate(getattr(self.rubric, section)):
                if spec.id in self.names:
                    self.problems.append(Problem("R201", (section, i, "id"), f"字段 id “{spec.id}” 重复声明"))
                    continue
                self.names[spec.id] = NameType(_KIND_TYPES[spec.type], spec.choices, spec.label)
                self.specs[spec.id] = spec
        for i, d in enumerate(self.rubric.derived):
            if d.id in self.names:
                self.problems.append(Problem("R201", ("derived", i, "id"), f"字段 id “{d.id}” 重复声明"))
                continue
            self.names[d.id] = NameType(ValueType.NUMBER, None, d.label)
        for i, a in enumerate(self.rubric.aggregates):
            if a.id in self.names:
                self.problems.append(Problem("R201", ("aggregates", i, "id"), f"字段 id “{a.id}” 重复声明"))
                continue
            self.names[a.id] = NameType(ValueType.NUMBER, None, a.label)

    def compile_derived(self) -> tuple[tuple[str, Expression], ...]:
        compiled: dict[str, Expression] = {}
        for i, d in enumerate(self.rubric.derived):
            others = {k: v for k, v in self.names.items() if k != d.id}
            e = self.expr(d.expr, ("derived", i, "expr"), ValueType.NUMBER, others)
            if e is not None:
                compiled[d.id] = e
        # Topological order; a cycle is reported once per member.
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str, chain: tuple[str, ...]) -> None:
            if state.get(name) == 2 or name not in compiled:
                return
            if state.get(name) == 1:
                i = next(j for j, d in enumerate(self.rubric.derived) if d.id == name)
                cycle = " → ".join((*chain[chain.index(name):], name))
                self.problems.append(Problem("R211", ("derived", i, "expr"), f"派生字段循环引用：{cycle}"))
                return
            state[name] = 1
            for dep in sorted(compiled[name].names):
                visit(dep, (*chain, name))
            state[name] = 2
            order.append(name)

        for name in compiled:
            visit(name, ())
        for name in order:
            needs: set[str] = set()
            for dep in compiled[name].names:
                needs |= self.derived_needs.get(dep, {dep})
            self.derived_needs[name] = frozenset(needs)
        return tuple((n, compiled[n]) for n in order)

    def expand(self, names: frozenset[str]) -> frozenset[str]:
        out: set[str] = set()
        for n in names:
            out |= self.derived_needs.get(n, {n})
        return frozenset(out)

    def compile_item(self, item: Item, path: tuple[str | int, ...], dim: str | None, ind: str | None,
                     scored_by: str | None = None, exemptions: tuple[CompiledExemption, ...] = ()) -> CompiledItem:
        rules: list[CompiledRule[Any, Any]] = []
        needs: set[str] = set()
        for r_i, rule in enumerate(item.rules):
            kind = kind_of(rule)
            rpath = (*path, "rules", r_i)
            if kind.complete is not None:
                rule = kind.complete(rule, RuleContext(rpath, item.points, self.declared))
            exprs: dict[str, Expression] = {}
            for slot in kind.expressions(rule):
                e = self.expr(slot.text, (*rpath, *slot.path), slot.expect)
                if e is not None:
                    exprs[slot.key] = e
            for e in exprs.values():
                needs |= e.names
            names = tuple(sorted({n for e in exprs.values() for n in e.names}))
            rules.append(CompiledRule(r_i, rule, kind, exprs, kind.prepare(rule), names, self.rubric.precision))
        applies = None
        if item.applies_when is not None:
            applies = self.expr(item.applies_when, (*path, "applies_when"), ValueType.BOOL)
        return CompiledItem(
            item=item,
            dimension=dim,
            indicator=ind,
            rules=tuple(rules),
            applies_when=applies,
            needs=self.expand(frozenset(needs)) | frozenset(needs),
            has_award=any(r.kind.role == "award" for r in rules),
            judgment=judgment_rule(rules),
            needs_order=tuple(sorted(self.expand(frozenset(needs)) | frozenset(needs))),
            scored_by=item.scored_by or scored_by,
            exemptions=tuple(e for e in exemptions if item.id in e.items),
        )

    def compile_exemptions(self) -> tuple[CompiledExemption, ...]:
        """Exemptions with their `when` compiled; ids they name are checked in checks.py."""
        rubric = self.rubric
        covers: dict[str, frozenset[str]] = {}
        for dim in rubric.dimensions:
            covers[dim.id] = frozenset(it.id for ind in dim.indicators for it in ind.items)
            for ind in dim.indicators:
                covers[ind.id] = frozenset(it.id for it in ind.items)
                for it in ind.items:
                    covers[it.id] = frozenset({it.id})
        attributes = {a.id for a in rubric.attributes}
        out = []
        for i, ex in enumerate(rubric.exemptions):
            when = self.expr(ex.when, ("exemptions", i, "when"), ValueType.BOOL)
            if when is None:
                continue
            fields = sorted(n for n in when.names if n not in attributes)
            if fields:
                labels = "、".join(f"“{n}”" for n in fields)
                self.problems.append(Problem("R215", ("exemptions", i, "when"), f"免检条件只能读取村属性（attributes），{labels} 不是村属性",
                                             expected="attributes 中声明的属性，如 titles", found=ex.when,
                                             hint="免检按称号等属性认定，不能依赖评分项的填报数据"))
            items: set[str] = set()
            for ident in ex.items:
                items |= covers.get(ident, frozenset())
            out.append(CompiledExemption(ex, when, frozenset(items)))
        return tuple(out)

    def compile_vetoes(self) -> tuple[CompiledVeto, ...]:
        out = []
        for i, veto in enumerate(self.rubric.vetoes):
            when = None
            if veto.when is not None:
                when = self.expr(veto.when, ("vetoes", i, "when"), ValueType.BOOL)
            needs = set(when.names) if when else set()
            if veto.date_field is not None:
                spec = self.specs.get(veto.date_field)
                if spec is None or spec.type != "date":
                    self.problems.append(Problem("R212", ("vetoes", i, "date_field"), f"date_field “{veto.date_field}” 不是已声明的日期字段", expected="type: date 的字段"))
                needs.add(veto.date_field)
            if veto.when is None and veto.date_field is None:
                self.problems.append(Problem("R213", ("vetoes", i), "否决项必须给出 when 或 date_field"))
            if (veto.lookback_months is None) != (veto.date_field is None):
                self.problems.append(Problem("R213", ("vetoes", i), "lookback_months 与 date_field 必须同时给出"))
            names = {t.id: t.name for t in self.rubric.rating.tiers}
            names.update({t.id: t.name for t in self.rubric.rating.rank_tiers if t.id is not None})
            barred = "、".join(names.get(b, b) for b in veto.bars)
            out.append(CompiledVeto(veto, when, self.expand(frozenset(needs)) | frozenset(needs), barred))
        return tuple(out)

    def compile_tiers(self) -> tuple[CompiledTier, ...]:
        out = []
        for i, tier in enumerate(self.rubric.rating.tiers):
            req = None
            if tier.requires is not None:
                req = self.expr(tier.requires, ("rating", "tiers", i, "requires"), ValueType.BOOL)
            out.append(CompiledTier(tier, req))
        return tuple(out)


# What a village gets when a veto blocks its rating (sanzhi.scoring.rating.VETO_BLOCKED): one of
# the values `rating` can take in an aggregate.
_NOT_RATED = "不予评定"


def village_namespace(village: CompiledRubric) -> tuple[VillageNamespace, list[str]]:
    """The names a village of this rubric offers to a unit rubric's aggregates (and clashes)."""
    r = village.rubric
    tiers = [t.tier for t in village.tiers]
    return village_names(village.names, [t.id for t in tiers], [*(t.name for t in tiers), r.rating.below_all, _NOT_RATED],
                         [(d.id, d.name) for d in r.dimensions], village.display, r.review_levels[0].id)


def compile_rubric(rubric: Rubric, reads: CompiledRubric | None = None) -> CompiledRubric:
    """Compile a validated rubric; raises RubricProblems listing every problem found.

    `reads`: for a township or county rubric, the compiled village rubric it names in `reads`;
    its aggregates are compiled against it (without it they are declared, not compiled: the
    loader always passes it)."""
    c = _Compiler(rubric)
    c.declare()
    derived = c.compile_derived()
    exemptions = c.compile_exemptions()
    items: list[CompiledItem] = []
    for d_i, dim in enumerate(rubric.dimensions):
        for i_i, ind in enumerate(dim.indicators):
            for t_i, item in enumerate(ind.items):
                path = ("dimensions", d_i, "indicators", i_i, "items", t_i)
                items.append(c.compile_item(item, path, dim.id, ind.id, ind.scored_by, exemptions))
    if rubric.bonus is not None:
        for t_i, item in enumerate(rubric.bonus.items):
            items.append(c.compile_item(item, ("bonus", "items", t_i), None, None))
    vetoes = c.compile_vetoes()
    tiers = c.compile_tiers()
    aggregates: tuple[CompiledAggregate, ...] = ()
    namespace = None
    if reads is not None and rubric.aggregates:
        namespace, clashes = village_namespace(reads)
        aggregates, problems = compile_aggregates(rubric.aggregates, namespace)
        c.problems += problems
        clashes = [n for n in clashes if any(n in a.reads for a in aggregates)]
        if clashes:
            c.problems.append(Problem("R262", ("reads",), f"村级评分标准 {reads.ref} 声明的字段与村级结果名称重名："
                                      + "、".join(clashes) + "，汇总字段读到的是结果", hint="请在村级评分标准中改用其他字段 id"))
    if c.problems:
        raise RubricProblems(c.problems)
    return CompiledRubric(
        rubric=rubric,
        content_hash=content_hash(rubric),
        names=dict(c.names),
        specs=dict(c.specs),
        derived=derived,
        items=tuple(items),
        vetoes=vetoes,
        tiers=tiers,
        display={
            **{k: (v.label, v.unit) for k, v in c.specs.items()},
            **{d.id: (d.label, d.unit) for d in rubric.derived},
            **{a.id: (a.label, a.unit) for a in rubric.aggregates},
        },
        dimension_items=tuple(tuple(n for n, ci in enumerate(items) if ci.dimension == d.id) for d in rubric.dimensions),
        dimension_rescaled=tuple(tuple(n for n, ci in enumerate(items) if ci.dimension == d.id and ci.item.not_applicable == "rescale")
                                 for d in rubric.dimensions),
        aggregates=aggregates,
        reads_ref=reads.ref if reads is not None else None,
        reads_hash=reads.content_hash if reads is not None else None,
        village_namespace=namespace,
        exemptions=exemptions,
    )
