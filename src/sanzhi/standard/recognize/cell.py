"""The public entry points: one 评分细则 cell (or one table note) in, a Recognition out."""

import re
from decimal import Decimal
from typing import Any

from sanzhi.standard.recognize.amounts import fmt
from sanzhi.standard.recognize.assemble import AWARD_KINDS, Assembler, Level
from sanzhi.standard.recognize.clauses import split_clauses
from sanzhi.standard.recognize.families import parse_clause
from sanzhi.standard.recognize.families.ratings import LIST_HEAD
from sanzhi.standard.recognize.families.ratings import scored_by as find_scored_by
from sanzhi.standard.recognize.fields import FieldAllocator
from sanzhi.standard.recognize.normalize import Normalized, normalize
from sanzhi.standard.recognize.pieces import Judgment, Parsed
from sanzhi.standard.recognize.result import Recognition, RecognizeWarning, freeze

_ID = re.compile(r"[a-z][a-z0-9_]*")


def _cut(cell: Normalized, spans: list[tuple[int, int]]) -> Normalized:
    keep = [i for i in range(len(cell.text)) if not any(a <= i < b for a, b in spans)]
    return Normalized("".join(cell.text[i] for i in keep), cell.source, tuple(cell.index[i] for i in keep))


def _slice(cell: Normalized, a: int, b: int) -> Normalized:
    return Normalized(cell.text[a:b], cell.source, cell.index[a:b])


def _parse(cell: Normalized, sentence_base: int = 0) -> list[Parsed]:
    # "有下列情形之一的，不得参与评选：①…；②…": the list is one clause however it is punctuated.
    head = LIST_HEAD.search(cell.text)
    if head:
        start = max(cell.text.rfind(";", 0, head.start()), cell.text.rfind("。", 0, head.start())) + 1
        listed = cell.text[start:].rstrip("。;")
        before = _parse(_slice(cell, 0, start), sentence_base) if start else []
        pieces = parse_clause(listed)
        return [*before, Parsed(tuple(pieces), listed, cell.original(start, len(cell.text)), sentence_base + 999)]
    out = []
    for clause in split_clauses(cell):
        pieces = parse_clause(clause.text)
        out.append(Parsed(tuple(pieces), clause.text, clause.original(cell) or clause.text, clause.sentence + sentence_base))
    return out


def _points(points: Decimal | int | str | None) -> Decimal | None:
    if points is None:
        return None
    value = Decimal(str(points))
    if not value.is_finite() or value <= 0:
        raise ValueError(f"points must be a positive number, found {points!r}")
    return value


def recognize_cell(text: str, *, points: Decimal | int | str | None = None, criterion: str | None = None,
                   id_prefix: str = "item") -> Recognition:
    """Recognise the rules in one 评分细则 cell.

    `points` is the item's 分值 (needed to turn band deductions into band scores, and to
    check sums); `criterion` the 评定标准 text (labels for "符合上述5项" criteria);
    `id_prefix` starts every generated field id (`<prefix>_1`, …) and veto id, so ids
    stay unique across the items of one table. Pure: no I/O, same input → same output.
    """
    scope = _points(points)
    alloc = FieldAllocator(id_prefix)
    cell = normalize(text)
    body, spans = find_scored_by(cell.text)
    cell = _cut(cell, spans)
    asm = Assembler(alloc, normalize(criterion).text if criterion else None,
                    lambda inner, base: _parse(normalize(inner), base * 100 + 1000))
    level = asm.build(_parse(cell), scope)
    rules = _within(asm, _finish(asm, level, scope, text), scope, text)
    return _result(text, scope, asm, alloc, rules, level, body)


def recognize_note(text: str, *, id_prefix: str = "note") -> Recognition:
    """Recognise vetoes and gates in a table note ("注：…", a 申报条件 paragraph).

    Notes carry no item rules: clauses that are not vetoes or gates are reported as
    warnings and `rules` stays empty.
    """
    alloc = FieldAllocator(id_prefix)
    cell = normalize(text)
    asm = Assembler(alloc, None, lambda inner, base: _parse(normalize(inner), base * 100 + 1000))
    level = asm.build(_parse(cell), None)
    for clause in level.unrecognized:
        asm.warn("unrecognized", clause, f"注释中的这段文字未能识别为一票否决或等级门槛：{clause}")
    if level.rules or level.judgments:
        asm.warn("unrecognized", text.strip(), "注释中含有评分规则，注释不生成评分项，请放入相应评分项的评分细则")
    return _result(text, None, asm, alloc, [], Level(None, False, unrecognized=level.unrecognized), None)


def _judgment(min_: Decimal, max_: Decimal | None, guidance: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"kind": "judgment", "min": min_}
    if max_ is not None:
        rule["max"] = max_
    rule["guidance"] = guidance
    return rule


def _finish(asm: Assembler, level: Level, scope: Decimal | None, text: str) -> list[dict[str, Any]]:
    rules = list(level.rules)
    if level.judgments:
        rules.insert(0, _merge_judgments(level.judgments, scope))
    awards = [r for r in rules if r["kind"] in AWARD_KINDS]
    parts = sum(level.part_points, Decimal(0))
    if level.part_points and scope is not None:
        if len(awards) == 1 and awards[0]["kind"] in ("judgment", "bands"):
            top = _award_max(awards[0], scope)
            _shift(awards[0], parts)
            if top + parts != scope:
                asm.warn("points_mismatch", text.strip(), f"各部分分值合计 {fmt(top + parts)} 分，与本项分值 {fmt(scope)} 分不符")
        elif awards:
            asm.warn("points_mismatch", text.strip(), "本项既有分项给分又有其他给分规则，无法核对合计，须复核")
        elif parts != scope:
            asm.warn("points_mismatch", text.strip(), f"各部分分值合计 {fmt(parts)} 分，与本项分值 {fmt(scope)} 分不符")
    fixed = sum((r["points"] for r in rules if r["kind"] in ("deduct", "threshold")), Decimal(0))
    if scope is not None and not level.part_points and not awards and fixed > scope:
        asm.warn("points_mismatch", text.strip(), f"各项扣分合计 {fmt(fixed)} 分，超过本项分值 {fmt(scope)} 分（按扣完为止处理）")
    if scope is not None:
        for r in rules:
            amount = r.get("points") if r["kind"] in ("deduct", "threshold") else r.get("cap")
            if amount is not None and amount > scope:
                asm.warn("points_mismatch", r.get("reason", text), f"“{r.get('reason')}”的分值 {fmt(amount)} 超过本项分值 {fmt(scope)}")
    unrecognized = level.unrecognized
    for clause in unrecognized:
        asm.warn("unrecognized", clause, f"未能识别的评分细则，已作为评审判断项保留原文：{clause}")
    if unrecognized:
        if not rules:
            return [_judgment(Decimal(0), scope, text.strip())]
        if not any(r["kind"] in AWARD_KINDS for r in rules):
            guidance = "以下细则未能自动识别，请在本项满分基础上按原文扣减后给出基础分：" + "；".join(unrecognized)
            return [_judgment(Decimal(0), scope, guidance), *rules]
        asm.warn("set_aside", text.strip(), "本项已识别的给分规则与未识别的细则无法合并，整项改为评审判断项")
        return [_judgment(Decimal(0), scope, text.strip())]
    if not rules and not asm.vetoes and not asm.gates:
        asm.warn("unrecognized", text.strip(), f"未识别出任何评分规则，已作为评审判断项保留原文：{text.strip()}")
        return [_judgment(Decimal(0), scope, text.strip())]
    return rules


def _within(asm: Assembler, rules: list[dict[str, Any]], scope: Decimal | None, text: str) -> list[dict[str, Any]]:
    """Award rules that would score above the item (parts added up wrongly) are not guessed at:
    the item becomes one judgment with the text, and the reviewer is told."""
    if scope is None:
        return rules
    over = [r for r in rules if (r["kind"] == "judgment" and r.get("max", scope) > scope)
            or (r["kind"] == "bands" and any(b["score"] > scope for b in r["bands"]))]
    if not over:
        return rules
    asm.warn("set_aside", text.strip(), f"识别出的给分超过本项分值 {fmt(scope)} 分，整项改为评审判断项，须复核")
    return [_judgment(Decimal(0), scope, text.strip())]


def _merge_judgments(found: list[Judgment], scope: Decimal | None) -> dict[str, Any]:
    if len(found) == 1:
        j = found[0]
        return _judgment(j.min, j.max if j.max is not None else scope, j.guidance)
    maxes = [j.max for j in found if j.max is not None]
    total = sum(maxes, Decimal(0)) if len(maxes) == len(found) else scope
    return _judgment(sum((j.min for j in found), Decimal(0)), total, "；".join(j.guidance for j in found))


def _award_max(rule: dict[str, Any], scope: Decimal) -> Decimal:
    if rule["kind"] == "judgment":
        return Decimal(rule.get("max", scope))
    return Decimal(max(b["score"] for b in rule["bands"]))


def _shift(rule: dict[str, Any], by: Decimal) -> None:
    if rule["kind"] == "judgment":
        rule["min"] = rule["min"] + by
        if "max" in rule:
            rule["max"] = rule["max"] + by
        rule["guidance"] = f"{rule['guidance']}（本项其余 {fmt(by)} 分按细则扣减，评审分含这部分）"
    else:
        for band in rule["bands"]:
            band["score"] = band["score"] + by


def _referenced(rules: list[dict[str, Any]], vetoes: list[dict[str, Any]]) -> set[str]:
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("when", "count", "value", "date_field") and isinstance(value, str):
                    names.update(_ID.findall(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(rules)
    walk(vetoes)
    return names


def _result(text: str, scope: Decimal | None, asm: Assembler, alloc: FieldAllocator, rules: list[dict[str, Any]],
            level: Level, scored_by: str | None) -> Recognition:
    used = _referenced(rules, asm.vetoes)
    fields = [f for f in alloc.fields if f["id"] in used]
    warnings: list[RecognizeWarning] = []
    for w in asm.warnings:  # one warning per (code, clause)
        if all((w.code, w.clause) != (x.code, x.clause) for x in warnings):
            warnings.append(w)
    return Recognition(text=text, points=scope, rules=freeze(rules), fields=freeze(fields), vetoes=freeze(asm.vetoes),
                       gates=freeze(asm.gates), scored_by=scored_by, warnings=tuple(warnings),
                       unrecognized=tuple(level.unrecognized))
