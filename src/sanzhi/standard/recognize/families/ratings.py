"""Rating-level findings in cells and notes: vetoes, pass marks, application gates, tiers.

Gates and tiers are returned as small dicts (see `sanzhi.standard.recognize.result`):
`{"kind": "pass_min", "min_score": 90, "name": "合格"}` ("90分以上合格"),
`{"kind": "apply_gate", "min_score": 90}` ("自评分须达到90分以上才能申报"),
`{"kind": "tier", "min_score": 90, "name": "五梅"}` ("90分以上的为五梅").
"""

import re

from sanzhi.standard.recognize.amounts import NUM, parse_number
from sanzhi.standard.recognize.families.common import CapInfo, trim
from sanzhi.standard.recognize.pieces import Gate, Piece, Remark, Veto

_VETO = re.compile(
    r"(?:实行|予以|即)?(?:一票否决|取消(?:其)?(?:本年度)?(?:评选|评定|申报|参评|命名|创建)?资格|不得参[与加].{0,16}?(?:评选|评定|评比|创建)"
    r"|一律不得认定.{0,16}|不予认定.{0,16}|不能认定为.{0,16}|不得申报.{0,12})$"
)
LIST_HEAD = re.compile(r"(?:有|存在|发生|出现)?(?:下列|以下)(?:情形|情况)之一")
_VETO_ANY = re.compile(_VETO.pattern.rstrip("$"))
_LIST_ITEM = re.compile(r"(?:[①-⑳]|\(\d+\)|\d+[.、])")
_LOOKBACK = (
    (re.compile(r"近两年|近二年|两年内|二年内|近2年"), 24),
    (re.compile(r"近三年|三年内|近3年"), 36),
    (re.compile(r"近一年|一年内|申报前一年|近1年"), 12),
    (re.compile(rf"申报前(?P<n>{NUM})个月"), 0),
)
_APPLY = re.compile(rf"自评(?:分|得分|总分)?(?:均)?(?:须|需|必须|应|要)?(?:达到|达)(?P<n>{NUM})分(?:以上|及以上)?(?:的)?,?(?:才能|方可|才可|可|方能)?(?:申报|参加考评|参评|申请)?")
_PASS = re.compile(rf"(?:总分|得分|考评|考核|验收|评分)?(?:结果)?(?:必须|须|均须|应)?(?:达到|达|在)?(?P<n>{NUM})分(?:以上|及以上)(?:的)?(?:即|方)?(?:为|即为|评为|视为|可评为)?(?P<name>合格|达标|优秀|通过)")
_PASS_BARE = re.compile(rf"(?:考评|考核|验收)(?:得分)?(?:必须|须|均须|应)(?:达到|达)(?P<n>{NUM})分(?:以上|及以上)")
_FAIL = re.compile(rf"(?:总分|得分)(?:低于|不足|不满)(?P<n>{NUM})分(?=.*?(?:不能|不得|不予)认定)")
_TIER = re.compile(rf"(?P<n>{NUM})分(?:以上|及以上)(?:的)?为(?P<name>[^,;。、]+)")
_TIER_RANGE = re.compile(rf"(?P<n>{NUM})[-—~至到](?P<m>{NUM})分(?:的)?为(?P<name>[^,;。、]+)")


def lookback(text: str) -> int | None:
    for pattern, months in _LOOKBACK:
        m = pattern.search(text)
        if m:
            return int(parse_number(m.group("n"))) if "n" in pattern.groupindex else months
    return None


def veto(body: str, caps: CapInfo) -> list[Piece] | None:
    head = LIST_HEAD.search(body)
    if head and (v := _VETO_ANY.search(body, head.end())):
        items = [trim(x.strip(".…:;")) for x in _LIST_ITEM.split(body[v.end() :].strip(".…:;,"))]
        items = [x for x in items if x]
        back = lookback(body[: v.end()])
        if items:
            return [Veto(item, lookback(item) or back) for item in items]
    if fail := _FAIL.search(body):  # "总分低于90分或发生负面清单事项的,不能认定": a pass mark and a veto
        out: list[Piece] = [Gate("pass_min", parse_number(fail.group("n")))]
        rest = re.match(r"^或(?P<cond>.+?)(?:的|者)?,?(?:不能|不得|不予)认定", body[fail.end("n") + 1 :])
        if rest:
            out.append(Veto(trim(rest.group("cond")), lookback(body)))
        return out
    m = _VETO.search(body)
    if not m:
        return None
    cond = trim(body[: m.start()])
    if not cond:
        return None
    return [Veto(cond, lookback(cond))]


def gate(body: str, caps: CapInfo) -> list[Piece] | None:
    if (m := _APPLY.search(body)) and ("申报" in body or "参评" in body or "自评" in body):
        return [Gate("apply_gate", parse_number(m.group("n")))]
    if m := _FAIL.search(body):
        return [Gate("pass_min", parse_number(m.group("n")))]
    tiers = [(parse_number(t.group("n")), t.group("name")) for t in _TIER.finditer(body) if t.group("name") not in ("合格", "达标", "优秀", "通过")]
    tiers += [(parse_number(t.group("n")), t.group("name")) for t in _TIER_RANGE.finditer(body)]
    # Two or more thresholds are tiers, whatever they are called ("9分以上为优秀,8分以上为合格";
    # "80分以上为达标村" is the tier 达标村, not the pass mark 达标).
    named = {parse_number(t.group("n")): t.group("name") for t in reversed(list(_TIER.finditer(body)))}
    named.update({n: name for n, name in tiers})
    if len(named) >= 2:
        return [Gate("tier", n, name) for n, name in sorted(named.items(), key=lambda t: -t[0])]
    if m := _PASS.search(body):
        return [Gate("pass_min", parse_number(m.group("n")), m.group("name"))]
    if m := _PASS_BARE.search(body):
        return [Gate("pass_min", parse_number(m.group("n")))]
    if len(tiers) >= 2:
        return [Gate("tier", n, name) for n, name in sorted(tiers, key=lambda t: -t[0])]
    return None


_SCORED_BY = re.compile(r"\(由(?P<body>[^()]+?)(?:负责)?(?:评分|打分|考核评分|评定|计分)\)")


def scored_by(text: str) -> tuple[str | None, list[tuple[int, int]]]:
    """The body that scores the item ("(由区综治办评分)") and the spans to cut from the cell."""
    found = list(_SCORED_BY.finditer(text))
    if not found:
        return None, []
    return "、".join(dict.fromkeys(m.group("body") for m in found)), [(m.start(), m.end()) for m in found]


_TOTAL = re.compile(rf"^(?:满分|总分)(?:为)?{NUM}分(?:制)?$|^{NUM}分制$")


def total(body: str, caps: CapInfo) -> list[Piece] | None:
    """"满分100分", "100分制": the rubric's total, not a rule."""
    return [Remark()] if _TOTAL.match(body) else None
