"""The 评分标准 as PDF: an HTML table through the report renderer (WeasyPrint, Noto Sans SC).

The page is A4 landscape (assets/css/rubric_table.css); the table's <thead> repeats on every
page; 项目 and 指标 cells span their rows (rowspan), as the merged cells of the workbook.
Texts are escaped by the template environment; the renderer fetches nothing.
"""

import functools
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from sanzhi.common.numbers import fmt
from sanzhi.reports.html import environment
from sanzhi.reports.rubric_export.common import shares
from sanzhi.standard.models import Rubric
from sanzhi.standard.tables.layout import LayoutDimension, TableLayout


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    cls: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    cls: str = ""


def table_rows(layout: TableLayout) -> list[Row]:
    """The body rows with their spanning cells, in order."""
    cols = layout.columns
    col = {name: i for i, name in enumerate(cols)}
    points_col = col["分值"]
    out: list[Row] = []

    def group(dim: LayoutDimension) -> None:
        first_of_dim = True
        for ind in dim.indicators:
            first_of_ind = True
            for it in ind.items:
                cells: list[Cell] = []
                if first_of_dim:
                    span = 2 if layout.show_indicator and dim.bonus else 1
                    cells.append(Cell(dim.label, len(dim.items), span, "group"))
                if layout.show_indicator and not dim.bonus and first_of_ind:
                    cells.append(Cell(ind.label, len(ind.items), 1, "group"))
                texts = {"序号": it.id, "评分项": it.name, "评定标准": it.criterion, "分值": fmt(it.points), "评分细则": it.rules,
                         "考核方法": it.methods, "评分单位": it.scored_by}
                for name in cols:
                    if name in texts:
                        cells.append(Cell(texts[name], cls="ctr" if name in ("序号", "分值") else ""))
                out.append(Row(tuple(cells)))
                first_of_dim = first_of_ind = False

    for dim in layout.main:
        group(dim)
        out.append(_subtotal("小计", dim.points, points_col, len(cols)))
    out.append(_subtotal("合计", layout.total, points_col, len(cols)))
    if layout.bonus is not None:
        group(layout.bonus)
    return out


def _subtotal(label: str, points: Decimal, points_col: int, width: int) -> Row:
    cells = [Cell(label, colspan=points_col), Cell(fmt(points))]
    if points_col < width - 1:
        cells.append(Cell("", colspan=width - points_col - 1))
    return Row(tuple(cells), "sub")


@functools.cache
def _css() -> str:
    return (resources.files("sanzhi.reports") / "assets" / "css" / "rubric_table.css").read_text(encoding="utf-8")


def render_html(layout: TableLayout) -> str:
    template = environment().get_template("rubric_table.html.j2")
    return template.render(t=layout, rows=table_rows(layout), widths=[f"{w:.2f}" for w in shares(layout.columns)])


def write_pdf(rubric: Rubric, layout: TableLayout) -> bytes:
    from sanzhi.reports.pdf import get_renderer

    return get_renderer((_css(),)).render(render_html(layout))


__all__ = ["render_html", "table_rows", "write_pdf"]
