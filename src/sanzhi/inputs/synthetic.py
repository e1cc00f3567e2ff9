"""Deterministic synthetic villages for benchmarks and property tests.

Produces raw village dicts in the documented data format, so they go through the same
reader as real files. Values respect each field's declared type, choices and range.
"""

import copy
import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.fields import FieldSpec


def _value(spec: FieldSpec, rng: random.Random) -> object:
    # Skewed towards a plausible village (most requirements met, few findings) with a long
    # tail, so a synthetic county spreads over every rating rather than piling up at one end.
    match spec.type:
        case "bool":
            return rng.random() < 0.9
        case "integer":
            low = int(spec.min) if spec.min is not None else 0
            high = int(spec.max) if spec.max is not None else low + 20
            if rng.random() < 0.6:
                return rng.randint(low, min(high, low + 2))
            return rng.randint(low, min(high, low + 50))
        case "decimal":
            lo = spec.min if spec.min is not None else Decimal(0)
            hi = spec.max if spec.max is not None else lo + 100
            share = rng.randint(600, 1000) if rng.random() < 0.7 else rng.randint(0, 1000)
            return lo + (hi - lo) * Decimal(share) / 1000
        case "choice":
            assert spec.choices
            return rng.choice(spec.choices)
        case "tags":
            assert spec.choices
            return [c for c in spec.choices if rng.random() < 0.3]
        case "date":
            return (date(2020, 1, 1) + timedelta(days=rng.randint(0, 2200))).isoformat()
        case "text":
            return "示例"
    raise AssertionError(spec.type)


def synthetic_village(compiled: CompiledRubric, n: int, seed: int = 0, year: int = 2025, townships: int = 20) -> dict[str, object]:
    """Village number `n` of a reproducible synthetic county."""
    rng = random.Random(seed * 1_000_003 + n)
    r = compiled.rubric
    village: dict[str, object] = {
        "code": f"9{n:011d}",
        "name": f"合成村{n:06d}",
        "township": f"合成镇{n % townships:02d}",
        "county": "合成县",
        "year": year,
    }
    for a in r.attributes:
        village[a.id] = _value(a, rng)
    answers: dict[str, object] = {}
    # Fields that vetoes read describe incidents: rare in a real county, so rare here too.
    veto_fields = {n for cv in compiled.vetoes for n in cv.needs}
    for f in r.fields:
        if f.id in veto_fields:
            if f.type == "bool":
                answers[f.id] = rng.random() < 0.02
            elif f.required or rng.random() < 0.02:
                answers[f.id] = _value(f, rng)
            continue
        if f.type == "date" and not f.required and rng.random() < 0.9:
            continue
        if f.required or rng.random() < 0.97:
            answers[f.id] = _value(f, rng)
    judgments = {}
    for ci in compiled.items:
        if ci.judgment is not None:
            high = ci.judgment.rule.max or ci.item.points
            judgments[ci.item.id] = {"score": (high * rng.randint(0, 10) / 10).quantize(r.precision), "reason": "合成数据"}
    return {"rubric": f"{r.id}@{r.version}", "village": village, "answers": answers, "judgments": judgments}


def plausible_village(compiled: CompiledRubric, samples: Sequence[Mapping[str, object]], n: int) -> dict[str, object]:
    """Village `n`: a bundled sample village (raw data, reviews included) with about one answer in
    six redrawn at random, so totals spread around the rating thresholds as real ones do. Purely
    synthetic villages (`synthetic_village`) score ~55 on the Jiaxing rubric: all below its apply
    gate, which makes a poor stand-in for a real county in benchmarks."""
    rng = random.Random(n)
    base = copy.deepcopy(dict(samples[n % len(samples)]))
    noise = synthetic_village(compiled, n)
    village = dict(base["village"])  # type: ignore[call-overload]
    village.update({k: noise["village"][k] for k in ("code", "name", "township")})  # type: ignore[index]
    base["village"] = village
    answers = base["answers"]
    assert isinstance(answers, dict)
    for key, value in noise["answers"].items():  # type: ignore[attr-defined]
        if rng.random() < 1 / 6 and not key.endswith("_date"):
            answers[key] = value
    return base
