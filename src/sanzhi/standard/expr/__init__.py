"""The rubric expression language: compile once at rubric load, evaluate many times.

Rubric authors write conditions and formulas such as ``not plan_made``,
``collective_income >= (10 if county_class == '加快发展县' else 20)`` or
``min(3, meetings * 0.5)``. The language is a small, statically typed subset of Python
expressions (see tech-notes §3 for why an `ast` whitelist was chosen):

- parse with `ast` (`expr_source`), enforce a syntax whitelist and resolve names, then infer
  and check types against the declared fields (`expr_check`) — every mistake is an
  ExpressionError with a Chinese message and a character column, raised at load time;
- rewrite the checked tree into a sandboxed lambda with exact Decimal arithmetic
  (`expr_codegen`); raw text is never passed to eval.

Values passed to `Expression.evaluate` must already match the declared types (int or Decimal
for NUMBER — never float or bool —, bool, str, datetime.date, tuple[str, ...]); the input
layer validates them. Evaluation problems raise EvaluationError naming the expression.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sanzhi.standard.expr.check import check_structure
from sanzhi.standard.expr.codegen import ZeroDivisor, build_function
from sanzhi.standard.expr.source import parse
from sanzhi.standard.expr.typecheck import Typer
from sanzhi.standard.expr.types import EvaluationError, ExpressionError, NameType, ValueType

__all__ = [
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "NameType",
    "ValueType",
    "compile_expression",
]

_RESULT_CLASSES = {
    ValueType.BOOL: frozenset({bool}),
    ValueType.NUMBER: frozenset({int, Decimal}),
    ValueType.STRING: frozenset({str}),
    ValueType.DATE: frozenset({datetime.date}),
    ValueType.TAGS: frozenset({tuple}),
}


@dataclass(frozen=True)
class Expression:
    """A checked, compiled expression. Picklable: it pickles as its text and the types of the
    fields it reads, and is recompiled (and re-checked) when unpickled."""

    text: str
    result_type: ValueType
    names: frozenset[str]  # declared names it reads
    # Set once by compile_expression; not part of equality, hash or repr (derived from the above).
    _function: Callable[[Mapping[str, object]], object] = field(init=False, repr=False, compare=False)
    _name_types: dict[str, NameType] = field(init=False, repr=False, compare=False)
    _result_classes: frozenset[type] = field(init=False, repr=False, compare=False)

    def evaluate(self, values: Mapping[str, object]) -> object:
        try:
            result = self._function(values)
        except KeyError as exc:
            name = exc.args[0] if exc.args else "?"
            raise EvaluationError(f"缺少字段 “{name}” 的值", self.text) from None
        except ZeroDivisor as exc:
            raise EvaluationError(f"除数为零：{exc.divisor} = {exc.value}", self.text) from None
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise self._diagnose(values, exc) from None
        if result.__class__ not in self._result_classes:
            raise self._diagnose(values, None)
        return result

    def _diagnose(self, values: Mapping[str, object], exc: Exception | None) -> EvaluationError:
        """Slow path: name the field whose value does not match its declared type."""
        for name in sorted(self.names):
            declared = self._name_types[name]
            value = values.get(name)
            if not value_matches(declared.kind, value):
                label = f"（{declared.label}）" if declared.label else ""
                return EvaluationError(
                    f"字段 “{name}”{label} 的值 {value!r} 不是 {declared.kind.label}", self.text
                )
        if isinstance(exc, decimal.Overflow):
            return EvaluationError("数值超出范围", self.text)
        detail = type(exc).__name__ if exc is not None else "结果类型不符"
        return EvaluationError(f"计算出错（{detail}）", self.text)

    def __reduce__(
        self,
    ) -> tuple[
        Callable[[str, tuple[tuple[str, NameType], ...], ValueType], Expression],
        tuple[str, tuple[tuple[str, NameType], ...], ValueType],
    ]:
        types = tuple(sorted(self._name_types.items()))
        return (_restore, (self.text, types, self.result_type))


def _restore(
    text: str, types: tuple[tuple[str, NameType], ...], result_type: ValueType
) -> Expression:
    return compile_expression(text, dict(types), expect=result_type)


def value_matches(kind: ValueType, value: object) -> bool:
    """Whether a runtime value is a legal value of a declared type (used for diagnostics)."""
    if kind is ValueType.NUMBER:
        return value.__class__ is int or (value.__class__ is Decimal and value.is_finite())
    if kind is ValueType.BOOL:
        return value.__class__ is bool
    if kind is ValueType.STRING:
        return isinstance(value, str)
    if kind is ValueType.DATE:
        return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def compile_expression(
    text: str, names: Mapping[str, NameType], *, expect: ValueType | None = None
) -> Expression:
    """Parse, whitelist-check and type-check `text` against the declared `names`; compile it.

    Raises ExpressionError (Chinese message, character column, optional hint) on any problem,
    including a result type different from `expect`.
    """
    tree, src = parse(text)
    used = check_structure(tree, src, names)
    result = Typer(src, names).infer(tree.body).kind
    assert result is not None  # a bare list literal is rejected by check_structure
    if expect is not None and result is not expect:
        raise ExpressionError(
            f"期望结果为 {expect.label}，实际为 {result.label}", src.start(tree.body), text
        )
    expression = Expression(text, result, used)
    object.__setattr__(expression, "_function", build_function(tree, src))
    object.__setattr__(expression, "_name_types", {n: names[n] for n in used})
    object.__setattr__(expression, "_result_classes", _RESULT_CLASSES[result])
    return expression
