"""Load a rubric file: safe positioned YAML → pydantic → compile → semantic checks.

Every problem is reported at once as a located Chinese Diagnostic inside a RubricError.
"""

import difflib
from pathlib import Path

from pydantic import ValidationError

from sanzhi.errors import Diagnostic, Location, RubricError
from sanzhi.standard.checks import check_rubric
from sanzhi.standard.compile import CompiledRubric, compile_rubric
from sanzhi.standard.messages import describe
from sanzhi.standard.models import Rubric
from sanzhi.standard.paths import domain_path
from sanzhi.standard.problems import Problem, RubricProblems
from sanzhi.standard.schema_walk import allowed_keys
from sanzhi.yamlsource import SourceMap, load_yaml


def _clean_loc(data: object, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-tag and validator segments that are not keys in the file."""
    out: list[str | int] = []
    node = data
    for key in loc:
        if isinstance(key, str) and isinstance(node, dict) and key not in node and node.get("kind") == key:
            continue  # discriminated-union tag
        if isinstance(key, str) and (key.startswith("function-") or "[" in key):
            continue
        out.append(key)
        if isinstance(node, dict) and isinstance(key, str):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            node = None
    return tuple(out)


def _from_pydantic(err: dict, data: object, source: SourceMap) -> Diagnostic:
    loc = _clean_loc(data, tuple(err["loc"]))
    message, expected, found = describe(err)
    hint = None
    code = "R110"
    if err["type"] == "extra_forbidden":
        code = "R111"
        allowed = allowed_keys(data, loc[:-1])
        if allowed:
            expected = "、".join(allowed) + " 之一"
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            if close:
                hint = f"是否想写 “{close[0]}”？"
    elif err["type"] == "missing":
        code = "R112"
    return Diagnostic(
        code=code,
        message=message,
        location=source.locate(loc, key=err["type"] == "extra_forbidden"),
        path=domain_path(data, loc) or None,
        expected=expected,
        found=found,
        hint=hint,
    )


def _from_problem(p: Problem, data: object, source: SourceMap) -> Diagnostic:
    loc = source.locate(p.path, key=p.key)
    if p.column_offset is not None and loc.column is not None and source.has(p.path):
        raw = source.text.splitlines()[loc.line - 1][loc.column - 1 :] if loc.line else ""
        # Point inside a plain or single-quoted one-line scalar at the offending character.
        if raw[:1] in ('"', "'"):
            loc = Location(loc.file, loc.line, loc.column + 1 + p.column_offset)
        elif raw[:1] not in ("|", ">"):
            loc = Location(loc.file, loc.line, loc.column + p.column_offset)
    return Diagnostic(p.code, p.message, loc, domain_path(data, p.path) or None, p.expected, p.found, p.hint,
                      severity="warning" if p.code.startswith("W") else "error")


def parse_rubric(text: str, filename: str) -> tuple[CompiledRubric, list[Diagnostic]]:
    """Parse, validate, compile and check; returns warnings, raises RubricError on errors."""
    data, source = load_yaml(text, filename, code_prefix="R")
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as e:
        diags = [_from_pydantic(err, data, source) for err in e.errors(include_url=False)]
        raise RubricError(diags, sources={filename: text}) from None
    problems = check_rubric(rubric)
    try:
        compiled = compile_rubric(rubric)
    except RubricProblems as e:
        problems = [*problems, *e.problems]
        compiled = None
    diags = [_from_problem(p, data, source) for p in problems]
    errors = [d for d in diags if d.severity == "error"]
    if errors or compiled is None:
        raise RubricError(diags, sources={filename: text})
    return compiled, [d for d in diags if d.severity == "warning"]


def load_rubric_file(path: Path, display_name: str | None = None) -> tuple[CompiledRubric, list[Diagnostic]]:
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricError([Diagnostic("R100", "找不到评分标准文件", Location(name))]) from None
    except UnicodeDecodeError:
        raise RubricError([Diagnostic("R100", "文件不是 UTF-8 编码", Location(name), hint="请用 UTF-8 另存该文件")]) from None
    return parse_rubric(text, name)
