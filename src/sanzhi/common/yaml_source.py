"""Safe, positioned loading of YAML (and JSON) files: plain data plus a map back to line:column.

Why: rubrics and village data are written by people, so every later error (schema, semantics,
scoring) must point at `file:line:column`. We compose with PyYAML's C parser (fast; see
tech-notes §4) and walk the node tree ourselves, building the Python data and the position
index in one pass. Walking ourselves also lets us refuse what a scoring engine must not accept
silently:

- anchors and aliases (billion-laughs bombs, and sharing that hides where a value came from);
- duplicate keys (PyYAML keeps the last one without a word);
- binary floats: every float becomes `decimal.Decimal` built from the *text* (`0.10` stays
  `Decimal("0.10")`); `.inf`/`.nan` are refused;
- YAML 1.1 surprises: `010` (octal 8) and `1:30` (sexagesimal 90) are refused, timestamps stay
  the original string, mapping keys stay their text (item id `1.2` stays `"1.2"`);
- tags we do not construct (`!!python/...`, `!!binary`, `!!set`, custom `!tags`).

JSON goes through the same function, so JSON files get positions too. In a file named `*.json`
a plain number the YAML 1.1 resolver leaves as text (`1e3`) becomes a Decimal, as JSON means.
If the YAML parser rejects text that looks like JSON (`{`/`[` first), `json.loads` decides: on
invalid JSON in a `*.json` file we report the JSON error (line:column from JSONDecodeError);
on valid JSON we retry YAML with tabs turned into spaces (same columns), and if even that fails
(e.g. keys over 1024 characters) we return the `json.loads` data (floats as Decimal) with an
empty position map: `locate()` then gives the file name only.

All problems found in one pass are raised together: `RubricError` for code prefix "R",
`DataError` for "D". Codes: x100 syntax or unreadable file, x101 anchor/alias, x102 duplicate
key, x103 bad number, x104 structure (empty file, several documents, top level not a mapping,
non-text keys, unsupported tags, nesting too deep). The raised error also carries
`.sources = {filename: text}` so the CLI can render snippets.
"""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NoReturn

import yaml

from sanzhi.common.errors import DataError, Diagnostic, Location, RubricError, UserError, os_reason
from sanzhi.common.regular_file import TEXT_LIMIT, read_regular_file

# yaml.CSafeLoader exists only when PyYAML was built with libyaml; the pure loader is 7x slower.
_LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_TIMESTAMP, _MERGE, _VALUE = _TAG + "timestamp", _TAG + "merge", _TAG + "value"
_MAP, _SEQ = _TAG + "map", _TAG + "seq"
_BOOLS = yaml.constructor.SafeConstructor.bool_values  # yes/no/on/off/true/false, lower-cased
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# The line breaks libyaml counts (it also counts NEL, LS and PS; str.splitlines counts more).
_BREAK = re.compile("\r\n|\r|\n|\x85|\u2028|\u2029")
_MAX_DEPTH = 100
# libyaml's composer recurses in C once per nesting level and overflows the stack (a segfault,
# no message) somewhere past 10,000 levels. Every collection needs one of the indicator
# characters below (a block sequence "-", a block mapping ":" or "?", a flow one "[" or "{"),
# so a text with fewer of them cannot nest deeper than that; only texts with more are
# measured first, by libyaml's parser, which keeps its own stack and does not recurse.
_INDICATORS = "[{-?:"
_DEPTH_SAFE = 3000

PathLike = Sequence[str | int]


@dataclass(frozen=True)
class SourceMap:
    """Positions of every node of one loaded file, addressed by data path.

    A path is the sequence of mapping keys (str) and list indices (int) that leads to a value,
    e.g. `("dimensions", 1, "indicators", 0, "points")`, which is what pydantic's `loc` holds
    (strip union tag names such as `"deduct"` from a loc before calling).
    """

    filename: str
    text: str
    _values: dict[tuple[str | int, ...], tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _keys: dict[tuple[str | int, ...], tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def locate(self, path: PathLike, *, key: bool = False) -> Location:
        """Position of the node at `path`, or of its deepest existing ancestor.

        `key=True` points at the mapping key of the last path element when that key exists
        (for unknown-field errors); a missing field falls back to its parent mapping.
        Without a position index (JSON fallback), only the file name is known.
        """
        p = tuple(path)
        if key and p in self._keys:
            return Location(self.filename, *self._keys[p])
        while p not in self._values:
            if not p:
                return Location(self.filename)
            p = p[:-1]
        return Location(self.filename, *self._values[p])

    def has(self, path: PathLike) -> bool:
        """Whether a node exists at exactly `path`."""
        return tuple(path) in self._values


def load_yaml_file(
    path: Path,
    *,
    display_name: str | None = None,
    code_prefix: str = "R",
    require_mapping: bool = True,
) -> tuple[object, SourceMap]:
    """Read a UTF-8 (optionally BOM-prefixed) file and `load_yaml` it.

    Errors name `display_name` (default: the path as given). An unreadable or non-UTF-8 file is
    a x100 diagnostic, never an exception from the OS layer.
    """
    name = display_name if display_name is not None else str(path)
    error_cls = _error_class(code_prefix)
    try:
        raw = read_regular_file(path, TEXT_LIMIT)
    except OSError as exc:
        reason = "找不到文件" if isinstance(exc, FileNotFoundError) else "无法读取文件"
        diag = Diagnostic(
            f"{code_prefix}100", reason, Location(name), found=None if isinstance(exc, FileNotFoundError) else os_reason(exc)
        )
        _raise(error_cls, [diag], name, None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _raise(error_cls, [_encoding_diagnostic(raw, exc, name, code_prefix)], name, None)
    return load_yaml(text, name, code_prefix=code_prefix, require_mapping=require_mapping)


def load_yaml(
    text: str, filename: str, *, code_prefix: str = "R", require_mapping: bool = True
) -> tuple[object, SourceMap]:
    """Parse one YAML (or JSON) document into plain data and its SourceMap.

    Data is built from dict, list, str, int, bool, None and Decimal only. Raises RubricError
    (code_prefix "R") or DataError ("D") carrying every problem found; `require_mapping`
    demands a mapping at the top level.
    """
    error_cls = _error_class(code_prefix)
    text = text.removeprefix("\ufeff")
    json_mode = filename.lower().endswith(".json")
    too_deep = _too_deep(text, filename, code_prefix)
    if too_deep is not None:
        _raise(error_cls, [too_deep], filename, text)
    node, failure = _compose(text)
    if failure is not None and text.lstrip()[:1] in ("{", "["):
        outcome = _json_fallback(text, filename, code_prefix)
        if isinstance(outcome, tuple):
            return _finish_json(outcome, text, filename, code_prefix, require_mapping)
        if outcome is not None:
            node, failure = outcome, None
        elif json_mode:
            _raise(error_cls, [_json_error_diagnostic(text, filename, code_prefix)], filename, text)
    if failure is not None:
        _raise(error_cls, _yaml_failure(failure, text, filename, code_prefix), filename, text)
    if node is None:
        diag = Diagnostic(f"{code_prefix}104", "文件为空，没有任何内容", Location(filename, 1, 1))
        _raise(error_cls, [diag], filename, text)
    may_alias = "&" in text or "*" in text
    diags = _scan_anchors(text, filename, code_prefix) if may_alias else []
    builder = _Builder(filename, code_prefix, json_mode, may_alias, aliases_reported=bool(diags))
    data = builder.node(node, (), 0)
    diags += builder.diagnostics
    if require_mapping and not isinstance(node, yaml.MappingNode):
        diags.append(_not_mapping(node, filename, code_prefix))
    if diags:
        _raise(error_cls, diags, filename, text)
    return data, SourceMap(filename, text, builder.values, builder.keys)


# --------------------------------------------------------------------------- tree walk


class _Builder:
    """One pass over the composed node tree: data, positions and diagnostics."""

    def __init__(
        self, filename: str, prefix: str, json_mode: bool, may_alias: bool, aliases_reported: bool
    ) -> None:
        self.filename = filename
        self.prefix = prefix
        self.json_mode = json_mode
        # With no "&" or "*" in the text no alias can exist, so skip the id() bookkeeping.
        self.seen: set[int] | None = set() if may_alias else None
        self.aliases_reported = aliases_reported
        self.values: dict[tuple[str | int, ...], tuple[int, int]] = {}
        self.keys: dict[tuple[str | int, ...], tuple[int, int]] = {}
        self.diagnostics: list[Diagnostic] = []
        self.too_deep = False

    def diag(
        self,
        number: int,
        node: yaml.Node,
        message: str,
        *,
        expected: str | None = None,
        found: str | None = None,
        hint: str | None = None,
    ) -> None:
        location = _location(self.filename, node)
        self.diagnostics.append(
            Diagnostic(
                f"{self.prefix}{number}", message, location, expected=expected, found=found, hint=hint
            )
        )

    def node(self, node: yaml.Node, path: tuple[str | int, ...], depth: int) -> object:
        if self.seen is not None:
            # An alias is the very same node object met twice: never walk it again, so a
            # billion-laughs file costs one visit per distinct node.
            if id(node) in self.seen:
                if not self.aliases_reported:
                    self.diag(101, node, "不支持锚点（&）和别名（*）", hint=_ALIAS_HINT)
                    self.aliases_reported = True
                return None
            self.seen.add(id(node))
        mark = node.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if depth >= _MAX_DEPTH:
            if not self.too_deep:
                self.diag(104, node, f"嵌套层级过深（超过 {_MAX_DEPTH} 层）")
                self.too_deep = True
            return None
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.unsupported_tag(node)
            return [self.node(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)  # the composer makes only these three kinds
        return self.mapping(node, path, depth)

    def mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...], depth: int) -> object:
        if node.tag != _MAP:
            self.unsupported_tag(node)
        result: dict[str, object] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.diag(104, key_node, "键必须是普通文本，不能是列表或映射")
                continue
            if self.seen is not None:
                if id(key_node) in self.seen:
                    continue  # an aliased key; already reported by the anchor scan
                self.seen.add(id(key_node))
            if key_node.tag == _MERGE and key_node.style in (None, ""):
                self.diag(104, key_node, "不支持合并键 “<<”", hint="请把要合并的字段直接写出来")
                continue
            key = key_node.value
            mark = key_node.start_mark
            if key in first_line:
                self.diag(
                    102,
                    key_node,
                    f"重复的键 “{key}”（首次出现在第 {first_line[key]} 行）",
                    hint="YAML 会悄悄只保留最后一个值；请删除或合并重复的键",
                )
                continue
            first_line[key] = mark.line + 1
            self.keys[path + (key,)] = (mark.line + 1, mark.column + 1)
            result[key] = self.node(value_node, path + (key,), depth + 1)
        return result

    def scalar(self, node: yaml.ScalarNode) -> object:
        tag, text = node.tag, node.value
        if tag == _STR:
            if self.json_mode and node.style in (None, "") and _JSON_NUMBER.fullmatch(text):
                return Decimal(text)  # JSON `1e3`: YAML 1.1 only knows floats with a dot
            return text
        if tag == _INT:
            return self.integer(node)
        if tag == _FLOAT:
            return self.decimal(node)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            value = _BOOLS.get(text.lower())
            if value is None:
                self.diag(104, node, f"“{text}” 不是有效的布尔值", expected="true 或 false")
            return value
        if tag in (_TIMESTAMP, _VALUE, _MERGE):
            return text  # dates stay text; the schema decides how to read them
        self.unsupported_tag(node)
        return text

    def integer(self, node: yaml.ScalarNode) -> int | None:
        text = node.value
        digits = text.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        try:
            if ":" in digits:
                value = sign * _sexagesimal(digits)
                self.diag(103, node, f"“{text}” 会被 YAML 当作六十进制数（= {value}）", hint=_QUOTE)
                return None
            if digits.startswith(("0b", "0x")):
                return sign * int(digits, 0)
            if len(digits) > 1 and digits.startswith("0"):
                value = sign * int(digits, 8)
                self.diag(
                    103,
                    node,
                    f"数字 “{text}” 以 0 开头，会被 YAML 当作八进制数（= {value}）",
                    hint="如果是十进制数请去掉开头的 0；如果是编号等文本请加引号",
                )
                return None
            return sign * int(digits)
        except ValueError:
            self.diag(103, node, f"“{text}” 不是有效的整数")
            return None

    def decimal(self, node: yaml.ScalarNode) -> Decimal | None:
        text = node.value
        digits = text.replace("_", "")
        if digits.lower().lstrip("+-") in (".inf", ".nan"):
            self.diag(
                103, node, f"“{text}” 不是有限的数值", expected="有限的数值（不能是无穷大或 NaN）"
            )
            return None
        if ":" in digits:
            self.diag(103, node, f"“{text}” 会被 YAML 当作六十进制数", hint=_QUOTE)
            return None
        try:
            return Decimal(digits)
        except InvalidOperation:
            self.diag(103, node, f"“{text}” 不是有效的数值")
            return None

    def unsupported_tag(self, node: yaml.Node) -> None:
        tag = "!!" + node.tag.removeprefix(_TAG) if node.tag.startswith(_TAG) else node.tag
        self.diag(104, node, "不支持的 YAML 标签", found=tag, hint="请删除以 “!” 开头的标签")


_QUOTE = "如果这是时间、比分等文本，请加引号"
_ALIAS_HINT = (
    "本工具不支持 YAML 锚点（&）和别名（*）：请把内容直接写出来；如果这是普通文本，请给整个值加引号"
)


def _sexagesimal(digits: str) -> int:
    value = 0
    for part in digits.split(":"):
        value = value * 60 + int(part)
    return value


def _location(filename: str, node: yaml.Node | yaml.Event) -> Location:
    mark = node.start_mark
    assert mark is not None  # the parser marks every node and event it makes
    return Location(filename, mark.line + 1, mark.column + 1)


def _not_mapping(node: yaml.Node, filename: str, prefix: str) -> Diagnostic:
    found = "列表" if isinstance(node, yaml.SequenceNode) else f"单个值 “{node.value}”"
    return Diagnostic(
        f"{prefix}104",
        "文件顶层必须是键值映射（“键: 值” 的形式）",
        _location(filename, node),
        expected="键值映射",
        found=found,
    )


def _scan_anchors(text: str, filename: str, prefix: str) -> list[Diagnostic]:
    """Every anchor and alias with its own position (composed nodes lose alias positions)."""
    found = []
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                message = f"不支持别名 “*{event.anchor}”"
            elif isinstance(event, yaml.NodeEvent) and event.anchor is not None:
                message = f"不支持锚点 “&{event.anchor}”"
            else:
                continue
            found.append(
                Diagnostic(f"{prefix}101", message, _location(filename, event), hint=_ALIAS_HINT)
            )
    except yaml.YAMLError:
        pass  # only reached after a composer error; the anchors seen so far are the report
    return found


def _too_deep(text: str, filename: str, prefix: str) -> Diagnostic | None:
    """x104 at the first collection nested deeper than _MAX_DEPTH, found before composing."""
    if sum(map(text.count, _INDICATORS)) < _DEPTH_SAFE:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            cls = event.__class__
            if cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
                depth += 1
                if depth > _MAX_DEPTH:
                    return Diagnostic(f"{prefix}104", f"嵌套层级过深（超过 {_MAX_DEPTH} 层）", _location(filename, event))
            elif cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
                depth -= 1
    except yaml.YAMLError:
        pass  # composing stops at the same error, no deeper than the events seen so far
    return None


# --------------------------------------------------------------------------- failures


def _compose(text: str) -> tuple[yaml.Node | None, yaml.YAMLError | None]:
    try:
        loader = _LOADER(text)  # the pure-Python reader checks characters here already
    except yaml.YAMLError as exc:
        return None, exc
    try:
        return loader.get_single_node(), None
    except yaml.YAMLError as exc:
        return None, exc
    finally:
        loader.dispose()


def _yaml_failure(exc: yaml.YAMLError, text: str, filename: str, prefix: str) -> list[Diagnostic]:
    if isinstance(exc, yaml.reader.ReaderError):
        index = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
        line, column = _line_column(text, index if index >= 0 else exc.position)
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else exc.character
        return [
            Diagnostic(
                f"{prefix}100",
                f"文件中有不允许的控制字符（{code}）",
                Location(filename, line, column),
                hint="请删除这个字符（常见于从网页或 Word 复制的内容）",
            )
        ]
    assert isinstance(exc, yaml.MarkedYAMLError)
    context = exc.context or ""
    problem = exc.problem or ""
    if isinstance(exc, yaml.composer.ComposerError) and ("alias" in problem or "anchor" in context):
        found = _scan_anchors(text, filename, prefix)
        if found:
            return found
    if "single document" in context and exc.problem_mark is not None:
        mark = exc.problem_mark
        return [
            Diagnostic(
                f"{prefix}104",
                "文件包含多个 YAML 文档，只允许一个",
                Location(filename, mark.line + 1, mark.column + 1),
                hint="请删除多余的 “---” 分隔行，或把内容拆成多个文件",
            )
        ]
    return [_syntax_diagnostic(exc, text, filename, prefix)]


def _syntax_diagnostic(
    exc: yaml.MarkedYAMLError, text: str, filename: str, prefix: str
) -> Diagnostic:
    context = exc.context or ""
    problem = exc.problem or ""
    mark = exc.problem_mark or exc.context_mark
    start = exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    char = _char_at(text, mark.index) if mark is not None else ""
    since = f"（从第 {start.line + 1} 行第 {start.column + 1} 列开始）" if start else ""
    hint: str | None = None
    found: str | None = None
    if "mapping values are not allowed" in problem:
        message = "此处不允许出现键值对（冒号后是否缺少空格，或缩进有误？）"
        hint = (
            "请检查这一行的缩进是否与同级对齐、上一行是否漏了冒号；值里含 “: ” 时请给整个值加引号"
        )
    elif "'-' indicator" in problem:
        message = f"列表中出现了不以 “-” 开头的行{since}"
        hint = "同一列表的每一项都要以 “- ” 开头，并且缩进对齐"
    elif "expected key" in problem or ("block mapping" in context and "block end" in problem):
        message = "此处应是 “键: 值”，但写法或缩进不对"
        hint = "请检查这一行的缩进是否与同级的键对齐；一个值写完后不能在同一行再接其他内容"
    elif "tab character" in problem or ("cannot start any token" in problem and char == "\t"):
        message = "此处有制表符（Tab），YAML 只能用空格缩进"
        hint = "请把 Tab 换成空格"
    elif "cannot start any token" in problem and char in ("@", "`"):
        message = f"“{char}” 是 YAML 保留字符，不能用作值的开头"
        hint = "请给这个值加引号"
    elif "cannot start any token" in problem:
        message = f"此处不能出现字符 “{char}”"
        hint = "如果这是文本的一部分，请给整个值加引号"
    elif "quoted scalar" in context and "end of stream" in problem:
        message = "引号没有闭合"
        line, column = (start.line + 1, start.column + 1) if start else (line, column)
        hint = "请在这段文字末尾补上与开头相同的引号"
    elif "escape character" in problem:
        message = "双引号字符串中有无效的转义（反斜杠 “\\”）"
        hint = "含反斜杠的文本（如 Windows 路径）请改用单引号，或把 “\\” 写成 “\\\\”"
    elif "',' or ']'" in problem:
        message = f"方括号列表没有正确结束：缺少 “,” 或 “]”{since}"
    elif "',' or '}'" in problem:
        message = f"花括号映射没有正确结束：缺少 “,” 或 “}}”{since}"
    elif "expected ':'" in problem:
        message = "缺少冒号 “:”"
        hint = "键后面要写 “: ”（冒号加空格）"
    elif "sequence entries are not allowed" in problem:
        message = "此处不允许出现列表项 “- ”"
        hint = "“键: - 值” 要写成两行：“键:” 换行后缩进写 “- 值”"
    elif "document start" in problem:
        message = "此处有多余的内容"
        hint = "请检查括号是否多写了，或缩进是否有误"
    elif "alias" in context or "anchor" in context:
        message = f"以 “{'*' if 'alias' in context else '&'}” 开头的值会被当作 YAML 别名或锚点"
        hint = "请给这个值加引号"
    elif "comment or line break" in problem:
        message = "此处应当换行，但后面还有内容"
        hint = "引号字符串结束后不能再接其他字符；多余内容请删除或放进引号里"
    elif "node content" in problem:
        message = "此处缺少内容"
    else:
        message = "YAML 语法错误"
        found = f"{context}: {problem}" if context else problem
    unclosed = _unclosed_quote_line(text, line) if line is not None and "引号没有闭合" not in message else None
    if unclosed is not None:
        # A quote left open swallows the next lines, and the parser only stumbles later on.
        hint = f"第 {unclosed} 行的双引号可能没有闭合：引号里的文字会一直延续到下一个引号"
    return Diagnostic(
        f"{prefix}100", message, Location(filename, line, column), found=found, hint=hint
    )


def _unclosed_quote_line(text: str, error_line: int, lookback: int = 5) -> int | None:
    """The nearest line above `error_line` with an odd number of unescaped double quotes."""
    lines = text.splitlines()
    for n in range(error_line - 1, max(0, error_line - 1 - lookback), -1):
        body = lines[n - 1].replace('\\"', "")
        if body.lstrip().startswith("#"):
            continue
        if body.count('"') % 2 == 1:
            return n
    return None


def _json_fallback(
    text: str, filename: str, prefix: str
) -> tuple[object, list[Diagnostic]] | yaml.Node | None:
    """YAML failed on JSON-looking text: returns a node (tab retry), (data, diags), or None."""
    problems: list[Diagnostic] = []
    where = Location(filename)

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        result: dict[str, object] = {}
        for key, value in items:
            if key in result:
                problems.append(Diagnostic(f"{prefix}102", f"重复的键 “{key}”", where))
            result[key] = value
        return result

    def constant(name: str) -> None:
        problems.append(Diagnostic(f"{prefix}103", f"“{name}” 不是有限的数值", where))

    try:
        data = json.loads(
            text, parse_float=Decimal, object_pairs_hook=pairs, parse_constant=constant
        )
    except json.JSONDecodeError:
        return None
    if "\t" in text:
        # Valid JSON has tabs only between tokens, so one space per tab keeps every column.
        node, failure = _compose(text.replace("\t", " "))
        if failure is None and node is not None:
            return node
    return data, problems


def _finish_json(
    outcome: tuple[object, list[Diagnostic]],
    text: str,
    filename: str,
    prefix: str,
    require_mapping: bool,
) -> tuple[object, SourceMap]:
    data, diags = outcome
    if require_mapping and not isinstance(data, dict):
        diags.append(Diagnostic(f"{prefix}104", "文件顶层必须是键值映射", Location(filename)))
    if diags:
        _raise(_error_class(prefix), diags, filename, text)
    return data, SourceMap(filename, text)


_JSON_MESSAGES = {
    "Expecting value": "此处缺少值（或多写了逗号）",
    "Expecting ',' delimiter": "缺少逗号 “,”",
    "Expecting ':' delimiter": "缺少冒号 “:”",
    "Expecting property name enclosed in double quotes": "键名必须用双引号括起来（或多写了逗号）",
    "Unterminated string starting at": "字符串缺少结束的双引号",
    "Invalid control character at": "字符串里有控制字符（如 Tab、换行），请写成 \\t、\\n",
    "Invalid \\escape": "字符串里有无效的转义（反斜杠 “\\”）",
    "Invalid \\uXXXX escape": "字符串里有无效的 \\u 转义",
    "Extra data": "JSON 结束后还有多余内容",
}


def _json_error_diagnostic(text: str, filename: str, prefix: str) -> Diagnostic:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        message = _JSON_MESSAGES.get(exc.msg)
        return Diagnostic(
            f"{prefix}100",
            f"JSON 语法错误：{message}" if message else "JSON 语法错误",
            Location(filename, exc.lineno, exc.colno),
            found=None if message else exc.msg,
        )
    raise AssertionError("called only for invalid JSON")  # pragma: no cover


def _encoding_diagnostic(raw: bytes, exc: UnicodeDecodeError, name: str, prefix: str) -> Diagnostic:
    start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
    line_start = raw.rfind(b"\n", 0, start) + 1
    column = len(raw[line_start:start].decode("utf-8", "replace")) + 1
    try:
        raw.decode("gb18030")
        guess = "，看起来是 GBK/GB18030 编码"
    except UnicodeDecodeError:
        guess = ""
    return Diagnostic(
        f"{prefix}100",
        f"文件不是 UTF-8 编码{guess}",
        Location(name, raw.count(b"\n", 0, start) + 1, column),
        hint="请用 UTF-8 编码另存该文件（记事本、WPS “另存为” 时选择 UTF-8）",
    )


# --------------------------------------------------------------------------- helpers


def _error_class(prefix: str) -> type[UserError]:
    if prefix == "R":
        return RubricError
    if prefix == "D":
        return DataError
    raise ValueError(f"code_prefix must be 'R' or 'D', not {prefix!r}")


def _raise(
    error_cls: type[UserError], diags: list[Diagnostic], filename: str, text: str | None
) -> NoReturn:
    error = error_cls(diags)
    # The CLI reads `.sources` to render snippets (empty when the text could not be read or
    # decoded).
    error.sources = {} if text is None else {filename: text}
    raise error


def _line_column(text: str, index: int) -> tuple[int, int]:
    lines = _BREAK.split(text[:index])
    return len(lines), len(lines[-1]) + 1


def _char_at(text: str, index: int) -> str:
    return text[index] if 0 <= index < len(text) else ""
