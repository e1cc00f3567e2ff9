"""The many-villages sheet (Excel or CSV) → one `Loaded` per village row.

Row 1 names the rubric (评分标准 | id@version), row 2 holds the headers, each later row is one
village. Columns are found by the key at the end of their header (“发现问题数（findings）”)
or, failing that, by the label alone, so a township may reorder or drop optional columns.
Problems with the sheet as a whole (another rubric, unknown or duplicate headers, missing
required columns) refuse the file with one list of errors; problems in a row stop only
that village.

Codes: D114 another rubric; D120 not a many-villages sheet; D121 header problem;
D122 value in a column without a header; D123 village code repeated; D126 no village rows.
"""

import re
from collections.abc import Iterable, Iterator, Sequence

from sanzhi.common.errors import DataError, Diagnostic, Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.cellmap import CellMap, RowPlaces, cell, column_letter, failed, unusable_text
from sanzhi.inputs.cells import raw_for
from sanzhi.inputs.layout import RUBRIC_LABEL, VILLAGE_SPECS, ManyColumn, many_columns
from sanzhi.inputs.loaded import Loaded, LoadedVillage, Source
from sanzhi.inputs.xlsx_sheets import Merged
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.values import Unusable, is_blank, normalize_text

_TEXT_KEYS = frozenset(s.id for s in VILLAGE_SPECS if s.type == "text")  # read as plain text, not parsed
_KEY = re.compile(r"\(\s*([^()]+?)\s*\)\s*$")
_DOCS = re.compile(r"[\n;；]+")


def rubric_mismatch(compiled: CompiledRubric, found: object, where: Location) -> Diagnostic | None:
    """D114 when a workbook names another rubric (or none): it was made for another form."""
    text = normalize_text(found) if isinstance(found, str) else ("" if found is None else str(found))
    if text == compiled.ref:
        return None
    if not text:
        return Diagnostic("D114", "工作簿没有注明评分标准，无法确认它对应哪一版评分表", where,
                          expected=compiled.ref, hint=f"请用 sanzhi form --rubric {compiled.ref} 生成的表格填报")
    return Diagnostic("D114", "工作簿是按另一版评分标准生成的，不能按本评分标准读取", where,
                      expected=compiled.ref, found=f"“{text}”",
                      hint=f"请改用 --rubric {text} 评分，或用 sanzhi form --rubric {compiled.ref} 生成新表格重新填报")


def read_table(compiled: CompiledRubric, rows: Iterable[Sequence[object]], file: str, sheet: str | None,
               merged: Merged | None = None) -> Iterator[Loaded]:
    """Villages of a many-villages sheet; `rows` are the sheet's rows from row 1, as cell values;
    `merged`: the sheet's merged ranges, whose covered cells are reported (D128)."""
    it = iter(rows)
    first = list(next(it, ()))
    if not first or not isinstance(first[0], str) or normalize_text(first[0]) != RUBRIC_LABEL:
        yield failed(file, [Diagnostic("D120", "不是 sanzhi 生成的村汇总表：第 1 行应为 “评分标准 | 评分标准编号@版本”",
                                       Location(file, sheet=sheet, row=1, cell_column="A"), found=_shown(first[:2]),
                                       hint=f"请用 sanzhi form --rubric {compiled.ref} --layout many 生成模板后填报")])
        return
    mismatch = rubric_mismatch(compiled, first[1] if len(first) > 1 else None,
                               Location(file, sheet=sheet, row=1, cell_column=f"B（{RUBRIC_LABEL}）"))
    if mismatch is not None:
        yield failed(file, [mismatch])
        return
    headers = list(next(it, ()))
    columns, problems = _columns(compiled, headers, file, sheet)
    if problems:
        yield failed(file, problems)
        return
    rows_reader = _Rows(compiled, columns, file, sheet, len(headers), merged if merged is not None and merged.ranges else None)
    villages = 0
    for r, row in enumerate(it, start=3):
        if not all(is_blank(v) for v in row):
            villages += 1
            yield rows_reader.village(row, r)
    if not villages:
        yield failed(file, [Diagnostic("D126", "表中没有任何村（社区）的数据", Location(file, sheet=sheet, row=3),
                                       hint="从第 3 行起每行填写一个村（社区）")])


class _Rows:
    def __init__(self, compiled: CompiledRubric, columns: dict[int, ManyColumn], file: str, sheet: str | None, width: int,
                 merged: Merged | None) -> None:
        self.compiled, self.columns, self.file, self.sheet, self.width = compiled, columns, file, sheet, width
        self.merged = merged
        self.labels = {i: c.label for i, c in columns.items()}
        self.fields = frozenset(f.id for f in compiled.rubric.fields)
        self.seen_codes: dict[str, int] = {}
        self.paths: dict[tuple[str | int, ...], tuple[int, str]] = {}
        for i, c in columns.items():
            kind, _, item = c.key.partition(":")
            if not item:
                self.paths[("answers" if c.key in self.fields else "village", c.key)] = (i, c.label)
            elif kind == "evidence":
                self.paths[("evidence", item)] = (i, c.label)
            else:
                self.paths[("judgments", item, kind)] = (i, c.label)
        for judged in {p[1] for p in self.paths if p[0] == "judgments"}:  # a judgment's own problems: its score
            self.paths[("judgments", judged)] = (self.paths.get(("judgments", judged, "score"))
                                                 or self.paths[("judgments", judged, "reason")])

    def village(self, row: Sequence[object], r: int) -> Loaded:
        file, sheet = self.file, self.sheet
        village: dict[str, object] = {}
        answers: dict[str, object] = {}
        judgments: dict[str, dict[str, object]] = {}
        evidence: dict[str, list[str]] = {}
        own: list[Diagnostic] = []
        if self.merged is not None:
            own.extend(self.merged.covered(r, self.labels, file, sheet or ""))
        for i, v in enumerate(row):
            c = self.columns.get(i)
            if c is None:
                if not is_blank(v):
                    own.append(Diagnostic("D122", "该列没有表头，无法识别所填内容", cell(file, sheet, r, i, "无表头"),
                                          found=_shown([v]), hint="请补上表头，或删除该列内容"))
                continue
            value = raw_for(c.spec, v)
            kind, _, item = c.key.partition(":")
            if not item:
                if c.key in _TEXT_KEYS and isinstance(value, Unusable):
                    own.append(unusable_text(value, c.label, cell(file, sheet, r, i, c.label)))  # type: ignore[arg-type]
                    value = None
                (answers if c.key in self.fields else village)[c.key] = value
            elif is_blank(value):
                continue
            elif kind != "score" and isinstance(value, Unusable):  # a formula error is no reason or document
                own.append(unusable_text(value, c.label, cell(file, sheet, r, i, c.label)))  # type: ignore[arg-type]
            elif kind == "evidence":
                evidence[item] = split_documents(value)
            else:
                judgments.setdefault(item, {})[kind] = value if kind == "score" else str(value).strip()
        self._check_code(village.get("code"), r, own)
        raw = {"rubric": self.compiled.ref, "village": village, "answers": answers, "judgments": judgments, "evidence": evidence}
        cells = CellMap(Location(file, sheet=sheet, row=r), RowPlaces(file, sheet, r, self.paths))
        source = Source(file, sheet, r)
        blob = "\t".join("" if v is None else str(v) for v in row[: self.width]).encode()
        try:
            assessment = read_assessment(self.compiled, raw, cells.locate)
        except DataError as e:
            return failed(source, cells.refine(e, own), blob)
        if own:
            return failed(source, own, blob)
        return LoadedVillage(source, assessment, blob)

    def _check_code(self, code: object, r: int, own: list[Diagnostic]) -> None:
        if not isinstance(code, (str, int)) or is_blank(code):
            return
        key = normalize_text(str(code))
        first = self.seen_codes.setdefault(key, r)
        if first != r:
            index, label = self.paths[("village", "code")]
            own.append(Diagnostic("D123", f"统计用区划代码与第 {first} 行重复", cell(self.file, self.sheet, r, index, label),
                                  found=key, hint="同一个村只能填一行；请删除重复行或更正代码"))


def split_documents(value: object) -> list[str]:
    """Evidence documents from one cell: one per line, or separated by ；."""
    return [d.strip() for d in _DOCS.split(str(value)) if d.strip()]


def _columns(compiled: CompiledRubric, headers: list[object], file: str, sheet: str | None) -> tuple[dict[int, ManyColumn], list[Diagnostic]]:
    known = many_columns(compiled, all_evidence=True)
    by_key = {c.key: c for c in known}
    by_label = {normalize_text(c.label): c for c in known}
    out: dict[int, ManyColumn] = {}
    problems: list[Diagnostic] = []
    first_at: dict[str, int] = {}
    for i, h in enumerate(headers):
        if is_blank(h):
            continue
        text = normalize_text(str(h))
        m = _KEY.search(text)
        c = (by_key.get(m[1]) if m else None) or by_label.get(text)
        at = Location(file, sheet=sheet, row=2, cell_column=f"{column_letter(i)}（{str(h).strip()}）")
        if c is None:
            problems.append(Diagnostic("D121", "无法识别的列", at, found=f"“{str(h).strip()}”",
                                       expected="模板中的列名，如 “" + known[1].header + "”",
                                       hint="请删除该列，或改回模板中的列名（括号中的编号不能改）"))
        elif c.key in first_at:
            problems.append(Diagnostic("D121", f"列 “{c.label}” 重复（另见 {column_letter(first_at[c.key])} 列）", at,
                                       hint="每个填报项只能有一列"))
        else:
            first_at[c.key] = i
            out[i] = c
    for c in known:
        if c.spec.required and ":" not in c.key and c.key not in first_at:
            problems.append(Diagnostic("D121", f"缺少必填列 “{c.header}”", Location(file, sheet=sheet, row=2),
                                       hint="请从模板中把该列复制回来"))
    return out, problems


def _shown(values: Sequence[object]) -> str:
    return " | ".join("" if v is None else f"“{v}”" if isinstance(v, str) else str(v) for v in values) or "（空）"
