"""Rubric → the self-assessment workbooks a village or a township fills in.

`build_village_form` gives the per-village form (封面, 填报, 评分项, 核定; see
`sanzhi.inputs.layout`), `build_many_form` the many-villages sheet and `many_template_csv`
the same sheet as CSV (UTF-8 with BOM so Excel opens it). `write_form` saves either;
`write_body_forms` one per-village form per scoring body (`sanzhi form --by-body`: the
rubric's `scored_by`; what goes on which form, and how they are read back as one village:
`sanzhi.inputs.bodies`).

Cells a village fills in are yellow, cells a reviewer fills in green; everything else is
locked (sheet protection without a password: it guards against slips, not against people).
Answers get Excel data validation from the field declarations (dropdowns for choices and
是/否, whole or decimal ranges, dates), input prompts carry the help text, headers are
frozen and pages print on A4 landscape, one page wide.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sanzhi.common.csvtext import csv_text
from sanzhi.common.diagnostics import display_width
from sanzhi.common.errors import Diagnostic, Location, UserError, os_reason
from sanzhi.common.numbers import fmt
from sanzhi.inputs.bodies import BODY_KEY, BODY_LABEL, SHARED_BODY, bodies, body_fields, body_items
from sanzhi.inputs.cellmap import column_letter
from sanzhi.inputs.layout import (
    DELETE_MARK,
    REVIEW_DATE,
    REVIEWER,
    RUBRIC_KEY,
    RUBRIC_LABEL,
    SHEET_COVER,
    SHEET_FIELDS,
    SHEET_ITEMS,
    SHEET_MANY,
    SHEET_OVERRIDES,
    VILLAGE_SPECS,
    Column,
    Group,
    entry_columns,
    field_rows,
    item_columns,
    items_using,
    judgment_spec,
    many_columns,
    override_columns,
    review_levels,
    self_name,
)
from sanzhi.inputs.sheetstyle import (
    DATE_FORMAT,
    FILLS,
    FONT,
    UNLOCKED,
    Dropdowns,
    attach_validation,
    expected_in_words,
    finish_sheet,
    fit_height,
    group_row,
    header_row,
    list_rule,
    print_setup,
    protect,
    rule_for,
    sheet_title,
    styled_cell,
)
from sanzhi.standard.compile import CompiledItem, CompiledRubric
from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.models import Item
from sanzhi.standard.values import NO_TAGS

Layout = Literal["village", "many"]
MANY_ROWS = 10_000  # rows of the many-villages sheet that get validation and formats


def write_form(compiled: CompiledRubric, output: Path, layout: Layout = "village", as_csv: bool = False) -> Path:
    """Write the form for `compiled` to `output`: an .xlsx workbook, or the many-villages CSV
    template when `as_csv` or when `output` ends in .csv (CSV holds only the many layout)."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if as_csv or output.suffix.lower() == ".csv":
            output.write_bytes(many_template_csv(compiled))
        else:
            wb = build_village_form(compiled) if layout == "village" else build_many_form(compiled)
            wb.save(output)
    except OSError as e:
        raise UserError([Diagnostic("O150", f"无法写入自评表：{os_reason(e)}", Location(str(output)),
                                    hint="文件可能正在 Excel 或 WPS 中打开，请关闭后重试；或换一个文件名、文件夹")]) from None
    return output


# ---- the per-village form --------------------------------------------------------------------


def write_body_forms(compiled: CompiledRubric, folder: Path, force: bool = False) -> list[Path]:
    """One per-village form per scoring body in `folder` (`<body>.xlsx`), in rubric order."""
    names = bodies(compiled)
    if not names:
        raise UserError([Diagnostic("D133", f"评分标准 {compiled.ref} 没有写明评分部门（scored_by），不能按部门分表", Location(str(folder)),
                                    hint="去掉 --by-body 生成一份单村自评表；或在评分标准的指标、评分项上写 scored_by")])
    paths = [folder / f"{_file_name(name)}.xlsx" for name in names]
    taken = [p for p in paths if p.exists()]
    if taken and not force:
        raise UserError([Diagnostic("O150", "文件已存在（可能是已填好的表格）", Location(str(p)), hint="确需覆盖请加 --force")
                         for p in taken])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, path in zip(names, paths):
            build_village_form(compiled, name).save(path)
    except OSError as e:
        raise UserError([Diagnostic("O150", f"无法写入自评表：{os_reason(e)}", Location(str(folder)),
                                    hint="文件可能正在 Excel 或 WPS 中打开，请关闭后重试；或换一个文件夹")]) from None
    return paths


def _file_name(body: str) -> str:
    return "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in body).strip(". ") or "_"


def build_village_form(compiled: CompiledRubric, body: str | None = None) -> Workbook:
    """The per-village form; with `body`, that scoring body's form (its items and the fields they read)."""
    wb = Workbook()
    _Sheets(compiled, wb, body).build()
    return wb


class _Sheets:
    def __init__(self, compiled: CompiledRubric, wb: Workbook, body: str | None = None) -> None:
        self.c = compiled
        self.r = compiled.rubric
        self.wb = wb
        self.lists = Dropdowns(wb)
        self.using = items_using(compiled)
        self.body = body
        own = body_items(compiled, body) if body is not None else None
        self.items = tuple(ci for ci in compiled.items if own is None or ci.item.id in own)
        self.fields = body_fields(compiled, body) if body is not None else None

    def build(self) -> None:
        cover = self.wb.active
        cover.title = SHEET_COVER
        self._cover(cover)
        self._fields(self.wb.create_sheet(SHEET_FIELDS))
        self._items(self.wb.create_sheet(SHEET_ITEMS))
        self._overrides(self.wb.create_sheet(SHEET_OVERRIDES))

    # ---- sheets ------------------------------------------------------------------------------

    def _cover(self, ws: Worksheet) -> None:
        cols = entry_columns(self.c)
        part = f" · {BODY_LABEL}：{self.body}" if self.body is not None else ""
        sheet_title(ws, len(cols), self.r.title, f"村（社区）{self_name(self.c)}表{part} · 评分标准 {self.c.ref}"
                    f"（{self.r.issuer}，{self.r.effective_date:%Y年%m月%d日}起施行）")
        header_row(ws, 4, cols)
        row = 5
        self._entry_row(ws, row, cols, None, RUBRIC_KEY, RUBRIC_LABEL, fixed=self.c.ref,
                        expect="由 sanzhi 生成，请勿修改", help_text="读取时核对：与评分所用的评分标准不一致的表格会被拒绝")
        row += 1
        if self.body is not None:
            self._entry_row(ws, row, cols, None, BODY_KEY, BODY_LABEL, fixed=self.body, expect="由 sanzhi 生成，请勿修改",
                            help_text="本表只含该部门评分的项目；读取时同一村的各部门表合并为一份（同一项在两份表中的值须一致）")
            row += 1
        for spec in VILLAGE_SPECS:
            self._entry_row(ws, row, cols, spec, spec.id, spec.label, corrections=False)
            row += 1
        for spec in self.r.attributes:
            self._entry_row(ws, row, cols, spec, spec.id, spec.label)
            row += 1
        group_row(ws, row, len(cols), 1, "评审签署（评审时填写）")
        row += 1
        for lv in review_levels(self.c):
            for spec in (REVIEWER, REVIEW_DATE):
                self._entry_row(ws, row, cols, spec, f"{spec.id}:{lv.id}", f"{lv.name}{spec.label}", corrections=False,
                                fill="review", help_text="填写评审单位和评审人姓名" if spec is REVIEWER else "")
                row += 1
        row += 1
        for n, line in enumerate(self._instructions()):  # from column B: column A holds only row keys
            c = ws.cell(row + n, 2, line)
            c.alignment = Alignment(wrap_text=True, vertical="top")
            c.font = Font(name=FONT, bold=n == 0, size=11 if n == 0 else 10)
            ws.merge_cells(start_row=row + n, start_column=2, end_row=row + n, end_column=len(cols))
            ws.row_dimensions[row + n].height = 20
        finish_sheet(ws, "C5", "4:4")

    def _instructions(self) -> list[str]:
        levels = "、".join(lv.name for lv in review_levels(self.c))
        return [
            "填表说明",
            f"1. 黄色单元格由村（社区）填写，绿色单元格由评审（{levels}）填写；其余单元格已锁定（审阅 › 撤销工作表保护，无密码）。",
            "2. 是/否 项从下拉列表选择（也可填 √ / ×）；数字只填数字，单位见“单位”列；日期填 2025-03-01 或 2025年3月1日。",
            f"3. 多选项用“、”分隔，一项也没有填“{NO_TAGS}”。留空的项目按“未填报”处理，读取该项的评分项按 0 分计。",
            f"4. 评审更正答案：在该行填写更正值和更正理由；要删去该项答案，更正值填“{DELETE_MARK}”。",
            f"5. 酌情评分项的评分与理由、各项佐证材料见“{SHEET_ITEMS}”工作表；评审直接认定某项得分见“{SHEET_OVERRIDES}”工作表。",
            "6. 请勿修改“编号”列、表头和工作表名称。填好后运行：sanzhi score 本文件.xlsx",
            *([(f"7. 本表为“{self.body}”的评分表（{'各部门都不评分的项目和一票否决等' if self.body == SHARED_BODY else '只含该部门评分的项目'}）；"
                "把同一村的各部门表放在一起运行 sanzhi score 文件夹/，合并为一个村评分；同一项在两份表中填写不一致会报错。")]
              if self.body is not None else []),
        ]

    def _fields(self, ws: Worksheet) -> None:
        cols = entry_columns(self.c)
        sheet_title(ws, len(cols), f"{self_name(self.c)}填报", "黄色单元格由村（社区）填写；绿色单元格由评审更正时填写（须同时写明理由）。")
        header_row(ws, 3, cols)
        row = 4
        for entry in _only(field_rows(self.c), self.fields):
            if isinstance(entry, Group):
                group_row(ws, row, len(cols), entry.level, entry.title)
            else:
                self._entry_row(ws, row, cols, entry, entry.id, entry.label)
            row += 1
        finish_sheet(ws, "C4", "3:3")

    def _items(self, ws: Worksheet) -> None:
        cols = item_columns(self.c)
        sheet_title(ws, len(cols), "评分项、酌情评分与佐证材料",
                    "按规则自动计分的评分项只需填写佐证材料；酌情评分项（标“酌情评分”）须填写分数和理由。")
        header_row(ws, 3, cols)
        row = 4
        for group, ci in self._item_rows():
            if group is not None:
                group_row(ws, row, len(cols), group.level, group.title)
                row += 1
            if ci is not None:
                self._item_row(ws, row, cols, ci)
                row += 1
        finish_sheet(ws, "C4", "3:3")

    def _overrides(self, ws: Worksheet) -> None:
        cols = override_columns(self.c)
        sheet_title(ws, len(cols), "评审核定分",
                    "仅在评审需要直接认定某评分项得分时填写，并写明理由；填写后该项得分以核定分为准，不再按填报数据计算。")
        header_row(ws, 3, cols)
        row = 4
        for group, ci in self._item_rows():
            if group is not None:
                group_row(ws, row, len(cols), group.level, group.title)
                row += 1
            if ci is None:
                continue
            values = {"id": ci.item.id, "name": ci.item.name, "points": float(ci.item.points)}
            spec = FieldSpec(id="score", label="核定分", type="decimal", min=Decimal(0), max=ci.item.points)
            for i, col in enumerate(cols, start=1):
                c = styled_cell(ws, row, i, values.get(col.key))
                if col.entry:
                    self._input(ws, c, "review", spec if col.key.startswith("score:") else None)
            fit_height(ws, row, cols)
            row += 1
        finish_sheet(ws, "D4", "3:3")

    def _item_rows(self) -> Iterable[tuple[Group | None, CompiledItem | None]]:
        last: tuple[str | None, str | None] = ("", "")
        for ci in self.items:
            if ci.dimension != last[0]:
                if ci.dimension is None:
                    bonus = self.r.bonus
                    yield Group(1, f"{bonus.name}（封顶 {fmt(bonus.cap)} 分）" if bonus else "加分项"), None
                else:
                    dim = next(d for d in self.r.dimensions if d.id == ci.dimension)
                    yield Group(1, f"{dim.id} {dim.name}（{fmt(dim.points)} 分）"), None
            if ci.indicator is not None and ci.indicator != last[1]:
                dim = next(d for d in self.r.dimensions if d.id == ci.dimension)
                ind = next(i for i in dim.indicators if i.id == ci.indicator)
                yield Group(2, f"{ind.id} {ind.name}（{fmt(ind.points)} 分）"), None
            last = (ci.dimension, ci.indicator)
            yield None, ci

    # ---- rows --------------------------------------------------------------------------------

    def _entry_row(self, ws: Worksheet, row: int, cols: tuple[Column, ...], spec: FieldSpec | None, key: str, label: str, *,
                   fixed: str | None = None, expect: str | None = None, help_text: str | None = None,
                   corrections: bool = True, fill: str = "self") -> None:
        values: dict[str, object] = {
            "id": key, "label": label + ("（必填）" if spec is not None and spec.required else ""),
            "unit": spec.unit if spec else None,
            "expect": expect if expect is not None else (expected_in_words(spec) if spec else None),
            "value": fixed,
            "help": help_text if help_text is not None else (spec.help if spec else None),
            "items": "、".join(self.using.get(key, ())) or None,
        }
        for i, col in enumerate(cols, start=1):
            c = styled_cell(ws, row, i, values.get(col.key))
            if col.key == "value":
                if fixed is not None:
                    c.fill = FILLS["fixed"]
                    c.font = Font(name=FONT, bold=True, size=10)
                else:
                    self._input(ws, c, fill, spec)
            elif col.entry:
                if corrections and spec is not None:
                    self._input(ws, c, "review", spec if col.key.startswith("fix:") else None, correction=True)
                else:
                    c.fill = FILLS["off"]
        fit_height(ws, row, cols)

    def _item_row(self, ws: Worksheet, row: int, cols: tuple[Column, ...], ci: CompiledItem) -> None:
        item = ci.item
        score = judgment_spec(ci)
        criterion = item.criterion
        if score is not None:
            rule = ci.judgment.rule  # type: ignore[union-attr]
            criterion += f"\n【酌情评分 {fmt(score.min or 0)}–{fmt(score.max or item.points)} 分】{rule.guidance}"
        if item.applies_when:
            criterion += f"\n【适用条件】{item.applies_when}"
        values: dict[str, object] = {"id": item.id, "name": item.name, "points": float(item.points),
                                     "criterion": criterion, "evidence_req": _evidence_text(item)}
        own = self.r.review_levels[0].id
        for i, col in enumerate(cols, start=1):
            c = styled_cell(ws, row, i, values.get(col.key))
            if col.key == "evidence":
                self._input(ws, c, "self", None, prompt="佐证材料：多份材料分行填写（Alt+Enter）或用“；”分隔")
            elif col.entry:
                fill = "self" if col.key.endswith(f":{own}") else "review"
                if score is None:
                    c.fill = FILLS["off"]
                else:
                    self._input(ws, c, fill, score if col.key.startswith("score:") else None)
        fit_height(ws, row, cols)

    # ---- input cells -------------------------------------------------------------------------

    def _input(self, ws: Worksheet, c: Any, fill: str, spec: FieldSpec | None, *, correction: bool = False, prompt: str | None = None) -> None:
        c.fill = FILLS[fill]
        c.protection = UNLOCKED
        if spec is None:
            if prompt:
                attach_validation(ws, c, DataValidation(allow_blank=True), spec, prompt)
            return
        if spec.type == "date":
            c.number_format = DATE_FORMAT
        elif spec.type in ("text", "tags"):
            c.number_format = "@"
        dv = self._rule(spec, correction)
        attach_validation(ws, c, dv, spec, prompt)

    def _rule(self, spec: FieldSpec, correction: bool) -> DataValidation:
        """Excel data validation for a field: strict for answers, lenient for corrections
        (which may also hold （删除）)."""
        extra = [DELETE_MARK] if correction else []
        if spec.type == "bool":
            return list_rule(["是", "否", *extra])
        if spec.type == "choice":
            return self.lists.rule([*(spec.choices or ()), *extra])
        if correction:
            return DataValidation(allow_blank=True)
        return rule_for(spec, self.lists)


def _only(rows: Iterable[Group | FieldSpec], keep: frozenset[str] | None) -> list[Group | FieldSpec]:
    """The 填报 rows with only the fields in `keep` (all when None), and the group titles over them."""
    rows = list(rows)
    if keep is None:
        return rows
    out: list[Group | FieldSpec] = []
    for n, entry in enumerate(rows):
        if isinstance(entry, FieldSpec):
            if entry.id in keep:
                out.append(entry)
            continue
        # A title stays when a kept field follows before the next title of its level or above.
        for later in rows[n + 1:]:
            if isinstance(later, Group):
                if later.level <= entry.level:
                    break
            elif later.id in keep:
                out.append(entry)
                break
    return out


def _evidence_text(item: Item) -> str | None:
    if item.evidence is None:
        return None
    text = "、".join(item.evidence.methods)
    if item.evidence.documents:
        text += "：" + "；".join(item.evidence.documents)
    return text


# ---- the many-villages sheet and CSV -----------------------------------------------------------


def _many_note(compiled: CompiledRubric) -> str:
    return (f"第 2 行为表头（括号中为编号，请勿修改；红字为必填），从第 3 行起每行填写一个村（社区）。是/否填 是/否（或 √/×），"
            f"多选用“、”分隔、一项也没有填“{NO_TAGS}”，日期填 2025-03-01。不填视为未填报。评分：sanzhi score 本文件 --rubric {compiled.ref}")


def build_many_form(compiled: CompiledRubric) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_MANY
    cols = many_columns(compiled)
    ref = styled_cell(ws, 1, 1, RUBRIC_LABEL)
    ref.font = Font(name=FONT, bold=True, size=10)
    c = styled_cell(ws, 1, 2, compiled.ref)
    c.fill = FILLS["fixed"]
    c.font = Font(name=FONT, bold=True, size=10)
    note = styled_cell(ws, 1, 3, _many_note(compiled))
    note.border = Border()
    ws.merge_cells(start_row=1, start_column=3, end_row=1, end_column=min(len(cols), 14))
    ws.row_dimensions[1].height = 42
    last = 2 + MANY_ROWS
    lists = Dropdowns(wb)
    for i, col in enumerate(cols, start=1):
        h = styled_cell(ws, 2, i, col.header)
        h.font = Font(name=FONT, bold=True, size=10, color="C00000" if col.spec.required else "000000")
        h.fill = FILLS["header"]
        letter = column_letter(i - 1)
        dim = ws.column_dimensions[letter]
        dim.width = max(col.width, min(30, display_width(col.header) / 2 + 2))
        dim.protection = UNLOCKED
        if col.spec.type == "date":
            dim.number_format = DATE_FORMAT
        elif col.spec.type in ("text", "tags") and col.spec.id != "reason":
            dim.number_format = "@"
        attach_validation(ws, f"{letter}3:{letter}{last}", rule_for(col.spec, lists), col.spec,
                          col.spec.help or expected_in_words(col.spec), col.label)
    widths = [ws.column_dimensions[column_letter(i)].width for i in range(len(cols))]
    ws.row_dimensions[2].height = 4 + 13.5 * max(-(-display_width(c.header) // int(w - 1)) for c, w in zip(cols, widths))
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{column_letter(len(cols) - 1)}{last}"
    protect(ws)
    print_setup(ws, "1:2", fit_width=False)
    ws.print_title_cols = "A:B"
    return wb


def many_template_csv(compiled: CompiledRubric) -> bytes:
    """The many-villages sheet as CSV: UTF-8 with BOM and CRLF, as Excel writes and reads it."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([csv_text(v) for v in (RUBRIC_LABEL, compiled.ref, _many_note(compiled))])
    w.writerow([csv_text(c.header) for c in many_columns(compiled)])  # rubric text, still not a formula
    return buf.getvalue().encode("utf-8-sig")


