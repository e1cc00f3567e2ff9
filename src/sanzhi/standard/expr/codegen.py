"""Turning a checked expression tree into a fast, sandboxed Python function.

Why: scoring evaluates every rubric condition for every village, so evaluation must cost well
under a microsecond, yet it must never reach Python's builtins or produce a float. The checked
tree is rewritten (never the raw text) into ``lambda _v: <body>`` where

- each field ``x`` becomes ``_v['x']`` (so a missing value is a KeyError, not a builtin);
- each float literal becomes a module-free global holding ``Decimal(<literal text>)``;
- ``/``, ``//`` and ``%`` become calls of `_div`, `_floordiv`, `_mod` (exact Decimal
  division, Python floor semantics for Decimals too, and a named zero-divisor error);
- ``min/max/abs/len`` become the internal names ``_min`` ... (a field may be called ``min``);
- unary ``+`` is dropped (on a Decimal it would round to the context precision).

and compiled once, then run with ``{"__builtins__": {}}`` as its globals.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable
from decimal import Decimal

from sanzhi.standard.expr.source import Source

# Division is done in a fixed context so results do not depend on a thread's decimal context.
DIVISION_CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_divide = DIVISION_CONTEXT.divide
_divmod = DIVISION_CONTEXT.divmod
_remainder = DIVISION_CONTEXT.remainder


class ZeroDivisor(ArithmeticError):
    """Internal: raised by the helpers, turned into EvaluationError by Expression.evaluate."""

    def __init__(self, divisor: str, value: object) -> None:
        super().__init__(divisor, value)
        self.divisor = divisor
        self.value = value


# A NUMBER value at run time: int or Decimal (the input layer never passes float or bool).
Number = int | Decimal


def _div(a: Number, b: Number, divisor: str) -> Decimal:
    if not b:
        raise ZeroDivisor(divisor, b)
    return _divide(a, b)


def _floordiv(a: Number, b: Number, divisor: str) -> Number:
    if not b:
        raise ZeroDivisor(divisor, b)
    if a.__class__ is int and b.__class__ is int:
        return a // b
    q, r = _divmod(a, b)  # Decimal divmod truncates towards zero; Python's // floors
    if r and (r < 0) != (b < 0):
        q = DIVISION_CONTEXT.subtract(q, 1)
    return q


def _mod(a: Number, b: Number, divisor: str) -> Number:
    if not b:
        raise ZeroDivisor(divisor, b)
    if a.__class__ is int and b.__class__ is int:
        return a % b
    r = _remainder(a, b)  # sign of the dividend; Python's % takes the divisor's sign
    if r and (r < 0) != (b < 0):
        r = DIVISION_CONTEXT.add(r, b)
    return r


_RUNTIME = {
    "_div": _div,
    "_floordiv": _floordiv,
    "_mod": _mod,
    "_min": min,
    "_max": max,
    "_abs": abs,
    "_len": len,
}
_HELPER = {ast.Div: "_div", ast.FloorDiv: "_floordiv", ast.Mod: "_mod"}


def decimal_literal(src: Source, node: ast.Constant) -> Decimal:
    """The exact Decimal a float literal denotes, from its source text (``0.1`` → 0.1 exactly)."""
    try:
        return Decimal(src.segment(node))
    except (
        decimal.InvalidOperation
    ):  # cannot happen for a float token, but never fall back silently
        return Decimal(repr(node.value))


class _Rewriter(ast.NodeTransformer):
    def __init__(self, src: Source) -> None:
        self.src = src
        self.constants: dict[str, object] = {}

    def constant(self, value: object, like: ast.AST) -> ast.Name:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return ast.copy_location(ast.Name(id=name, ctx=ast.Load()), like)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = ast.Name(id="_v", ctx=ast.Load())
        return ast.copy_location(
            ast.Subscript(value=value, slice=ast.Constant(node.id), ctx=ast.Load()), node
        )

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, float):
            return self.constant(decimal_literal(self.src, node), node)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        if isinstance(node.op, ast.UAdd):
            return self.visit(node.operand)
        return self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        helper = _HELPER.get(type(node.op))
        divisor = " ".join(self.src.segment(node.right).split())
        self.generic_visit(node)
        if helper is None:
            return node
        call = ast.Call(
            func=ast.Name(id=helper, ctx=ast.Load()),
            args=[node.left, node.right, ast.Constant(divisor)],
            keywords=[],
        )
        return ast.copy_location(call, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        args = [self.visit(a) for a in node.args]
        assert isinstance(node.func, ast.Name)  # check_structure admits only calls of a name
        func = ast.copy_location(ast.Name(id="_" + node.func.id, ctx=ast.Load()), node.func)
        return ast.copy_location(ast.Call(func=func, args=args, keywords=[]), node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        comparators: list[ast.expr] = []
        for op, comp in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)) and isinstance(comp, (ast.Tuple, ast.List)):
                literals = [e for e in comp.elts if isinstance(e, ast.Constant)]
                if len(literals) == len(comp.elts):
                    values = tuple(
                        decimal_literal(self.src, e) if isinstance(e.value, float) else e.value
                        for e in literals
                    )
                    comparators.append(self.constant(values, comp))
                    continue
                comp = ast.copy_location(
                    ast.Tuple(elts=[self.visit(e) for e in comp.elts], ctx=ast.Load()), comp
                )
                comparators.append(comp)
                continue
            comparators.append(self.visit(comp))
        new = ast.Compare(left=self.visit(node.left), ops=node.ops, comparators=comparators)
        return ast.copy_location(new, node)


def build_function(tree: ast.Expression, src: Source) -> Callable[[object], object]:
    """Compile a checked tree into ``fn(values) -> result``."""
    rewriter = _Rewriter(src)
    body = rewriter.visit(tree.body)
    args = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg="_v")],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )
    lam = ast.Expression(body=ast.copy_location(ast.Lambda(args=args, body=body), tree.body))
    code = compile(ast.fix_missing_locations(lam), "<sanzhi expression>", "eval")
    namespace = {"__builtins__": {}, **_RUNTIME, **rewriter.constants}
    return eval(
        code, namespace
    )  # evaluates the *compiled, checked tree*: it only builds the lambda
