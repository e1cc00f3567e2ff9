"""Cutting a cell into clauses: one clause per stated amount.

A cell is split into sentences at "；" and "。", and each sentence at "，" only where
every part carries its own outcome (an amount, 不得分, 满分, a cap…): "未履职，或未经审核
纳入事项的，每发现1项扣0.5分" stays one clause, "未制定计划扣1分，未落实专人负责扣2分"
becomes two. Splits never happen inside parentheses, so "(含80%)" and "(未建立不得分)"
stay with their clause. A cap phrase on its own ("，扣完为止") joins the clause before it.
"""

import re
from dataclasses import dataclass

from sanzhi.standard.recognize.amounts import NUM
from sanzhi.standard.recognize.normalize import Normalized

OUTCOME = re.compile(
    rf"(?:扣|减|扣除|扣减|得|计|记|加|给)分?{NUM}|{NUM}分(?:$|\))|满分|不得分|不计分|全扣|全部扣完|扣完为止|"
    rf"不记分|不给分|一票否决|取消.{{0,12}}资格|不得参[与加]|不予认定|不得认定|不能认定|不得申报|"
    rf"为[A-DＡ-Ｄ]|限扣|最多扣|最高扣|最高{NUM}分|{NUM}[~\-—至到]{NUM}分?$|视情|酌情"
)
CAP_ONLY = re.compile(rf"^(?:扣完为止|(?:最高|最多|共计?|满分|封顶)(?:为)?{NUM}分|不足.{{0,8}}按.{{0,8}}计(?:算)?|按(?:实际)?比例(?:计算|扣分)?|(?:本项|此项|该项)?(?:限扣|最多扣|最高扣|扣分不超过|最多扣除){NUM}分(?:为止)?|共计?{NUM}分|(?:共计?{NUM}分)?扣完为止)$")
# An amount followed by more text with no punctuation starts a new clause:
# "每户扣5分发现有种植…" is two clauses run together.
_RUN_ON = re.compile(rf"扣{NUM}分(?=[^\s,;。)、的/以为或和及\d])")
_BARE_AMOUNT = re.compile(rf"^{NUM}分$")
_BARE_POINTS = re.compile(rf"^\(({NUM}分)\)$")
_LEADING_NUMBER = re.compile(r"^(?:\d+[.、](?!\d)|\(\d+\)|[①-⑳]|[一二三四五六七八九十]+、)")


@dataclass(frozen=True, slots=True)
class Clause:
    text: str  # normalised
    start: int  # span in the normalised cell
    end: int
    sentence: int  # clauses of one sentence share this index

    def original(self, cell: Normalized) -> str:
        return cell.original(self.start, self.end)


def top_level_spans(text: str, seps: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans between separators that are outside parentheses."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    depth = 0
    begin = start
    for i in range(start, end):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in seps:
            out.append((begin, i))
            begin = i + 1
    out.append((begin, end))
    return [(a, b) for a, b in out if b > a]


def has_outcome(text: str) -> bool:
    return OUTCOME.search(_outside_parens(text)) is not None or OUTCOME.search(text) is not None


def _outside_parens(text: str) -> str:
    out = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def outside_parens(text: str) -> str:
    return _outside_parens(text)


def split_clauses(cell: Normalized) -> list[Clause]:
    text = cell.text
    clauses: list[Clause] = []
    for s_index, (s0, s1) in enumerate(top_level_spans(text, ";。")):
        segments = _segments(text, s0, s1)
        group_start: int | None = None
        for a, b in segments:
            seg = text[a:b]
            bare = _BARE_AMOUNT.match(seg) and a > 0 and text[a - 1] == "、"
            if (CAP_ONLY.match(seg) or bare) and group_start is None and clauses and clauses[-1].sentence == s_index:
                last = clauses.pop()  # a cap phrase qualifies the clause before it
                clauses.append(Clause(text[last.start : b], last.start, b, s_index))
                continue
            if group_start is None:
                group_start = a
            if has_outcome(seg):
                clauses.append(Clause(text[group_start:b], group_start, b, s_index))
                group_start = None
        if group_start is not None:
            clauses.append(Clause(text[group_start:s1], group_start, s1, s_index))
    return _merge_bare_points([_strip_number(c) for c in clauses])


def _merge_bare_points(clauses: list[Clause]) -> list[Clause]:
    """"…每季度至少召开一次。(2分)": a bare point value after a sentence is that sentence's award."""
    out: list[Clause] = []
    for c in clauses:
        m = _BARE_POINTS.match(c.text)
        if m and out and not has_outcome(out[-1].text):
            prev = out.pop()
            out.append(Clause(f"{prev.text},{m.group(1)}", prev.start, c.end, prev.sentence))
        else:
            out.append(c)
    return out


def _segments(text: str, s0: int, s1: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in top_level_spans(text, ",、", s0, s1):
        cuts = [m.end() for m in _RUN_ON.finditer(text, a, b) if _depth_at(text, a, m.end()) == 0]
        begin = a
        for cut in cuts:
            out.append((begin, cut))
            begin = cut
        out.append((begin, b))
    return [(a, b) for a, b in out if b > a]


def _depth_at(text: str, start: int, pos: int) -> int:
    depth = 0
    for ch in text[start:pos]:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
    return depth


def _strip_number(clause: Clause) -> Clause:
    m = _LEADING_NUMBER.match(clause.text)
    if m and len(clause.text) > m.end():
        return Clause(clause.text[m.end() :], clause.start + m.end(), clause.end, clause.sentence)
    return clause

