"""Turn what a clerk typed into a typed value for one declared field.

Shared by every input format (YAML, JSON, CSV, Excel) so "是", "√", "１２" and "2025年3月1日"
mean the same everywhere. Anything ambiguous is an error, never a guess.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sanzhi.common.numbers import fmt
from sanzhi.standard.fields import MAX_MAGNITUDE, FieldSpec

TRUE_WORDS = frozenset({"是", "有", "√", "✓", "✔", "y", "yes", "true", "t", "1", "已", "已完成", "符合"})
FALSE_WORDS = frozenset({"否", "无", "×", "✗", "✘", "x", "n", "no", "false", "f", "0", "未", "未完成", "不符合"})
_DATE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")
# How precise a number may be written: `1e999999999` for an integer field would otherwise be
# turned into a billion-digit int, and 0.000…1 with a million zeros printed in full.
_MAX_DIGITS = 30
_MIN_EXPONENT = -30
_INTEGER_DIGITS = len(str(MAX_MAGNITUDE)) - 1  # 15
_TAG_SEPARATORS = "、,，;；\n"
_TAG_SPLIT = re.compile(f"[{_TAG_SEPARATORS}]+")
NO_TAGS = "无"  # an empty set of tags written in a cell, where [] cannot be typed


class Unusable:
    """A raw value a reader could not take as typed, e.g. an Excel cell holding a formula error.

    Readers pass it on like any raw value, so the problem is reported in the same place and
    words as every other invalid value: parse_value raises ValueProblem(expected, `found`).
    """

    __slots__ = ("found",)

    def __init__(self, found: str) -> None:
        self.found = found

    def __repr__(self) -> str:
        return f"Unusable({self.found!r})"


class ValueProblem(ValueError):
    """Expected/found in the clerk's terms: 期望：非负整数；实际：“三次”."""

    def __init__(self, expected: str, found: str) -> None:
        self.expected = expected
        self.found = found
        super().__init__(f"期望：{expected}；实际：{found}")


def _quoted(raw: object) -> str:
    if isinstance(raw, datetime):  # an Excel date cell: show it as the clerk saw it
        return f"{raw:%Y-%m-%d}" if raw.time() == datetime.min.time() else f"{raw:%Y-%m-%d %H:%M}"
    return f"“{raw}”" if isinstance(raw, str) else str(raw)


def normalize_text(raw: str) -> str:
    # NFKC folds full-width digits, letters and punctuation (１２ → 12, ．→ .).
    return unicodedata.normalize("NFKC", raw).strip()


def _number(spec: FieldSpec, raw: object) -> Decimal:
    return _bounded(spec, _plain_number(spec, raw), raw)


def _bounded(spec: FieldSpec, value: Decimal, raw: object) -> Decimal:
    _, digits, exponent = value.as_tuple()
    if value.adjusted() >= _INTEGER_DIGITS or len(digits) > _MAX_DIGITS or (isinstance(exponent, int) and exponent < _MIN_EXPONENT):
        raise ValueProblem(_expected_number(spec) + f"，且整数部分不超过 {_INTEGER_DIGITS} 位、有效数字不超过 {_MAX_DIGITS} 位", _quoted(raw))
    return value


def _plain_number(spec: FieldSpec, raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise ValueProblem(_expected_number(spec), _quoted(raw))
    if isinstance(raw, (int, Decimal)):
        value = Decimal(raw)
        if not value.is_finite():
            raise ValueProblem(_expected_number(spec), _quoted(raw))
        return value
    if isinstance(raw, str):
        text = normalize_text(raw)
        if spec.unit and text.endswith(normalize_text(spec.unit)):
            text = text[: -len(normalize_text(spec.unit))].strip()
        if "," in text:
            # 1,234 may be a thousands separator or a list: refuse to guess.
            raise ValueProblem(_expected_number(spec) + "（不要使用千位分隔符）", _quoted(raw))
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueProblem(_expected_number(spec), _quoted(raw)) from None
        if not value.is_finite():
            raise ValueProblem(_expected_number(spec), _quoted(raw))
        return value
    raise ValueProblem(_expected_number(spec), _quoted(raw))


def _expected_number(spec: FieldSpec) -> str:
    kind = "整数" if spec.type == "integer" else "数值"
    if spec.min is not None and spec.min >= 0 and spec.max is None:
        kind = "非负" + kind
    if spec.min is not None and spec.max is not None:
        kind = f"{fmt(spec.min)} 到 {fmt(spec.max)} 之间的{kind}"
    elif spec.max is not None:
        kind = f"不大于 {fmt(spec.max)} 的{kind}"
    elif spec.min is not None and spec.min != 0:
        kind = f"不小于 {fmt(spec.min)} 的{kind}"
    return kind + (f"（单位：{spec.unit}）" if spec.unit else "")


def _range(spec: FieldSpec, value: Decimal, raw: object) -> None:
    if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
        raise ValueProblem(_expected_number(spec), _quoted(raw))


def _bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = normalize_text(raw).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
    raise ValueProblem(_BOOL_EXPECTED, _quoted(raw))


_BOOL_EXPECTED = "是 或 否（也可写 √ / ×）"


def _date(spec: FieldSpec, raw: object) -> date:
    day = _plain_date(raw)
    if spec.earliest is not None and day < spec.earliest:
        raise ValueProblem(f"{spec.earliest.isoformat()} 或之后的日期", _quoted(raw))
    return day


def _plain_date(raw: object) -> date:
    if isinstance(raw, datetime):
        if raw.time() != datetime.min.time():
            raise ValueProblem("日期（不带时间）", _quoted(raw))
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        m = _DATE.match(normalize_text(raw))
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
    raise ValueProblem(_DATE_EXPECTED, _quoted(raw))


_DATE_EXPECTED = "日期，如 2025-03-01 或 2025年3月1日"


def expected_text(spec: FieldSpec) -> str:
    """What a valid value of `spec` looks like, in the words errors use ("非负整数（单位：项）")."""
    match spec.type:
        case "bool":
            return _BOOL_EXPECTED
        case "integer" | "decimal":
            return _expected_number(spec)
        case "choice":
            return "、".join(spec.choices or ()) + " 之一"
        case "tags":
            return _tags_expected(spec)
        case "date":
            return _DATE_EXPECTED if spec.earliest is None else f"{spec.earliest.isoformat()} 或之后的日期"
    return "文本"


def _tags_expected(spec: FieldSpec) -> str:
    none = f"；一项也没有填“{NO_TAGS}”" if NO_TAGS not in (spec.choices or ()) else ""
    return "以下选项中的若干项：" + "、".join(spec.choices or ()) + none


def _tags(spec: FieldSpec, raw: object) -> tuple[str, ...]:
    assert spec.choices is not None
    if isinstance(raw, (list, tuple)):
        parts = [normalize_text(str(p)) for p in raw]
    else:
        parts = _split_tags(spec, normalize_text(str(raw)))
    if parts == [NO_TAGS] and NO_TAGS not in spec.choices:
        return ()
    chosen = set()
    for part in parts:
        if not part:
            continue
        match_ = next((c for c in spec.choices if normalize_text(c) == part), None)
        if match_ is None:
            raise ValueProblem(_tags_expected(spec), _quoted(part))
        chosen.add(match_)
    # Canonical order (the rubric's) so equal answers give equal bytes of output.
    return tuple(c for c in spec.choices if c in chosen)


def _split_tags(spec: FieldSpec, text: str) -> list[str]:
    """Split “善治村、文明村” into choices; a choice may itself hold a separator
    (“法治文化广场(公园、长廊)”), so known choices are matched first, longest first."""
    choices = sorted({normalize_text(c) for c in spec.choices or ()}, key=len, reverse=True)
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos] in _TAG_SEPARATORS or text[pos].isspace():
            pos += 1
            continue
        for choice in choices:
            if not text.startswith(choice, pos):
                continue
            end = pos + len(choice)
            rest = text[end:].lstrip()
            if not rest or rest[0] in _TAG_SEPARATORS:
                parts.append(choice)
                pos = end
                break
        else:
            m = _TAG_SPLIT.search(text, pos)
            parts.append(text[pos : m.start() if m else len(text)].strip())
            pos = m.end() if m else len(text)
    return parts


def parse_value(spec: FieldSpec, raw: object) -> object:
    """Typed value for `raw`, or ValueProblem. `raw` is never None here: empty = absent."""
    if isinstance(raw, Unusable):
        raise ValueProblem(expected_text(spec), raw.found)
    match spec.type:
        case "bool":
            return _bool(raw)
        case "integer":
            value = _number(spec, raw)
            if value != value.to_integral_value():
                raise ValueProblem(_expected_number(spec), _quoted(raw))
            _range(spec, value, raw)
            return int(value)
        case "decimal":
            value = _number(spec, raw)
            _range(spec, value, raw)
            return value
        case "choice":
            text = normalize_text(str(raw)) if isinstance(raw, (str, int, Decimal)) else None
            assert spec.choices is not None
            for choice in spec.choices:
                if text == normalize_text(choice):
                    return choice
            raise ValueProblem("、".join(spec.choices) + " 之一", _quoted(raw))
        case "tags":
            return _tags(spec, raw)
        case "date":
            return _date(spec, raw)
        case "text":
            if isinstance(raw, (dict, list)):
                raise ValueProblem("文本", "列表或映射")
            text = str(raw).strip()
            if len(text) > TEXT_MAX:
                raise ValueProblem(f"不超过 {TEXT_MAX} 个字符的文本", f"{len(text):,} 个字符的文本")
            return text
    raise AssertionError(spec.type)  # pragma: no cover


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and normalize_text(raw) in ("", "-", "—", "／", "/"))


def says_something(text: str) -> bool:
    """Whether a reason or a name holds a letter or a digit: "-", "……" or a zero-width space
    (which str.strip() keeps) say nothing, and must not pass for a reason."""
    for ch in text:
        if ch.isalnum():  # the fast path: the first character of a real reason
            return True
    return False


TEXT_MAX = 2000  # characters of a text answer; Excel itself holds 32,767 in a cell
