"""Aggregate fields (汇总字段) of a township or county rubric, compiled against the village rubric.

A unit rubric (`unit: township | county`) names the village rubric of the run it reads
(`reads: ID@VERSION`) and declares `aggregates:` like derived fields, e.g.

    - {id: adviser_share, label: 法律顾问覆盖率, unit: "%", expr: share(legal_adviser_assigned)}
    - {id: grids_per_1000, label: 每千户网格数, unit: 个, expr: sum(grids) * 1000 / sum(households)}

An expression is arithmetic over aggregate calls. Each call's argument is a village-level
expression, compiled by the expression language against the village namespace (`village_names`:
the village rubric's attributes, fields and derived fields plus the village's results); the
arithmetic around the calls is compiled with each call replaced by a placeholder name of the
same length, so a caret in an error message points into the text as written.

Why calls are cut out here rather than added to the expression language: the argument of
`share(…)` is evaluated once per village, the arithmetic once per unit; two namespaces and two
evaluation loops. The expression language stays a per-record language, and this module only
uses its public compiler. Evaluation is `sanzhi.scoring.units` (pure, over stored facts).

    count(cond)  villages where cond holds (是/否)          share(cond)  the same, as a percentage
    mean(x)      mean over villages with a value (数值)      sum(x)       total over them
    min(x)       lowest (one argument; min(a, b) is the ordinary minimum of two numbers)
    max(x)       highest
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sanzhi.standard.expr import (
    Expression,
    ExpressionError,
    NameType,
    ValueType,
    compile_expression,
)
from sanzhi.standard.expr.check import close_matches
from sanzhi.standard.expr.source import parse
from sanzhi.standard.fields import Aggregate
from sanzhi.standard.problems import Problem

#: Aggregate function → the type its argument must have.
FUNCTIONS: dict[str, ValueType] = {
    "count": ValueType.BOOL,
    "share": ValueType.BOOL,
    "mean": ValueType.NUMBER,
    "sum": ValueType.NUMBER,
    "min": ValueType.NUMBER,
    "max": ValueType.NUMBER,
}
FUNCTION_WORDS = {"count": "村数", "share": "占比", "mean": "平均", "sum": "合计", "min": "最低", "max": "最高"}
_SCALAR_TOO = ("min", "max")  # with two or more arguments: the ordinary min/max of the unit level

#: Result names every village offers to aggregates, beside its rubric's own names.
RESULT_NAMES = ("total", "self_total", "rating", "rating_tier", "vetoed")
DIMENSION_PREFIX = "dim_"
_NOT_IDENT = re.compile(r"\W")


def dimension_name(dimension_id: str) -> str:
    """The name of a dimension's score in aggregates: ``dim_1`` for dimension "1", ``dim_一`` for "一"."""
    return DIMENSION_PREFIX + _NOT_IDENT.sub("_", dimension_id)


@dataclass(frozen=True, slots=True)
class VillageNamespace:
    """What a village offers to aggregate calls: each name's type, and where its value is stored."""

    names: Mapping[str, NameType]
    results: frozenset[str]  # names that are results (stored in the result tables), not values
    dimensions: Mapping[str, str]  # dim_<id> → dimension id
    display: Mapping[str, tuple[str, str | None]]  # name → (label, unit), for the villages listed
    first_level: str  # the village rubric's first review level: whose total is `self_total`


def village_names(names: Mapping[str, NameType], tier_ids: Sequence[str], rating_names: Sequence[str],
                  dimensions: Sequence[tuple[str, str]], display: Mapping[str, tuple[str, str | None]],
                  first_level: str) -> tuple[VillageNamespace, list[str]]:
    """The village namespace of a village rubric: its declared names (`names`), its tier ids, every
    rating name a village can get, and its dimensions (id, name). Also returns the names the
    rubric declares that clash with a result name (they cannot be read by aggregates)."""
    out = dict(names)
    results = {
        "total": NameType(ValueType.NUMBER, None, "总分"),
        "self_total": NameType(ValueType.NUMBER, None, "自评总分"),
        "rating": NameType(ValueType.STRING, tuple(dict.fromkeys(rating_names)), "等级"),
        "rating_tier": NameType(ValueType.STRING, tuple(tier_ids), "等级 id"),
        "vetoed": NameType(ValueType.BOOL, None, "一票否决"),
    }
    dims = {dimension_name(did): did for did, _ in dimensions}
    for did, dname in dimensions:
        results[dimension_name(did)] = NameType(ValueType.NUMBER, None, f"{dname}得分")
    clashes = sorted(n for n in results if n in out)
    out.update(results)
    shown = {**display, **{n: (t.label or n, "分" if t.kind is ValueType.NUMBER else None) for n, t in results.items()}}
    return VillageNamespace(out, frozenset(results), dims, shown, first_level), clashes


@dataclass(frozen=True, slots=True)
class AggregateCall:
    """One aggregate function call: `function(argument)` over the villages of a unit."""

    function: str
    argument: str  # as written
    inner: Expression  # the argument, over the village namespace
    placeholder: str  # its name in `CompiledAggregate.outer`

    @property
    def text(self) -> str:
        return f"{self.function}({' '.join(self.argument.split())})"


@dataclass(frozen=True, slots=True)
class CompiledAggregate:
    spec: Aggregate
    calls: tuple[AggregateCall, ...]
    outer: Expression  # over the calls' placeholders
    bare: bool  # the whole expression is one call (the explanation then shows the call's figures)

    @property
    def reads(self) -> frozenset[str]:
        """Village-level names this aggregate reads."""
        return frozenset(n for c in self.calls for n in c.inner.names)


def _placeholder(n: int, width: int) -> str:
    # Upper case: declared names are snake_case, so a placeholder never shadows one.
    base = f"A{n}"
    return base + "x" * max(0, width - len(base))


def compile_aggregate(agg: Aggregate, village: VillageNamespace) -> CompiledAggregate:
    """Compile one aggregate's expression; raises ExpressionError with a column into `agg.expr`."""
    text = agg.expr
    tree, src = parse(text)
    calls: list[tuple[int, int, ast.Call]] = []

    def visit(node: ast.AST, inside: ast.Call | None) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS:
            name = node.func.id
            if name in _SCALAR_TOO and len(node.args) >= 2:
                for arg in node.args:
                    visit(arg, inside)
                return
            if inside is not None:
                raise src.error(f"汇总函数不能嵌套：{name}(…) 写在了 {inside.func.id}(…) 之内",  # type: ignore[attr-defined]
                                node.func, "汇总函数的参数是每个村的取值或条件，例如 share(legal_adviser_assigned)")
            if node.keywords:
                raise src.error("汇总函数不支持关键字参数", node.keywords[0])
            if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise src.error(f"{name} 需要恰好 1 个参数（每个村的{'条件' if FUNCTIONS[name] is ValueType.BOOL else '取值'}）",
                                node.func)
            calls.append((src.start(node), src.end(node), node))
            visit(node.args[0], node)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree.body, None)
    if not calls:
        raise ExpressionError("汇总字段须使用汇总函数 count、share、mean、sum、min、max 之一", src.start(tree.body), text,
                              "例如 share(legal_adviser_assigned)：本乡镇各村中已配备法律顾问的村所占百分比")
    compiled_calls: list[AggregateCall] = []
    placeholders: dict[str, NameType] = {}
    ordered = sorted(calls, key=lambda c: c[0])
    for n, (start, end, node) in enumerate(ordered):
        arg = node.args[0]
        fn = node.func.id  # type: ignore[attr-defined]
        argument = src.segment(arg)
        try:
            inner = compile_expression(argument, village.names, expect=FUNCTIONS[fn])
        except ExpressionError as e:
            message = e.message
            if message.startswith("期望结果为"):  # the argument's type: say it in the function's words
                found = message.rsplit("实际为 ", 1)[-1]
                message = (f"{fn} 的参数须是每个村的{'条件（是/否）' if FUNCTIONS[fn] is ValueType.BOOL else '数值'}，"
                           f"而 “{' '.join(argument.split())}” 是 {found}")
            raise ExpressionError(message, src.start(arg) + e.column, text, e.hint) from None
        ph = _placeholder(n, end - start)
        placeholders[ph] = NameType(ValueType.NUMBER, None, f"{fn}(…)")
        compiled_calls.append(AggregateCall(fn, argument, inner, ph))
    outer_text = text
    for call, (start, end, _) in reversed(list(zip(compiled_calls, ordered))):
        outer_text = outer_text[:start] + call.placeholder + outer_text[end:]
    try:
        outer = compile_expression(outer_text, placeholders, expect=ValueType.NUMBER)
    except ExpressionError as e:
        message, hint = e.message, e.hint
        word = outer_text[e.column:].split(" ", 1)[0]
        bare = re.match(r"[A-Za-z_\u4e00-\u9fff][\w]*", word)
        if bare and bare.group(0) in village.names:
            message = f"村级字段 “{bare.group(0)}” 须写在汇总函数之内"
            hint = f"例如 mean({bare.group(0)}) 或 sum({bare.group(0)})"
        elif bare and message.startswith("未声明的字段"):
            hint = close_matches(bare.group(0), list(FUNCTIONS)) or "汇总字段只能由汇总函数和数值运算组成"
        raise ExpressionError(message, e.column, text, hint) from None
    whole = tree.body
    bare_call = len(calls) == 1 and isinstance(whole, ast.Call) and calls[0][2] is whole
    return CompiledAggregate(agg, tuple(compiled_calls), outer, bare_call)


def compile_aggregates(aggregates: Sequence[Aggregate], village: VillageNamespace) -> tuple[tuple[CompiledAggregate, ...], list[Problem]]:
    out: list[CompiledAggregate] = []
    problems: list[Problem] = []
    for i, agg in enumerate(aggregates):
        try:
            out.append(compile_aggregate(agg, village))
        except ExpressionError as e:
            problems.append(Problem("R210", ("aggregates", i, "expr"), e.message, hint=e.hint, found=agg.expr,
                                    column_offset=e.column))
    return tuple(out), problems


__all__ = [
    "DIMENSION_PREFIX",
    "FUNCTIONS",
    "FUNCTION_WORDS",
    "RESULT_NAMES",
    "AggregateCall",
    "CompiledAggregate",
    "VillageNamespace",
    "compile_aggregate",
    "compile_aggregates",
    "dimension_name",
    "village_names",
]
