"""Build a table file from a case of tables.yaml: the way Excel, WPS or Word would save it.

A case gives `rows` (lists of cell texts; numbers stay numbers in .xlsx), optional `merges`
in Excel notation ("A4:A9", applied to .xlsx and .docx; a .csv has no merges, so merged
text appears once and the cells below are blank, as Excel saves it), `format` (xlsx, csv,
docx, or raw for bytes given as `bytes_hex`/`text`), `encoding` for CSV (utf-8, utf-8-sig,
gbk), `sheet` (xlsx sheet name) and `before`/`after` (paragraphs around a Word table).
"""

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import range_boundaries


def _ranges(case: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    out = []
    for rng in case.get("merges", []):
        min_col, min_row, max_col, max_row = range_boundaries(rng)
        out.append((min_row - 1, min_col - 1, max_row - 1, max_col - 1))
    return out


def _rect(rows: list[list[Any]]) -> list[list[Any]]:
    width = max(len(r) for r in rows)
    return [list(r) + [None] * (width - len(r)) for r in rows]


def build(case: dict[str, Any], folder: Path) -> Path:
    fmt = case["format"]
    name = case.get("file") or f"{case['id']}.{'csv' if fmt == 'csv' else fmt}"
    path = folder / name
    if fmt == "raw":
        path.write_bytes(bytes.fromhex(case["bytes_hex"]) if "bytes_hex" in case else case["text"].encode("utf-8"))
        return path
    rows = _rect(case.get("rows") or [[""]])
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = case.get("sheet", "Sheet1")
        for r in rows:
            ws.append(r)
        for rng in case.get("merges", []):
            ws.merge_cells(rng)
        for extra in case.get("more_sheets", []):
            other = wb.create_sheet(extra["sheet"])
            for r in extra["rows"]:
                other.append(r)
        wb.save(path)
    elif fmt == "csv":
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        covered = {(r, c) for r0, c0, r1, c1 in _ranges(case) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}
        for i, r in enumerate(rows):
            writer.writerow(["" if v is None or (i, j) in covered else v for j, v in enumerate(r)])
        path.write_bytes(buf.getvalue().encode(case.get("encoding", "utf-8-sig")))
    elif fmt == "docx":
        import docx

        document = docx.Document()
        for text in case.get("before", []):
            document.add_paragraph(text)
        if case.get("rows"):
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            covered = {(r, c) for r0, c0, r1, c1 in _ranges(case) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}
            for i, r in enumerate(rows):
                for j, v in enumerate(r):
                    if v is not None and (i, j) not in covered:
                        table.cell(i, j).text = str(v)
            for r0, c0, r1, c1 in _ranges(case):
                table.cell(r0, c0).merge(table.cell(r1, c1))
        for text in case.get("after", []):
            document.add_paragraph(text)
        document.save(str(path))
    else:
        raise ValueError(f"unknown format {fmt}")
    return path


def normalize_output(text: str, folder: Path) -> str:
    """Output with the temporary folder and the machine's schema path taken out."""
    text = text.replace(str(folder) + "/", "").replace(str(folder), ".")
    return re.sub(r"\$schema=\S+", "$schema=…", text)
