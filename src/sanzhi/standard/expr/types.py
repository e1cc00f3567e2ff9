"""Value types, declared-name types and the two error types of the rubric expression language.

Why separate: the rubric schema and the scoring layer need these names without pulling in the
parser/type checker (`expr_check`) or the code generator (`expr_codegen`).
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

from sanzhi.common.errors import SanzhiError


class ValueType(enum.Enum):
    """The five value types a rubric expression (or a declared field) can have."""

    BOOL = "bool"
    NUMBER = "number"  # int or decimal.Decimal, never float
    STRING = "string"
    DATE = "date"  # datetime.date
    TAGS = "tags"  # tuple[str, ...], e.g. the honorary titles a village holds

    @property
    def label(self) -> str:
        """The Chinese name used in every message, e.g. ``是/否``."""
        return _LABELS[self]


_LABELS = {
    ValueType.BOOL: "是/否",
    ValueType.NUMBER: "数值",
    ValueType.STRING: "文本",
    ValueType.DATE: "日期",
    ValueType.TAGS: "标签列表",
}


@dataclass(frozen=True)
class NameType:
    """The declared type of one field an expression may read.

    `choices` (STRING and TAGS only) lets the checker reject misspelt literals at load time;
    `label` is the Chinese field label shown next to the name in messages.
    """

    kind: ValueType
    choices: tuple[str, ...] | None = None
    label: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ValueType):
            raise TypeError(f"NameType.kind must be a ValueType, got {self.kind!r}")
        if self.choices is not None:
            choices = tuple(self.choices)
            if choices and self.kind not in (ValueType.STRING, ValueType.TAGS):
                raise ValueError("NameType.choices is only meaningful for STRING and TAGS")
            if not all(isinstance(c, str) for c in choices):
                raise TypeError("NameType.choices must be strings")
            object.__setattr__(self, "choices", choices)


class ExpressionError(SanzhiError):
    """A rubric expression is invalid; raised when the rubric is loaded, never while scoring.

    `column` is a 0-based *character* offset into `text` (not a UTF-8 byte offset).
    """

    def __init__(self, message: str, column: int, text: str, hint: str | None = None) -> None:
        self.message = message
        self.column = column
        self.text = text
        self.hint = hint
        super().__init__(message, column, text, hint)

    def __str__(self) -> str:
        hint = f"（{self.hint}）" if self.hint else ""
        return f"{self.message}{hint}\n{self.pointer()}"

    def __reduce__(self) -> tuple[type[ExpressionError], tuple[str, int, str, str | None]]:
        # keep pickling working across process pools
        return (type(self), (self.message, self.column, self.text, self.hint))

    def pointer(self) -> str:
        """Two lines: the expression, and a caret under `column` (CJK counted as 2 cells)."""
        first_line_end = self.text.find("\n", self.column)
        line_start = self.text.rfind("\n", 0, self.column) + 1
        line = self.text[line_start : first_line_end if first_line_end >= 0 else len(self.text)]
        before = self.text[line_start : self.column]
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in before)
        return f"  {line}\n  {' ' * width}^"


class EvaluationError(SanzhiError):
    """Evaluating a (valid) expression failed for particular values, e.g. a zero divisor."""

    def __init__(self, message: str, text: str | None = None) -> None:
        self.message = message
        self.text = text
        super().__init__(message, text)

    def __str__(self) -> str:
        return f"{self.message}（表达式：{self.text}）" if self.text else self.message

    def __reduce__(self) -> tuple[type[EvaluationError], tuple[str, str | None]]:
        return (type(self), (self.message, self.text))
