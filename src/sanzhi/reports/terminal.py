"""Terminal summaries (rich renderables); the CLI prints them, nothing here prints.

Tables are drawn for an 80-column terminal and use more room when there is more: identifiers
and numbers never wrap (`no_wrap`), text columns wrap, and Chinese text folds at the cell's
edge (`fit`): it has no spaces to wrap at, and rich's default cuts such a run with "…".
"""

from rich import box
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from sanzhi.common.numbers import fmt
from sanzhi.reports.village import level_cell
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import BundledRubric
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.diff import limit_text, red_black_text
from sanzhi.standard.extends import variant_marks, variant_notes

_PROV = {"quoted": "引用", "paraphrased": "转述", "calibrated": "本项目校准"}


def fit(table: Table) -> Table:
    """Every column that may wrap folds long runs of text instead of ending them in "…"."""
    for column in table.columns:
        if not column.no_wrap:
            column.overflow = "fold"
    return table


def results_table(results: list[VillageResult]) -> Table:
    table = Table(title="评分结果", show_lines=False)
    # 80 columns hold a rating name of 10 characters (三治融合示范村(社区)) on one line.
    table.add_column("村（社区）", min_width=6)
    table.add_column("乡镇", min_width=6)
    table.add_column("自评分", no_wrap=True, justify="right")
    table.add_column("核定分", no_wrap=True, justify="right")
    table.add_column("核定层级", min_width=6)
    table.add_column("等级", min_width=20)
    for r in sorted(results, key=lambda r: r.village_code):
        table.add_row(r.village_name, r.township, fmt(r.totals[0].total), fmt(r.total), r.level_names[-1], r.rating.name)
    return fit(table)


def village_detail(r: VillageResult) -> Table:
    table = Table(title=f"{r.village_name}（{r.township}）评分明细", show_lines=False)
    table.add_column("评分项", min_width=10)
    table.add_column("分值", no_wrap=True, justify="right")
    for name in r.level_names:
        table.add_column(name, no_wrap=True, justify="right")
    table.add_column("说明", min_width=16)
    fixes: dict[str, list[str]] = {}
    for c in r.corrections:  # what a reviewer corrected, and why, whether or not the score moved
        for iid in c.items:
            fixes.setdefault(iid, []).append(c.text)
    for it in (*r.items, *r.bonus_items):
        notes = "；".join([*(f.text for f in it.operative.findings if f.kind != "not_applicable" or not it.applicable),
                          *fixes.get(it.id, ())])
        table.add_row(f"{it.id} {it.name}", fmt(it.points), *(level_cell(ls) for ls in it.levels), notes)
    return fit(table)


def rating_lines(r: VillageResult) -> list[str]:
    lines = [f"{r.village_name}：核定总分 {fmt(r.total)} 分，等级：{r.rating.name}"]
    lines += [f"  · {reason}" for reason in r.rating.reasons]
    lines += [f"  − {x.item} {x.name}：失 {fmt(x.lost)} 分" for x in r.top_losses[:3]]
    return lines


def rubric_list(rubrics: tuple[tuple[BundledRubric, CompiledRubric], ...]) -> Table:
    """Bundled rubrics with their status and how many items are quoted / paraphrased / calibrated."""
    table = Table(title="内置评分标准", caption="出处：评分项中原文引用 / 转述 / 本项目校准的个数（官方评分表未公开，见 README）",
                  box=box.SIMPLE_HEAD, show_lines=True)
    # 80 columns: the id and the title share the first column (the title wraps under the id,
    # which never wraps), so the narrow columns beside it stay whole.
    table.add_column("ID@版本 · 名称", min_width=24, ratio=1)
    table.add_column("状态", no_wrap=True)
    table.add_column("施行日期", no_wrap=True)
    table.add_column("评分项", justify="right", no_wrap=True)
    table.add_column("出处", no_wrap=True)
    for b, compiled in rubrics:
        items = [ci.item for ci in compiled.items]
        counts = [sum(1 for it in items if it.provenance == p) for p in ("quoted", "paraphrased", "calibrated")]
        status = "草案" if b.status == "draft" else "施行"
        name = Text(b.ref, style="bold")
        name.append("\n" + b.title, style="")
        table.add_row(name, status, b.effective_date.isoformat(), str(len(items)), " / ".join(map(str, counts)))
    return fit(table)


def rubric_tree(c: CompiledRubric) -> Tree:
    r = c.rubric
    marks = variant_marks(r)  # a variant (`extends`) marks what it changed; empty otherwise

    def m(what: str, ident: str) -> str:
        return marks.get((what, ident), "")

    tree = Tree(f"{r.title}（{c.ref}，满分 {fmt(r.total_points)} 分）")
    if r.unit != "village":  # a township or county rubric: what it reads, and its aggregates
        from sanzhi.standard.units import UNIT_NAMES

        a = tree.add(f"评分单位：{UNIT_NAMES[r.unit]}；汇总村级评分标准 {c.reads_ref or r.reads} 的村级批次结果")
        for agg in r.aggregates:
            a.add(f"{agg.id} {agg.label}" + (f"（{agg.unit}）" if agg.unit else "") + f" = {' '.join(agg.expr.split())}")
    if r.periods is not None:  # how the year is rated from runs by period (docs/rubrics/periods.md)
        from sanzhi.scoring.periods import describe

        tree.add(f"评定期：{describe(r.periods)}")
    exempt = {ci.item.id: "、".join(ex.exemption.id for ex in ci.exemptions) for ci in c.items if ci.exemptions}
    for dim in r.dimensions:
        d = tree.add(f"{dim.id} {dim.name}（{fmt(dim.points)} 分）{m('dimension', dim.id)}")
        for ind in dim.indicators:
            body = f"；评分部门：{ind.scored_by}" if ind.scored_by else ""
            i = d.add(f"{ind.id} {ind.name}（{fmt(ind.points)} 分{body}）{m('indicator', ind.id)}")
            for item in ind.items:
                kinds = "、".join(rule.kind for rule in item.rules)
                own = f"；评分部门：{item.scored_by}" if item.scored_by and item.scored_by != ind.scored_by else ""
                free = f"；免检：{exempt[item.id]}" if item.id in exempt else ""
                i.add(f"{item.id} {item.name}（{fmt(item.points)} 分；{kinds}；{_PROV[item.provenance]}{own}{free}）{m('item', item.id)}")
    if r.bonus:
        b = tree.add(f"{r.bonus.name}（封顶 {fmt(r.bonus.cap)} 分）")
        for item in r.bonus.items:
            own = f"；评分部门：{item.scored_by}" if item.scored_by else ""
            b.add(f"{item.id} {item.name}（{fmt(item.points)} 分{own}）{m('item', item.id)}")
    barred = {cv.veto.id: cv.barred for cv in c.vetoes}
    if r.vetoes:
        v = tree.add("一票否决")
        for veto in r.vetoes:
            window = f"，近 {veto.lookback_months} 个月" if veto.lookback_months else ""
            only = f"；只挡：{barred[veto.id]}" if veto.bars else ""
            v.add(f"{veto.id} {veto.name}{window}{only}{m('veto', veto.id)}")
    if r.exemptions:
        e = tree.add("免检（满分）")
        for ex in r.exemptions:
            e.add(f"{ex.id} {ex.name}：{'、'.join(ex.items)} 免检（条件：{ex.when}）")
    t = tree.add("等级")
    for tier in r.rating.tiers:
        t.add(f"{tier.name}：≥ {fmt(tier.min_score)} 分" + (f"；前提：{tier.requires_text or tier.requires}" if tier.requires else "") + m("tier", tier.id))
    if r.rating.apply_gate:
        t.add(f"申报门槛：自评分 ≥ {fmt(r.rating.apply_gate.min_self_score)} 分")
    if r.rating.rank_tiers:
        where = {"township": "乡镇内", "county": "县内", None: "所列范围内"}[r.rating.rank_within]
        how = "名额累计" if r.rating.rank_cumulative else "各档单独计名额"
        k = tree.add(f"按名次等级（{where}排名，{how}）")
        for rt in r.rating.rank_tiers:
            gate = f"，且总分 ≥ {fmt(rt.min_score)} 分" if rt.min_score is not None else ""
            k.add(f"{rt.name}：{limit_text(rt)}{gate}")
    if r.rating.red_black is not None:
        tree.add(f"红黑榜：{red_black_text(r.rating.red_black)}")
    if r.variant_of is not None:
        changes = tree.add(f"本变体相对 {r.variant_of.base} 的其他改动")
        for line in variant_notes(r) or ["（无）"]:
            changes.add(line)
    return tree
