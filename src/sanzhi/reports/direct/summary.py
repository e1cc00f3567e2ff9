"""The run summary as blocks: what ``summary_report.html.j2`` prints, with the look of
``assets/css/report.css`` (the ``.summary-head``, ``.kv``, ``.pair``, ``.ranking``, ``.new-page``
and ``.block`` rules, and the shared ones in :mod:`.styles`).

Like :mod:`.village`, this is the template's print form over the same view model
(:class:`sanzhi.reports.summary.SummaryReport`); a test compares the two forms' text. When the
template or the stylesheet changes, change this module with it.
"""

from __future__ import annotations

from sanzhi.reports.direct.flow import MM
from sanzhi.reports.direct.layout import (
    Block,
    Cell,
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
    LINE,
    MUTED,
    PLACE,
    WIDTH,
    blocks_cell,
    cell,
    chart,
    grid,
    group,
    h2,
    h3,
    p,
    restyle,
    sections,
    stamp_block,
    widths,
)
from sanzhi.reports.summary import BlockedRow, CountRow, SummaryReport

__all__ = ["footer_lines", "summary_blocks", "summary_title"]

KV_PAD = (1 * MM, 2 * MM, 1 * MM, 2 * MM)  # .kv-k, .kv-v { padding: 1mm 2mm }
KV_LINE = (0.5, LINE)  # .kv-k, .kv-v { border-bottom: 0.5pt solid #cbd2d9 }
KV_KEY_W = 34 * MM + KV_PAD[1] + KV_PAD[3]  # .kv-k { width: 34mm }: the column adds the padding
PAIR_GAP = 6 * MM  # .pair-cell + .pair-cell { padding-left: 6mm }
SIDE_CHART_W = 96 * MM  # .side-chart { width: 96mm }
SIDE_GAP = 4 * MM  # .side-main { padding-right: 4mm }
RANKING = Style(8)  # .ranking { font-size: 8pt }


def summary_title(s: SummaryReport) -> str:
    """The HTML's <title> (the PDF's /Title)."""
    return f"{s.scope} · {s.year} · {s.title}"


def footer_lines(s: SummaryReport) -> tuple[str, str]:
    """The reproducibility stamp: the head prints it, every later page's footer repeats it."""
    return (f"评分标准 {s.rubric_ref} · 标准内容哈希 {s.rubric_hash}",
            f"结果数据哈希 {s.results_hash} · 评分引擎 sanzhi {s.engine_version}")


def _head(s: SummaryReport) -> list[Block]:
    """section.summary-head: kicker, title, place line, the stamp."""
    return [
        # .cover-kicker { font-size: 11pt; color: #616e7c } and .summary-head .cover-kicker { margin-top: 4mm }
        p(f"{s.rubric_title}（{s.rubric_ref}）", Style(11, color=MUTED), align="center", top=4 * MM),
        # .cover-title { font-size: 24pt; margin: 4mm 0 2mm 0; letter-spacing: 1pt }
        Para((Span(s.title),), Style(24, bold=True, spacing=1.0), align="center", margin_top=4 * MM,
             margin_bottom=2 * MM),
        # .cover-place { font-size: 11pt; color: #3e4c59; margin-bottom: 7mm }
        p(f"{s.scope} · {s.year} · 报告日期 {s.report_date}", Style(11, color=PLACE), align="center", bottom=7 * MM),
        # .summary-head .stamp-block { margin: 2mm 0 4mm 0 }
        stamp_block(footer_lines(s), top=2 * MM, bottom=4 * MM),
    ]


def _counts(title: str, svg: str, head: str, rows: tuple[CountRow, ...], cols: tuple[int, int, int],
            width: float) -> list[Block]:
    """.pair-cell: a heading, the chart (an inline <svg> on a line of its own), the counts."""
    body = [Row((cell(c.name, BASE), cell(str(c.villages), BASE, align="right"),
                 cell(f"{c.percent}%", BASE, align="right"))) for c in rows]
    return [h3(title), chart(svg),
            grid(widths(cols, width), (head, "村数", "占比"), body)]


def _overview(s: SummaryReport) -> list[Block]:
    muted = restyle(BASE, color=MUTED)  # .kv-k { font-weight: normal; color: #616e7c }
    kv_rows = tuple(Row((Cell((Para((Span(k),), muted),), padding=KV_PAD, border_bottom=KV_LINE),
                         Cell((Para((Span(v),), BASE),), padding=KV_PAD, border_bottom=KV_LINE)))
                    for k, v in s.stats)
    # .kv { width: 100%; table-layout: fixed; margin-bottom: 3mm }
    blocks: list[Block] = [h2("一、总体情况"), Table((KV_KEY_W, WIDTH - KV_KEY_W), kv_rows, margin_bottom=3 * MM)]

    # .pair { display: table; width: 100%; table-layout: fixed }: two equal columns
    half = WIDTH / 2
    left = _counts("核定总分分布", s.score_chart, "分数段", s.score_counts, (40, 30, 30), half)
    right = _counts("等级分布", s.rating_chart, "等级", s.rating_counts, (50, 25, 25), half - PAIR_GAP)
    blocks.append(Table((half, half), (Row((Cell(tuple(left)), Cell(tuple(right), padding=(0, 0, 0, PAIR_GAP)))),)))

    blocks.append(h3("各维度平均得分"))
    dim_rows = [Row((cell(d.name, BASE), *(cell(v, BASE, align="right")
                                          for v in (d.points, d.average, f"{d.percent}%", d.low, d.high))))
                for d in s.dim_averages]
    main_w = WIDTH - SIDE_CHART_W
    dims = grid(widths((24, 14, 16, 16, 15, 15), main_w - SIDE_GAP),
                ("维度", "满分", "平均分", "平均得分率", "最低", "最高"), dim_rows)
    # .side: the table and the chart side by side (as in the village report)
    blocks.append(Table((main_w, SIDE_CHART_W),
                        (Row((Cell((dims,), padding=(0, SIDE_GAP, 0, 0)), Cell((chart(s.dim_chart),)))),)))
    return blocks


def _ranking(s: SummaryReport) -> list[Block]:
    strong = restyle(RANKING, bold=True)  # .strong
    bad = restyle(RANKING, color=BAD)  # .bad
    rows = []
    for r in s.ranking:
        rows.append(Row((
            cell(str(r.rank), RANKING, align="center"),  # .ctr
            cell(r.name, RANKING), cell(r.township, RANKING),
            cell(r.self_total, RANKING, align="right"), cell(r.total, strong, align="right"),
            *(cell(d, RANKING, align="right") for d in r.dims),
            cell(r.rating, bad if r.blocked else RANKING),
        )))
    headers = ("名次", "村（社区）", "乡镇（街道）", "自评分", "核定分", *s.dim_names, "等级")
    return [
        h2("二、排名"),
        p("按核定总分从高到低排列，总分相同者并列；被一票否决或未达申报门槛的村（社区）按总分参与排名，"
          "等级栏注明“不予评定”。", restyle(BASE, color=MUTED)),
        grid(widths(s.ranking_columns), headers, rows, head_style=restyle(RANKING, bold=True)),
    ]


def _blocked(title: str, last: str, rows: tuple[BlockedRow, ...]) -> Block:
    body = [Row((cell(v.name, BASE), cell(v.township, BASE),
                 blocks_cell([Para((Span(reason),), BASE) for reason in v.reasons] or [Para((), BASE)])))
            for v in rows]  # .reason { display: block }
    return group([h3(title), grid(widths((22, 20, 58)), ("村（社区）", "乡镇（街道）", last), body)])  # .block


def _exceptions(s: SummaryReport) -> list[Block]:
    blocks: list[Block] = []
    if s.vetoed or s.gate_blocked or s.skipped:
        blocks.append(PageBreak())  # .new-page { break-before: page }
    blocks.append(h2("三、一票否决与不予评定"))
    if s.vetoed:
        blocks.append(_blocked("一票否决的村（社区）", "否决事项", s.vetoed))
    else:
        blocks.append(p("本次评定没有被一票否决的村（社区）。"))
    if s.gate_blocked:
        blocks.append(_blocked("未达申报门槛的村（社区）", "原因", s.gate_blocked))
    if s.skipped:
        body = [Row((cell(x.source, BASE), cell(x.message, BASE))) for x in s.skipped]
        blocks.append(group([h3("数据有误、未评分的村（社区）"), grid(widths((40, 60)), ("数据来源", "问题"), body)]))
    return blocks


def summary_blocks(s: SummaryReport) -> list[Block]:
    """The whole summary, in print order."""
    return sections([_head(s), _overview(s), _ranking(s), _exceptions(s)])

