"""Text renderings of Diagnostics: human (Chinese, rustc/semgrep style), one-line, JSON.

Why: the same Diagnostic reaches three readers (a person at a terminal, grep and logs, other
programs), so each rendering is a pure function of the diagnostics and, for snippets, the
source text. All three sort by file, line, column, code, so output is stable. Returned strings
carry no trailing newline.

Caret alignment: wide and fullwidth characters (east_asian_width W/F, i.e. Chinese text and
fullwidth punctuation) take two terminal columns, combining marks none, everything else one
(“ambiguous” characters such as curly quotes count as one, as in most terminals). Tabs are shown
as four spaces and counted the same way.
"""

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence

from sanzhi.common.errors import Diagnostic, Location, UserError

# The line breaks YAML counts; must agree with sanzhi.common.yaml_source (str.splitlines counts more).
_BREAK = re.compile("\r\n|\r|\n|\x85|\u2028|\u2029")
_CONTEXT_ABOVE = 2
_TAB = "    "
# A source line is shown at most this many characters wide, and a caret run at most _CARETS
# long: a file may hold a megabyte on one line, and echoing it would flood the terminal.
_LINE_SHOWN = 160
_BEFORE_COLUMN = 60
_CARETS = 40


def render_human(
    diagnostics: Sequence[Diagnostic],
    sources: Mapping[str, str] | None = None,
    *,
    max_shown: int = 50,
) -> str:
    """Render for a person: one block per diagnostic, then a count per file.

    `sources` maps a Location.file to that file's text; with it, text locations show up to
    two lines above the problem line and a caret run under the token at the column.
    """
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    if not ordered:
        return ""
    split: dict[str, list[str]] = {}
    for name, text in (sources or {}).items():
        split[name] = _BREAK.split(text)
    blocks = [_render_one(d, split) for d in ordered[: max(max_shown, 0)]]
    tail = []
    left_out = len(ordered) - len(blocks)
    if left_out > 0:
        tail.append(f"……另有 {left_out} 处问题未显示。")
    tail.extend(_summaries(ordered))
    return "\n\n".join([*blocks, "\n".join(tail)])


def render_lines(diagnostics: Sequence[Diagnostic]) -> str:
    """One `Diagnostic.one_line()` per line, for logs and grep."""
    return "\n".join(d.one_line() for d in sorted(diagnostics, key=Diagnostic.sort_key))


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    """A stable JSON array of `Diagnostic.to_dict()` (sorted, sorted keys, real Chinese)."""
    records = [d.to_dict() for d in sorted(diagnostics, key=Diagnostic.sort_key)]
    return json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True)


def display_width(text: str) -> int:
    """Terminal columns `text` takes (CJK wide/fullwidth = 2, combining = 0, tab = 4)."""
    width = 0
    for ch in text:
        if ch == "\t":
            width += len(_TAB)
        elif unicodedata.combining(ch):
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 2
        else:
            width += 1
    return width


def _render_one(diag: Diagnostic, sources: Mapping[str, list[str]]) -> str:
    label = "警告" if diag.severity == "warning" else "错误"
    out = [f"{label}[{diag.code}]：{diag.message}"]
    loc = diag.location
    snippet = _snippet(loc, sources)
    width = max(2, len(str(loc.line))) if snippet and loc and loc.line else 2
    pad = " " * width
    if loc is not None:
        out.append(f"{pad}--> {loc}")
    if snippet:
        out.append(f"{pad} |")
        for number, text in snippet[0]:
            shown = text.replace("\t", _TAB)
            out.append(f"{number:>{width}} | {shown}" if shown else f"{number:>{width}} |")
        if snippet[1]:
            out.append(f"{pad} | {snippet[1]}")
    for name, value in (
        ("位置", diag.path),
        ("期望", diag.expected),
        ("实际", diag.found),
        ("提示", diag.hint),
    ):
        if value is not None:
            out.append(f"{pad} = {name}：{value}")
    return "\n".join(out)


def _snippet(
    loc: Location | None, sources: Mapping[str, list[str]]
) -> tuple[list[tuple[int, str]], str] | None:
    """Numbered source lines ending at the problem line, and the caret line (may be "")."""
    if loc is None or loc.line is None or loc.sheet is not None or loc.row is not None:
        return None
    lines = sources.get(loc.file)
    if lines is None or not 1 <= loc.line <= len(lines):
        return None
    first = max(1, loc.line - _CONTEXT_ABOVE)
    numbered = [(n, _clipped(lines[n - 1])) for n in range(first, loc.line)]
    line = lines[loc.line - 1]
    if loc.column is None or loc.column < 1:
        return [*numbered, (loc.line, _clipped(line))], ""
    start = loc.column - 1
    if len(line) > _LINE_SHOWN and start > _BEFORE_COLUMN:
        # A long line is shown from shortly before the column, so the caret stays on screen.
        line = "…" + line[start - _BEFORE_COLUMN :]
        start = _BEFORE_COLUMN + 1
    line = _clipped(line)
    width = min(_token_width(line, start), _CARETS)
    indent = display_width(line[:start]) + max(0, start - len(line))
    return [*numbered, (loc.line, line)], " " * indent + "^" * width


def _clipped(line: str) -> str:
    return line if len(line) <= _LINE_SHOWN else line[:_LINE_SHOWN] + "…"


def _token_width(line: str, start: int) -> int:
    """Width of the token at `start`: a quoted string, else up to a space, `: `, `,`, `]`, `}`."""
    if start >= len(line):
        return 1
    if line[start] in "\"'":
        close = line.find(line[start], start + 1)
        end = close + 1 if close != -1 else len(line)
    else:
        end = start
        while end < len(line):
            ch = line[end]
            if ch.isspace() or ch in ",]}":
                break
            if ch == ":" and (end + 1 == len(line) or line[end + 1].isspace()):
                break
            end += 1
    return max(1, display_width(line[start:end]))


def _summaries(ordered: Sequence[Diagnostic]) -> list[str]:
    counts: dict[str, list[int]] = {}
    for diag in ordered:
        key = diag.location.file if diag.location else ""
        errors_warnings = counts.setdefault(key, [0, 0])
        errors_warnings[1 if diag.severity == "warning" else 0] += 1
    lines = []
    for name, (errors, warnings) in counts.items():
        parts = []
        if errors:
            parts.append(f"{errors} 处错误")
        if warnings:
            parts.append(f"{warnings} 处警告")
        where = f"（{name}）" if name else ""
        lines.append(f"共发现 {'、'.join(parts)}{where}。")
    return lines


def render_user_error(e: UserError, fmt: str = "human") -> str:
    """A UserError's diagnostics as `human` (rustc-style, with source lines), `line` or `json`."""
    if fmt == "json":
        return render_json(e.diagnostics)
    if fmt == "line":
        return render_lines(e.diagnostics)
    return render_human(e.diagnostics, e.sources)
