"""A rubric problem found after parsing, located by its path in the raw YAML data.

The standard layer knows nothing about files; the loader turns the raw path into
file:line:column and a domain path (维度 › 指标 › 评分项) for the person.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    path: tuple[str | int, ...]  # keys and list indices into the rubric's raw data
    message: str
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    column_offset: int | None = None  # character offset inside an expression scalar
    key: bool = False  # point at the mapping key rather than its value
    first: tuple[str | int, ...] | None = None  # for a duplicate: where the first one is


class RubricProblems(Exception):
    """Raised by compile/check with every problem found, never just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


def unique_ids(entries: Sequence[tuple[tuple[str | int, ...], str]], what: str) -> list[Problem]:
    """R201 for every id in `entries` (path of the entry, its id) seen before; `what` names them."""
    seen: dict[str, tuple[str | int, ...]] = {}
    out = []
    for path, ident in entries:
        if ident in seen:
            out.append(Problem("R201", (*path, "id"), f"{what} id “{ident}” 重复", hint="每个 id 在评分标准中只能出现一次",
                               first=(*seen[ident], "id")))
        else:
            seen[ident] = path
    return out
