"""The run summary (township or county): ranking, distributions, dimension averages, vetoes.

All statistics are computed here with Decimal (never float, never in a template) from the
engine's results; the summary template only prints the finished strings. Averages are rounded
half-up to 0.01 for display; nothing here feeds back into scoring.
"""

import hashlib
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import NamedTuple

from markupsafe import Markup

from sanzhi import __version__
from sanzhi.common.numbers import fmt
from sanzhi.reports import charts
from sanzhi.reports.json_output import dumps_results
from sanzhi.reports.village import RubricInfo, cn_date, percent
from sanzhi.scoring.results import VillageResult

__all__ = ["SummaryReport", "build_summary_report", "mean", "median", "rank_competition", "score_bins"]

_AVG = Decimal("0.01")
_BIN_EDGES = (Decimal("0.6"), Decimal("0.7"), Decimal("0.8"), Decimal("0.9"))
BLOCKED = "不予评定"


def mean(values: Sequence[Decimal]) -> Decimal:
    """Arithmetic mean, rounded half-up to 0.01 (0 for no values)."""
    if not values:
        return Decimal(0)
    return (sum(values, Decimal(0)) / len(values)).quantize(_AVG, ROUND_HALF_UP)


def median(values: Sequence[Decimal]) -> Decimal:
    """Median (the mean of the two middle values for an even count), rounded like :func:`mean`."""
    if not values:
        return Decimal(0)
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid].quantize(_AVG, ROUND_HALF_UP)
    return ((ordered[mid - 1] + ordered[mid]) / 2).quantize(_AVG, ROUND_HALF_UP)


def rank_competition(totals: Sequence[Decimal]) -> list[int]:
    """1224 ranking of totals already sorted best first: equal totals share a rank."""
    ranks: list[int] = []
    for i, total in enumerate(totals):
        ranks.append(ranks[-1] if i and total == totals[i - 1] else i + 1)
    return ranks


def score_bins(totals: Sequence[Decimal], points: Decimal) -> list[tuple[str, int]]:
    """Counts in bins at 60/70/80/90 % of the maximum: "<60", "60–70", …, "≥90" (in points)."""
    edges = [points * e for e in _BIN_EDGES]
    labels = [f"<{fmt(edges[0])}"]
    labels += [f"{fmt(lo)}–{fmt(hi)}" for lo, hi in pairwise(edges)]
    labels.append(f"≥{fmt(edges[-1])}")
    counts = [0] * len(labels)
    for t in totals:
        counts[sum(1 for e in edges if t >= e)] += 1
    return list(zip(labels, counts))


class RankRow(NamedTuple):
    rank: int
    code: str
    name: str
    township: str
    self_total: str
    total: str
    dims: tuple[str, ...]
    rating: str
    blocked: bool


class DimAverage(NamedTuple):
    name: str
    points: str
    average: str
    percent: str
    low: str
    high: str


class CountRow(NamedTuple):
    name: str
    villages: int  # how many villages (not `count`: that would shadow tuple.count)
    percent: str


class BlockedRow(NamedTuple):
    name: str
    township: str
    reasons: tuple[str, ...]


class SkippedRow(NamedTuple):
    source: str
    message: str


class SummaryReport(NamedTuple):
    title: str
    scope: str
    year: str
    rubric_title: str
    rubric_ref: str
    rubric_hash: str
    results_hash: str
    engine_version: str
    report_date: str
    villages: int
    rated: int
    total_points: str
    stats: tuple[tuple[str, str], ...]  # (label, value) pairs for the key-figures table
    dim_names: tuple[str, ...]
    ranking_columns: tuple[str, ...]  # widths in %
    ranking: tuple[RankRow, ...]
    score_counts: tuple[CountRow, ...]
    score_chart: Markup
    rating_counts: tuple[CountRow, ...]
    rating_chart: Markup
    dim_averages: tuple[DimAverage, ...]
    dim_chart: Markup
    vetoed: tuple[BlockedRow, ...]
    gate_blocked: tuple[BlockedRow, ...]
    skipped: tuple[SkippedRow, ...]


def _scope(results: Sequence[VillageResult]) -> str:
    counties = sorted({r.county for r in results})
    townships = sorted({(r.county, r.township) for r in results})
    if len(townships) == 1:
        return f"{counties[0]}{townships[0][1]}"
    if len(counties) == 1:
        return f"{counties[0]}（{len(townships)} 个乡镇（街道））"
    return f"{len(counties)} 个县（市、区）"


def _ranking_columns(dims: int) -> tuple[str, ...]:
    fixed = [Decimal(5), Decimal(13), Decimal(12), Decimal(7), Decimal(7)]
    rating = Decimal(20)
    dim = ((Decimal(100) - sum(fixed) - rating) / dims).quantize(Decimal("0.1")) if dims else Decimal(0)
    return tuple(fmt(w) for w in (*fixed, *([dim] * dims), rating))


def build_summary_report(
    info: RubricInfo,
    results: Sequence[tuple[VillageResult, str | None]],
    *,
    report_date: date,
    skipped: Sequence[tuple[str, str]] = (),
) -> SummaryReport:
    """The summary view model of one run: `results` are (result, input hash) pairs of one rubric.

    `skipped` lists villages whose data could not be scored, as (source, first problem).
    """
    rs = [r for r, _ in results]
    if any((r.rubric_id, r.rubric_version) != (info.id, info.version) for r in rs):
        raise ValueError("a summary covers the results of one rubric version only")
    ordered = sorted(rs, key=lambda r: (-r.total, r.village_code))
    ranks = rank_competition([r.total for r in ordered])
    ranking = tuple(
        RankRow(rank, r.village_code, r.village_name, r.township, fmt(r.totals[0].total), fmt(r.total),
                tuple(fmt(d.score) for d in r.dimensions), r.rating.name, r.rating.tier is None)
        for rank, r in zip(ranks, ordered)
    )
    n = len(rs)
    totals = [r.total for r in rs]
    bins = score_bins(totals, info.total_points)
    score_counts = tuple(CountRow(label, c, fmt(percent(Decimal(c), Decimal(n)))) for label, c in bins)

    names = [t.name for t in info.tiers] + [info.below_all, BLOCKED]
    by_name = dict.fromkeys(names, 0)
    for r in rs:
        key = BLOCKED if r.rating.blocked_by_veto or r.rating.gate_passed is False else r.rating.name
        by_name[key] = by_name.get(key, 0) + 1
    rating_counts = tuple(CountRow(k, c, fmt(percent(Decimal(c), Decimal(n)))) for k, c in by_name.items())

    dim_avgs = []
    chart_rows = []
    for i, (_, name, points) in enumerate(info.dimensions):
        scores = [r.dimensions[i].score for r in rs]
        avg = mean(scores)
        dim_avgs.append(DimAverage(name, fmt(points), fmt(avg), fmt(percent(avg, points)),
                                   fmt(min(scores)) if scores else "—", fmt(max(scores)) if scores else "—"))
        chart_rows.append((name, avg, points))
    dim_chart = charts.radar_chart(chart_rows) if len(chart_rows) >= 3 else charts.bar_chart(chart_rows)

    vetoed = tuple(BlockedRow(r.village_name, r.township, tuple(v.text for v in r.vetoes))
                   for r in sorted(rs, key=lambda r: r.village_code) if r.rating.blocked_by_veto)
    gated = tuple(BlockedRow(r.village_name, r.township, r.rating.reasons)
                  for r in sorted(rs, key=lambda r: r.village_code)
                  if not r.rating.blocked_by_veto and r.rating.gate_passed is False)
    stats = (
        ("参评村（社区）", f"{n} 个" + (f"（另有 {len(skipped)} 个数据有误未评分）" if skipped else "")),
        ("获评等级", f"{sum(1 for r in rs if r.rating.tier is not None)} 个"),
        ("一票否决", f"{len(vetoed)} 个"),
        ("核定总分平均", f"{fmt(mean(totals))} 分（满分 {fmt(info.total_points)} 分）"),
        ("核定总分中位数", f"{fmt(median(totals))} 分"),
        ("最高 / 最低", f"{fmt(max(totals))} / {fmt(min(totals))} 分" if totals else "—"),
        ("自评总分平均", f"{fmt(mean([r.totals[0].total for r in rs]))} 分"),
    )
    years = sorted({r.year for r in rs})
    blob = dumps_results(results)
    return SummaryReport(
        title="三治融合村（社区）评定汇总报告",
        scope=_scope(rs) if rs else "—",
        year="、".join(f"{y}年度" for y in years) if years else "—",
        rubric_title=info.title,
        rubric_ref=info.ref,
        rubric_hash=info.content_hash,
        results_hash="sha256:" + hashlib.sha256(blob).hexdigest(),
        engine_version=rs[0].engine_version if rs else __version__,
        report_date=cn_date(report_date),
        villages=n,
        rated=sum(1 for r in rs if r.rating.tier is not None),
        total_points=fmt(info.total_points),
        stats=stats,
        dim_names=tuple(name for _, name, _ in info.dimensions),
        ranking_columns=_ranking_columns(len(info.dimensions)),
        ranking=ranking,
        score_counts=score_counts,
        score_chart=charts.histogram(bins, label="核定总分分布"),
        rating_counts=rating_counts,
        rating_chart=charts.count_bars([(c.name, c.villages) for c in rating_counts], label="等级分布"),
        dim_averages=tuple(dim_avgs),
        dim_chart=dim_chart,
        vetoed=vetoed,
        gate_blocked=gated,
        skipped=tuple(SkippedRow(s, m) for s, m in skipped),
    )
