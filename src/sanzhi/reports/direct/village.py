"""The village (and township/county) report as blocks: what ``village_report.html.j2`` prints,
with the look of ``assets/css/report.css``.

The HTML template stays the report's screen form; this module is its print form, drawn without
a browser engine. Both read the same view model (:class:`sanzhi.reports.village.VillageReport`),
so a field is formatted once; a test compares the two forms' text. When the template or the
stylesheet changes, change this module with it (the values below name their CSS rule).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from sanzhi.reports.direct.flow import MM, PageSpec
from sanzhi.reports.direct.layout import (
    Block,
    Cell,
    Drawing,
    Group,
    PageBreak,
    Para,
    Row,
    Span,
    Style,
    Table,
    hex_color,
)
from sanzhi.reports.direct.text import Color
from sanzhi.reports.village import VillageReport

__all__ = ["footer_lines", "village_blocks"]

SPEC = PageSpec()
WIDTH = SPEC.content_width

INK = hex_color("#1f2933")
MUTED = hex_color("#616e7c")
BAD = hex_color("#a61b1b")
PLACE = hex_color("#3e4c59")
BLUE = hex_color("#2f6fad")
LINE = hex_color("#cbd2d9")
RULE = hex_color("#9aa5b1")
TH_BG = hex_color("#dbe4ee")
ZEBRA = hex_color("#edf1f5")
GROUP_BG = hex_color("#e2e9f1")
CURRENT_BG = hex_color("#fdf3e1")
LOST_BG = hex_color("#fdecec")
SIG_HEAD_BG = hex_color("#f0f4f8")

BASE = Style(9.5)  # html { font-size: 9.5pt; line-height: 1.5 }
CELL_PAD = (1 * MM, 1.3 * MM, 1 * MM, 1.3 * MM)  # td, th { padding: 1mm 1.3mm }
ITEMS = Style(7.6, line_height=1.4)  # .items
ITEMS_TH = Style(7.0, bold=True, line_height=1.4)
ITEMS_TH_PAD = (1 * MM, 0.6 * MM, 1 * MM, 0.6 * MM)
GRID_RULE = (0.8, RULE)


def _s(style: Style, *, bold: bool | None = None, color: Color | None = None) -> Style:
    """`style` made bold or recoloured (the cascade of a class on a cell)."""
    return dataclasses.replace(style, bold=style.bold if bold is None else bold,
                               color=style.color if color is None else color)


def p(text: str, style: Style = BASE, *, align: str = "left", top: float = 0.0, bottom: float = 2 * MM,
      keep: bool = False) -> Para:
    return Para((Span(text),), style, align=align, margin_top=top, margin_bottom=bottom, keep_with_next=keep)


def h2(text: str) -> Para:
    return Para((Span(text),), Style(13, bold=True), margin_bottom=3 * MM, keep_with_next=True,
                rule=(1.2, BLUE, 1.2 * MM))


def h3(text: str) -> Para:
    return Para((Span(text),), Style(10.5, bold=True), margin_top=4 * MM, margin_bottom=2 * MM, keep_with_next=True)


def _bullets(items: Sequence[str], style: Style) -> list[Block]:
    """ul > li: a disc hanging in the 5 mm indent (ul { padding-left: 5mm }, li margin 1 mm)."""
    rows = tuple(Row((Cell((Para((Span("•"),), style),)), Cell((Para((Span(text),), style),)))) for text in items)
    return [Table((5 * MM, WIDTH - 5 * MM), rows, margin_bottom=2 * MM, row_gap=1 * MM)]


def _cell(text: str, style: Style, *, align: str = "left", colspan: int = 1,
          background: Color | None = None) -> Cell:
    """td: one paragraph of text."""
    return Cell((Para((Span(text),), style, align=align),), colspan=colspan, padding=CELL_PAD, background=background)


def _blocks_cell(paras: Sequence[Para]) -> Cell:
    """td holding block spans (.reason, .crit, .note): one paragraph each."""
    return Cell(tuple(paras), padding=CELL_PAD)


def _widths(percents: Sequence[str | Decimal | float], total: float = WIDTH) -> tuple[float, ...]:
    return tuple(total * float(w) / 100 for w in percents)


BASE_BOLD = Style(9.5, bold=True)


def _grid(widths: Sequence[float], headers: Sequence[str], rows: Sequence[Row], *, head_style: Style = BASE_BOLD,
          head_pad: tuple[float, float, float, float] = CELL_PAD) -> Table:
    """table.grid: header cells shaded and centred with a rule under them, zebra body rows."""
    header = Row(tuple(
        Cell((Para((Span(h),), head_style, align="center"),), padding=head_pad, valign="middle",
             background=TH_BG, border_bottom=GRID_RULE)
        for h in headers))
    return Table(tuple(widths), _zebra(rows), header=(header,), margin_bottom=3 * MM, rule_bottom=GRID_RULE)


def _zebra(rows: Sequence[Row]) -> tuple[Row, ...]:
    # .grid > tbody > tr:nth-child(even) outranks tr.group / tr.current / tr.total in the CSS.
    return tuple(Row(r.cells, ZEBRA) if i % 2 else r for i, r in enumerate(rows))


# --------------------------------------------------------------------------- cover


def _cover(r: VillageReport) -> list[Block]:
    blocks: list[Block] = [
        p(r.rubric_issuer, Style(11, color=MUTED), align="center", top=14 * MM),
        Para((Span(r.title),), Style(24, bold=True, spacing=1.0), align="center", margin_top=4 * MM,
             margin_bottom=2 * MM),
        p(r.village_name, Style(20, bold=True), align="center", top=8 * MM, bottom=1 * MM),
        p(f"{r.place or f'{r.county} · {r.township}'} · 统计用区划代码 {r.village_code}", Style(11, color=PLACE),
          align="center", bottom=7 * MM),
    ]
    facts = Style(10.5)
    pad = (1.6 * MM, 3 * MM, 1.6 * MM, 3 * MM)
    line = (0.6, LINE)
    result = Style(14, bold=True)
    rating = Style(14, bold=True, color=BAD if not r.rated else INK)

    def fact(key: str, *value: Para) -> Row:
        return Row((Cell((Para((Span(key),), _s(facts, color=MUTED)),), padding=pad, border_bottom=line),
                    Cell(value, padding=pad, border_bottom=line)))

    rows = [
        fact("评定年度", Para((Span(f"{r.year}年"),), facts)),
        fact("评分标准", Para((Span(f"{r.rubric_title}（{r.rubric_ref}）"),), facts)),
        fact("核定总分", Para((Span(r.total, result), Span(f" 分（满分 {r.total_points} 分；自评 {r.self_total} 分；"
                                                          f"核定层级：{r.operative_level}）")), facts)),
        fact("评定等级", Para((Span(r.rating, rating),), facts),
             *([Para((Span(r.rating_note),), Style(9, color=BAD))] if r.rating_note else [])),
        fact("报告日期", Para((Span(r.report_date),), facts)),
    ]
    facts_w = 140 * MM
    blocks.append(Table((36 * MM, facts_w - 36 * MM), tuple(rows), indent=(WIDTH - facts_w) / 2))

    sig_w = 160 * MM
    widths = _widths((22, 30, 22, 26), sig_w)
    sig_pad = (1.5 * MM, 2.5 * MM, 1.5 * MM, 2.5 * MM)
    box = (0.6, RULE)

    def sig(text: str, style: Style = BASE, *, colspan: int = 1, height: float = 9 * MM,
            bg: Color | None = None) -> Cell:
        return Cell((Para((Span(text),), style),), colspan=colspan, padding=sig_pad, border=box,
                    min_height=height, background=bg)

    head = _s(BASE, bold=True)
    sig_rows = [Row(tuple(sig(t, head, bg=SIG_HEAD_BG) for t in ("评审层级", "评估人（签字）", "日期", "意见")))]
    sig_rows += [Row((sig(s.level), sig(s.person), sig(s.day), sig(""))) for s in r.signatories]
    seal = _s(BASE, color=RULE)
    sig_rows.append(Row((sig(r.seals[0], seal, colspan=2, height=40 * MM), sig(r.seals[1], seal, colspan=2, height=40 * MM))))
    blocks.append(Table(widths, tuple(sig_rows), margin_top=8 * MM, indent=(WIDTH - sig_w) / 2))
    a, b = footer_lines(r)
    stamp = Style(7, color=MUTED)
    blocks.append(Table((WIDTH,), (Row((Cell((Para((Span(a),), stamp), Para((Span(b),), stamp)),
                                            padding=(1.5 * MM, 0, 0, 0), border_top=(0.6, LINE)),)),),
                        margin_top=8 * MM))
    blocks.append(PageBreak())
    return blocks


def footer_lines(r: VillageReport) -> tuple[str, str]:
    """The reproducibility stamp: the cover prints it, every later page's footer repeats it."""
    return (f"评分标准 {r.rubric_ref} · 标准内容哈希 {r.rubric_hash}",
            f"输入数据哈希 {r.input_hash} · 评分引擎 sanzhi {r.engine_version}")


# --------------------------------------------------------------------------- 一、评分概况


def _overview(r: VillageReport) -> list[Block]:
    bold = _s(BASE, bold=True)
    big = Style(11)
    blocks: list[Block] = [
        h2("一、评分概况"),
        Para((Span("核定总分 "), Span(r.total, _s(big, bold=True)), Span(f" 分（满分 {r.total_points} 分），评定等级："),
              Span(r.rating, _s(big, bold=True, color=BAD if not r.rated else INK)), Span(f"。{r.standing}")),
             big, margin_bottom=2 * MM),
    ]
    if r.vetoes:
        blocks.append(p("一票否决：", _s(BASE, bold=True, color=BAD)))
        blocks += _bullets(r.vetoes, _s(BASE, color=BAD))
    dim_rows = []
    for d in r.dimensions:
        name = [Para((Span(d.name),), BASE)]
        if d.note:
            name.append(Para((Span(d.note),), _s(BASE, color=MUTED)))
        dim_rows.append(Row((_blocks_cell(name), _cell(d.score, BASE, align="right"),
                             _cell(d.points, BASE, align="right"), _cell(f"{d.percent}%", BASE, align="right"))))
    if r.bonus:
        dim_rows.append(Row((_cell(r.bonus, BASE, colspan=4),)))
    dim_rows.append(Row((_cell("合计", bold), _cell(r.total, bold, align="right"), _cell(r.total_points, bold, align="right"),
                         _cell("", bold)), GROUP_BG))
    main_w = WIDTH - 96 * MM
    dims = _grid(_widths((40, 20, 18, 22), main_w - 4 * MM), ("维度", "得分", "满分", "得分率"), dim_rows)
    blocks.append(Table((main_w, 96 * MM), (Row((Cell((dims,), padding=(0, 4 * MM, 0, 0)), Cell((Drawing(r.chart),)))),)))

    blocks.append(h3(f"等级分数线与{r.subject}位置"))
    blocks.append(Group((Drawing(r.scale),), margin_top=1 * MM, margin_bottom=2 * MM))
    tier_rows = []
    for t in r.tiers:
        em = _s(BASE, bold=True) if t.current else BASE
        tier_rows.append(Row((_cell(t.name, em), _cell(t.min_score, BASE, align="right"), _cell(t.conditions or "—", BASE),
                              _cell(t.status, em)), CURRENT_BG if t.current else None))
    blocks.append(_grid(_widths((18, 14, 38, 30)), ("等级", "总分不低于", "其他条件", f"{r.subject}情况"), tier_rows))
    muted = _s(BASE, color=MUTED)
    if r.gate:
        blocks.append(p(f"申报门槛：{r.gate}", muted))
    if r.tier_notes:
        blocks.append(p("未达到更高等级的原因：", muted))
        blocks += _bullets(r.tier_notes, muted)

    blocks.append(h3("主要失分项"))
    if r.losses:
        rows = []
        for x in r.losses:
            rows.append(Row((
                _cell(f"{x.id} {x.name}", ITEMS), _cell(x.lost, _s(ITEMS, color=BAD), align="right"),
                _cell(x.criterion, ITEMS),
                _blocks_cell([Para((Span(reason),), ITEMS) for reason in x.reasons] or [Para((), ITEMS)]),
            )))
        blocks.append(_grid(_widths((21, 7, 34, 38)), ("评分项", "失分", "评定标准", "失分原因"), rows,
                            head_style=ITEMS_TH, head_pad=ITEMS_TH_PAD))
    else:
        blocks.append(p(f"{r.subject}各评分项均未失分。"))
    return blocks


# --------------------------------------------------------------------------- 二、评分明细


def _details(r: VillageReport) -> list[Block]:
    widths = _widths(r.item_columns)
    headers = ("评分项（分值）/ 佐证材料", *r.level_headers, "扣分及评分说明")
    crit = _s(ITEMS, color=MUTED)
    strong = _s(ITEMS, bold=True)
    bad = _s(ITEMS, color=BAD)
    rows: list[Row] = []
    for g in r.groups:
        rows.append(Row((_cell(g.title, strong, colspan=len(widths)),), GROUP_BG))
        for it in g.rows:
            evidence = f"要求：{it.evidence_required}　提供：{it.evidence_supplied}"
            if it.scored_by:
                evidence += f"　评分部门：{it.scored_by}"
            cells = [_blocks_cell([Para((Span(f"{it.id} {it.name}（{it.points} 分）"),), ITEMS), Para((Span(evidence),), crit)])]
            cells += [_cell(s, ITEMS, align="right") for s in it.earlier_scores]
            score_style = _s(strong, color=MUTED) if not it.applicable else strong
            cells.append(_cell(it.score, score_style, align="right", background=LOST_BG if it.lost else None))
            if it.reasons:
                cells.append(_blocks_cell([Para((Span(x.text),), bad if x.deduction else ITEMS) for x in it.reasons]))
            else:
                cells.append(_cell("—", ITEMS))
            rows.append(Row(tuple(cells)))
    table = _grid(widths, headers, rows, head_style=ITEMS_TH, head_pad=ITEMS_TH_PAD)
    return [h2("二、评分明细"), table]


# --------------------------------------------------------------------------- 三、改进建议 and 四、汇总指标


def _advice(r: VillageReport) -> list[Block]:
    blocks: list[Block] = [h2("三、改进建议")]
    if not r.suggestions:
        blocks.append(p(f"{r.subject}各评分项均未失分，请保持。"))
        return blocks
    muted = _s(BASE, color=MUTED)
    why = Style(8.5, color=MUTED)
    blocks.append(p("以下按失分多少排列，列出失分最多的评分项及整改方向。", muted, keep=True))
    for n, s in enumerate(r.suggestions, 1):
        inner: list[Block] = [
            p(f"{n}. {s.id} {s.name}（失 {s.lost} 分）", _s(BASE, bold=True)),
            p(s.advice),
            p(f"评定标准：{s.criterion}", why, bottom=0.5 * MM),
        ]
        if s.reasons:
            inner.append(p(f"失分原因：{'；'.join(s.reasons)}", why, bottom=0.5 * MM))
        blocks.append(Group(tuple(inner), margin_bottom=3 * MM))
    return blocks


def _aggregates(r: VillageReport) -> list[Block]:
    blocks: list[Block] = [
        h2("四、汇总指标与所涉村（社区）"),
        p(f"汇总指标由村级批次中本{r.subject[1:]}所辖各村（社区）的填报数据与评分结果计算；下表列出每项指标背后的村。",
          _s(BASE, color=MUTED), keep=True),
    ]
    why = Style(8.5, color=MUTED)
    for a in r.aggregates:
        blocks.append(h3(a.text))
        for c in a.calls:
            blocks.append(p(c.title, why, bottom=0.5 * MM))
            if c.rows:
                rows = [Row(tuple(_cell(v, BASE) for v in row)) for row in c.rows]
                blocks.append(_grid(_widths((30, 35, 35)), c.header, rows))
    return blocks


def village_blocks(r: VillageReport) -> list[Block]:
    """The whole report, in print order."""
    sections = [_overview(r), _details(r), _advice(r)]
    if r.aggregates:
        sections.append(_aggregates(r))
    blocks = _cover(r)
    for section in sections:
        # section { margin-bottom: 5mm }: carried by the section's last block
        last = section[-1]
        if isinstance(last, (Para, Table, Group)):
            section[-1] = _with_bottom(last, max(last.margin_bottom, 5 * MM))
        blocks += section
    return blocks


def _with_bottom(block: Para | Table | Group, bottom: float) -> Block:
    return dataclasses.replace(block, margin_bottom=bottom)
