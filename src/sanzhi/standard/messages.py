"""Chinese messages for pydantic validation errors, keyed by the error `type`.

Why keyed by type: pydantic's English wording changes between releases; its error types
and `ctx` values are part of its API.
"""

import re
from collections.abc import Mapping
from typing import Any

_SIMPLE = {
    "string_type": ("应为文本", "文本"),
    "bool_type": ("应为 true 或 false", "true / false"),
    "bool_parsing": ("应为 true 或 false", "true / false"),
    "int_type": ("应为整数", "整数"),
    "int_parsing": ("应为整数", "整数"),
    "int_from_float": ("应为整数", "整数"),
    "decimal_type": ("应为数值", "数值"),
    "decimal_parsing": ("应为数值", "数值"),
    "finite_number": ("不能是无穷大或 NaN", "有限数值"),
    "date_type": ("应为日期", "YYYY-MM-DD 形式的日期"),
    "date_parsing": ("日期格式无效", "YYYY-MM-DD 形式的日期"),
    "date_from_datetime_parsing": ("日期格式无效", "YYYY-MM-DD 形式的日期"),
    "tuple_type": ("应为列表", "以 - 开头的列表"),
    "list_type": ("应为列表", "以 - 开头的列表"),
    "dict_type": ("应为键值映射", "key: value 形式的映射"),
    "model_type": ("应为键值映射", "key: value 形式的映射"),
    "model_attributes_type": ("应为键值映射", "key: value 形式的映射"),
    "union_tag_not_found": ("缺少 kind 字段，无法判断规则类型", None),
}

_PATTERN_TEXT = {
    r"^[a-z][a-z0-9_]*$": "小写英文字母开头、由小写字母、数字和下划线组成的标识符（如 plan_made）",
}


def describe(err: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    """(message, expected, found) for one pydantic error dict."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    found = _show(err.get("input"))
    if kind in _SIMPLE:
        msg, expected = _SIMPLE[kind]
        return msg, expected, found
    if kind == "missing":
        return f"缺少必填字段 “{err['loc'][-1]}”", None, None
    if kind == "extra_forbidden":
        return f"未知字段 “{err['loc'][-1]}”", None, None
    if kind == "literal_error":
        return "取值不在允许范围内", _one_of(quoted_choices(str(ctx.get("expected", "")))), found
    if kind == "union_tag_invalid":
        tags = quoted_choices(str(ctx.get("expected_tags", "")))
        return f"规则类型 kind “{ctx.get('tag')}” 无效", _one_of(tags), f"“{ctx.get('tag')}”"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        op = {"greater_than": "大于", "greater_than_equal": "大于或等于", "less_than": "小于", "less_than_equal": "小于或等于"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"必须{op} {bound}", f"{op} {bound} 的数值", found
    if kind in ("too_short", "too_long"):
        if "min_length" in ctx and kind == "too_short":
            return f"至少需要 {ctx['min_length']} 项", None, None
        return f"最多允许 {ctx.get('max_length')} 项/字符", None, None
    if kind == "string_too_short":
        return "不能为空", "非空文本", found
    if kind == "string_too_long":
        return f"文本过长（最多 {ctx.get('max_length')} 个字符）", None, None
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        return "格式不符", _PATTERN_TEXT.get(pattern, f"符合 {pattern} 的文本"), found
    if kind == "decimal_max_digits":
        return f"数值位数过多（最多 {ctx.get('max_digits')} 位）", None, found
    if kind in ("value_error", "assertion_error"):
        error = ctx.get("error")
        return str(error) if error is not None else err.get("msg", "取值无效"), None, None
    return err.get("msg", "取值无效"), None, found


def quoted_choices(text: str) -> list[str]:
    """The values in pydantic's `'a', 'b' or 'c'` ctx strings (ctx is API, unlike `msg`)."""
    return re.findall(r"'([^']*)'", text)


def _one_of(choices: list[str]) -> str | None:
    return "、".join(choices) + " 之一" if choices else None


def _show(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list, tuple)):
        return None
    text = str(value)
    text = text if len(text) <= 60 else text[:57] + "…"
    return f"“{text}”" if isinstance(value, str) else text
