"""Excel workbooks → villages: the per-village form (one `Loaded`) or a many-villages sheet
(one `Loaded` per row).

A workbook with a 封面 sheet is a per-village form; one with a 村汇总 sheet (or a single
sheet) is a many-villages sheet, read by `sanzhi.inputs.table`. The form's rows are found by
their 编号 (field or item id) and its columns by their headers, then turned into the raw
village data of the documented format and validated by `read_assessment`, so a form and a
YAML file mean exactly the same. Every error names the sheet, row and column.

A form whose cover names a scoring body (评分部门, `sanzhi form --by-body`) is one part of a
village: it is handed over as a `BodyForm`, read but not validated, for `sanzhi.inputs.bodies`
to merge with the village's other bodies' forms.

Codes: D100 unreadable file; D114 another rubric; D120 not a sanzhi workbook, or a sheet or
column missing; D124 the same 编号 twice; D125 a correction reason without a corrected value;
D127 a judgment score on an item that is scored by its rules; D128 a merged value cell and
D129 a hidden or copied sheet (`sanzhi.inputs.xlsx_sheets`). The file itself is opened through
the size, DTD and token guards of `sanzhi.inputs.xlsx_guard`.
"""

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanzhi.common.errors import DataError, Diagnostic, Location, os_reason
from sanzhi.common.regular_file import SHEET_LIMIT, read_regular_file
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.bodies import BODY_KEY, BODY_LABEL, BodyForm, LevelEntry, review_entries
from sanzhi.inputs.cellmap import CellMap, cell, failed, unusable_text
from sanzhi.inputs.cells import open_workbook, raw_for
from sanzhi.inputs.layout import (
    DELETE_MARK,
    ID_HEADER,
    REASON,
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
    entry_columns,
    item_columns,
    judgment_spec,
    match_headers,
    override_columns,
)
from sanzhi.inputs.loaded import Loaded, LoadedVillage, Source
from sanzhi.inputs.table import read_table, rubric_mismatch, split_documents
from sanzhi.inputs.xlsx_guard import WorkbookRefused
from sanzhi.inputs.xlsx_sheets import SheetUnreadable, choose, read_rows, unreadable_diagnostic
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.values import Unusable, is_blank, normalize_text

Row = list[object]
_TEXT_KEYS = frozenset(s.id for s in VILLAGE_SPECS if s.type == "text")  # read as plain text, not parsed
_HEADER_SEARCH = 30  # rows searched for the 编号 header


def read_workbook(compiled: CompiledRubric, path: Path, display: str | None = None) -> Iterator[Loaded | BodyForm]:
    name = display or str(path)
    try:
        blob = read_regular_file(path, SHEET_LIMIT)
    except FileNotFoundError:
        yield failed(name, [Diagnostic("D100", "找不到村自评数据文件", Location(name))])
        return
    except OSError as exc:  # a FIFO, a device, a folder, no permission, too large
        yield failed(name, [Diagnostic("D100", "无法读取村自评数据文件", Location(name), found=os_reason(exc))])
        return
    try:
        wb = open_workbook(blob)
    except WorkbookRefused as exc:
        yield failed(name, [unreadable_diagnostic(name, exc)], blob)
        return
    except Exception:  # noqa: BLE001 - openpyxl raises many types for a file that is not .xlsx
        yield failed(name, [Diagnostic("D100", "无法读取该 Excel 文件：不是有效的 .xlsx 工作簿", Location(name),
                                       hint="请在 Excel 或 WPS 中打开后“另存为” Excel 工作簿（*.xlsx）；"
                                            "设置了打开密码的文件请先取消密码")], blob)
        return
    try:
        names = list(wb.sheetnames)
        if SHEET_COVER in names:
            yield _Form(compiled, wb, name).read(blob)
        elif SHEET_MANY in names or len(names) == 1:
            ws = wb[SHEET_MANY if SHEET_MANY in names else names[0]]
            ambiguous = choose(wb, ws.title, name)
            if ambiguous:
                yield failed(name, ambiguous, blob)
                return
            sheet = read_rows(wb, ws)
            yield from read_table(compiled, sheet.rows, name, ws.title, sheet.merged)
        else:
            yield failed(name, [Diagnostic(
                "D120", "不是 sanzhi 生成的自评表：找不到 “封面” 工作表（单村自评表）或 “村汇总” 工作表（多村汇总表）",
                Location(name), found="、".join(f"“{n}”" for n in names),
                hint=f"请用 sanzhi form --rubric {compiled.ref} 生成表格后填报")])
    except zipfile.BadZipFile:
        yield failed(name, [Diagnostic("D100", "Excel 文件已损坏，无法读取", Location(name))], blob)
    except (SheetUnreadable, WorkbookRefused) as exc:
        yield failed(name, [unreadable_diagnostic(name, exc)], blob)
    finally:
        wb.close()


class _Form:
    """One per-village form being read: the raw village data and where each value sits."""

    def __init__(self, compiled: CompiledRubric, wb: Any, file: str) -> None:
        self.c = compiled
        self.wb = wb
        self.file = file
        self.cells = CellMap(Location(file, sheet=SHEET_COVER))
        self.own: list[Diagnostic] = []
        self.levels = [lv.id for lv in compiled.rubric.review_levels[1:]]
        self.village: dict[str, object] = {}
        self.answers: dict[str, object] = {}
        self.judgments: dict[str, dict[str, object]] = {}
        self.evidence: dict[str, list[str]] = {}
        self.review = {lv: LevelEntry() for lv in self.levels}
        self.body: str | None = None  # the scoring body a --by-body form is for
        self.body_at = Location(file, sheet=SHEET_COVER)

    # ---- reading -------------------------------------------------------------------------

    def read(self, blob: bytes) -> Loaded | BodyForm:
        cover = self._sheet(SHEET_COVER, entry_columns(self.c), ("id", "value"))
        if cover is None:
            return failed(self.file, self.own, blob)
        ref_row = next(((r, row) for r, key, row in cover[1] if key == RUBRIC_KEY), None)
        at = self._at(SHEET_COVER, ref_row[0] if ref_row else None, cover[0].get("value"), RUBRIC_LABEL)
        mismatch = rubric_mismatch(self.c, _get(ref_row[1], cover[0]["value"]) if ref_row else None, at)
        if mismatch is not None:
            return failed(self.file, [mismatch], blob)
        self._cover(*cover)
        fields = self._sheet(SHEET_FIELDS, entry_columns(self.c), ("id", "value"))
        if fields is not None:
            self._entries(SHEET_FIELDS, *fields, {f.id: f for f in self.c.rubric.fields}, self.answers, "answers")
        items = self._sheet(SHEET_ITEMS, item_columns(self.c), ("id",))
        if items is not None:
            self._items(*items)
        if SHEET_OVERRIDES in self.wb.sheetnames:
            overrides = self._sheet(SHEET_OVERRIDES, override_columns(self.c), ("id",))
            if overrides is not None:
                self._overrides(*overrides)
        if any(d.code == "D120" for d in self.own):
            return failed(self.file, self.own, blob)
        if self.body is not None:  # one body's part of a village: merged with the others (sanzhi.inputs.bodies)
            places = dict(self.cells.places)
            return BodyForm(self.file, blob, self.body, self.body_at, self.village, self.answers, self.judgments,
                            self.evidence, self.review, places, self.own)
        raw = {"rubric": self.c.ref, "village": self.village, "answers": self.answers,
               "judgments": self.judgments, "evidence": self.evidence,
               "reviews": review_entries(self.review, self.levels, self.cells)}
        try:
            assessment = read_assessment(self.c, raw, self.cells.locate)
        except DataError as e:
            return failed(self.file, self.cells.refine(e, self.own), blob)
        if self.own:
            return failed(self.file, self.own, blob)
        return LoadedVillage(Source(self.file), assessment, blob)

    def _sheet(self, title: str, columns: tuple[Column, ...], needed: tuple[str, ...]) -> tuple[dict[str, int], list[tuple[int, str, Row]]] | None:
        """(column key → index, [(row number, 编号, cells)]) of a sheet, or None with an error."""
        if title not in self.wb.sheetnames:
            self.own.append(Diagnostic("D120", f"自评表缺少 “{title}” 工作表", Location(self.file),
                                       hint="请勿删除或重命名工作表；可重新生成表格后把内容复制过去"))
            return None
        self.own.extend(choose(self.wb, title, self.file))
        sheet = read_rows(self.wb, self.wb[title])
        rows = list(sheet.rows)
        header = next((n for n, row in enumerate(rows[:_HEADER_SEARCH]) if row and _text(row[0]) == ID_HEADER), None)
        if header is None:
            self.own.append(Diagnostic("D120", f"“{title}” 工作表找不到表头行（A 列为 “{ID_HEADER}” 的行）",
                                       Location(self.file, sheet=title), hint="请勿修改或删除表头行"))
            return None
        cols = match_headers(rows[header], columns)
        for key in needed:
            if key not in cols:
                want = next(c.header for c in columns if c.key == key)
                self.own.append(Diagnostic("D120", f"“{title}” 工作表缺少 “{want}” 列", Location(self.file, sheet=title, row=header + 1),
                                           hint="请勿删除或修改表头；可重新生成表格后把内容复制过去"))
        if any(k not in cols for k in needed):
            return None
        out: list[tuple[int, str, Row]] = []
        seen: dict[str, int] = {}
        read = {i: next(c.header for c in columns if c.key == k) for k, i in cols.items()}
        for n, row in enumerate(rows[header + 1:], start=header + 2):
            key = _text(row[0]) if row else ""
            if not key:
                continue
            if sheet.merged.ranges:
                self.own.extend(sheet.merged.covered(n, read, self.file, title))
            if key in seen:
                self.own.append(Diagnostic("D124", f"编号 “{key}” 重复（另见第 {seen[key]} 行）",
                                           Location(self.file, sheet=title, row=n, cell_column=f"A（{ID_HEADER}）"),
                                           hint="每个编号只能有一行；请删除重复的行"))
                continue
            seen[key] = n
            out.append((n, key, row))
        return cols, out

    def _cover(self, cols: dict[str, int], rows: list[tuple[int, str, Row]]) -> None:
        village_specs = {s.id: s for s in VILLAGE_SPECS}
        attrs = {a.id: a for a in self.c.rubric.attributes}
        self.cells.put(("village",), Location(self.file, sheet=SHEET_COVER))
        self.cells.put(("reviews",), Location(self.file, sheet=SHEET_COVER))
        for r, key, row in rows:
            kind, _, level = key.partition(":")
            if key == RUBRIC_KEY or key in attrs:
                continue
            if key == BODY_KEY:
                value = _get(row, cols["value"])
                self.body_at = self._at(SHEET_COVER, r, cols["value"], BODY_LABEL)
                self.body = "" if is_blank(value) else normalize_text(str(value))
                continue
            if key in village_specs:
                self._value(SHEET_COVER, r, row, cols, village_specs[key], self.village, ("village", key))
            elif kind in ("reviewer", "date") and level in self.review:
                spec = REVIEWER if kind == "reviewer" else REVIEW_DATE
                value = raw_for(spec, _get(row, cols["value"]))
                at = self._at(SHEET_COVER, r, cols["value"], f"{self._level_name(level)}{spec.label}")
                problem = unusable_text(value, spec.label, at) if spec is REVIEWER else None
                if problem is not None:
                    self.own.append(problem)
                    value = "无法读取"  # named but unreadable: the level is present, its error already reported
                setattr(self.review[level], kind, value)
                self.review[level].places.append(((), at) if kind == "reviewer" else (("date",), at))
            else:  # unknown: read_assessment names it, at its 编号 cell
                self.village[key] = _get(row, cols["value"])
                self.cells.put(("village", key), self._at(SHEET_COVER, r, 0, ID_HEADER))
        self._entries(SHEET_COVER, cols, [x for x in rows if x[1] in attrs], attrs, self.village, "village")

    def _entries(self, sheet: str, cols: dict[str, int], rows: list[tuple[int, str, Row]],
                 specs: dict[str, FieldSpec], into: dict[str, object], section: str) -> None:
        """Rows of attributes or answer fields: the value, and each level's correction."""
        self.cells.put((section,), Location(self.file, sheet=sheet))
        for r, key, row in rows:
            spec = specs.get(key)
            if spec is None:
                into[key] = _get(row, cols["value"])
                self.cells.put((section, key), self._at(sheet, r, 0, ID_HEADER))
                continue
            self._value(sheet, r, row, cols, spec, into, (section, key))
            for lv in self.levels:
                self._correction(sheet, r, row, cols, spec, lv)

    def _value(self, sheet: str, r: int, row: Row, cols: dict[str, int], spec: FieldSpec,
               into: dict[str, object], path: tuple[str, str]) -> None:
        value = raw_for(spec, _get(row, cols["value"]))
        at = self._at(sheet, r, cols["value"], spec.label)
        problem = unusable_text(value, spec.label, at) if spec.id in _TEXT_KEYS else None
        if problem is not None:
            self.own.append(problem)
            value = None
        into[spec.id] = value
        self.cells.put(path, at)

    def _correction(self, sheet: str, r: int, row: Row, cols: dict[str, int], spec: FieldSpec, lv: str) -> None:
        fix_col, why_col = cols.get(f"fix:{lv}"), cols.get(f"why:{lv}")
        fix = _get(row, fix_col)
        why = raw_for(REASON, _get(row, why_col))
        if is_blank(fix) and is_blank(why):
            return
        name = self._level_name(lv)
        fix_at = self._at(sheet, r, fix_col, f"{spec.label}·{name}更正值")
        why_at = self._at(sheet, r, why_col, f"{spec.label}·{name}更正理由")
        if is_blank(fix):
            self.own.append(Diagnostic("D125", f"填写了更正 “{spec.label}” 的理由，但没有填写更正值", fix_at,
                                       hint=f"请填写更正后的值；如要删去该项答案，请填写“{DELETE_MARK}”"))
            return
        if isinstance(why, Unusable):  # a formula error in the reason cell is no reason
            self.own.append(unusable_text(why, f"{spec.label}·{name}更正理由", why_at))  # type: ignore[arg-type]
            return
        value = None if _text(fix) in (DELETE_MARK, normalize_text(DELETE_MARK), "删除") else raw_for(spec, fix)
        reason = None if is_blank(why) else str(why).strip()
        self.review[lv].corrections[spec.id] = {"value": value, "reason": reason}
        self.review[lv].places += [(("corrections", spec.id), fix_at), (("corrections", spec.id, "value"), fix_at),
                                   (("corrections", spec.id, "reason"), why_at)]

    def _items(self, cols: dict[str, int], rows: list[tuple[int, str, Row]]) -> None:
        items = {ci.item.id: ci for ci in self.c.items}
        self_level = self.c.rubric.review_levels[0].id
        self.cells.put(("judgments",), Location(self.file, sheet=SHEET_ITEMS))
        self.cells.put(("evidence",), Location(self.file, sheet=SHEET_ITEMS))
        for r, key, row in rows:
            ci = items.get(key)
            label = f"{key} {ci.item.name}" if ci else key
            docs = _get(row, cols.get("evidence"))
            if isinstance(docs, Unusable):
                self.own.append(unusable_text(docs, f"{label}·佐证材料", self._at(SHEET_ITEMS, r, cols["evidence"], f"{label}·佐证材料")))  # type: ignore[arg-type]
            elif not is_blank(docs):
                self.evidence[key] = split_documents(docs)
                self.cells.put(("evidence", key), self._at(SHEET_ITEMS, r, cols["evidence"] if ci else 0, f"{label}·佐证材料"))
            spec = (judgment_spec(ci) if ci else None) or FieldSpec(id="score", label="评分", type="decimal")
            for lv in (self_level, *self.levels):
                got = self._scored(SHEET_ITEMS, r, row, cols, lv, spec, label, "酌情评分", "评分理由", known=ci is not None)
                if got is None:
                    continue
                if ci is not None and ci.judgment is None:
                    self.own.append(Diagnostic(
                        "D127", f"评分项 “{key}” 按填报数据自动计分，不能填写酌情评分", got[1][0][1],
                        hint=f"如需直接认定该项得分，请在“{SHEET_OVERRIDES}”工作表填写核定分和理由"))
                    continue
                entry, places = got
                if lv == self_level:
                    self.judgments[key] = entry
                    for sub, loc in places:
                        self.cells.put(("judgments", key, *sub), loc)
                else:
                    self.review[lv].judgments[key] = entry
                    self.review[lv].places += [(("judgments", key, *sub), loc) for sub, loc in places]

    def _overrides(self, cols: dict[str, int], rows: list[tuple[int, str, Row]]) -> None:
        items = {ci.item.id: ci for ci in self.c.items}
        for r, key, row in rows:
            ci = items.get(key)
            label = f"{key} {ci.item.name}" if ci else key
            spec = FieldSpec(id="score", label="核定分", type="decimal")
            for lv in self.levels:
                got = self._scored(SHEET_OVERRIDES, r, row, cols, lv, spec, label, "核定分", "核定理由", known=ci is not None)
                if got is not None:
                    self.review[lv].scores[key] = got[0]
                    self.review[lv].places += [(("scores", key, *sub), loc) for sub, loc in got[1]]

    def _scored(self, sheet: str, r: int, row: Row, cols: dict[str, int], lv: str, spec: FieldSpec, label: str,
                score_name: str, reason_name: str, *, known: bool) -> tuple[dict[str, object], list[tuple[tuple[str, ...], Location]]] | None:
        score_col, reason_col = cols.get(f"score:{lv}"), cols.get(f"reason:{lv}")
        score = raw_for(spec, _get(row, score_col))
        reason = raw_for(REASON, _get(row, reason_col))
        if is_blank(score) and is_blank(reason):
            return None
        name = self.c.rubric.review_levels[[x.id for x in self.c.rubric.review_levels].index(lv)].name
        score_at = self._at(sheet, r, score_col if known else 0, f"{label}·{name}{score_name}")
        reason_at = self._at(sheet, r, reason_col, f"{label}·{name}{reason_name}")
        entry: dict[str, object] = {}
        if not is_blank(score):
            entry["score"] = score
        if isinstance(reason, Unusable):  # a formula error in the reason cell is no reason
            self.own.append(unusable_text(reason, f"{label}·{name}{reason_name}", reason_at))  # type: ignore[arg-type]
        elif not is_blank(reason):
            entry["reason"] = str(reason).strip()
        return entry, [((), score_at), (("score",), score_at), (("reason",), reason_at)]

    def _level_name(self, lv: str) -> str:
        return next(x.name for x in self.c.rubric.review_levels if x.id == lv)

    def _at(self, sheet: str, row: int | None, col: int | None, label: str) -> Location:
        if row is None:
            return Location(self.file, sheet=sheet)
        if col is None:
            return Location(self.file, sheet=sheet, row=row)
        return cell(self.file, sheet, row, col, label)


def _get(row: Row, index: int | None) -> object:
    return row[index] if index is not None and index < len(row) else None


def _text(v: object) -> str:
    return normalize_text(str(v)) if v is not None else ""
