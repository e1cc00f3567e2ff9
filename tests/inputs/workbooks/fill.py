"""Fill generated workbooks the way a clerk would, with plain openpyxl.

Deliberately independent of sanzhi.inputs.layout: rows are found by the 编号 column and
columns by their printed headers, as documented on the form, so a bug shared by the writer
and the reader cannot hide. `style` picks how values are typed:

- "plain": 是/否, numbers as numbers, dates as Excel dates, tags joined by 、;
- "clerk": √/×, full-width digits with trailing spaces as text, 2025年3月1日, codes as numbers,
  tags joined by ，, documents separated by ；.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl

from sanzhi.standard.compile import CompiledRubric

FULL = str.maketrans("0123456789.-", "０１２３４５６７８９．－")
DELETE = "（删除）"


def cell_text(value: object, kind: str, style: str) -> object:
    """How a clerk types `value` (from the YAML data) into a cell of a field of type `kind`.

    None (an answer left out) is an empty cell; in a correction it means “strike the answer
    out”, which the caller writes as （删除）."""
    if value is None:
        return None
    if isinstance(value, str) and kind != "date":  # the YAML already holds text ("否", "12项"): type it as is
        return value + ("  " if style == "clerk" else "")
    if kind == "bool":
        return ("√" if value else "×") if style == "clerk" else ("是" if value else "否")
    if kind in ("integer", "decimal"):
        if style == "clerk":
            return str(value).translate(FULL) + "  "
        return int(value) if isinstance(value, int) or Decimal(value) == int(value) else float(value)
    if kind == "date":
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            return value  # not ISO: type it as written
        return f"{day.year}年{day.month}月{day.day}日" if style == "clerk" else day
    if kind == "tags":
        if not value:
            return "无"
        return ("，" if style == "clerk" else "、").join(value)  # type: ignore[arg-type]
    return value


def _index(ws: Any) -> tuple[dict[str, int], dict[str, int]]:
    """(编号 → row, header → column) of a form sheet."""
    header_row = next(r for r in range(1, 40) if ws.cell(r, 1).value == "编号")
    cols = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(header_row, c).value}
    rows = {str(ws.cell(r, 1).value): r for r in range(header_row + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    return rows, cols


def fill_village_form(path: Path, compiled: CompiledRubric, raw: dict, style: str = "plain", *, partial: bool = False) -> None:
    """Type a village's data into its form. `partial`: a scoring body's form (--by-body), which
    has rows only for its own fields and items: values without a row are left to the other forms."""
    r = compiled.rubric
    kinds = {s.id: s.type for s in (*r.attributes, *r.fields)}
    kinds.update(year="integer", assessed_on="date", code="text")
    names = {lv.id: lv.name for lv in r.review_levels}
    own = r.review_levels[0].name
    wb = openpyxl.load_workbook(path)
    sheets = {title: (wb[title], *_index(wb[title])) for title in ("封面", "填报", "评分项", "核定")}

    def put(title: str, key: str, header: str, value: object) -> None:
        ws, rows, cols = sheets[title]
        if partial and key not in rows:
            return
        ws.cell(rows[key], cols[header], value)

    for key, value in raw["village"].items():
        if key == "code" and style == "clerk":
            value = int(value)
        elif key == "year" and style == "clerk":
            value = float(value)
        else:
            value = cell_text(value, kinds.get(key, "text"), style)
        put("封面", key, f"{own}填写", value)
    for key, value in raw.get("answers", {}).items():
        put("填报", key, f"{own}填写", cell_text(value, kinds[key], style))
    for item, j in raw.get("judgments", {}).items():
        put("评分项", item, f"{own}·酌情评分", cell_text(j["score"], "decimal", style))
        put("评分项", item, f"{own}·评分理由", j["reason"])
    sep = "；" if style == "clerk" else "\n"
    for item, docs in raw.get("evidence", {}).items():
        put("评分项", item, "佐证材料（村填写）", sep.join(docs))
    for review in raw.get("reviews", []):
        name = names[review["level"]]
        put("封面", f"reviewer:{review['level']}", f"{own}填写", review["reviewer"])
        if "date" in review:
            put("封面", f"date:{review['level']}", f"{own}填写", cell_text(review["date"], "date", style))
        for key, fix in review.get("corrections", {}).items():
            title = "封面" if key in {a.id for a in r.attributes} else "填报"
            fixed = DELETE if fix["value"] is None else cell_text(fix["value"], kinds[key], style)
            put(title, key, f"{name}·更正值", fixed)
            put(title, key, f"{name}·更正理由", fix["reason"])
        for item, j in review.get("judgments", {}).items():
            put("评分项", item, f"{name}·酌情评分", cell_text(j["score"], "decimal", style))
            put("评分项", item, f"{name}·评分理由", j["reason"])
        for item, s in review.get("scores", {}).items():
            put("核定", item, f"{name}·核定分", cell_text(s["score"], "decimal", style))
            put("核定", item, f"{name}·核定理由", s["reason"])
    wb.save(path)


def many_row(compiled: CompiledRubric, headers: list[str], raw: dict, style: str = "plain") -> list[object]:
    """One village's row of the many-villages sheet, for the given header row."""
    r = compiled.rubric
    kinds = {s.id: s.type for s in (*r.attributes, *r.fields)}
    kinds.update(year="integer", assessed_on="date", code="text")
    values: dict[str, object] = {}
    for key, value in {**raw["village"], **raw.get("answers", {})}.items():
        values[key] = cell_text(value, kinds.get(key, "text"), style)
    for item, j in raw.get("judgments", {}).items():
        values[f"score:{item}"] = cell_text(j["score"], "decimal", style)
        values[f"reason:{item}"] = j["reason"]
    for item, docs in raw.get("evidence", {}).items():
        values[f"evidence:{item}"] = ("；" if style == "clerk" else "\n").join(docs)
    row = []
    for h in headers:
        key = h[h.rindex("（") + 1 : -1]
        row.append(values.get(key))
    return row
