"""What a rule kind is: one registration naming everything the project does with it.

A kind lives in one module of this package (deduct.py, bands.py, …) holding its pydantic
model, its expression slots, what it computes once at compile time, its load-time checks,
its Chinese wording and its scorer, and ending with `KIND = RuleKind(...)`.
`sanzhi.standard.rules` lists the registrations once and builds the rubric format's
discriminated `Rule` union and the lookups from them; nothing else names kinds.

A compiled rule is generic over its rule type, so a kind's scorer receives its own model
(`cr.rule` is a `Deduct` in the deduct scorer) and its own compiled form (`cr.prepared`).
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, Literal, NamedTuple, Protocol, TypeVar, get_args

from sanzhi.standard.expr import Expression, ValueType
from sanzhi.standard.fields import DerivedField, FieldSpec
from sanzhi.standard.problems import Problem
from sanzhi.standard.rules.finding import Finding
from sanzhi.standard.rules.model import RuleModel

R = TypeVar("R", bound=RuleModel)
F = TypeVar("F")  # a kind's compiled form: a fixed sentence, parsed intervals, or None

# How the engine combines a kind's findings (see sanzhi.standard.rules): awards make the
# item's base, deductions subtract from it, a triggered `zero` rule overrides both.
Role = Literal["award", "deduction", "zero"]
ROLES: tuple[Role, ...] = get_args(Role)

Display = Mapping[str, tuple[str, str | None]]  # name → (Chinese label, unit), for explanations
Values = Mapping[str, object]  # a village's typed values by name, derived fields included
Path = tuple[str | int, ...]  # keys and list indices into the rubric's raw data


class Judged(Protocol):
    """An assessor's score for a judgment item, with the mandatory reason
    (sanzhi.scoring.assessment.Scored)."""

    @property
    def score(self) -> Decimal: ...

    @property
    def reason(self) -> str: ...


class Slot(NamedTuple):
    """One expression of a rule: its key in `CompiledRule.exprs`, where it sits below the
    rule (for locating a problem), its text and the type it must produce."""

    key: str
    path: Path
    text: str
    expect: ValueType


class RuleContext(NamedTuple):
    """What a kind's load-time checks see besides the rule itself."""

    path: Path  # the rule's raw path: problems are located below it
    points: Decimal  # the item's points
    specs: Mapping[str, FieldSpec | DerivedField]  # fields, attributes and derived fields by id


@dataclass(frozen=True, slots=True)
class CompiledRule(Generic[R, F]):
    """A rule with its expressions compiled, ready to score; plain picklable data."""

    index: int  # position within its item
    rule: R
    kind: "RuleKind[R, F]"
    exprs: Mapping[str, Expression]  # slot key → expression (criteria use their criterion ids)
    prepared: F  # what the kind computed once at compile time, instead of once per village
    inputs: tuple[str, ...] = ()  # every name its expressions read, sorted: shown in findings
    precision: Decimal = Decimal("0.1")  # the rubric's, for showing computed amounts


# (compiled rule, item points, values, display, the item's judgment) → Finding, or None when
# the rule does not fire. A Finding's amount is signed: negative for a deduction, the points
# awarded for an award rule. Precedence and clamping are the engine's job, not the scorer's.
Scorer = Callable[[CompiledRule[R, F], Decimal, Values, Display, Judged | None], Finding | None]


def kind_tag(model: type[RuleModel]) -> str:
    """The `kind:` value a model's Literal annotation admits."""
    args = get_args(model.model_fields["kind"].annotation)
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError(f"{model.__name__}.kind must be a Literal of one string")
    return args[0]


@dataclass(frozen=True, slots=True)
class RuleKind(Generic[R, F]):
    """A rule kind's registration. Every part is required: a kind without one cannot be built."""

    model: type[R]  # the pydantic model: what a rubric author writes
    role: Role
    slots: tuple[tuple[str, ValueType], ...]  # the model's expression fields, and their types
    prepare: Callable[[R], F]  # the compiled form, computed once per rule at compile time
    check: Callable[[R, RuleContext], list[Problem]]  # load-time checks pydantic cannot express
    describe: Callable[[R, Decimal], str]  # (rule, item points) → 评分细则 wording, as a table reads
    outline: Callable[[R], str]  # one line with expressions as written, for `rubric diff`
    score: Scorer[R, F]
    # Expressions inside lists (criteria's `when`s), beyond the top-level slots.
    nested: Callable[[R], Iterator[Slot]] | None = None
    # The rule with defaults that come from the rubric's declarations filled in, at compile time
    # (shortfall: the unit of the field it reads, for its wording); the rubric itself is unchanged.
    complete: Callable[[R, RuleContext], R] | None = None
    name: str = field(init=False)  # the `kind:` tag, read from the model

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", kind_tag(self.model))

    def expressions(self, rule: R) -> Iterator[Slot]:
        """Every expression of `rule`, in the order they are compiled and checked."""
        for slot, expect in self.slots:
            yield Slot(slot, (slot,), getattr(rule, slot), expect)
        if self.nested is not None:
            yield from self.nested(rule)

    def __reduce__(self) -> tuple[Callable[[str], "RuleKind[Any, Any]"], tuple[str]]:
        # A compiled rubric shipped to a worker process refers to the worker's own registration.
        return (_registered, (self.name,))


def _registered(name: str) -> "RuleKind[Any, Any]":
    from sanzhi.standard.rules import kind_named  # the registry imports this module

    return kind_named(name)
