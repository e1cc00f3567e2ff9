"""Parsing rubric expression text with `ast`, and mapping positions back to characters.

Why: `ast` reports UTF-8 *byte* columns per line, while rubric authors write Chinese text and
need a caret under the right *character*. This module owns that conversion, the tolerance for
leading whitespace / line breaks that YAML block scalars introduce, and the translation of
Python's English syntax errors into Chinese.
"""

from __future__ import annotations

import ast
import re
import unicodedata

from sanzhi.standard.expr.types import ExpressionError

MAX_LENGTH = 1000
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LEADING_SPACE = " \t\r\n\f"


class Source:
    """The expression text plus the (possibly adjusted) string actually given to `ast.parse`."""

    def __init__(self, text: str, body: str, shift: int) -> None:
        self.text = text
        self.body = body  # what was parsed
        self.shift = shift  # text offset = body offset + shift
        self._lines = _NEWLINE.split(body)
        starts, pos = [], 0
        for m in _NEWLINE.finditer(body):
            starts.append(pos)
            pos = m.end()
        starts.append(pos)
        self._starts = starts

    def _clamp(self, offset: int) -> int:
        return max(0, min(len(self.text), offset + self.shift))

    def offset(self, lineno: int | None, byte_col: int | None) -> int:
        """Character offset into `text` of an `ast` position (1-based line, UTF-8 byte column)."""
        if not lineno or byte_col is None:
            return self._clamp(0)
        i = min(lineno, len(self._lines)) - 1
        chars = len(self._lines[i].encode("utf-8")[:byte_col].decode("utf-8", "ignore"))
        return self._clamp(self._starts[i] + chars)

    def char_offset(self, lineno: int | None, char_col: int) -> int:
        """Character offset into `text` of a (1-based line, character column) position."""
        if not lineno:
            return self._clamp(char_col)
        i = min(lineno, len(self._lines)) - 1
        return self._clamp(self._starts[i] + char_col)

    def start(self, node: ast.AST) -> int:
        return self.offset(getattr(node, "lineno", None), getattr(node, "col_offset", None))

    def end(self, node: ast.AST) -> int:
        return self.offset(getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None))

    def segment(self, node: ast.AST) -> str:
        return self.text[self.start(node) : self.end(node)]

    def find(self, symbol: str, start: int, stop: int) -> int:
        """Offset of `symbol` in text[start:stop] (e.g. an operator between operands), or start."""
        found = self.text.find(symbol, start, stop)
        return found if found >= 0 else start

    def rfind(self, symbol: str, start: int, stop: int) -> int:
        found = self.text.rfind(symbol, start, stop)
        return found if found >= 0 else stop

    def error(
        self, message: str, node_or_column: ast.AST | int, hint: str | None = None
    ) -> ExpressionError:
        column = node_or_column if isinstance(node_or_column, int) else self.start(node_or_column)
        return ExpressionError(message, column, self.text, hint)


def parse(text: str) -> tuple[ast.Expression, Source]:
    """Parse `text` in eval mode; raise ExpressionError with a Chinese message on failure."""
    if not isinstance(text, str):
        raise ExpressionError("表达式必须是文本", 0, str(text))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"表达式过长：{len(text)} 个字符，上限为 {MAX_LENGTH}", MAX_LENGTH, text
        )
    stripped = text.lstrip(_LEADING_SPACE)
    lead = len(text) - len(stripped)
    if not stripped.strip():
        raise ExpressionError("表达式为空", 0, text)
    source = Source(text, stripped, lead)
    try:
        return _parse(stripped), source
    except SyntaxError as exc:
        first = exc
    except (RecursionError, MemoryError):
        raise ExpressionError("表达式嵌套过深", 0, text) from None
    if "\n" in stripped or "\r" in stripped:
        # A YAML block scalar may break a long condition over lines; accept it as if the
        # whole text were inside parentheses. If that fails too, report its error unless it
        # points at one of the added parentheses.
        wrapped = Source(text, "(" + stripped + "\n)", lead - 1)
        try:
            return _parse(wrapped.body), wrapped
        except SyntaxError as exc:
            last_line = len(wrapped._lines)
            if exc.lineno and (exc.lineno, exc.offset) != (1, 1) and exc.lineno < last_line:
                raise _syntax_error(exc, wrapped) from None
        except (RecursionError, MemoryError):
            pass
    raise _syntax_error(first, source) from None


def _parse(body: str) -> ast.Expression:
    tree = ast.parse(body, mode="eval")
    assert isinstance(tree, ast.Expression)
    return tree


_FULLWIDTH_EXTRA = {"“": '"', "”": '"', "‘": "'", "’": "'", "、": ",", "。": ".", "\u3000": " "}


def _syntax_error(exc: SyntaxError, source: Source) -> ExpressionError:
    msg = exc.msg or ""
    col = source.char_offset(exc.lineno, (exc.offset or 1) - 1)
    text = source.text
    detail, hint = "", None
    bad = re.search(r"invalid (?:non-printable )?character '?(.)?'? ?\(?U\+([0-9A-F]+)", msg)
    if bad:
        ch = chr(int(bad.group(2), 16))
        ascii_form = _FULLWIDTH_EXTRA.get(ch) or unicodedata.normalize("NFKC", ch)
        shown = "全角空格" if ch == "\u3000" else f"“{ch}”"
        detail = f"不能使用字符 {shown}"
        if ascii_form.isascii() and ascii_form.strip():
            hint = f"请改用半角（英文）符号 “{ascii_form}”"
        elif ch == "\u3000":
            hint = "请改用半角空格"
    elif msg.startswith("unterminated string"):
        detail = "文本缺少结尾的引号"
    elif msg.startswith("unterminated triple-quoted"):
        detail = "文本缺少结尾的三引号"
    elif "was never closed" in msg:
        detail = f"括号 “{msg[1]}” 没有闭合"
    elif msg.startswith("unmatched"):
        detail = f"多余的右括号 “{msg[-2]}”"
    elif msg.startswith("closing parenthesis"):
        detail = "左右括号不匹配"
    elif msg.startswith("expected 'else'"):
        detail = "条件表达式缺少 else 部分（写法：甲 if 条件 else 乙）"
    elif "invalid decimal literal" in msg or "invalid digit" in msg:
        detail = "数字写法不正确"
    elif "null bytes" in msg:
        detail = "包含空字符"
    if not hint:
        here = text[col : col + 2]
        if "Maybe you meant '=='" in msg or (here[:1] == "=" and here != "=="):
            hint = "判断相等请写 “==”"
        elif "&&" in text[col - 1 : col + 2] or "||" in text[col - 1 : col + 2] or here[:1] == "!":
            hint = "“并且/或者/非” 请写 and / or / not"
    return ExpressionError("语法错误" + (f"：{detail}" if detail else ""), col, text, hint)
