"""Word → one Grid per table, with the paragraphs around it (title block above, notes below).

python-docx reports a horizontally merged cell (gridSpan) once per grid column it spans and a
vertically merged one (vMerge) as the cell above it, both as the same `<w:tc>` element; cells
that share an element are one merged cell, and the first position it appears at is its origin.
A table inside a table cell is read as that cell's text.
"""

import zipfile
from pathlib import Path
from typing import Any

from sanzhi.common.errors import Diagnostic, Location, UserError
from sanzhi.standard.tables.grid import Grid, GridCell, TableFile


def _cell_text(cell: Any) -> str:
    # Paragraphs of a cell are its lines, as Word shows them.
    return "\n".join(p.text for p in cell.paragraphs).strip("\n")


def _grid(table: Any, name: str, number: int, before: tuple[str, ...], after: tuple[str, ...]) -> Grid:
    # Keyed by the element itself: holding it keeps lxml from handing its proxy's id to another.
    seen: dict[Any, tuple[int, int]] = {}
    rows: list[list[GridCell]] = []
    for r, row in enumerate(table.rows):
        line = []
        for c, cell in enumerate(row.cells):
            origin = seen.setdefault(cell._tc, (r, c))
            line.append(GridCell(_cell_text(cell), None, origin if origin != (r, c) or _spans(cell) else None))
        rows.append(line)
    width = max((len(r) for r in rows), default=0)
    for line in rows:
        line += [GridCell("")] * (width - len(line))
    # Give the origin cell of a merged range its own position as origin too, so the range is one.
    origins = {cell.origin for line in rows for cell in line if cell.origin is not None}
    for r0, c0 in origins:
        first = rows[r0][c0]
        rows[r0][c0] = GridCell(first.text, first.number, (r0, c0))
    return Grid(name, "docx", tuple(tuple(r) for r in rows), table=number, before=before, after=after)


def _spans(cell: Any) -> bool:
    tc = cell._tc
    return bool(tc.grid_span > 1 or tc.vMerge is not None)


def read_docx_tables(path: Path, name: str) -> TableFile:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UserError([Diagnostic("T100", "无法读取该 Word 文件：不是有效的 .docx 文档", Location(name),
                                    hint="请在 Word 或 WPS 中打开后“另存为” Word 文档（*.docx）")]) from None
    except Exception as e:
        if type(e).__module__.startswith("docx"):
            raise UserError([Diagnostic("T100", "无法读取该 Word 文件：不是有效的 .docx 文档", Location(name))]) from None
        raise
    blocks: list[Any] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document))
        elif tag == "tbl":
            blocks.append(Table(child, document))
    grids = []
    tables = [i for i, b in enumerate(blocks) if isinstance(b, Table)]
    for n, i in enumerate(tables):
        start = tables[n - 1] + 1 if n else 0
        end = tables[n + 1] if n + 1 < len(tables) else len(blocks)
        before = tuple(b.text for b in blocks[start:i] if isinstance(b, Paragraph) and b.text.strip())
        after = tuple(b.text for b in blocks[i + 1 : end] if isinstance(b, Paragraph) and b.text.strip())
        grids.append(_grid(blocks[i], name, n + 1, before, after))
    return TableFile(name, "docx", tuple(grids))
