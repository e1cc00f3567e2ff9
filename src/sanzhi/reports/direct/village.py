"""The village (and township/county) report as blocks: what ``village_report.html.j2`` prints,
with the look of ``assets/css/report.css``.

The HTML template stays the report's screen form; this module is its print form, drawn without
a browser engine. Both read the same view model (:class:`sanzhi.reports.village.VillageReport`),
so a field is formatted once; a test compares the two forms' text. When the template or the
stylesheet changes, change this module with it (the values below name their CSS rule).
"""

from __future__ import annotations

from sanzhi.reports.direct.flow import MM
from sanzhi.reports.direct.layout import (
    Block,
    Cell,
    Group,
    PageBreak,
    Para,
    Row,
    Span,
    Style,
    Table,
)
from sanzhi.reports.direct.styles import (
    BAD,
    BASE,
    CURRENT_BG,
    GROUP_BG,
    INK,
    ITEMS,
    ITEMS_TH,
    ITEMS_TH_PAD,
    LINE,
    LOST_BG,
    MUTED,
    PLACE,
    RULE,
    SIG_HEAD_BG,
    WIDTH,
    blocks_cell,
    bullets,
    cell,
    chart,
    grid,
    h2,
    h3,
    p,
    restyle,
    sections,
    stamp_block,
    widths,
)
from sanzhi.reports.direct.text import Color
from sanzhi.reports.village import VillageReport

__all__ = ["footer_lines", "village_blocks"]


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
        return Row((Cell((Para((Span(key),), restyle(facts, color=MUTED)),), padding=pad, border_bottom=line),
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
    key_w = 36 * MM + pad[1] + pad[3]  # .fact-k { width: 36mm }: the column adds the padding
    blocks.append(Table((key_w, facts_w - key_w), tuple(rows), indent=(WIDTH - facts_w) / 2))

    sig_w = 160 * MM
    cols = widths((22, 30, 22, 26), sig_w)
    sig_pad = (1.5 * MM, 2.5 * MM, 1.5 * MM, 2.5 * MM)
    box = (0.6, RULE)

    def sig(text: str, style: Style = BASE, *, colspan: int = 1, height: float = 9 * MM,
            bg: Color | None = None) -> Cell:
        return Cell((Para((Span(text),), style),), colspan=colspan, padding=sig_pad, border=box,
                    min_height=height, background=bg)

    head = restyle(BASE, bold=True)
    sig_rows = [Row(tuple(sig(t, head, bg=SIG_HEAD_BG) for t in ("评审层级", "评估人（签字）", "日期", "意见")))]
    sig_rows += [Row((sig(s.level), sig(s.person), sig(s.day), sig(""))) for s in r.signatories]
    seal = restyle(BASE, color=RULE)
    sig_rows.append(Row((sig(r.seals[0], seal, colspan=2, height=40 * MM), sig(r.seals[1], seal, colspan=2, height=40 * MM))))
    blocks.append(Table(cols, tuple(sig_rows), margin_top=8 * MM, indent=(WIDTH - sig_w) / 2))
    blocks.append(stamp_block(footer_lines(r), top=8 * MM))  # .stamp-block { margin-top: 8mm }
    blocks.append(PageBreak())
    return blocks


def footer_lines(r: VillageReport) -> tuple[str, str]:
    """The reproducibility stamp: the cover prints it, every later page's footer repeats it."""
    return (f"评分标准 {r.rubric_ref} · 标准内容哈希 {r.rubric_hash}",
            f"输入数据哈希 {r.input_hash} · 评分引擎 sanzhi {r.engine_version}")


# --------------------------------------------------------------------------- 一、评分概况


def _overview(r: VillageReport) -> list[Block]:
    bold = restyle(BASE, bold=True)
    big = Style(11)
    blocks: list[Block] = [
        h2("一、评分概况"),
        Para((Span("核定总分 "), Span(r.total, restyle(big, bold=True)), Span(f" 分（满分 {r.total_points} 分），评定等级："),
              Span(r.rating, restyle(big, bold=True, color=BAD if not r.rated else INK)), Span(f"。{r.standing}")),
             big, margin_bottom=2 * MM),
    ]
    if r.vetoes:
        blocks.append(p("一票否决：", restyle(BASE, bold=True, color=BAD)))
        blocks += bullets(r.vetoes, restyle(BASE, color=BAD))
    dim_rows = []
    for d in r.dimensions:
        name = [Para((Span(d.name),), BASE)]
        if d.note:
            name.append(Para((Span(d.note),), restyle(BASE, color=MUTED)))
        dim_rows.append(Row((blocks_cell(name), cell(d.score, BASE, align="right"),
                             cell(d.points, BASE, align="right"), cell(f"{d.percent}%", BASE, align="right"))))
    if r.bonus:
        dim_rows.append(Row((cell(r.bonus, BASE, colspan=4),)))
    dim_rows.append(Row((cell("合计", bold), cell(r.total, bold, align="right"), cell(r.total_points, bold, align="right"),
                         cell("", bold)), GROUP_BG))
    main_w = WIDTH - 96 * MM
    dims = grid(widths((40, 20, 18, 22), main_w - 4 * MM), ("维度", "得分", "满分", "得分率"), dim_rows)
    blocks.append(Table((main_w, 96 * MM), (Row((Cell((dims,), padding=(0, 4 * MM, 0, 0)), Cell((chart(r.chart),)))),)))

    blocks.append(h3(f"等级分数线与{r.subject}位置"))
    blocks.append(Group((chart(r.scale),), margin_top=1 * MM, margin_bottom=2 * MM))
    tier_rows = []
    for t in r.tiers:
        em = restyle(BASE, bold=True) if t.current else BASE
        tier_rows.append(Row((cell(t.name, em), cell(t.min_score, BASE, align="right"), cell(t.conditions or "—", BASE),
                              cell(t.status, em)), CURRENT_BG if t.current else None))
    blocks.append(grid(widths((18, 14, 38, 30)), ("等级", "总分不低于", "其他条件", f"{r.subject}情况"), tier_rows))
    muted = restyle(BASE, color=MUTED)
    if r.gate:
        blocks.append(p(f"申报门槛：{r.gate}", muted))
    if r.tier_notes:
        blocks.append(p("未达到更高等级的原因：", muted))
        blocks += bullets(r.tier_notes, muted)

    blocks.append(h3("主要失分项"))
    if r.losses:
        rows = []
        for x in r.losses:
            rows.append(Row((
                cell(f"{x.id} {x.name}", ITEMS), cell(x.lost, restyle(ITEMS, color=BAD), align="right"),
                cell(x.criterion, ITEMS),
                blocks_cell([Para((Span(reason),), ITEMS) for reason in x.reasons] or [Para((), ITEMS)]),
            )))
        blocks.append(grid(widths((21, 7, 34, 38)), ("评分项", "失分", "评定标准", "失分原因"), rows,
                            head_style=ITEMS_TH, head_pad=ITEMS_TH_PAD))
    else:
        blocks.append(p(f"{r.subject}各评分项均未失分。"))
    return blocks


# --------------------------------------------------------------------------- 二、评分明细


def _details(r: VillageReport) -> list[Block]:
    cols = widths(r.item_columns)
    headers = ("评分项（分值）/ 佐证材料", *r.level_headers, "扣分及评分说明")
    crit = restyle(ITEMS, color=MUTED)
    strong = restyle(ITEMS, bold=True)
    bad = restyle(ITEMS, color=BAD)
    rows: list[Row] = []
    for g in r.groups:
        rows.append(Row((cell(g.title, strong, colspan=len(cols)),), GROUP_BG))
        for it in g.rows:
            evidence = f"要求：{it.evidence_required}　提供：{it.evidence_supplied}"
            if it.scored_by:
                evidence += f"　评分部门：{it.scored_by}"
            cells = [blocks_cell([Para((Span(f"{it.id} {it.name}（{it.points} 分）"),), ITEMS), Para((Span(evidence),), crit)])]
            cells += [cell(s, ITEMS, align="right") for s in it.earlier_scores]
            score_style = restyle(strong, color=MUTED) if not it.applicable else strong
            cells.append(cell(it.score, score_style, align="right", background=LOST_BG if it.lost else None))
            if it.reasons:
                cells.append(blocks_cell([Para((Span(x.text),), bad if x.deduction else ITEMS) for x in it.reasons]))
            else:
                cells.append(cell("—", ITEMS))
            rows.append(Row(tuple(cells)))
    table = grid(cols, headers, rows, head_style=ITEMS_TH, head_pad=ITEMS_TH_PAD)
    return [h2("二、评分明细"), table]


# --------------------------------------------------------------------------- 三、改进建议 and 四、汇总指标


def _advice(r: VillageReport) -> list[Block]:
    blocks: list[Block] = [h2("三、改进建议")]
    if not r.suggestions:
        blocks.append(p(f"{r.subject}各评分项均未失分，请保持。"))
        return blocks
    muted = restyle(BASE, color=MUTED)
    why = Style(8.5, color=MUTED)
    blocks.append(p("以下按失分多少排列，列出失分最多的评分项及整改方向。", muted, keep=True))
    for n, s in enumerate(r.suggestions, 1):
        inner: list[Block] = [
            p(f"{n}. {s.id} {s.name}（失 {s.lost} 分）", restyle(BASE, bold=True)),
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
          restyle(BASE, color=MUTED), keep=True),
    ]
    why = Style(8.5, color=MUTED)
    for a in r.aggregates:
        blocks.append(h3(a.text))
        for c in a.calls:
            blocks.append(p(c.title, why, bottom=0.5 * MM))
            if c.rows:
                rows = [Row(tuple(cell(v, BASE) for v in row)) for row in c.rows]
                blocks.append(grid(widths((30, 35, 35)), c.header, rows))
    return blocks


def village_blocks(r: VillageReport) -> list[Block]:
    """The whole report, in print order."""
    parts = [_overview(r), _details(r), _advice(r)]
    if r.aggregates:
        parts.append(_aggregates(r))
    return _cover(r) + sections(parts)
