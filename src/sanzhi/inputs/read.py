"""One village from one YAML/JSON file: a name and the file's bytes in, an Assessment or a
located DataError out.

This is the only reader of one-village files: `sanzhi score` (`sanzhi.inputs.files`), the
batch workers (`sanzhi.batch.work`) and the rubric tools (`sanzhi.app.revisions`) all call
it, so a file means the same, and fails with the same words, wherever it is read.

- The bytes must be UTF-8; a BOM is allowed (Windows Notepad writes one). Anything else is D100.
- A name ending in `.json` takes the fast path of `sanzhi.common.json_source` (`json.loads`,
  positions computed only when a problem needs one); any other file, and JSON the fast path
  declines, is read by the positioned YAML loader. Both give the same data.
- A DataError carries the file's text (`sources`), so the CLI can show the offending lines.

Reading the bytes off the disk is `read_input` (or `read_file` where every microsecond counts);
workbooks, many villages to a file, have their own readers (see `sanzhi.inputs.files`).
"""

from typing import NamedTuple

from sanzhi.common.errors import DataError, Diagnostic, Location, os_reason
from sanzhi.common.json_source import load_data_text
from sanzhi.common.regular_file import TEXT_LIMIT, read_regular_file
from sanzhi.common.yaml_source import SourceMap
from sanzhi.inputs.assessment import read_assessment
from sanzhi.scoring.assessment import Assessment
from sanzhi.standard.compile import CompiledRubric


class ParsedVillage(NamedTuple):
    """A one-village file parsed but not yet validated against a rubric."""

    name: str
    text: str
    raw: object  # the documented village data format, as plain data
    positions: SourceMap


def parse_village(name: str, data: bytes) -> ParsedVillage | DataError:
    """The raw village data of one YAML/JSON file, with its positions; `name` is shown in errors
    and picks the JSON fast path when it ends in `.json`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return DataError([Diagnostic("D100", "文件不是 UTF-8 编码", Location(name), hint="请用 UTF-8 另存该文件")])
    try:
        raw, positions = load_data_text(text, name, code_prefix="D")
    except DataError as e:
        e.sources = {name: text}
        return e
    return ParsedVillage(name, text, raw, positions)


def assess(compiled: CompiledRubric, parsed: ParsedVillage) -> Assessment | DataError:
    """The village validated against `compiled`; problems located by line and column."""
    positions = parsed.positions
    try:
        return read_assessment(compiled, parsed.raw, lambda path, key: positions.locate(path, key=key))
    except DataError as e:
        e.sources = {parsed.name: parsed.text}
        return e


def read_village(compiled: CompiledRubric, name: str, data: bytes) -> Assessment | DataError:
    """One village from the bytes of a YAML/JSON file named `name`."""
    parsed = parse_village(name, data)
    if isinstance(parsed, DataError):
        return parsed
    return assess(compiled, parsed)


def read_file(path: str, limit: int = TEXT_LIMIT) -> bytes:
    """A regular file's bytes (at most `limit`), with bare os calls: Path.read_bytes' objects
    cost ~10 µs a village. A FIFO, device or folder is refused without blocking (see
    `sanzhi.common.regular_file`)."""
    return read_regular_file(path, limit)


def read_input(path: str, name: str | None = None, limit: int = TEXT_LIMIT) -> bytes | DataError:
    """The bytes of a village data file, or D100 saying why it cannot be read (named `name`)."""
    try:
        return read_file(path, limit)
    except FileNotFoundError:
        return DataError([Diagnostic("D100", "找不到村自评数据文件", Location(name or path))])
    except OSError as e:  # a FIFO, a device, a folder, no permission, too large
        return DataError([Diagnostic("D100", f"无法读取村自评数据文件：{os_reason(e)}", Location(name or path))])


__all__ = ["ParsedVillage", "assess", "parse_village", "read_file", "read_input", "read_village"]
