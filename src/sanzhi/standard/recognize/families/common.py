"""Pieces shared by the families: negative wording, cap phrases, label trimming."""

import re
from dataclasses import dataclass
from decimal import Decimal

from sanzhi.standard.recognize.amounts import NUM, parse_number

NEGATIVE = re.compile(r"^(?:未|无|没有|没|缺|不|少|非|欠|达不到|存在|发生|出现|有违|违反|擅自)")
"""A condition worded as a failing ("未制定计划"): deducted when it holds."""

DEDUCT_VERB = r"(?:扣除|扣减|扣|减)"

_CAP_ALL = re.compile(rf"(?<!全部)(?<!全),?(?:(?:共计?|总计|合计)(?P<total>{NUM})分,?)?扣完(?:为止)?$")
_CAP_N = re.compile(rf",?(?:本项|此项|该项|单项)?(?:限扣|最多扣除?|最高扣|扣分不超过|最多可扣|累计扣分不超过|累计最多扣)(?P<n>{NUM})分(?:为止)?$")
_CAP_TOTAL = re.compile(rf",?(?:共计?|总计|合计)(?P<n>{NUM})分$")


@dataclass(frozen=True)
class CapInfo:
    """Cap phrases found at the end of a clause."""

    present: bool = False
    amount: Decimal | None = None  # None with present=True: "扣完为止" (the item's points)


def strip_caps(text: str) -> tuple[str, CapInfo]:
    """Remove trailing cap phrases; the rest is the rule text."""
    text = text.rstrip(",")
    m = _CAP_ALL.search(text)
    if m:
        total = parse_number(m.group("total")) if m.group("total") else None
        return text[: m.start()].rstrip(","), CapInfo(True, total)
    m = _CAP_N.search(text)
    if m:
        return text[: m.start()].rstrip(","), CapInfo(True, parse_number(m.group("n")))
    m = _CAP_TOTAL.search(text)
    if m and re.search(DEDUCT_VERB + NUM, text[: m.start()]):
        return text[: m.start()].rstrip(","), CapInfo(True, parse_number(m.group("n")))
    return text, CapInfo()


def trim(text: str) -> str:
    text = text.strip(",、:")
    text = re.sub(r"(?:的|者|时|,)+$", "", text)
    text = re.sub(r"^(?:对于|对|凡是|凡|如果|如|若|其中|其)", "", text)
    text = re.sub(r"(?:此项|该项|本项|均|即|则|将)+$", "", text)
    return text.strip(",、:")
