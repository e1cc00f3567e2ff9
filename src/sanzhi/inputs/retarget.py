"""Village data filled in for one version of a rubric, carried to another version of it.

A county that adopts a revision mid-way has last year's files in the old shape: they name
`rubric: jiaxing-sanzhi@2018` while the run scores under `jiaxing-sanzhi@2024`. Such a file
is read with the version it names, then carried to the version scored (`retarget`), the same
way for `sanzhi score`, `sanzhi batch` and `sanzhi rubric impact`:

- answers and village attributes stay as they are; those of fields only the old version
  declares are dropped, and fields new in the target are unanswered;
- item-keyed data (judgments, evidence, reviewers' item scores) follows its item to the new
  id (same id, a crosswalk rename, or identical content: `sanzhi.standard.lineage.item_id_map`);
  entries of items removed, split or merged are dropped;
- judgments and reviewers' item scores are rescaled to the item's new range
  (new = old × new maximum ÷ old maximum, rounded half up to the target's precision), so full
  marks stay full marks (`sanzhi.scoring.impact.rescale`).

Which versions can be carried from: another version of the same rubric id that sanzhi ships
(`sanzhi.standard.bundled`). The rubrics are loaded once per process and kept.
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from sanzhi.common.errors import RubricError
from sanzhi.common.identity_cache import IdentityCache
from sanzhi.inputs.assessment import Locate, read_assessment
from sanzhi.scoring.assessment import Assessment
from sanzhi.scoring.impact import Carry, carry_plan, rescale, translate_assessment
from sanzhi.standard.bundled import bundled_rubrics, find_bundled
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.lineage import item_id_map
from sanzhi.standard.loader import load_rubric_file
from sanzhi.standard.values import normalize_text


class Retarget(NamedTuple):
    """How village data of `source` becomes village data for `target`."""

    source: CompiledRubric
    target: CompiledRubric
    ids: Mapping[str, str]  # source item id → target item id
    carry: Carry
    same_inputs: bool  # both declare the same attributes, fields and review levels


def _same_inputs(a: CompiledRubric, b: CompiledRubric) -> bool:
    ra, rb = a.rubric, b.rubric
    return ra.attributes == rb.attributes and ra.fields == rb.fields and ra.review_levels == rb.review_levels


def retarget_plan(source: CompiledRubric, target: CompiledRubric, ids: Mapping[str, str] | None = None) -> Retarget:
    """The plan from `source` to `target`; `ids` when the caller has the item map already."""
    ids = dict(ids) if ids is not None else item_id_map(source.rubric, target.rubric)
    return Retarget(source, target, ids, carry_plan(source, target, ids), _same_inputs(source, target))


def carry_assessment(plan: Retarget, assessment: Assessment, raw: object, locate: Locate) -> Assessment:
    """A village read with `plan.source` (`assessment`, from `raw`) as a village of `plan.target`.

    With the same inputs declared, the parsed assessment is carried as it is (item keys moved,
    scores rescaled); otherwise the raw data is carried and read again with the target, which
    validates it there (a field new and required in the target: DataError, located by `locate`).
    """
    if plan.same_inputs:
        return translate_assessment(assessment, plan.carry)
    return read_assessment(plan.target, retarget(raw, plan), locate)


def retarget(raw: object, plan: Retarget) -> object:
    """Raw village data in `plan.source`'s shape, as data for `plan.target` (module docstring)."""
    if not isinstance(raw, dict):
        return raw
    target, source, ids, carry = plan.target, plan.source, plan.ids, plan.carry
    out = dict(raw)
    out["rubric"] = target.ref
    known = {s.id for s in (*target.rubric.fields, *target.rubric.attributes)}
    theirs = {s.id for s in (*source.rubric.fields, *source.rubric.attributes)}
    if isinstance(out.get("answers"), dict):
        out["answers"] = {k: v for k, v in out["answers"].items() if k in known or k not in theirs}
    if isinstance(out.get("village"), dict):
        out["village"] = {k: v for k, v in out["village"].items() if k in known or k not in theirs}

    def items(m: object, scales: Mapping[str, tuple[Decimal, Decimal]] | None) -> object:
        if not isinstance(m, dict):
            return m
        res = {}
        for k, v in m.items():
            t = ids.get(str(k))
            if t is None or (scales is not None and t not in scales):
                continue
            score = _number(v.get("score")) if scales is not None and isinstance(v, dict) else None
            if score is not None and scales is not None and isinstance(v, dict):
                v = {**v, "score": rescale(score, scales[t], carry.precision)}
            res[t] = v
        return res

    for key, scales in (("judgments", carry.judgment_scale), ("evidence", None)):
        if key in out:
            out[key] = items(out[key], scales)
    if isinstance(out.get("reviews"), list):
        out["reviews"] = [
            {**r, **({"judgments": items(r["judgments"], carry.judgment_scale)} if "judgments" in r else {}),
             **({"scores": items(r["scores"], carry.points_scale)} if "scores" in r else {})} if isinstance(r, dict) else r
            for r in out["reviews"]
        ]
    return out


def _number(raw: object) -> Decimal | None:
    """A score as the reader would take it (3, 2.5, "2.5", "２．５"); None for anything else,
    which is left as written for the reader to report."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, Decimal)):
        return Decimal(raw)
    if isinstance(raw, str):
        try:
            value = Decimal(normalize_text(raw))
        except InvalidOperation:
            return None
        return value if value.is_finite() else None
    return None


# ------------------------------------------------------------------------------ other versions

# Plans by (id(target), version ref): a worker reads thousands of files naming the same old
# version, and loading a rubric costs ~0.1 s. None: that ref cannot be carried to the target.
_PLANS: IdentityCache[tuple[int, str], Retarget | None] = IdentityCache("inputs.retarget.plans", 64)


def _sibling(target: CompiledRubric, ref: str) -> CompiledRubric | None:
    try:
        bundled = find_bundled(ref)
    except RubricError:
        return None
    if bundled.ref != ref:
        return None
    compiled, _ = load_rubric_file(bundled.path, display_name=bundled.path.name)
    return compiled


def carry_from(target: CompiledRubric, ref: object) -> Retarget | None:
    """The plan for data that names `ref` (its `rubric:` value) when it is another bundled
    version of the target's rubric id; None for the target itself, no version, or anything else."""
    if not isinstance(ref, str):
        return None
    rid, _, version = ref.strip().partition("@")
    r = target.rubric
    if rid != r.id or not version or version == r.version:
        return None
    key = (id(target), f"{rid}@{version}")
    hit = _PLANS.get(key, False)
    if hit is None or isinstance(hit, Retarget):  # False: not looked up yet
        return hit
    source = _sibling(target, key[1])
    return _PLANS.put(key, None if source is None else retarget_plan(source, target), target)


def other_versions(target: CompiledRubric) -> list[Retarget]:
    """Plans from every other bundled version of the target's rubric id, newest first: the
    versions a file might have been filled in for."""
    r = target.rubric
    refs = [b.ref for b in reversed(bundled_rubrics()) if b.id == r.id and b.version != r.version]
    return [p for p in (carry_from(target, ref) for ref in refs) if p is not None]


__all__ = ["Retarget", "carry_assessment", "carry_from", "other_versions", "retarget", "retarget_plan"]
