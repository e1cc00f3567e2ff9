"""score_village: the pure function from (compiled rubric, assessment) to a VillageResult.

No files, no printing, no clock: the assessment date comes in with the data.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from sanzhi import __version__
from sanzhi.scoring.assessment import Assessment, Scored
from sanzhi.scoring.derive import compute_values
from sanzhi.scoring.items import is_applicable, score_item
from sanzhi.scoring.rating import check_vetoes, rate
from sanzhi.scoring.results import (
    DimensionResult,
    Finding,
    ItemResult,
    LevelScore,
    LevelTotal,
    Loss,
    VillageResult,
)
from sanzhi.scoring.text import fmt
from sanzhi.standard.compile import CompiledItem, CompiledRubric

_ZERO = Decimal(0)
TOP_LOSSES = 5


def _level_inputs(assessment: Assessment, first_level: str) -> list[tuple[str, dict[str, object], dict[str, Scored], Mapping[str, Scored], frozenset[str]]]:
    """Per level present: (level id, inputs, judgments, overrides, names changed at this level)."""
    inputs: dict[str, object] = {**assessment.attributes, **assessment.answers}
    judgments: dict[str, Scored] = dict(assessment.judgments)
    out = [(first_level, inputs, judgments, {}, frozenset())]
    for review in assessment.reviews:
        inputs = dict(inputs)
        for name, corr in review.corrections.items():
            if corr.value is None:
                inputs.pop(name, None)
            else:
                inputs[name] = corr.value
        judgments = {**judgments, **review.judgments}
        out.append((review.level, inputs, judgments, review.scores, frozenset(review.corrections)))
    return out


def _score_level(
    ci: CompiledItem,
    level: str,
    values: Mapping[str, object],
    compiled: CompiledRubric,
    judgment: Scored | None,
    override: Scored | None,
    level_name: str,
    reviewer: str,
) -> tuple[LevelScore, bool, tuple[str, ...]]:
    item = ci.item
    if ci.applies_when is not None and not is_applicable(ci, values):
        text = "本项不适用" + ("，不计入本维度分母" if item.not_applicable == "rescale" else "，按 0 分计")
        return LevelScore(level, _ZERO, (Finding("not_applicable", None, _ZERO, text),), False), False, ()
    score, findings, missing = score_item(ci, values, compiled.display, judgment, compiled.rubric.precision)
    if override is not None:
        text = f"{level_name}核定为 {fmt(override.score)} 分（{reviewer}：{override.reason}）"
        findings = (*findings, Finding("override", None, override.score - score, text))
        score = override.score
    return LevelScore(level, score, findings, False), True, missing


def _touched(ci: CompiledItem, changed: frozenset[str], overrides: Mapping[str, Scored], judgments: Mapping[str, Scored], before: Mapping[str, Scored]) -> bool:
    """Does this review level change anything the item reads?"""
    iid = ci.item.id
    return (
        not changed.isdisjoint(ci.needs)
        or (ci.applies_when is not None and not changed.isdisjoint(ci.applies_when.names))
        or iid in overrides
        or (ci.judgment is not None and judgments.get(iid) is not before.get(iid))
    )


def score_village(compiled: CompiledRubric, assessment: Assessment) -> VillageResult:
    """Score one village at every review level present; see the module docstring of rules."""
    rubric = compiled.rubric
    level_names = {lv.id: lv.name for lv in rubric.review_levels}
    reviewers = {r.level: r.reviewer for r in assessment.reviews}
    levels = _level_inputs(assessment, rubric.review_levels[0].id)
    level_values = [compute_values(compiled, lv[1]) for lv in levels]
    first, first_values, first_judgments = levels[0][0], level_values[0], levels[0][2]
    evidence = assessment.evidence
    items: list[ItemResult] = []
    for ci in compiled.items:
        item = ci.item
        iid = item.id
        judgment = first_judgments.get(iid) if ci.judgment is not None else None
        ls, app, miss = _score_level(ci, first, first_values, compiled, judgment, None, "", "")
        scores = [ls]
        for n in range(1, len(levels)):
            level, _, judgments, overrides, changed = levels[n]
            if not _touched(ci, changed, overrides, judgments, levels[n - 1][2]):
                scores.append(LevelScore(level, ls.score, ls.findings, False))
                continue
            new, app, miss = _score_level(
                ci, level, level_values[n], compiled, judgments.get(iid), overrides.get(iid), level_names.get(level, level), reviewers.get(level, "")
            )
            scores.append(LevelScore(level, new.score, new.findings, new.score != ls.score or new.findings != ls.findings))
            ls = new
        # Unearned bonus points are not "lost": only main items count toward 失分.
        counts = ci.dimension is not None and (app or item.not_applicable == "zero")
        items.append(
            ItemResult(iid, item.name, ci.dimension, ci.indicator, item.points, app, tuple(scores), ls.score,
                       item.points - ls.score if counts else _ZERO, miss, evidence.get(iid, ()) if evidence else ())
        )
    level_ids = tuple(lv[0] for lv in levels)
    main_items = [it for it in items if it.dimension is not None]
    bonus_items = tuple(it for it in items if it.dimension is None)
    dimensions, totals = _aggregate(compiled, main_items, bonus_items, level_ids)
    total = totals[-1].total
    vetoes = check_vetoes(compiled, level_values[-1], assessment.village.assessed_on)
    rating = rate(compiled, totals[0].total, total, dimensions, vetoes, level_values[-1])
    notes = tuple(
        f"{level_names.get(r.level, r.level)}：{r.reviewer}" + (f"（{r.reviewed_on.isoformat()}）" if r.reviewed_on else "")
        for r in assessment.reviews
    )
    return VillageResult(
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        rubric_hash=compiled.content_hash,
        engine_version=__version__,
        village_code=assessment.village.code,
        village_name=assessment.village.name,
        township=assessment.village.township,
        county=assessment.village.county,
        year=assessment.village.year,
        levels=level_ids,
        level_names=tuple(level_names.get(lv, lv) for lv in level_ids),
        operative_level=level_ids[-1],
        items=tuple(main_items),
        dimensions=dimensions,
        bonus_items=bonus_items,
        totals=totals,
        total=total,
        vetoes=vetoes,
        rating=rating,
        top_losses=_top_losses(main_items),
        review_notes=notes,
    )


def _aggregate(
    compiled: CompiledRubric, items: list[ItemResult], bonus_items: tuple[ItemResult, ...], level_ids: tuple[str, ...]
) -> tuple[tuple[DimensionResult, ...], tuple[LevelTotal, ...]]:
    """Dimension scores per level (rescaled where items are not applicable) and totals.

    A rescaled dimension is quantized once after rescaling; otherwise every sum is exact.
    """
    rubric = compiled.rubric
    precision = rubric.precision
    n_levels = len(level_ids)
    sums: dict[str, list[Decimal]] = {dim.id: [_ZERO] * n_levels for dim in rubric.dimensions}
    dropped: dict[str, Decimal] = dict.fromkeys(sums, _ZERO)
    # items are the main (non-bonus) items in rubric order, aligned with compiled.items.
    for ci, it in zip(compiled.items, items):
        acc = sums[it.dimension]  # type: ignore[index]
        for n, ls in enumerate(it.levels):
            acc[n] += ls.score
        if not it.applicable and ci.item.not_applicable == "rescale":
            dropped[it.dimension] += it.points  # type: ignore[index]
    dims: list[DimensionResult] = []
    base = [_ZERO] * n_levels
    for dim in rubric.dimensions:
        app_points = dim.points - dropped[dim.id]
        scores: list[tuple[str, Decimal]] = []
        for n, level in enumerate(level_ids):
            raw = sums[dim.id][n]
            if dropped[dim.id]:
                # Nothing applicable means nothing could be lost: the dimension keeps full points.
                raw = (raw * dim.points / app_points).quantize(precision, ROUND_HALF_UP) if app_points else dim.points
            scores.append((level, raw))
            base[n] += raw
        dims.append(DimensionResult(dim.id, dim.name, dim.points, app_points, tuple(scores), scores[-1][1], bool(dropped[dim.id])))
    totals = []
    for n, level in enumerate(level_ids):
        bonus = _ZERO
        if rubric.bonus is not None:
            bonus = min(rubric.bonus.cap, sum((it.levels[n].score for it in bonus_items), _ZERO))
        totals.append(LevelTotal(level, base[n], bonus, base[n] + bonus))
    return tuple(dims), tuple(totals)


def _top_losses(items: list[ItemResult]) -> tuple[Loss, ...]:
    ranked = sorted((it for it in items if it.lost > 0), key=lambda it: -it.lost)  # stable: rubric order on ties
    return tuple(
        Loss(it.id, it.name, it.lost, tuple(f.text for f in it.operative.findings if f.kind not in ("not_applicable",)))
        for it in ranked[:TOP_LOSSES]
    )
