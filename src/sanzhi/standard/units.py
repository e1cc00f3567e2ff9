"""Rubrics for a unit above the village (`unit: township | county`): their checks, and loading the
village rubric they read (`reads: ID@VERSION` or a file path, relative to the unit rubric).

The aggregates themselves are compiled by `sanzhi.standard.aggregates`; scoring a unit is
`sanzhi.scoring.units`; running one over a stored village run is `sanzhi.batch.units`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sanzhi.common.errors import Diagnostic, Location, RubricError
from sanzhi.standard.bundled import find_bundled
from sanzhi.standard.models import Rubric
from sanzhi.standard.problems import Problem

if TYPE_CHECKING:
    from sanzhi.standard.compile import CompiledRubric

UNIT_NAMES = {"village": "村(社区)", "township": "乡镇(街道)", "county": "县(市、区)"}
#: Digits of a unit's 统计用区划代码: a village's 12-digit code starts with its township's 9 and its county's 6.
CODE_DIGITS = {"village": 12, "township": 9, "county": 6}


def check_unit(rubric: Rubric) -> list[Problem]:
    """`unit`, `reads` and `aggregates` go together: a village rubric has neither of the two.
    A fixed score for a missing round (`periods.missing`) is within the rubric's total."""
    out: list[Problem] = []
    p = rubric.periods
    if p is not None and not isinstance(p.missing, str) and p.missing > rubric.total_points:
        out.append(Problem("R263", ("periods", "missing"), f"缺轮次的给分 {p.missing} 超过总分 {rubric.total_points}",
                           expected=f"0—{rubric.total_points}", found=str(p.missing)))
    if rubric.unit == "village":
        for key in ("reads", "aggregates"):
            if getattr(rubric, key):
                out.append(Problem("R260", (key,), f"村级评分标准不能有 {key}", key=True,
                                   hint="乡镇、县评分标准请写 unit: township 或 unit: county"))
        return out
    if rubric.reads is None:
        out.append(Problem("R260", ("unit",), f"{UNIT_NAMES[rubric.unit]}评分标准须用 reads 写明所汇总的村级评分标准",
                           hint="例如 reads: kunshan-grid@2026"))
    out.extend(_unit_cohorts(rubric))
    return out


# The cohort a unit is ranked in is fixed by the unit: townships within their county, counties
# across the run. A rubric may restate the township one; any other would rank a unit alone.
_UNIT_COHORT = {"township": "county", "county": None}
_COHORT_WORDS = {"township": "县内的乡镇", "county": "本批次的全部县"}


def _unit_cohorts(rubric: Rubric) -> list[Problem]:
    """R264: `rank_within` or `red_black.within` naming a cohort a unit is not ranked in."""
    fits = _UNIT_COHORT[rubric.unit]
    r = rubric.rating
    written: list[tuple[tuple[str | int, ...], str]] = []
    if r.rank_within is not None:
        written.append((("rating", "rank_within"), r.rank_within))
    if r.red_black is not None and "within" in r.red_black.model_fields_set:
        written.append((("rating", "red_black", "within"), r.red_black.within))
    return [Problem("R264", path, f"{UNIT_NAMES[rubric.unit]}评分标准在{_COHORT_WORDS[rubric.unit]}中排名，不能写 within: {found}",
                    expected="county" if fits else "不写", found=found, hint="排名与红黑榜的范围由 unit 决定，可删去此项")
            for path, found in written if found != fits]


def _reads_path(ref: str, filename: str) -> tuple[Path, str] | Problem:
    if ref.lower().endswith((".yaml", ".yml")):
        path = Path(ref)
        if not path.is_absolute():
            path = Path(filename).parent / path
        return path, str(path)
    if "@" not in ref:
        return Problem("R261", ("reads",), f"reads 须写明村级评分标准的版本：{ref}@版本",
                       hint="汇总字段按该版本的字段类型检查；村级批次须用同一版本评分")
    try:
        b = find_bundled(ref)
    except RubricError as e:
        d = e.diagnostics[0]
        return Problem("R261", ("reads",), d.message, expected=d.expected)
    return b.path, b.path.name


def load_reads(ref: str, filename: str, text: str) -> tuple[CompiledRubric | None, list[Problem]]:
    """The village rubric a unit rubric reads, compiled; or the problem why not.

    A village rubric with errors stops the load with its own diagnostics, after a note saying so.
    """
    from sanzhi.standard.loader import load_rubric_file  # the loader calls us: import late

    located = _reads_path(ref, filename)
    if isinstance(located, Problem):
        return None, [located]
    path, display = located
    try:
        compiled, _ = load_rubric_file(path, display_name=display)
    except RubricError as e:
        note = Diagnostic("R261", f"reads 所指的村级评分标准 {ref} 未通过检查，须先修正（其问题一并列出）", Location(filename))
        raise RubricError([note, *e.diagnostics], sources={filename: text, **e.sources}) from None
    if compiled.rubric.unit != "village":
        return None, [Problem("R261", ("reads",), f"reads 须是村级评分标准，而 {compiled.ref} 是{UNIT_NAMES[compiled.rubric.unit]}评分标准",
                              found=ref)]
    return compiled, []


__all__ = ["CODE_DIGITS", "UNIT_NAMES", "check_unit", "load_reads"]
