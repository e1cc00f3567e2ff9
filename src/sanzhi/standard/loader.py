"""Load a rubric file: safe positioned YAML → pydantic → compile → semantic checks.

Every problem is reported at once as a located Chinese Diagnostic inside a RubricError.
"""

import difflib
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from sanzhi.common.errors import Diagnostic, Location, RubricError, os_reason
from sanzhi.common.regular_file import TEXT_LIMIT, read_regular_file
from sanzhi.common.yaml_source import SourceMap, load_yaml
from sanzhi.standard.checks import check_rubric
from sanzhi.standard.compile import CompiledRubric, compile_rubric
from sanzhi.standard.extends import check_versioning, resolve_extends
from sanzhi.standard.messages import describe, quoted_choices
from sanzhi.standard.models import Rubric
from sanzhi.standard.paths import domain_path
from sanzhi.standard.problems import Problem, RubricProblems
from sanzhi.standard.rules import KIND_NAMES
from sanzhi.standard.schema_walk import allowed_keys
from sanzhi.standard.units import check_unit, load_reads


def _clean_loc(data: object, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-tag and validator segments that are not keys in the file."""
    out: list[str | int] = []
    node = data
    for n, key in enumerate(loc):
        if isinstance(key, str) and isinstance(node, dict) and node.get("kind") == key and (
            key not in node or loc[n + 1 : n + 2] == (key,)
        ):
            continue  # discriminated-union tag (a `bands` rule's tag is followed by its `bands` key)
        if isinstance(key, str) and (key.startswith("function-") or "[" in key) and not (isinstance(node, dict) and key in node):
            continue  # a validator's segment, not a key of the file (an unknown key may hold "[")
        out.append(key)
        if isinstance(node, dict) and isinstance(key, str):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            node = None
    return tuple(out)


def _did_you_mean(word: object, candidates: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(str(word), candidates, n=1)
    return f"是否想写 “{close[0]}”？" if close else None


def _at(data: object, loc: tuple[str | int, ...]) -> object:
    node = data
    for key in loc:
        if isinstance(node, dict) and isinstance(key, str):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    return node


def _mapping_start(data: object, loc: tuple[str | int, ...], source: SourceMap) -> Location:
    """Where a mapping begins, at its first key: `{kind: …}` points at `kind`, not at `{`."""
    node = _at(data, loc)
    if isinstance(node, dict) and node:
        return source.locate((*loc, next(iter(node))), key=True)
    return source.locate(loc)


def _from_pydantic(err: ErrorDetails, data: object, source: SourceMap) -> Diagnostic:
    loc = _clean_loc(data, tuple(err["loc"]))
    message, expected, found = describe(err)
    hint = None
    code = "R110"
    location = None
    ctx = err.get("ctx") or {}
    if err["type"] == "extra_forbidden":
        code = "R111"
        allowed = allowed_keys(data, loc[:-1])
        if allowed:
            expected = "、".join(allowed) + " 之一"
            hint = _did_you_mean(loc[-1], allowed)
    elif err["type"] == "missing":
        code = "R112"
        location = _mapping_start(data, loc[:-1], source)
        hint = f"请补上 “{loc[-1]}: …”"
    elif err["type"] == "literal_error":
        hint = _did_you_mean(err.get("input"), quoted_choices(str(ctx.get("expected", ""))))
    elif err["type"] == "union_tag_invalid":
        # The error is in the `kind` value, not in the rule mapping as a whole.
        hint = _did_you_mean(ctx.get("tag"), quoted_choices(str(ctx.get("expected_tags", ""))))
        loc = (*loc, "kind")
    elif err["type"] == "union_tag_not_found":
        location = _mapping_start(data, loc, source)
        expected = "kind: " + "、".join(KIND_NAMES) + " 之一"
        hint = "每条规则都要写明 kind，例如 {kind: deduct, when: …, points: 1, reason: …}"
    return Diagnostic(
        code=code,
        message=message,
        location=location or source.locate(loc, key=err["type"] == "extra_forbidden"),
        path=domain_path(data, loc) or None,
        expected=expected,
        found=found,
        hint=hint,
    )


def _relevant(errors: list[ErrorDetails], data: object) -> list[ErrorDetails]:
    """Drop pydantic errors that only echo another error, so each mistake is reported once.

    - `too_short` on a list that *has* enough entries: pydantic counts entries after
      validation, so one broken item also reports its list (and every enclosing list) empty.
    - `missing` X next to an unknown key whose near miss is X (`pionts` for `points`): the
      unknown-key error already says "是否想写 “points”？".
    """
    typos: set[tuple[str | int, ...]] = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = _clean_loc(data, tuple(err["loc"]))
            allowed = allowed_keys(data, loc[:-1])
            for close in difflib.get_close_matches(str(loc[-1]), allowed, n=1):
                typos.add((*loc[:-1], close))
    kept = []
    for err in errors:
        loc = _clean_loc(data, tuple(err["loc"]))
        if err["type"] == "too_short":
            raw = _at(data, loc)
            minimum = (err.get("ctx") or {}).get("min_length", 0)
            if isinstance(raw, list) and len(raw) >= minimum:
                continue
        if err["type"] == "missing" and loc in typos:
            continue
        kept.append(err)
    return kept


def _from_problem(p: Problem, data: object, source: SourceMap) -> Diagnostic:
    loc = source.locate(p.path, key=p.key)
    column = loc.column
    if p.column_offset is not None and column is not None and source.has(p.path):
        raw = source.text.splitlines()[loc.line - 1][column - 1 :] if loc.line else ""
        # Point inside a plain or single-quoted one-line scalar at the offending character.
        if raw[:1] in ('"', "'"):
            loc = Location(loc.file, loc.line, column + 1 + p.column_offset)
        elif raw[:1] not in ("|", ">"):
            loc = Location(loc.file, loc.line, column + p.column_offset)
    message = p.message
    if p.first is not None:
        first = source.locate(p.first)
        if first.line is not None:
            message += f"（首次出现在第 {first.line} 行）"
    return Diagnostic(p.code, message, loc, domain_path(data, p.path) or None, p.expected, p.found, p.hint,
                      severity="warning" if p.code.startswith("W") else "error")


def parse_rubric(text: str, filename: str) -> tuple[CompiledRubric, list[Diagnostic]]:
    """Parse, validate, compile and check; returns warnings, raises RubricError on errors."""
    data, source = load_yaml(text, filename, code_prefix="R")
    if isinstance(data, dict) and not {"extends", "variant", "variant_of"}.isdisjoint(data):
        data, source = resolve_extends(data, source)  # a variant: merge its base in first
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as e:
        errors = _relevant(e.errors(include_url=False), data)
        diags = [_from_pydantic(err, data, source) for err in errors]
        raise RubricError(diags, sources={filename: text}) from None
    problems = check_rubric(rubric) + check_versioning(rubric) + check_unit(rubric)
    reads = None
    if rubric.unit != "village" and rubric.reads is not None:
        reads, reads_problems = load_reads(rubric.reads, filename, text)
        problems += reads_problems
    try:
        compiled = compile_rubric(rubric, reads)
    except RubricProblems as e:
        # A field is often "unused" only because the expression meant to read it has a typo
        # (`plan_mad`): report the expression (with its hint), not the field, until it compiles.
        if any(p.code == "R210" for p in e.problems):
            problems = [p for p in problems if p.code != "R220"]
        problems = [*problems, *e.problems]
        compiled = None
    diags = [_from_problem(p, data, source) for p in problems]
    if compiled is not None and rubric.aggregates and reads is None:
        compiled = None  # the aggregates could not be checked: `reads` is reported above
    if compiled is None or any(d.severity == "error" for d in diags):
        raise RubricError(diags, sources={filename: text})
    return compiled, [d for d in diags if d.severity == "warning"]


def load_rubric_file(path: Path, display_name: str | None = None) -> tuple[CompiledRubric, list[Diagnostic]]:
    name = display_name or str(path)
    try:
        text = read_regular_file(path, TEXT_LIMIT).decode("utf-8")
    except FileNotFoundError:
        raise RubricError([Diagnostic("R100", "找不到评分标准文件", Location(name))]) from None
    except OSError as exc:  # a FIFO, a device, a folder, no permission, too large
        raise RubricError([Diagnostic("R100", "无法读取评分标准文件", Location(name), found=os_reason(exc))]) from None
    except UnicodeDecodeError:
        raise RubricError([Diagnostic("R100", "文件不是 UTF-8 编码", Location(name), hint="请用 UTF-8 另存该文件")]) from None
    return parse_rubric(text, name)
