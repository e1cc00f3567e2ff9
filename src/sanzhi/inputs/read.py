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
- A file that names another bundled version of the rubric scored (`rubric: jiaxing-sanzhi@2018`
  read for `jiaxing-sanzhi@2024`) is read with that version and carried to the one scored
  (`sanzhi.inputs.retarget`); `VillageRead.carried_from` says so, for the caller to count.

Reading the bytes off the disk is `read_input` (or `read_file` where every microsecond counts);
workbooks, many villages to a file, have their own readers (see `sanzhi.inputs.files`).
"""

from dataclasses import replace
from typing import NamedTuple

from sanzhi.common.errors import DataError, Diagnostic, Location, os_reason
from sanzhi.common.json_source import load_data_text
from sanzhi.common.regular_file import TEXT_LIMIT, read_regular_file
from sanzhi.common.yaml_source import SourceMap
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.retarget import carry_assessment, carry_from, other_versions
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


class VillageRead(NamedTuple):
    """A village read for the rubric scored."""

    assessment: Assessment
    carried_from: str | None  # the version the file names, when it was carried to the rubric scored


def assess_carrying(compiled: CompiledRubric, parsed: ParsedVillage) -> VillageRead | DataError:
    """The village for `compiled`, carried there when the file names another bundled version
    of the same rubric (`sanzhi.inputs.retarget`): read and checked with the version it names,
    then carried. A file that names `compiled` (or nothing) but fits only another version fails
    with one D117 saying which version it looks like, instead of a problem per item."""
    raw = parsed.raw
    plan = carry_from(compiled, raw.get("rubric") if isinstance(raw, dict) else None)
    if plan is None:
        got = assess(compiled, parsed)
        return _looks_like(compiled, parsed, got) if isinstance(got, DataError) else VillageRead(got, None)
    first = assess(plan.source, parsed)
    if isinstance(first, DataError):
        return first
    positions = parsed.positions
    try:
        carried = carry_assessment(plan, first, raw, lambda path, key: positions.locate(path, key=key))
    except DataError as e:
        note = f"该村数据按 {plan.source.ref} 填报，已换算为 {compiled.ref} 后读取"
        e.diagnostics = [replace(d, hint=f"{d.hint}；{note}" if d.hint else note) for d in e.diagnostics]
        e.sources = {parsed.name: parsed.text}
        return e
    return VillageRead(carried, plan.source.ref)


def _looks_like(compiled: CompiledRubric, parsed: ParsedVillage, error: DataError) -> DataError:
    raw = parsed.raw
    declared = raw.get("rubric") if isinstance(raw, dict) else None
    if declared is not None and (not isinstance(declared, str) or declared.strip().partition("@")[0] != compiled.rubric.id):
        return error  # names another rubric: D114 says so
    probe = parsed._replace(raw={k: v for k, v in raw.items() if k != "rubric"}) if isinstance(raw, dict) else parsed
    other = next((p.source for p in other_versions(compiled) if not isinstance(assess(p.source, probe), DataError)), None)
    if other is None:
        return error
    first = error.diagnostics[0]
    said = f"写明 rubric: {declared}" if declared is not None else "未写明 rubric:"
    where = parsed.positions.locate(("rubric",) if declared is not None else ())
    e = DataError([Diagnostic(
        "D117", f"村自评数据{said}，但内容是按 {other.ref} 填报的，不符合 {compiled.ref}", where,
        expected=f"按 {compiled.ref} 填报的数据",
        found=f"按 {compiled.ref} 读取有 {len(error.diagnostics)} 处不符，如：{first.message}" + (f"（{first.path}）" if first.path else ""),
        hint=f"若该村按 {other.ref} 填报，请把 rubric: 写为 {other.ref}，sanzhi 会按 crosswalk 换算为 {compiled.ref} 后评分；"
             f"若确按 {compiled.ref} 填报，请对照 sanzhi form --rubric {compiled.ref} 生成的自评表核对评分项编号和酌情评分范围")])
    e.sources = {parsed.name: parsed.text}
    return e


def read_village(compiled: CompiledRubric, name: str, data: bytes) -> VillageRead | DataError:
    """One village from the bytes of a YAML/JSON file named `name` (carried from another
    version of the rubric when it names one: `assess_carrying`)."""
    parsed = parse_village(name, data)
    if isinstance(parsed, DataError):
        return parsed
    return assess_carrying(compiled, parsed)


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


__all__ = ["ParsedVillage", "VillageRead", "assess", "assess_carrying", "parse_village", "read_file", "read_input", "read_village"]
