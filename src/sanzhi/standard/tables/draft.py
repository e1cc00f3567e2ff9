"""A read table → the draft rubric's YAML text, or every table mistake at once.

`draft_from_table` picks the table to import (the first with a header row), builds its
skeleton and, when it has no errors, the draft data; an exported workbook's machine sheet
gives the rubric back exactly (see `machine`). `draft_text` writes the YAML with its header:
the schema line, where it was imported from, that it needs review, what the table did not
say, and the warnings.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sanzhi.common.errors import Diagnostic, UserError
from sanzhi.standard.tables.build import Draft, DraftOptions, build_draft
from sanzhi.standard.tables.grid import TableFile
from sanzhi.standard.tables.skeleton import Skeleton, read_skeleton
from sanzhi.standard.tables.yaml_writer import rubric_yaml

_WARNINGS_LISTED = 40  # in the header comment; all of them are printed by the import


@dataclass(frozen=True, slots=True)
class Imported:
    draft: Draft
    skeleton: Skeleton | None
    machine: bool  # came back through the machine sheet of an exported workbook


def pick_skeleton(tf: TableFile, *, exported: bool = False) -> Skeleton:
    """The first table with a header row; a UserError with every table mistake otherwise."""
    misses: list[Diagnostic] = []
    for grid in tf.grids:
        if not grid.rows:
            continue
        sk = read_skeleton(grid, exported=exported)
        if isinstance(sk, Diagnostic):
            misses.append(sk)
            continue
        if sk.errors:
            raise UserError([*sk.errors, *sk.warnings])
        return sk
    if not misses:
        where = "工作簿中没有工作表内容" if tf.kind == "xlsx" else "文档中没有表格" if tf.kind == "docx" else "文件为空"
        from sanzhi.common.errors import Location

        misses.append(Diagnostic("T110", f"找不到评分表：{where}", Location(tf.file),
                                 hint="请确认文件中有一张带表头（项目 | 评定标准 | 分值 | 评分细则…）的表格"))
    raise UserError(misses)


def draft_from_table(tf: TableFile, options: DraftOptions) -> Imported:
    if tf.machine is not None:
        from sanzhi.standard.tables.machine import draft_from_machine

        return draft_from_machine(tf, options)
    sk = pick_skeleton(tf)
    return Imported(build_draft(sk, options), sk, machine=False)


def header_lines(imported: Imported, options: DraftOptions, schema_ref: str) -> list[str]:
    d = imported.draft
    where = f"（{d.where}）" if d.where else ""
    lines = [f"yaml-language-server: $schema={schema_ref}", ""]
    if imported.machine:
        lines += [f"由 sanzhi rubric import 从 “{options.source}”{where}导入：本表由 sanzhi rubric export 导出，",
                  "按其 “机读数据” 工作表还原。须复核后再作为正式版本使用。"]
    else:
        lines += [f"由 sanzhi rubric import 从 “{options.source}”{where}导入的评分标准草案（status: draft），须人工复核后才能使用。",
                  "每个评分项的评定标准和评分细则按原表逐字引用（provenance: quoted，clause 为该项评分细则原文）；",
                  "规则与字段由评分细则识别器生成：字段 id（i1_1…）可改为有意义的名称，标签取自原文。",
                  "未能识别的细则已作为评审判断项（judgment）保留原文。"]
    if d.placeholders:
        lines += ["", "表中未写明、须补上的内容："] + [f"  - {p}" for p in d.placeholders]
    warnings = [w for w in d.warnings if w.severity == "warning"]
    if warnings:
        lines += ["", f"导入时的 {len(warnings)} 条警告（逐条复核）："]
        for w in warnings[:_WARNINGS_LISTED]:
            loc = w.location
            at = f"第 {loc.row} 行" if loc is not None and loc.row is not None else "表外"
            lines.append(f"  - [{w.code}] {at}：{w.message}".replace("\n", " "))
        if len(warnings) > _WARNINGS_LISTED:
            lines.append(f"  - ……另有 {len(warnings) - _WARNINGS_LISTED} 条，见导入时的输出")
    return lines


def draft_text(imported: Imported, options: DraftOptions, schema_ref: str) -> str:
    d = imported.draft
    comments = {} if imported.machine else {
        ident: f"原表第 {loc.row} 行" for ident, loc in d.item_rows.items() if loc.row is not None
    }
    return rubric_yaml(d.data, header_lines(imported, options, schema_ref), comments)


def warnings_of(imported: Imported) -> Sequence[Diagnostic]:
    return imported.draft.warnings
