"""score_village: the pure function from (compiled rubric, assessment) to a VillageResult.

No files, no printing, no clock: the assessment date comes in with the data.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

from sanzhi import __version__
from sanzhi.common.numbers import EXACT, fmt, round_to
from sanzhi.common.show import show
from sanzhi.scoring.assessment import Assessment, Scored
from sanzhi.scoring.derive import compute_values
from sanzhi.scoring.memo import NOT_APPLICABLE, Outcome, item_results
from sanzhi.scoring.rating import check_vetoes, rate
from sanzhi.scoring.results import (
    CorrectionNote,
    DimensionResult,
    Finding,
    ItemResult,
    LevelScore,
    LevelTotal,
    Loss,
    VillageResult,
)
from sanzhi.standard.compile import CompiledExemption, CompiledItem, CompiledRubric

_ZERO = Decimal(0)
TOP_LOSSES = 5


class _Override(NamedTuple):
    """An item score set outright by a review level; higher levels inherit it."""

    scored: Scored
    level_name: str
    reviewer: str


class _Level(NamedTuple):
    id: str
    values: dict[str, object]  # answers and attributes as corrected up to this level, and derived values
    judgments: dict[str, Scored]
    overrides: dict[str, _Override]  # accumulated: a higher level inherits lower levels' decisions
    changed: frozenset[str]  # names corrected at this level


def _levels(compiled: CompiledRubric, assessment: Assessment, rubric_levels: dict[str, str]) -> list[_Level]:
    """Each level present builds on the one below: corrections, judgments and overrides accumulate."""
    inputs: dict[str, object] = {**assessment.attributes, **assessment.answers}
    judgments: dict[str, Scored] = dict(assessment.judgments)
    overrides: dict[str, _Override] = {}
    first_level = compiled.rubric.review_levels[0].id
    out = [_Level(first_level, compute_values(compiled, inputs), judgments, overrides, frozenset())]
    for review in assessment.reviews:
        inputs = dict(inputs)
        for name, corr in review.corrections.items():
            if corr.value is None:
                inputs.pop(name, None)
            else:
                inputs[name] = corr.value
        judgments = {**judgments, **review.judgments}
        name = rubric_levels.get(review.level, review.level)
        overrides = {**overrides, **{iid: _Override(sc, name, review.reviewer) for iid, sc in review.scores.items()}}
        out.append(_Level(review.level, compute_values(compiled, inputs), judgments, overrides, frozenset(review.corrections)))
    return out


def _level_score(ci: CompiledItem, level: str, outcome: Outcome, override: _Override | None) -> tuple[LevelScore, tuple[str, ...]]:
    if outcome is NOT_APPLICABLE:
        text = "本项不适用" + ("，不计入本维度分母" if ci.item.not_applicable == "rescale" else "，按 0 分计")
        return LevelScore(level, _ZERO, (Finding("not_applicable", None, _ZERO, text),), False, False), ()
    exempt = None
    score: Decimal
    findings: tuple[Finding, ...]
    missing: tuple[str, ...]
    if isinstance(outcome, CompiledExemption):
        # 免检: full marks without assessment. A reviewer's score set outright still counts (below).
        ex = outcome.exemption
        exempt = ex.id
        score, findings, missing = ci.item.points, (Finding("exempt", None, _ZERO, f"免检（{ex.name}），按满分计"),), ()
    else:
        score, findings, missing = outcome  # type: ignore[misc]
    if override is not None:
        sc = override.scored
        text = f"{override.level_name}核定为 {fmt(sc.score)} 分（{override.reviewer}：{sc.reason}）"
        findings = (*findings, Finding("override", None, sc.score - score, text))
        score = sc.score
    return LevelScore(level, score, findings, False, True, exempt), missing


def _touched(ci: CompiledItem, level: _Level, below: _Level) -> bool:
    """Does this review level change anything the item reads or decides?"""
    iid = ci.item.id
    changed = level.changed
    return (
        not changed.isdisjoint(ci.needs)
        or (ci.applies_when is not None and not changed.isdisjoint(ci.applies_when.names))
        or any(not changed.isdisjoint(ex.when.names) for ex in ci.exemptions)
        or level.overrides.get(iid) is not below.overrides.get(iid)
        or (ci.judgment is not None and level.judgments.get(iid) is not below.judgments.get(iid))
    )


def _item_result(ci: CompiledItem, levels: Sequence[_Level], outcomes: Sequence[Outcome | None], evidence: tuple[str, ...]) -> ItemResult:
    """The item's result from its outcome per level (None: the level changes nothing it reads)."""
    item = ci.item
    iid = item.id
    ls, miss = _level_score(ci, levels[0].id, outcomes[0], None)  # type: ignore[arg-type]
    scores = [ls]
    for n in range(1, len(levels)):
        level, outcome = levels[n], outcomes[n]
        if outcome is None:  # untouched: the level below stands
            scores.append(LevelScore(level.id, ls.score, ls.findings, False, ls.applicable, ls.exempt))
            continue
        new, miss = _level_score(ci, level.id, outcome, level.overrides.get(iid))
        changed = new.score != ls.score or new.findings != ls.findings or new.applicable != ls.applicable
        scores.append(new._replace(changed=changed))
        ls = new
    # Unearned bonus points are not "lost": only main items count toward 失分.
    counts = ci.dimension is not None and (ls.applicable or item.not_applicable == "zero")
    return ItemResult(iid, item.name, ci.dimension, ci.indicator, item.points, ls.applicable, tuple(scores), ls.score,
                      item.points - ls.score if counts else _ZERO, miss, evidence, ci.scored_by)


def score_village(compiled: CompiledRubric, assessment: Assessment) -> VillageResult:
    """Score one village at every review level present; see sanzhi.standard.rules for item semantics."""
    return score_with_values(compiled, assessment)[0]


def score_with_values(compiled: CompiledRubric, assessment: Assessment) -> tuple[VillageResult, Mapping[str, object]]:
    """`score_village`, and the operative level's values (attributes and answers as corrected by
    the highest review level, and derived fields): what a village run stores for the township
    and county rubrics that aggregate it (sanzhi.scoring.units)."""
    rubric = compiled.rubric
    level_names = {lv.id: lv.name for lv in rubric.review_levels}
    levels = _levels(compiled, assessment, level_names)
    level_ids = tuple(lv.id for lv in levels)
    evidence, display, precision = assessment.evidence, compiled.display, rubric.precision
    items = item_results(compiled.items, levels, evidence, display, precision, _touched, _item_result)
    main_items = [it for it in items if it.dimension is not None]
    bonus_items = tuple(it for it in items if it.dimension is None)
    dimensions, totals = _aggregate(compiled, main_items, bonus_items, level_ids)
    total = totals[-1].total
    vetoes = check_vetoes(compiled, levels[-1].values, assessment.village.assessed_on)
    rating = rate(compiled, totals[0].total, total, dimensions, vetoes, levels[-1].values)
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
        corrections=_corrections(compiled, assessment, level_names) if any(r.corrections for r in assessment.reviews) else (),
    ), levels[-1].values


def _corrections(compiled: CompiledRubric, assessment: Assessment, level_names: dict[str, str]) -> tuple[CorrectionNote, ...]:
    """Every review level's corrections with the value they replace, the items they reach and a
    sentence for reports. Kept apart from the items' findings: an item's result is shared by
    villages that scored alike (sanzhi.scoring.memo), a reviewer's reason is this village's own."""
    readers: dict[str, list[str]] = {}
    for ci in compiled.items:
        names = ci.needs if ci.applies_when is None else ci.needs | ci.applies_when.names
        for n in names:
            readers.setdefault(n, []).append(ci.item.id)
    values: dict[str, object] = {**assessment.attributes, **assessment.answers}
    position = {n: i for i, n in enumerate(compiled.specs)}  # rubric order: the file's key order must not matter
    out: list[CorrectionNote] = []
    for review in assessment.reviews:
        level_name = level_names.get(review.level, review.level)
        for name in sorted(review.corrections, key=lambda n: (position.get(n, len(position)), n)):
            corr = review.corrections[name]
            before = values.get(name)
            label, unit = compiled.display.get(name, (name, None))
            was = "（未填）" if before is None else show(before, unit)
            now = "（删去）" if corr.value is None else show(corr.value, unit)
            text = f"{level_name}更正“{label}”：{was} → {now}（{review.reviewer}：{corr.reason}）"
            out.append(CorrectionNote(review.level, name, before, corr.value, corr.reason, review.reviewer,
                                      tuple(readers.get(name, ())), text))
            if corr.value is None:
                values.pop(name, None)
            else:
                values[name] = corr.value
    return tuple(out)


def _aggregate(
    compiled: CompiledRubric, items: list[ItemResult], bonus_items: tuple[ItemResult, ...], level_ids: tuple[str, ...]
) -> tuple[tuple[DimensionResult, ...], tuple[LevelTotal, ...]]:
    """Dimension scores per level (rescaled where items are not applicable) and totals.

    A rescaled dimension is quantized once after rescaling; otherwise every sum is exact.
    """
    rubric = compiled.rubric
    precision = rubric.precision
    dims: list[DimensionResult] = []
    base = [_ZERO] * len(level_ids)
    for dim, members, rescaled in zip(rubric.dimensions, compiled.dimension_items, compiled.dimension_rescaled):
        its = [items[i] for i in members]  # main items come first in compiled.items, so positions agree
        scores: list[tuple[str, Decimal]] = []
        drop = _ZERO
        for n, level in enumerate(level_ids):
            # Sums in rubric order from 0, exact; `score` is the operative (last) level's.
            raw = sum([it.score for it in its] if n == len(level_ids) - 1 else [it.levels[n].score for it in its], _ZERO)
            # Points dropped by rescaled not-applicable items, per level: a reviewer's correction
            # of an attribute (村 → 社区) can change which items apply at that level.
            drop = sum([items[i].points for i in rescaled if not items[i].levels[n].applicable], _ZERO) if rescaled else _ZERO
            if drop:
                app = dim.points - drop
                # Nothing applicable means nothing could be lost: the dimension keeps full points.
                raw = round_to(EXACT.divide(EXACT.multiply(raw, dim.points), app), precision) if app else dim.points
            scores.append((level, raw))
            base[n] += raw
        dims.append(DimensionResult(dim.id, dim.name, dim.points, dim.points - drop, tuple(scores), scores[-1][1], bool(drop)))
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
