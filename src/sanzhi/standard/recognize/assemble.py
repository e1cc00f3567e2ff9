"""Pieces → rubric dicts: group neighbours, allocate fields, reconcile with the points.

Grouping: consecutive band steps on one value become one `bands` rule (a lone step is a
`threshold`); two shortfalls on one value become one `shortfall` with `steeper`; a cap
standing alone attaches to the count rule before it; "如案件已破，扣3分" after a
per-occurrence splits its count in two; deductions following an award part in the same
sentence score that part ("有相关例会记录的得6分，每少一次扣0.5分").

Award parts ("…，5分") become `deduct` rules on the unmet requirement (the item starts at
full points), so they add up with the cell's other deductions. When one award rule (a
judgment or bands) sits beside award parts, it is shifted up by the parts' points so the
sums stay exact: "…得2分(未建立不得分)；…得6分(视情量分)" on an 8-point item is
judgment 2–8 minus 2 when 未建立.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sanzhi.standard.recognize.amounts import fmt
from sanzhi.standard.recognize.fields import FieldAllocator
from sanzhi.standard.recognize.pieces import (
    AwardPart,
    Cap,
    Deduction,
    Gate,
    Grades,
    Judgment,
    Occurrence,
    Parsed,
    PerUnit,
    Piece,
    Remark,
    Shortfall,
    Step,
    Threshold,
    Unrecognized,
    Variant,
    Veto,
    ZeroOut,
)
from sanzhi.standard.recognize.result import RecognizeWarning, WarningCode

AWARD_KINDS = frozenset({"bands", "linear", "per_unit", "criteria", "judgment"})
_CAPPABLE = frozenset({"per_occurrence", "per_unit", "shortfall"})
_SCOPED_DEDUCTIONS = (Occurrence, Deduction, ZeroOut, Variant, Unrecognized)  # "…记10分,…的酌情扣分": the part is judged


@dataclass
class Level:
    """One scope being assembled: the whole cell, or an award part's own rules."""

    scope: Decimal | None  # the points this level distributes (item, or the part)
    part_mode: bool  # inside an award part: 不得分 means the part, caps default to it
    rules: list[dict[str, Any]] = field(default_factory=list)
    part_points: list[Decimal] = field(default_factory=list)  # award parts at this level
    judgments: list[Judgment] = field(default_factory=list)
    unrecognized: list[str] = field(default_factory=list)


@dataclass
class Assembler:
    alloc: FieldAllocator
    criterion: str | None
    parse: Any  # callable(text) -> list[Parsed]; injected to parse an award part's parentheses
    warnings: list[RecognizeWarning] = field(default_factory=list)
    vetoes: list[dict[str, Any]] = field(default_factory=list)
    gates: list[dict[str, Any]] = field(default_factory=list)

    def warn(self, code: WarningCode, clause: str, message: str) -> None:
        self.warnings.append(RecognizeWarning(code, clause, message))

    # ---- the walk ----

    def build(self, parsed: list[Parsed], scope: Decimal | None, part_mode: bool = False) -> Level:
        level = Level(scope, part_mode)
        flat = [(piece, clause) for clause in parsed for piece in clause.pieces]
        remarks: list[Parsed] = []
        i = 0
        while i < len(flat):
            piece, clause = flat[i]
            if isinstance(piece, Remark):
                remarks.append(clause)
                i += 1
                continue
            context = "；".join(r.text for r in remarks)
            used_remark = False
            if isinstance(piece, Step):
                steps, used = [piece], [clause]
                label = piece.label
                j = i + 1
                while j < len(flat):
                    nxt = flat[j][0]
                    if not isinstance(nxt, Step) or (nxt.label and label and nxt.label != label):
                        break
                    label = label or nxt.label
                    steps.append(nxt)
                    used.append(flat[j][1])
                    j += 1
                self.emit_steps(level, steps, used)
                i = j
            elif isinstance(piece, Shortfall):
                after = flat[i + 1][0] if i + 1 < len(flat) else None
                if isinstance(after, Shortfall) and after.direction == piece.direction and (not after.label or after.label == piece.label):
                    self.emit_shortfall(level, piece, after, clause)
                    i += 2
                else:
                    self.emit_shortfall(level, piece, None, clause)
                    i += 1
            elif isinstance(piece, Grades):
                j = i + 1
                while j < len(flat) and isinstance(flat[j][0], Grades):
                    j += 1
                merged = [g for p, _ in flat[i:j] if isinstance(p, Grades) for g in zip(p.grades, p.scores, strict=True)]
                merged.sort(key=lambda g: -g[0][0])
                text = "；".join(c.original for _, c in flat[i:j])
                self.grades(level, Grades(tuple(g for g, _ in merged), tuple(s for _, s in merged)),
                            Parsed((), text, text, clause.sentence))
                i = j
            elif isinstance(piece, AwardPart):
                j = i + 1
                if piece.inner_text is None:
                    while j < len(flat) and flat[j][1].sentence == clause.sentence and isinstance(flat[j][0], _SCOPED_DEDUCTIONS):
                        j += 1
                self.emit_part(level, piece, clause, [c for _, c in flat[i + 1 : j]])
                i = j
            else:
                used_remark = self.emit_simple(level, piece, clause, flat, i, context)
                i += 1
            if used_remark:
                remarks = []
        for r in remarks:
            self.warn("remark", r.original, f"这段文字不含评分规则，未生成规则：{r.original}")
        if part_mode:  # "得6分(视情量分)": the part's points bound the judgment
            level.judgments = [jd if jd.max is not None else Judgment(jd.guidance, jd.min, scope) for jd in level.judgments]
        return level

    def emit_simple(self, level: Level, piece: Piece, clause: Parsed, flat: list[tuple[Piece, Parsed]], i: int, context: str) -> bool:
        """Emit one piece; True when the pending remark was used as its label."""
        if isinstance(piece, Deduction):
            self.deduct(level, piece.label, piece.points, negated=piece.negated)
        elif isinstance(piece, ZeroOut):
            if level.part_mode:
                self.deduct(level, piece.label, level.scope, clause=clause.original)
            else:
                fid = self.alloc.flag(piece.label)
                level.rules.append({"kind": "zero", "when": fid, "reason": piece.label})
        elif isinstance(piece, Occurrence):
            self.occurrence(level, piece)
        elif isinstance(piece, Variant):
            prev = level.rules[-1] if level.rules else None
            if prev is not None and prev["kind"] == "per_occurrence":
                self.variant(level, prev, piece)
            else:
                self.deduct(level, piece.label, piece.each)
        elif isinstance(piece, Threshold):
            fid = self.alloc.value(piece.label, piece.unit)
            level.rules.append({"kind": "threshold", "value": fid, "op": piece.op, "target": piece.target,
                                "points": piece.points, "reason": f"{piece.label}未达到{fmt(piece.target)}{piece.unit or ''}"})
            if piece.note:
                self.warn("conditional_target", clause.original,
                          f"目标值另有括注（{piece.note}），已按 {fmt(piece.target)}{piece.unit or ''} 编码；如目标因村类别而异，请改为依属性的表达式")
        elif isinstance(piece, PerUnit):
            label = piece.label or _shorten(context) or _shorten(self.criterion or "") or "符合要求的"
            fid = self.alloc.value(label, piece.unit) if piece.value else self.alloc.count(label if piece.label else f"{label}（符合的{piece.unit or '个'}数）", piece.unit)
            rule: dict[str, Any] = {"kind": "per_unit", "count": fid, "each": piece.each}
            if piece.cap is not None and (level.scope is None or piece.cap != level.scope or level.part_mode):
                rule["cap"] = piece.cap
            rule["reason"] = label
            level.rules.append(rule)
            return not piece.label and bool(context)
        elif isinstance(piece, Judgment):
            level.judgments.append(piece)
        elif isinstance(piece, Grades):
            self.grades(level, piece, clause)
        elif isinstance(piece, Cap):
            self.cap(level, piece, clause)
        elif isinstance(piece, Veto):
            self.veto(piece, clause)
        elif isinstance(piece, Gate):
            gate: dict[str, Any] = {"kind": piece.kind, "min_score": piece.min_score}
            if piece.name:
                gate["name"] = piece.name
            gate["clause"] = clause.original
            self.gates.append(gate)
        elif isinstance(piece, Unrecognized):
            level.unrecognized.append(clause.original)
        return False

    # ---- rule writers ----

    def deduct(self, level: Level, label: str, points: Decimal | None, *, negated: bool = False, clause: str = "") -> None:
        if points is None:
            self.warn("needs_points", clause or label, f"“{label}”扣除的是本项全部分值，但未给出分值，无法换算")
            points = Decimal(0)
        fid = self.alloc.flag(label)
        reason = f"未达到：{label}" if negated else label
        if points > 0:
            level.rules.append({"kind": "deduct", "when": f"not {fid}" if negated else fid, "points": points, "reason": reason})

    def occurrence(self, level: Level, piece: Occurrence) -> None:
        fid = self.alloc.count(piece.label, piece.unit)
        rule: dict[str, Any] = {"kind": "per_occurrence", "count": fid, "each": piece.each}
        cap = piece.cap
        if level.part_mode and (cap is None or (level.scope is not None and cap > level.scope)):
            cap = level.scope
        if cap is not None and not (not level.part_mode and level.scope is not None and cap == level.scope):
            rule["cap"] = cap
        rule["reason"] = piece.label
        level.rules.append(rule)

    def variant(self, level: Level, prev: dict[str, Any], piece: Variant) -> None:
        spec = next(f for f in self.alloc.fields if f["id"] == prev["count"])
        base = spec["label"]
        spec["label"] = f"{base}，{piece.label}的除外"
        fid = self.alloc.count(f"{base}，其中{piece.label}的", spec.get("unit"))
        level.rules.append({"kind": "per_occurrence", "count": fid, "each": piece.each, "reason": f"{prev['reason']}（{piece.label}）"})

    def emit_part(self, level: Level, part: AwardPart, clause: Parsed, followers: list[Parsed]) -> None:
        # "…记5分,否则不记分" / "每缺一项不计分": the part's own failing, nothing new to ask.
        followers = [f for f in followers if not all(isinstance(p, ZeroOut) and _OTHERWISE.match(p.label) for p in f.pieces)]
        # A part worth the whole item scores like the item itself (不得分 zeroes the item).
        whole = not level.part_mode and level.scope is not None and part.points == level.scope
        if part.inner_text is not None:
            inner = self.build(self.parse(part.inner_text, clause.sentence), part.points, part_mode=not whole)
        elif followers:
            inner = self.build(followers, part.points, part_mode=not whole)
        else:
            level.part_points.append(part.points)
            self.deduct(level, part.label, part.points, negated=True)
            return
        if not inner.judgments or inner.rules:
            level.part_points.append(part.points)  # a judgment part is an award, not a deduction part
        level.rules.extend(inner.rules)
        level.judgments.extend(inner.judgments)
        level.unrecognized.extend(inner.unrecognized)
        if not inner.rules and not inner.judgments and not inner.unrecognized:
            self.deduct(level, part.label, part.points, negated=True)

    def cap(self, level: Level, piece: Cap, clause: Parsed) -> None:
        if piece.amount is None or (level.scope is not None and piece.amount >= level.scope and not level.part_mode):
            return  # 扣完为止 / a cap at the item's points: the engine's clamp to [0, points]
        targets = [r for r in level.rules if r["kind"] in _CAPPABLE]
        if len(targets) == 1 or (targets and targets[-1] is level.rules[-1]):
            targets[-1]["cap"] = piece.amount
            return
        self.warn("cap_unattached", clause.original, f"封顶 {fmt(piece.amount)} 分找不到可封顶的计数规则，请人工设置")

    def veto(self, piece: Veto, clause: Parsed) -> None:
        fid = self.alloc.flag(piece.label, required=True)
        veto: dict[str, Any] = {"id": f"{self.alloc.prefix}_veto_{len(self.vetoes) + 1}", "name": piece.label, "when": fid}
        if piece.lookback_months:
            did = self.alloc._new(f"{piece.label}的发生日期", "date", None, {})
            veto["date_field"] = did
            veto["lookback_months"] = piece.lookback_months
            self.warn("lookback", clause.original, f"一票否决“{piece.label}”有回溯期（{piece.lookback_months}个月），已声明日期字段 {did}")
        veto["provenance"] = "quoted"
        veto["clause"] = clause.original
        self.vetoes.append(veto)

    def grades(self, level: Level, piece: Grades, clause: Parsed) -> None:
        top = piece.grades[0][0]
        if top == 0:  # only "其余为D": no count of criteria to grade by, so nothing to build on
            level.unrecognized.append(clause.original)
            return
        labels = _enumerated(self.criterion or "")
        if len(labels) < top:
            labels = [f"第{k}项标准" for k in range(1, top + 1)]
        criteria = [{"id": f"c{k + 1}", "label": label, "when": self.alloc.flag(label)} for k, label in enumerate(labels)]
        grades = []
        guessed = False
        for (min_met, grade), stated in zip(piece.grades, piece.scores, strict=True):
            if stated is not None:
                score = stated
            elif level.scope is not None:
                score = (level.scope * min_met / len(criteria)).quantize(Decimal("0.01")).normalize()
                guessed = True
            else:
                score = Decimal(0)
                guessed = True
            grades.append({"min_met": min_met, "grade": grade, "score": score})
        if grades[-1]["min_met"] != 0:
            grades.append({"min_met": 0, "grade": "其他", "score": Decimal(0)})
            guessed = True
        if guessed:
            self.warn("grade_scores", clause.original, "原文未给出各等级的分值，已按满足项数占比折算（须复核）")
        level.rules.append({"kind": "criteria", "criteria": criteria, "grades": grades, "reason": clause.text})

    def emit_shortfall(self, level: Level, a: Shortfall, b: Shortfall | None, clause: Parsed) -> None:
        fid = self.alloc.value(a.label, a.unit)
        rule: dict[str, Any] = {"kind": "shortfall", "value": fid, "target": a.target, "direction": a.direction,
                                "per": a.per, "each": a.each, "partial": a.partial}
        if b is not None:
            rule["steeper"] = {"beyond": b.target, "each": b.each}
        cap = (b.cap if b is not None and b.cap is not None else a.cap)
        if level.part_mode and (cap is None or (level.scope is not None and cap > level.scope)):
            cap = level.scope
        if cap is not None and not (level.scope is not None and cap == level.scope and not level.part_mode):
            rule["cap"] = cap
        rule["reason"] = f"{a.label}{'低于' if a.direction == 'below' else '超过'}{fmt(a.target)}{a.unit or ''}"
        level.rules.append(rule)

    def emit_steps(self, level: Level, steps: list[Step], clauses: list[Parsed]) -> None:
        label = next((s.label for s in steps if s.label), "") or "测评值"
        unit = next((s.unit for s in steps if s.unit), None)
        text = "；".join(c.original for c in clauses)
        if len(steps) == 1:
            self.single_step(level, steps[0], label, unit, text)
            return
        needs_scope = any(s.outcome in ("full", "deduct") for s in steps)
        if needs_scope and level.scope is None:
            self.warn("needs_points", text, "分档扣分须知道本项分值才能换算为各档得分；已作为评审判断项保留原文")
            level.unrecognized.append(text)
            return
        scope = level.scope or Decimal(0)
        scores = [{"full": scope, "zero": Decimal(0), "deduct": scope - s.amount, "score": s.amount}[s.outcome] for s in steps]
        deduction_type = needs_scope
        fid = self.alloc.value(label, unit)
        bounds = self.alloc.bounds(fid)
        bands = _resolve(steps, scores, scope if deduction_type else Decimal(0), bounds)
        if bands is None:
            self.warn("unrecognized", text, f"分档之间有空缺或重叠，无法确定边界：{text}")
            level.unrecognized.append(text)
            return
        bands_out, ambiguous = bands
        for edge in ambiguous:
            self.warn("ambiguous_boundary", text, f"原文未说明 {fmt(edge)} 属于哪一档，已按“以上含本数”归入较高一档（须复核）")
        level.rules.append({"kind": "bands", "value": fid, "bands": bands_out, "reason": label})

    def single_step(self, level: Level, s: Step, label: str, unit: str | None, text: str) -> None:
        if (s.low is None) == (s.high is None):
            self.warn("unrecognized", text, f"单独的区间无法编码（缺少其余档次）：{text}")
            level.unrecognized.append(text)
            return
        fid = self.alloc.value(label, unit)
        # The interval is where the outcome applies; unstated inclusivity reads 以上/以下 as including.
        if s.low is not None:
            inside = ">=" if s.low_closed in (True, None) else ">"
            number = s.low
        else:
            assert s.high is not None  # checked above: exactly one bound
            inside = "<=" if s.high_closed in (True, None) else "<"
            number = s.high
        complement = {">=": "<", ">": "<=", "<=": ">", "<": ">="}[inside]
        if s.outcome == "deduct":
            level.rules.append({"kind": "threshold", "value": fid, "op": complement, "target": number, "points": s.amount,
                                "reason": f"{label}{_OP_TEXT[inside]}{fmt(number)}{unit or ''}"})
        elif s.outcome == "score" and s.amount > 0:
            level.part_points.append(s.amount)
            level.rules.append({"kind": "threshold", "value": fid, "op": inside, "target": number, "points": s.amount,
                                "reason": f"{label}未{_OP_TEXT[inside]}{fmt(number)}{unit or ''}"})
        elif s.outcome == "zero" and not level.part_mode:
            level.rules.append({"kind": "zero", "when": f"{fid} {inside} {fmt(number)}", "reason": f"{label}{_OP_TEXT[inside]}{fmt(number)}{unit or ''}"})
        elif s.outcome == "zero" and level.scope is not None:
            level.rules.append({"kind": "threshold", "value": fid, "op": complement, "target": number, "points": level.scope,
                                "reason": f"{label}{_OP_TEXT[inside]}{fmt(number)}{unit or ''}"})
        else:
            self.warn("unrecognized", text, f"单独一档“满分”没有对应的扣分档：{text}")
            level.unrecognized.append(text)


_OTHERWISE = re.compile(r"^(?:否则?|反之|每?缺一项|有一项未达到|达不到要求|未达到要求|未达到|达不到)?$")
_OP_TEXT = {">=": "达到", ">": "超过", "<=": "不超过", "<": "低于"}
_ENUM = re.compile(r"(?:\d+\)|\(\d+\)|[①-⑳]|(?<![\d.])\d+[.、](?!\d))")


def _shorten(text: str, limit: int = 60) -> str:
    text = text.strip("；;")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _enumerated(text: str) -> list[str]:
    parts = [p.strip(" ;；,，。") for p in _ENUM.split(text)]
    parts = [p for p in parts[1:] if p] if _ENUM.search(text) else []
    return parts


def _resolve(steps: list[Step], scores: list[Decimal], filler: Decimal,
             bounds: tuple[Decimal | None, Decimal | None]) -> tuple[list[dict[str, Any]], list[Decimal]] | None:
    """Closed intervals for the steps; None when they leave a gap or overlap."""
    # [low, low_closed, high, high_closed, score, hard_low, hard_high]
    rows: list[list[Any]] = [[s.low, s.low_closed, s.high, s.high_closed, sc, s.hard_low, s.hard_high]
                             for s, sc in zip(steps, scores, strict=True)]
    uppers = sorted((r for r in rows if r[2] is None and r[0] is not None), key=lambda r: r[0])
    for a, b in pairwise(uppers):  # "超过6%扣3分，超过7%扣6分": nested, each ends where the next begins
        a[2], a[3], a[6] = b[0], None if b[1] is None else not b[1], b[5]
    lowers = sorted((r for r in rows if r[0] is None and r[2] is not None), key=lambda r: r[2], reverse=True)
    for a, b in pairwise(lowers):
        a[0], a[1], a[5] = b[2], None if b[3] is None else not b[3], b[6]
    lo_bound, hi_bound = bounds
    rows.sort(key=lambda r: (r[0] is not None, r[0] if r[0] is not None else Decimal(0)))
    ambiguous: list[Decimal] = []
    out: list[list[Any]] = []
    if rows[0][0] is not None and (lo_bound is None or rows[0][0] > lo_bound):
        out.append([None, None, rows[0][0], None if rows[0][1] is None else not rows[0][1], filler, False, rows[0][5]])
    out.extend(rows)
    if out[-1][2] is not None and (hi_bound is None or out[-1][2] < hi_bound):
        out.append([out[-1][2], None if out[-1][3] is None else not out[-1][3], None, None, filler, out[-1][6], False])
    for x, y in pairwise(out):
        if x[2] is None or y[0] is None or x[2] != y[0]:
            return None
        if x[3] is None and y[1] is None:
            x[3], y[1] = False, True
            ambiguous.append(y[0])
        elif x[3] is None:
            x[3] = not y[1]
        elif y[1] is None:
            y[1] = not x[3]
        elif x[3] == y[1]:
            if x[3]:  # both say 含: the explicit one wins
                if x[6] and not y[5]:
                    y[1] = False
                elif y[5] and not x[6]:
                    x[3] = False
                else:
                    return None
            else:
                return None
    bands = []
    for r in reversed(out):
        low, low_closed, high, high_closed = r[0], r[1], r[2], r[3]
        if low is None and lo_bound is not None:
            low, low_closed = lo_bound, True
        if high is None and hi_bound is not None:
            high, high_closed = hi_bound, True
        if low is not None and high is not None and (low > high or (low == high and not (low_closed and high_closed))):
            continue  # "低于0%扣6分" on a rate that spans [0, 100]: a band the value can never be in
        left = "[" if low is not None and low_closed else "("
        right = "]" if high is not None and high_closed else ")"
        text = f"{left}{fmt(low) if low is not None else '-∞'}, {fmt(high) if high is not None else '∞'}{right}"
        bands.append({"range": text, "score": r[4]})
    return bands, ambiguous
