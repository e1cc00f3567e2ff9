"""Workbook reading speed: a 2,000-village many-villages sheet read and validated.

Usage: python scripts/bench_workbook.py [RUBRIC] [N]
Builds the sheet from the generated template and synthetic villages (sanzhi.inputs.synthetic),
saves it to a temporary folder, then times reading it back into validated Assessments with
`read_villages` (openpyxl read-only, cached values). Prints figures; asserts nothing.
Target: under 5 s for 2,000 villages.
"""

import re
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl

from sanzhi.app.api import load_compiled_rubric
from sanzhi.inputs.files import read_villages
from sanzhi.inputs.forms import build_many_form
from sanzhi.inputs.layout import SHEET_MANY, many_columns
from sanzhi.inputs.loaded import Loaded, LoadFailure
from sanzhi.inputs.synthetic import synthetic_village
from sanzhi.standard.compile import CompiledRubric


def cell(value: object) -> object:
    """A synthetic value as a clerk's cell: 是/否, numbers, Excel dates, tags joined by 、."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return "、".join(value) or "无"
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        return date.fromisoformat(value)
    return value


def build(path: Path, ref: str, n: int) -> int:
    """The generated many-villages template with `n` synthetic villages typed in."""
    compiled, _ = load_compiled_rubric(ref)
    columns = many_columns(compiled)
    wb = build_many_form(compiled)
    ws = wb[SHEET_MANY]
    for i in range(n):
        raw = synthetic_village(compiled, i)
        values: dict[str, object] = {**raw["village"], **raw["answers"]}  # type: ignore[dict-item]
        for item, j in raw["judgments"].items():  # type: ignore[union-attr]
            values[f"score:{item}"], values[f"reason:{item}"] = j["score"], j["reason"]
        for col, c in enumerate(columns, start=1):
            value = cell(values.get(c.key))
            if value is not None:
                ws.cell(3 + i, col, value)
    wb.save(path)
    return len(columns)


def as_excel_saves(src: Path, dst: Path) -> None:
    """Rewrite openpyxl's inline strings as a shared-strings table, as Excel and WPS save."""
    strings: dict[str, int] = {}
    inline = re.compile(r'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>')

    def shared(m: re.Match[str]) -> str:
        return f'<c r="{m[1]}"{m[2] or ""} t="s"><v>{strings.setdefault(m[3], len(strings))}</v></c>'

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = inline.sub(shared, data.decode()).encode()
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            zout.writestr(info, data)
        items = "".join(f"<si><t xml:space=\"preserve\">{t}</t></si>" for t in strings)
        zout.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                      f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>')


def timed(compiled: CompiledRubric, path: Path) -> tuple[float, float, int, list[Loaded]]:
    """Median of 3: (openpyxl parse alone, read + validate, cells, villages read)."""
    raw_runs, runs = [], []
    for _ in range(3):
        t0 = time.perf_counter()
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        cells = sum(len(row) for row in wb[SHEET_MANY].iter_rows(values_only=True))
        wb.close()
        raw_runs.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        loaded = list(read_villages(compiled, [path]))
        runs.append(time.perf_counter() - t0)
    return statistics.median(raw_runs), statistics.median(runs), cells, loaded


def main() -> None:
    ref = sys.argv[1] if len(sys.argv) > 1 else "jiaxing-sanzhi"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    compiled, _ = load_compiled_rubric(ref)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "村汇总.xlsx"
        width = build(path, ref, n)
        excel = Path(tmp) / "村汇总-sst.xlsx"
        as_excel_saves(path, excel)
        print(f"rubric {compiled.ref}: {n:,} villages × {width} columns")
        for label, p in (("as openpyxl saves it (inline strings)", path), ("as Excel/WPS save it (shared strings)", excel)):
            parse, best, cells, loaded = timed(compiled, p)
            bad = [x for x in loaded if isinstance(x, LoadFailure)]
            print(f"{label}: {p.stat().st_size / 1e6:.1f} MB, {cells:,} cells")
            print(f"  openpyxl read-only parse alone (values_only): {parse:.2f} s")
            print(f"  read + validate {len(loaded):,} villages (read_villages): {best:.2f} s ({len(loaded) / best:,.0f} villages/s)"
                  f" — target < 5 s: {'OK' if best < 5 else 'MISSED'}")
            if bad or len(loaded) != n:
                print(f"  {len(bad)} of {len(loaded)} villages had errors, e.g.: {bad[0].error if bad else '-'}")

if __name__ == "__main__":
    main()
