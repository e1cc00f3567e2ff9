"""Comparisons on a measured value: stepped bands, a single threshold, shortfall per unit.

Inclusivity is taken from the wording: 含X / 及以上 / 不低于 / 以内 include X; 超过 / 高于 /
低于 / 不足 exclude it. Plain 以上 / 以下 / "A到B" do not say on their own (the law reads
both 以上 and 以下 as including the number, so "90分以上满分，90分以下扣1分" is
contradictory at 90); `assemble` settles a shared boundary from the neighbour's explicit
wording, else gives it to the upper step (以上 含本数) and warns.
"""

import re
from decimal import Decimal
from typing import Literal

from sanzhi.standard.recognize.amounts import NUM, VALUE_UNIT, parse_number
from sanzhi.standard.recognize.families.common import DEDUCT_VERB, CapInfo, trim
from sanzhi.standard.recognize.pieces import Piece, Shortfall, Step, StepEffect, Threshold

U = VALUE_UNIT
_INC = rf"(?:\(含(?:{NUM}){U}?\))"
# "80至不足90" (the upper bound left out), "超过150至300" (the lower one): the words say which.
_RANGE = re.compile(
    rf"^(?P<label>.*?)(?:在|为|达到|达|是)?(?P<over>超过|高于)?(?P<a>{NUM})(?P<ua>{U})?(?P<ia>{_INC})?(?:到|至|-|—|~)"
    rf"(?P<under>不足|不满|低于)?(?P<b>{NUM})(?P<ub>{U})?(?P<ib>{_INC})?(?:之间)?(?P<rest>.*)$"
)
_SIDE = re.compile(
    rf"^(?P<label>.*?)(?:在|为|达到|达|是)?(?P<a>{NUM})(?P<ua>{U})?(?P<ia>{_INC})?(?P<w>及以上|以上|及以下|以下|以内|之内|内)(?P<rest>.*)$"
)
_WORD = re.compile(
    rf"^(?P<label>.*?)(?P<w>超过|高于|大于|多于|低于|不足|不满|小于|少于|未达到|未达|未满|不低于|不少于|不超过|不高于)"
    rf"(?P<fill>[^\d,;]{{0,12}}?)(?P<a>{NUM})(?P<ua>{U})?(?P<w2>及以上|以上|以下|及以下)?(?P<rest>.*)$"
)
_OUTCOME = re.compile(
    rf"^(?:的|者|时)?,?(?:(?P<full>得?满分)|(?P<zero>不得分|全扣|得0分)|{DEDUCT_VERB}(?P<ded>{NUM})分?|(?:得|计|为)?(?P<score>{NUM})分)$"
)
_UPPER = {"超过": False, "高于": False, "大于": False, "多于": False, "不低于": True, "不少于": True}
_LOWER = {"低于": False, "不足": False, "不满": False, "小于": False, "少于": False, "未达到": False, "未达": False,
          "未满": False, "不超过": True, "不高于": True}


def _outcome(rest: str) -> tuple[StepEffect, Decimal] | None:
    m = _OUTCOME.match(rest)
    if not m:
        return None
    if m.group("full"):
        return "full", Decimal(0)
    if m.group("zero"):
        return "zero", Decimal(0)
    if m.group("ded"):
        return "deduct", parse_number(m.group("ded"))
    return "score", parse_number(m.group("score"))


def _unit(*units: str | None) -> str | None:
    return next((u for u in units if u), None)


def _label(text: str) -> str:
    return trim(re.sub(r"(?:在|为|达到|达|是)$", "", text))


def step(body: str, caps: CapInfo) -> list[Piece] | None:
    m = _RANGE.match(body)
    if m and (out := _outcome(m.group("rest"))):
        a, b = parse_number(m.group("a")), parse_number(m.group("b"))
        if a < b:
            over, under = bool(m.group("over")), bool(m.group("under"))
            # With 不足/超过 on one side the range is a half-open one as written: the other side is in.
            low_closed = False if over else True if (m.group("ia") or under) else None
            high_closed = False if under else True if (m.group("ib") or over) else None
            return [Step(_label(m.group("label")), _unit(m.group("ua"), m.group("ub")), a, low_closed, b, high_closed,
                         out[0], out[1], hard_low=bool(m.group("ia")) or over or under,
                         hard_high=bool(m.group("ib")) or over or under)]
    m = _WORD.match(body)
    if m and (out := _outcome(m.group("rest"))):
        a = parse_number(m.group("a"))
        w = m.group("w")
        label = _label(m.group("label"))
        if m.group("fill"):
            label = f"{label}占{trim(m.group('fill'))}" if label else trim(m.group("fill"))
        if w in _UPPER:
            return [Step(label, m.group("ua"), a, _UPPER[w], None, None, out[0], out[1], hard_low=True)]
        return [Step(label, m.group("ua"), None, None, a, _LOWER[w], out[0], out[1], hard_high=True)]
    m = _SIDE.match(body)
    if m and (out := _outcome(m.group("rest"))):
        a = parse_number(m.group("a"))
        w = m.group("w")
        hard = bool(m.group("ia")) or w.startswith("及") or w in ("以内", "之内", "内")
        closed = True if hard else None
        label, unit = _label(m.group("label")), m.group("ua")
        if "上" in w:
            return [Step(label, unit, a, closed, None, None, out[0], out[1], hard_low=hard)]
        return [Step(label, unit, None, None, a, closed, out[0], out[1], hard_high=hard)]
    return None


_THRESHOLD = re.compile(
    rf"^(?P<label>.+?)(?:达到|达|不低于|不少于)(?P<a>{NUM})(?P<ua>{U})?(?:以上|及以上)?(?P<paren>\([^()]*\))?,?"
    rf"(?:没有达到|未达到|达不到|未达|不达标|没达到)(?:的|者)?,?{DEDUCT_VERB}(?P<amt>{NUM})分?$"
)


def threshold(body: str, caps: CapInfo) -> list[Piece] | None:
    m = _THRESHOLD.match(body)
    if not m:
        return None
    paren = m.group("paren")
    return [Threshold(_label(m.group("label")), m.group("ua"), ">=", parse_number(m.group("a")),
                      parse_number(m.group("amt")), paren.strip("()") if paren else None)]


_SHORT = re.compile(
    rf"^(?P<label>.*?)(?P<w>不少于|不低于|低于|不足|少于|未达到|达不到|超过|高于|多于|超出)(?P<t>{NUM})(?P<ut>{U})?(?:的|者|时)?,?"
    rf"每(?:降低|下降|减少|低于|低|少|超过|超出|增加|高出|高|多|提高|上升)?(?P<per>{NUM})?(?P<pu>个百分点|百分点|{U})?"
    rf"{DEDUCT_VERB}(?P<each>{NUM})分?(?P<rest>.*)$"
)


def shortfall(body: str, caps: CapInfo) -> list[Piece] | None:
    m = _SHORT.match(body)
    if not m:
        return None
    rest = m.group("rest").strip(",")
    partial: Literal["floor", "ceil", "exact"] = "floor"
    if re.search(r"不足.*?按.*?计", rest):
        partial = "ceil"
        rest = ""
    elif re.search(r"按(?:实际)?比例", rest):
        partial = "exact"
        rest = ""
    if rest:
        return None
    direction: Literal["below", "above"] = "below" if m.group("w") in ("不少于", "不低于", "低于", "不足", "少于", "未达到", "达不到") else "above"
    unit = "%" if (m.group("ut") == "%" or (m.group("pu") or "").endswith("百分点")) else _unit(m.group("ut"), m.group("pu"))
    per = parse_number(m.group("per")) if m.group("per") else Decimal(1)
    return [Shortfall(_label(m.group("label")), unit, parse_number(m.group("t")), direction,
                      per, parse_number(m.group("each")), partial, caps.amount)]
