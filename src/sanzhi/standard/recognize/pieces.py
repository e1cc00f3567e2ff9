"""What one clause was recognised as, before fields are allocated and rules written.

Families (one module per pattern family under `families/`) turn clause text into
pieces; `assemble` groups neighbouring pieces (band steps on one value, a cap after a
count, "如案件已破，扣3分" after "发生1起恶性案件扣5分") and writes the rubric dicts.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

# What a step of a stepped rule gives: full marks, nothing, the points less `amount`, or `amount`.
StepEffect = Literal["full", "zero", "deduct", "score"]


@dataclass(frozen=True)
class Deduction:
    """deduct: a fixed amount when the condition holds ("未制定计划扣1分")."""

    label: str
    points: Decimal
    negated: bool = False  # the label is the requirement; deduct when it is NOT met


@dataclass(frozen=True)
class ZeroOut:
    """zero: the item (or the part it sits in) scores nothing ("…不得分", "全扣")."""

    label: str


@dataclass(frozen=True)
class Occurrence:
    """per_occurrence: amount per finding ("每发现1项扣0.5分", "每处扣1分")."""

    label: str
    unit: str | None
    each: Decimal
    cap: Decimal | None = None
    all_cap: bool = False  # "扣完为止": capped at the item (or part) points


@dataclass(frozen=True)
class Variant:
    """"如案件已破，扣3分" after a per-occurrence: the same finding under a condition."""

    label: str
    each: Decimal


@dataclass(frozen=True)
class Step:
    """One step of a stepped rule on a value: "60%(含60%)以下扣8分"."""

    label: str  # the value; empty = the same value as the step before
    unit: str | None
    low: Decimal | None
    low_closed: bool | None  # None = the wording does not say (以上/以下/A到B)
    high: Decimal | None
    high_closed: bool | None
    outcome: StepEffect
    amount: Decimal = Decimal(0)
    hard_low: bool = False  # stated explicitly (含/超过/不足…), wins over the neighbour
    hard_high: bool = False


@dataclass(frozen=True)
class Threshold:
    """threshold: "达到20万元以上，没有达到的扣1分"."""

    label: str
    unit: str | None
    op: Literal[">=", ">", "<=", "<"]
    target: Decimal
    points: Decimal
    note: str | None = None  # a parenthetical alternative target, kept for a warning


@dataclass(frozen=True)
class Shortfall:
    """shortfall: "低于80%的，每降低1个百分点扣0.5分"."""

    label: str
    unit: str | None
    target: Decimal
    direction: Literal["below", "above"]
    per: Decimal
    each: Decimal
    partial: Literal["floor", "ceil", "exact"] = "floor"
    cap: Decimal | None = None


@dataclass(frozen=True)
class PerUnit:
    """per_unit: "(1个0.5分,共3分)", "每项得1分，最高5分", "4×实达标数"."""

    label: str
    unit: str | None
    each: Decimal
    cap: Decimal | None
    value: bool = False  # the count is a measured value (decimal), not a count


@dataclass(frozen=True)
class AwardPart:
    """"…，5分": a part worth `points` when its requirement is met; `inner` scores the part."""

    label: str
    points: Decimal
    inner: tuple["Piece", ...] = ()
    inner_text: str | None = None


@dataclass(frozen=True)
class Judgment:
    """judgment: "视情况酌情给分，最高1分", "0~7分", "(由检查考评组视情量分)"."""

    guidance: str
    min: Decimal = Decimal(0)
    max: Decimal | None = None


@dataclass(frozen=True)
class Grades:
    """criteria: "符合上述5项为A；符合4项为B…其余情形为C#"."""

    grades: tuple[tuple[int, str], ...]  # (min_met, grade), best first
    scores: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class Cap:
    """"扣完为止" (all) or "本项限扣N分" standing alone."""

    amount: Decimal | None


@dataclass(frozen=True)
class Veto:
    """一票否决 / 取消评选资格 / 不得参与评选: blocks the rating whatever the score."""

    label: str
    lookback_months: int | None = None


@dataclass(frozen=True)
class Gate:
    """A score threshold on the whole rubric: pass mark, application gate or named tier."""

    kind: Literal["pass_min", "apply_gate", "tier"]
    min_score: Decimal
    name: str | None = None


@dataclass(frozen=True)
class Remark:
    """Text with no scoring words at all (a description, "给予进步奖")."""


@dataclass(frozen=True)
class Unrecognized:
    """Scoring words no family understood: never dropped, becomes judgment + warning."""

    reason: str = "未能识别的评分细则"


Piece = (Deduction | ZeroOut | Occurrence | Variant | Step | Threshold | Shortfall | PerUnit | AwardPart
         | Judgment | Grades | Cap | Veto | Gate | Remark | Unrecognized)


@dataclass(frozen=True)
class Parsed:
    """The pieces of one clause, with the clause text (normalised and as typed)."""

    pieces: tuple[Piece, ...]
    text: str
    original: str
    sentence: int
    notes: tuple[str, ...] = field(default=())  # warnings the family wants raised
