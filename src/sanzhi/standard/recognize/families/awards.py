"""Awards: parts worth N points ("…，5分"), per-unit accrual ("1个0.5分,共3分", "4×实达标数")."""

import re

from sanzhi.standard.recognize.amounts import MEASURE, NUM, parse_number
from sanzhi.standard.recognize.families.common import NEGATIVE, CapInfo, trim
from sanzhi.standard.recognize.pieces import AwardPart, PerUnit, Piece

_ONE_EACH = re.compile(rf"^(?P<label>.*?)\(?(?:1|一|每)(?P<unit>{MEASURE})(?:得|计|加)?(?P<each>{NUM})分,?(?:共|最高|最多|满分|封顶|最高不超过)计?(?P<cap>{NUM})分\)?$")
_EVERY = re.compile(rf"^(?P<label>.*?)每(?P<fill>[^\d,]{{0,4}}?)(?:1|一)?(?P<unit>{MEASURE})(?P<what>[^\d,]{{0,10}}?)(?:得|计|加|记)?(?P<each>{NUM})分(?:,?(?:共|最高|最多|满分|封顶|最高不超过)计?(?P<cap>{NUM})分)?$")
_TIMES = re.compile(rf"^(?P<k>{NUM})[×xX*](?P<label>.+)$")
_PART = re.compile(rf"^(?P<cond>.+?),?(?:的)?(?P<verb>得分|得|计|记|可得|给)?(?P<pts>{NUM})分(?:\((?P<inner>.+)\))?$")


def per_unit(body: str, caps: CapInfo) -> list[Piece] | None:
    if re.search(r"扣|减", body):
        return None  # an accrual never deducts
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    for pattern in (_ONE_EACH, _EVERY):
        m = pattern.match(body)
        if m:
            cap = m.groupdict().get("cap")
            label = trim(m.group("label").rstrip("("))
            if pattern is _EVERY and (m.group("fill") or m.group("what")):
                label = trim(f"{label}{m.group('fill')}{m.group('what')}")
            return [PerUnit(label, m.group("unit"), parse_number(m.group("each")),
                            parse_number(cap) if cap else caps.amount)]
    m = _TIMES.match(body)
    if m:
        return [PerUnit(trim(m.group("label")), None, parse_number(m.group("k")), caps.amount, value=True)]
    return None


def award_part(body: str, caps: CapInfo) -> list[Piece] | None:
    m = _PART.match(body)
    if not m:
        return None
    cond = trim(m.group("cond"))
    # "不参与黄赌毒…的记10分" is a requirement worded with 不: an award verb settles it.
    if not cond or (NEGATIVE.match(cond) and not m.group("verb")) or re.search(r"扣|减", cond):
        return None
    inner = m.group("inner")
    return [AwardPart(cond, parse_number(m.group("pts")), inner_text=inner)]
