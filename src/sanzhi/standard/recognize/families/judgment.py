"""Assessor judgment ("视情况酌情给分，最高1分", "0~7分") and grades from criteria met."""

import re

from sanzhi.standard.recognize.amounts import NUM, parse_number
from sanzhi.standard.recognize.clauses import outside_parens
from sanzhi.standard.recognize.families.common import CapInfo
from sanzhi.standard.recognize.pieces import Grades, Judgment, Piece

_DISCRETION = re.compile(r"(?:视情况?|根据情况|酌情|视情|视具体情况|视完成情况|视效果)(?:酌情)?(?:给分|量分|打分|评分|计分|赋分|得分)")
_MAX = re.compile(rf"(?:最高|最多|不超过|最高不超过)(?P<n>{NUM})分")
_RANGE = re.compile(rf"^(?:得分|计分|分值)?(?P<lo>{NUM})分?[~\-—至到](?P<hi>{NUM})分?$")
# "符合5项为A", "满足3至4项为B" (the lower count is what a grade needs).
_GRADE = re.compile(rf"(?:符合|满足)(?:上述|以上)?(?P<n>{NUM})(?:至{NUM})?项(?:及以上)?(?:的)?为(?P<g>[A-Z][#+\-]?|优秀|良好|合格|一般|较好|好|差|不合格)")
_REST = re.compile(r"(?:其余|其他|其它)(?:情形|情况)?(?:的)?为(?P<g>[A-Z][#+\-]?|优秀|良好|合格|一般|较好|好|差|不合格)")
_GRADE_SCORE = re.compile(rf"(?P<g>[A-Z][#+\-]?)(?:(?:得|为|计)(?P<s>{NUM})分|\((?P<p>{NUM})分\))")


def judgment(body: str, caps: CapInfo) -> list[Piece] | None:
    m = _RANGE.match(body)
    if m:
        lo, hi = parse_number(m.group("lo")), parse_number(m.group("hi"))
        if lo < hi:
            return [Judgment(f"评审员在 {m.group('lo')}～{m.group('hi')} 分之间酌情给分", lo, hi)]
    if _DISCRETION.search(outside_parens(body)):  # "得6分(视情量分)" is an award part: its points bound the judgment
        cap = _MAX.search(body)
        return [Judgment(body, max=parse_number(cap.group("n")) if cap else None)]
    return None


def grades(body: str, caps: CapInfo) -> list[Piece] | None:
    found = [(int(parse_number(m.group("n"))), m.group("g")) for m in _GRADE.finditer(body)]
    rest = _REST.search(body)
    if not found and not rest:
        return None
    if rest:
        found.append((0, rest.group("g")))
    stated = {m.group("g"): parse_number(m.group("s") or m.group("p")) for m in _GRADE_SCORE.finditer(body)}
    found.sort(key=lambda g: -g[0])
    return [Grades(tuple(found), tuple(stated.get(g) for _, g in found))]
