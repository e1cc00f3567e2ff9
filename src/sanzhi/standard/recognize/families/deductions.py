"""Deductions: fixed (deduct), per occurrence, one per named part (各扣), variants, zeroing."""

import re

from sanzhi.standard.recognize.amounts import MEASURE, NUM, parse_number
from sanzhi.standard.recognize.families.common import DEDUCT_VERB, NEGATIVE, CapInfo, trim
from sanzhi.standard.recognize.pieces import (
    Deduction,
    Occurrence,
    Piece,
    Unrecognized,
    Variant,
    ZeroOut,
)

_AMOUNT_END = re.compile(rf"(?P<each>各)?{DEDUCT_VERB}(?P<amt>{NUM})分?$")
_ZERO = re.compile(r"^(?P<cond>.*?)[,]?(?:此项|该项|本项|均|即|则)?(?:不得分|不计分|不记分|不给分|全扣|全部扣完|扣除全部分值|得0分|记0分|计0分|为0分)$")
_EVERY = re.compile(
    rf"每(?P<verb>发现|有|少|缺|小|超过|超|出现|发生|增加|减少|查出|查实|拖欠)?"
    rf"(?P<fill>[^\d,;()一二两三四五六七八九十]{{0,4}}?)(?P<n>{NUM})?(?P<unit>{MEASURE})"
)
_ONE = re.compile(rf"(?P<verb>发现|少|缺|有|出现|发生|查出)(?P<n>1|一)(?P<unit>{MEASURE})")
_BY = re.compile(rf"按(?P<unit>{MEASURE})(?=$)")
_BARE = re.compile(r"(?:^|(?<=[,的]))(?P<n>1|一)(?P<unit>次|起|处|例|项|户|人|个)$")
_VARIANT = re.compile(rf"^(?:如|若|如果|但)(?P<cond>.+?)[,]?(?:的)?[,]?{DEDUCT_VERB}(?P<amt>{NUM})分?$")
_PARTS = re.compile(r"[、和或及与/]")


def _amount(body: str) -> tuple[str, str, bool] | None:
    m = _AMOUNT_END.search(body)
    if not m:
        return None
    return body[: m.start()], m.group("amt"), bool(m.group("each"))


def zero(body: str, caps: CapInfo) -> list[Piece] | None:
    m = _ZERO.match(body)
    if not m:
        return None
    cond = trim(m.group("cond"))
    return [ZeroOut(cond)] if cond else None


def variant(body: str, caps: CapInfo) -> list[Piece] | None:
    m = _VARIANT.match(body)
    if not m:
        return None
    return [Variant(trim(m.group("cond")), parse_number(m.group("amt")))]


def occurrence(body: str, caps: CapInfo) -> list[Piece] | None:
    found = _amount(body)
    if not found:
        return None
    cond, amt, _each = found
    match = None
    for m in _EVERY.finditer(cond):
        if m.group("fill") and not m.group("verb"):
            continue
        if m.group("n") and parse_number(m.group("n")) != 1:
            return [Unrecognized("每N个单位扣分（N不为1）")]  # "每低10%减10分": not one per finding
        match = m
    for pattern in (_ONE, _BY, _BARE):
        for m in pattern.finditer(cond):
            if m.start() > 0 and cond[m.start() - 1] == "每":
                continue  # "每发现1项" was matched whole above
            if match is None or m.start() > match.start():
                match = m
    if match is None:
        if re.search(rf"每[^\d,]{{0,4}}{NUM}", cond):
            return [Unrecognized("每N个单位扣分（N不为1）")]  # "每低10%减10分": a rate step without its target
        return None
    before, after = cond[: match.start()], cond[match.end() :]
    verb = match.groupdict().get("verb") or ""
    before = re.sub(r"^否则,?", "", before)
    label = trim(trim(before) + ("" if not after else ("," if before and not verb else "") + after))
    if verb in ("少", "缺", "小", "减少"):
        label = f"少{label}" if label and not NEGATIVE.match(label) else label
    unit = match.group("unit")
    label = f"{label or '发现的问题'}（{unit}数）"
    return [Occurrence(label, unit, parse_number(amt), caps.amount, caps.present and caps.amount is None)]


def named_parts(body: str, caps: CapInfo) -> list[Piece] | None:
    """"各扣N分": one deduction per named part; without parts, a count of the failings."""
    found = _amount(body)
    if not found or not found[2]:
        return None
    cond, amt, _ = found
    cond = trim(cond)
    parts = [p for p in _PARTS.split(cond) if p]
    points = parse_number(amt)
    if len(parts) >= 2:
        return [Deduction(f"{cond}：{part}", points) for part in parts]
    return [Occurrence(f"{cond or '未达到要求'}（项数）", "项", points, caps.amount, caps.present and caps.amount is None)]


def deduct(body: str, caps: CapInfo) -> list[Piece] | None:
    found = _amount(body)
    if found:
        cond = trim(found[0])
        return [Deduction(cond, parse_number(found[1]))] if cond else None
    # "缺支部活动记录0.5分": a bare amount after a failing is a deduction.
    m = re.match(rf"^(?P<cond>.+?)[,]?(?P<amt>{NUM})分$", body)
    if m and NEGATIVE.match(m.group("cond")) and not re.search(r"\d$|(?:得|计|记|给)$", m.group("cond")):
        return [Deduction(trim(m.group("cond")), parse_number(m.group("amt")))]
    return None


_DISCRETION = re.compile(r"分别扣|(?:酌情|视情况?|视情节|根据情况)(?:扣|减)|(?:扣|减)\d+(?:\.\d+)?(?:分)?[-—~至到]\d|加倍扣|按.{0,8}比例.{0,6}扣")


def discretionary(body: str, caps: CapInfo) -> list[Piece] | None:
    """"每类酌情扣1", "扣1—2分", "加倍扣分": the amount is the assessor's, never guessed."""
    return [Unrecognized("扣分幅度由评审员酌定")] if _DISCRETION.search(body) else None
