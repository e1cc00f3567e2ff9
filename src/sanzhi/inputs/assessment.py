"""Raw village data (from any format) + compiled rubric → Assessment, or every problem at once.

The raw shape is the documented village data format (README: 村自评数据格式). `locate`
turns a raw path into a Location: YAML line/column, or a spreadsheet cell.

Codes: D104 not a mapping / not text; D110 unknown key; D111 missing; D112 invalid value (also
text too long or saying nothing); D113 a reason missing or saying nothing ("-", a zero-width
space); D114 another rubric; D115 review levels; D116 a date after the assessment day, or an
assessment or review date outside the assessment year and the year after it.
"""

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple, cast

from sanzhi.common.errors import DataError, Diagnostic, Location, clipped
from sanzhi.common.identity_cache import IdentityCache
from sanzhi.common.numbers import fmt
from sanzhi.scoring.assessment import Assessment, Correction, Review, Scored, Value, Village
from sanzhi.standard.compile import CompiledItem, CompiledRubric
from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.values import (
    ValueProblem,
    is_blank,
    normalize_text,
    parse_value,
    says_something,
)

Locate = Callable[[Sequence[str | int], bool], Location]
TOP_KEYS = ("rubric", "village", "answers", "judgments", "evidence", "reviews")
VILLAGE_KEYS = ("code", "name", "township", "county", "year", "assessed_on", "assessor")
CODE = re.compile(r"^[0-9]{12}$")  # ASCII only: `\d` takes Arabic-Indic or Devanagari digits too
# Longest accepted text, in characters: names go into every report, list and file name, and a
# megabyte "village name" took 16 s and 476 MB to print. Real ones are a few dozen characters.
NAME_MAX = 50  # village, township, county
PERSON_MAX = 100  # assessor, reviewer (a group and its members)
REASON_MAX = 2000
DOCUMENT_MAX = 500  # one evidence document's title
_CORRECTION_KEYS = ("value", "reason")
# A township's and a county's own data (unit rubrics): the 9- and 6-digit prefixes of their villages' codes.
_UNIT_CODES = {"township": (re.compile(r"^[0-9]{9}$"), 9, "330483101"), "county": (re.compile(r"^[0-9]{6}$"), 6, "330483")}
_SECTIONS = {"village": "村基本信息", "answers": "填报答案", "judgments": "酌情评分", "evidence": "佐证材料",
             "reviews": "评审记录", "rubric": "评分标准"}
_REVIEW_PARTS = {"corrections": "更正", "scores": "核定分", "judgments": "酌情评分"}


# Parsed answers, shared by every village this process reads: villages give the same few
# answers ("是", 3, "已完成") to the same fields, and parsing (NFKC, choices, ranges) cost
# about a sixth of a batch worker's time. Keyed by the id of the rubric's own FieldSpec object
# (the entry keeps it alive) and the raw value with its type; Decimals are not cached (1.0 and
# 1 are equal keys but print differently). Values are immutable; None: a blank answer.
_PARSED: IdentityCache[tuple[int, type, object], object] = IdentityCache("inputs.assessment.parsed", 100_000)
_MISS: Any = object()  # not in _PARSED (distinct from a cached None)

# Specs of the fixed village keys, built once (a pydantic model per village cost ~10 µs).
_YEAR = FieldSpec(id="year", label="评定年度", type="integer", min=Decimal(2000), max=Decimal(2100))
_ASSESSED_ON = FieldSpec(id="assessed_on", label="评定日期", type="date")
_REVIEW_DATE = FieldSpec(id="date", label="评审日期", type="date")


class _Index(NamedTuple):
    """A rubric's lookups, built once per rubric instead of once per village."""

    attrs: dict[str, FieldSpec]
    fields: dict[str, FieldSpec]
    items: dict[str, CompiledItem]
    level_names: dict[str, str]
    required: tuple[tuple[str, FieldSpec], ...]  # required answer fields
    date_fields: tuple[str, ...]  # answer fields of type date


_INDEXES: IdentityCache[int, _Index] = IdentityCache("inputs.assessment.indexes", 16)  # by id(compiled)


def _index(compiled: CompiledRubric) -> _Index:
    hit = _INDEXES.get(id(compiled))
    if hit is not None:
        return hit
    r = compiled.rubric
    return _INDEXES.put(id(compiled), _Index(
        {a.id: a for a in r.attributes}, {f.id: f for f in r.fields}, {ci.item.id: ci for ci in compiled.items},
        {lv.id: lv.name for lv in r.review_levels}, tuple((f.id, f) for f in r.fields if f.required),
        tuple(f.id for f in r.fields if f.type == "date")), compiled)


# A judgment's bounds, per (min, max) by exact text: a pydantic model per judgment cost ~10 µs.
_SCORE_SPECS: dict[tuple[str, str], FieldSpec] = {}


def _score_spec(low: Decimal, high: Decimal) -> FieldSpec:
    key = (str(low), str(high))
    spec = _SCORE_SPECS.get(key)
    if spec is None:
        if len(_SCORE_SPECS) > 1_000:
            _SCORE_SPECS.clear()
        spec = _SCORE_SPECS[key] = FieldSpec(id="score", label="评分", type="decimal", min=low, max=high)
    return spec


class _Reader:
    def __init__(self, compiled: CompiledRubric, locate: Locate) -> None:
        self.c = compiled
        self.locate = locate
        self.diags: list[Diagnostic] = []
        idx = _index(compiled)
        self.attrs, self.fields, self.items, self.level_names, self.required = idx[:5]
        self.raw_reviews: object = None
        self.year: int | None = None
        self.day: date | None = None  # the assessment day: no answer may be dated after it
        self.day_given = False
        self.date_fields = idx.date_fields

    def error(self, code: str, path: Sequence[str | int], message: str, *, key: bool = False, expected: str | None = None,
              found: str | None = None, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, message, self.locate(path, key), self.domain_path(path) or None, expected, found, hint))

    def domain_path(self, path: Sequence[str | int]) -> str:
        """("reviews", 0, "scores", "1.1.2", "score") → 评审记录 #1（乡镇评分） › 核定分 › 评分项 “1.1.2” › score."""
        if not path:
            return ""
        head, rest = path[0], list(path[1:])
        parts = [_SECTIONS.get(str(head), str(head))]
        if head == "reviews" and rest and isinstance(n := rest[0], int):
            rest.pop(0)
            entry = self.raw_reviews[n] if isinstance(self.raw_reviews, list) and n < len(self.raw_reviews) else None
            level = entry.get("level") if isinstance(entry, dict) else None
            name = self.level_names.get(level) if isinstance(level, str) else None
            parts[0] += f" #{n + 1}" + (f"（{name}）" if name else "")
            if rest and rest[0] in _REVIEW_PARTS:
                head = rest.pop(0)
                parts.append(_REVIEW_PARTS[str(head)])
        if rest and head in ("judgments", "scores", "evidence"):
            parts.append(f"评分项 “{rest.pop(0)}”")
        elif rest and head in ("answers", "corrections", "village"):
            key = str(rest.pop(0))
            spec = self.fields.get(key) or self.attrs.get(key)
            parts.append(f"{key}（{spec.label}）" if spec else key)
        parts.extend(str(p) if not isinstance(p, int) else f"#{p + 1}" for p in rest)
        return " › ".join(parts)

    def text(self, raw: object, path: Sequence[str | int], what: str, limit: int, *, number_ok: bool = False) -> str | None:
        """Text as written (stripped), or None after an error: a list, a mapping, 是/否 or a number
        is not a name (a code may be a number), nor is text without a letter or digit."""
        if type(raw) is str:
            text = raw.strip()
        elif number_ok and type(raw) is int:
            text = str(raw)
        else:
            self.error("D104", path, f"{what}应为文本", expected="文本", found=kind_of(raw))
            return None
        if len(text) > limit:
            self.error("D112", path, f"{what}过长", expected=f"不超过 {limit} 个字符", found=f"{len(text):,} 个字符：“{text[:20]}…”")
            return None
        if not says_something(text):
            self.error("D112", path, f"{what}没有实际内容", expected="文字", found=shown(text))
            return None
        return text

    def reason(self, raw: object, path: Sequence[str | int], missing: str, hint: str | None = None) -> str | None:
        """The reason under `path`, or None after an error (D113 when it is missing or says
        nothing: "-" or a zero-width space is no reason)."""
        if type(raw) is str and len(raw) <= REASON_MAX and says_something(raw):
            return raw.strip()
        if raw is None or is_blank(raw) or (type(raw) is str and not says_something(raw)):
            self.error("D113", path, missing, key=True, hint=hint, found=None if raw is None or raw == "" else shown(str(raw)))
            return None
        return self.text(raw, (*path, "reason"), "理由", REASON_MAX)

    def not_after_day(self, value: object, path: Sequence[str | int]) -> bool:
        """False, with D116, for a date after the assessment day (an incident dated 9999-12-31
        would otherwise count as "within the last 24 months")."""
        day = self.day
        if day is None or value.__class__ is not date or value <= day:
            return True
        note = "" if self.day_given else f"（未填写评定日期 assessed_on，按 {self.year} 年 12 月 31 日计）"
        self.error("D116", path, "日期晚于评定日期", expected=f"不晚于 {day.isoformat()} 的日期{note}",
                   found=value.isoformat(), hint="请核对年份是否写错；评定之后发生的事项不能填入本次评定")
        return False

    def mapping(self, raw: object, path: Sequence[str | int], what: str) -> dict[str, object]:
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.error("D104", path, f"{what}应为键值映射", expected="key: value 形式的映射")
            return {}
        return raw

    def unknown(self, key: str, path: Sequence[str | int], allowed: Sequence[str], what: str) -> None:
        close = difflib.get_close_matches(key, allowed, n=1) if len(key) <= 100 else []  # difflib is quadratic
        self.error("D110", (*path, key), f"未知的{what} “{clipped(key, 40)}”", key=True,
                   hint=f"是否想写 “{close[0]}”？" if close else None)

    def value(self, spec: FieldSpec, raw: object, path: Sequence[str | int], what: str | None = None, *,
              cache: bool = False) -> object | None:
        """`what` names the value in the message when the spec's label alone would not.

        `cache`: the spec lives on (the rubric's fields and attributes, the fixed village-key
        specs), so the parsed value may be shared through _PARSED; specs made up on the spot
        are not cached."""
        t = type(raw)
        key = None
        if cache and (t is str or t is int or t is bool):
            key = (id(spec), t, raw)
        if key is not None:
            hit = _PARSED.get(key, _MISS)
            if hit is not _MISS:
                return hit
        if is_blank(raw):
            value = None
        else:
            try:
                value = parse_value(spec, raw)
            except ValueProblem as p:
                self._invalid(spec, p, path, what)
                return None
        if key is not None:
            _PARSED.put(key, value, spec)
        return value

    def _invalid(self, spec: FieldSpec, p: ValueProblem, path: Sequence[str | int], what: str | None) -> None:
        hint = None
        if spec.choices:  # a typo of a choice (加快发展县x), or of one of several tags
            close = difflib.get_close_matches(p.found.strip("“”"), spec.choices, n=1)
            hint = f"是否想写 “{close[0]}”？" if close else None
        self.error("D112", path, f"{what or f'“{spec.label}” '}取值无效", expected=p.expected, found=p.found, hint=hint)

    def scored(self, raw: object, path: Sequence[str | int], low: Decimal, high: Decimal, what: str) -> Scored | None:
        m = self.mapping(raw, path, what)
        if not m:
            return None
        for k in m:
            if k not in ("score", "reason"):
                self.unknown(k, path, ("score", "reason"), "键")
        spec = _score_spec(low, high)
        score = self.value(spec, m.get("score"), (*path, "score"), what)
        if m.get("score") is None:
            self.error("D111", path, f"{what}缺少评分 score", key=True)
        reason = self.reason(m.get("reason"), path, f"{what}必须说明理由 reason", "评分依据须可追溯：写明谁、依据什么材料、为何如此评分")
        if reason is None:
            return None
        return Scored(score, reason) if isinstance(score, Decimal) else None

    def judgments(self, raw: object, path: Sequence[str | int]) -> dict[str, Scored]:
        out = {}
        for iid, entry in self.mapping(raw, path, "judgments ").items():
            ci = self.items.get(iid)
            if ci is None or ci.judgment is None:
                allowed = [k for k, v in self.items.items() if v.judgment is not None]
                self.unknown(iid, path, allowed, "酌情评分项（须为含 judgment 规则的评分项）")
                continue
            rule = ci.judgment.rule
            high = rule.max if rule.max is not None else ci.item.points
            s = self.scored(entry, (*path, iid), rule.min, high, f"评分项 “{iid}” 的酌情评分")
            if s is not None:
                out[iid] = s
        return out


_KINDS = {list: "列表", tuple: "列表", dict: "键值映射", bool: "是/否（true/false）"}


def kind_of(raw: object) -> str:
    """What a value that should have been text is, in the clerk's words."""
    kind = _KINDS.get(type(raw))
    if kind is not None:
        return kind
    if isinstance(raw, (int, Decimal)):
        return f"数值 {fmt(raw)}"
    if isinstance(raw, date):
        return f"日期 {raw.isoformat()}"
    return type(raw).__name__


def shown(text: str) -> str:
    """Text quoted, with the code points of what cannot be seen (U+200B) spelled out."""
    hidden = [f"U+{ord(c):04X}" for c in text[:10] if not c.isprintable() or c.isspace() or ord(c) in (0x200B, 0x2060, 0xFEFF)]
    return f"“{text[:40]}”" + (f"（{' '.join(hidden)}）" if hidden else "")


def read_assessment(compiled: CompiledRubric, raw: object, locate: Locate) -> Assessment:
    """Validate one village's raw data; raises DataError with every problem found."""
    rd = _Reader(compiled, locate)
    top = rd.mapping(raw, (), "村自评数据")
    rd.raw_reviews = top.get("reviews")
    for k in top:
        if k not in TOP_KEYS:
            rd.unknown(k, (), TOP_KEYS, "顶层键")
    _check_rubric_ref(rd, top.get("rubric"))
    village, attributes, assessor = _village(rd, top.get("village"))
    answers = _answers(rd, top.get("answers"))
    judgments = rd.judgments(top.get("judgments"), ("judgments",))
    evidence = _evidence(rd, top.get("evidence"))
    reviews = _reviews(rd, top.get("reviews"))
    if rd.diags or village is None:
        raise DataError(rd.diags)
    # Values come from parse_value, which gives only the types an Assessment holds.
    return Assessment(village, cast("dict[str, Value]", attributes), cast("dict[str, Value]", answers), judgments, evidence,
                      reviews, assessor)


def _check_rubric_ref(rd: _Reader, ref: object) -> None:
    if ref is None:
        return
    r = rd.c.rubric
    text = str(ref)
    rid, _, version = text.partition("@")
    if rid != r.id or (version and version != r.version):
        rd.error("D114", ("rubric",), "村自评数据对应的评分标准与本次使用的评分标准不一致",
                 expected=f"{r.id}@{r.version}", found=text, hint="请使用对应版本的评分标准评分，或按新版评分标准重新填报")


def _village(rd: _Reader, raw: object) -> tuple[Village | None, dict[str, object], str | None]:
    m = rd.mapping(raw, ("village",), "village ")
    if raw is None:
        rd.error("D111", (), "缺少 village（村基本信息）", hint="请补上 village: {code: …, name: …, township: …, county: …, year: …}")
        return None, {}, None
    for k in m:
        if k not in VILLAGE_KEYS and k not in rd.attrs:
            rd.unknown(k, ("village",), (*VILLAGE_KEYS, *rd.attrs), "村基本信息字段")
    texts = {}
    unit = rd.c.rubric.unit
    for k, label in (("code", "统计用区划代码"), ("name", "村名"), ("township", "乡镇（街道）"), ("county", "县（市、区）")):
        v = m.get(k)
        if is_blank(v):
            if unit != "village" and k != "code":
                texts[k] = ""  # a township's or county's names come from its villages in the run
                continue
            rd.error("D111", ("village",), f"缺少{label} {k}", key=True, hint=f"请在 village 中补上 “{k}: …”")
            continue
        text = rd.text(v, ("village", k), label, NAME_MAX, number_ok=k == "code")
        if text is not None:
            texts[k] = text
    if "code" in texts:
        texts["code"] = normalize_text(texts["code"])  # full-width digits (３３０…) are ASCII ones
    code_re, digits, example = (CODE, 12, "330483101201") if unit == "village" else _UNIT_CODES[unit]
    if "code" in texts and not code_re.match(texts["code"]):
        raw_code = m.get("code")
        found = f"“{texts['code']}”" if isinstance(raw_code, str) else texts["code"]
        rd.error("D112", ("village", "code"), f"统计用区划代码应为 {digits} 位数字",
                 expected=f"{digits} 位数字（请加引号，如 \"{example}\"）", found=f"{found}（{len(texts['code'])} 位）")
    year = rd.value(_YEAR, m.get("year"), ("village", "year"), cache=True)
    if m.get("year") is None:
        rd.error("D111", ("village",), "缺少评定年度 year", key=True, hint="请在 village 中补上 “year: …”")
    assessed_on = None
    if m.get("assessed_on") is not None:
        assessed_on = rd.value(_ASSESSED_ON, m.get("assessed_on"), ("village", "assessed_on"), cache=True)
    if isinstance(year, int):
        rd.year = year
        if isinstance(assessed_on, date) and not _in_year(rd, assessed_on, ("village", "assessed_on"), "评定日期"):
            assessed_on = None
        rd.day, rd.day_given = (assessed_on, True) if isinstance(assessed_on, date) else (date(year, 12, 31), False)
    attributes: dict[str, object] = {}
    for aid, spec in rd.attrs.items():
        v = rd.value(spec, m.get(aid), ("village", aid), cache=True)
        if v is not None:
            if rd.not_after_day(v, ("village", aid)):
                attributes[aid] = v
        elif spec.required and is_blank(m.get(aid)):
            rd.error("D111", ("village",), f"缺少必填的村属性 “{spec.label}”（{aid}）", key=True, hint=f"请在 village 中补上 “{aid}: …”")
    raw_assessor = m.get("assessor")
    assessor = None if is_blank(raw_assessor) else rd.text(raw_assessor, ("village", "assessor"), "自评填报人", PERSON_MAX)
    if len(texts) < 4 or rd.day is None or not isinstance(year, int):
        return None, attributes, None
    village = Village(texts["code"], texts["name"], texts["township"], texts["county"], year, rd.day)
    return village, attributes, assessor


def _in_year(rd: _Reader, day: date, path: Sequence[str | int], what: str) -> bool:
    """False, with D116, for a date outside the assessment year and the year after it (when
    reviews take place): `assessed_on: 1990-01-01` for the year 2025 is a slip."""
    year = rd.year
    assert year is not None
    first, last = date(year, 1, 1), date(year + 1, 12, 31)
    if first <= day <= last:
        return True
    rd.error("D116", path, f"{what}不在 {year} 年度评定的时间范围内", expected=f"{first.isoformat()} 至 {last.isoformat()} 之间的日期",
             found=day.isoformat(), hint="请核对年份是否写错，或评定年度 year 是否填对")
    return False


def _answers(rd: _Reader, raw: object) -> dict[str, object]:
    m = rd.mapping(raw, ("answers",), "answers ")
    out: dict[str, object] = {}
    fields, parsed = rd.fields, _PARSED.get
    for k, v in m.items():
        spec = fields.get(k)
        if spec is None:
            hint_pool = list(rd.fields)
            rd.unknown(k, ("answers",), hint_pool, "填报字段")
            continue
        t = type(v)
        if t is str or t is int or t is bool:  # _Reader.value's cache lookup, inline: ~90 answers a village
            hit = parsed((id(spec), t, v), _MISS)
            if hit is not _MISS:
                if hit is not None:
                    out[k] = hit
                continue
        value = rd.value(spec, v, ("answers", k), cache=True)
        if value is not None:
            out[k] = value
    for fid in rd.date_fields:
        if fid in out and not rd.not_after_day(out[fid], ("answers", fid)):
            del out[fid]
    for fid, spec in rd.required:
        if fid not in out and is_blank(m.get(fid)):
            rd.error("D111", ("answers",), f"缺少必填项 “{spec.label}”（{fid}）", key=True, hint=f"请在 answers 中补上 “{fid}: …”")
    return out


def _evidence(rd: _Reader, raw: object) -> dict[str, tuple[str, ...]]:
    out = {}
    for iid, docs in rd.mapping(raw, ("evidence",), "evidence ").items():
        if iid not in rd.items:
            rd.unknown(iid, ("evidence",), list(rd.items), "评分项")
            continue
        if isinstance(docs, str):
            docs = [docs]
        if not isinstance(docs, list) or not all(type(d) is str or type(d) is int or type(d) is Decimal for d in docs):
            rd.error("D104", ("evidence", iid), "佐证材料应为文本列表", found=kind_of(docs) if not isinstance(docs, list) else
                     "列表中有" + "、".join(sorted({kind_of(d).split()[0] for d in docs if type(d) not in (str, int, Decimal)})))
            continue
        titles = [str(d).strip() for d in docs]
        long = next((t for t in titles if len(t) > DOCUMENT_MAX), None)
        if long is not None:
            rd.error("D112", ("evidence", iid), "佐证材料名称过长", expected=f"每份材料不超过 {DOCUMENT_MAX} 个字符",
                     found=f"{len(long):,} 个字符：“{long[:20]}…”")
            continue
        out[iid] = tuple(t for t in titles if says_something(t))
    return out


def _reviews(rd: _Reader, raw: object) -> tuple[Review, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        rd.error("D104", ("reviews",), "reviews 应为列表（按层级从低到高）")
        return ()
    levels = [lv.id for lv in rd.c.rubric.review_levels[1:]]
    out: list[Review] = []
    seen: list[str] = []
    last = -1
    for n, entry in enumerate(raw):
        path = ("reviews", n)
        m = rd.mapping(entry, path, "评审记录")
        for k in m:
            if k not in ("level", "reviewer", "date", "corrections", "judgments", "scores"):
                rd.unknown(k, path, ("level", "reviewer", "date", "corrections", "judgments", "scores"), "评审记录字段")
        level = m.get("level")
        if level not in levels:
            rd.error("D115", (*path, "level"), "评审层级无效", expected="、".join(levels), found=str(level))
            continue
        if levels.index(level) <= last:
            rd.error("D115", (*path, "level"), f"评审层级 “{level}” 重复或顺序颠倒", expected="按 " + " → ".join(levels) + " 的顺序",
                     found=" → ".join([*seen, level]))
            continue
        seen.append(level)
        last = levels.index(level)
        raw_reviewer = m.get("reviewer")
        reviewer = None
        if is_blank(raw_reviewer):
            rd.error("D111", path, "评审记录缺少评审人 reviewer", key=True)
        else:
            reviewer = rd.text(raw_reviewer, (*path, "reviewer"), "评审人", PERSON_MAX)
        day = None
        if m.get("date") is not None:
            day = rd.value(_REVIEW_DATE, m.get("date"), (*path, "date"), cache=True)
            if isinstance(day, date) and rd.year is not None and not _in_year(rd, day, (*path, "date"), "评审日期"):
                day = None
        out.append(Review(
            level=level,
            reviewer=reviewer or "",
            reviewed_on=day if isinstance(day, date) else None,
            corrections=_corrections(rd, m.get("corrections"), (*path, "corrections")),
            judgments=rd.judgments(m.get("judgments"), (*path, "judgments")),
            scores=_scores(rd, m.get("scores"), (*path, "scores")),
        ))
    return tuple(out)


def _corrections(rd: _Reader, raw: object, path: tuple[str | int, ...]) -> dict[str, Correction]:
    out = {}
    specs: Mapping[str, FieldSpec] = {**rd.attrs, **rd.fields}
    for k, entry in rd.mapping(raw, path, "corrections ").items():
        spec = specs.get(k)
        if spec is None:
            rd.unknown(k, path, list(specs), "字段")
            continue
        m = rd.mapping(entry, (*path, k), "更正记录")
        for key in m:
            if key not in _CORRECTION_KEYS:
                rd.unknown(key, (*path, k), _CORRECTION_KEYS, "更正记录键")
        reason = rd.reason(m.get("reason"), (*path, k), f"更正 “{spec.label}” 必须说明理由 reason",
                           "每处更正都要写明理由，如 {value: 2, reason: 乡镇复核发现……}")
        if reason is None:
            continue
        if "value" not in m:
            rd.error("D111", (*path, k), f"更正 “{spec.label}” 缺少 value（删除该答案请写 value: null）", key=True)
            continue
        value = rd.value(spec, m["value"], (*path, k, "value"), cache=True)
        if value is None and not is_blank(m["value"]):
            continue
        if not rd.not_after_day(value, (*path, k, "value")):
            continue
        out[k] = Correction(value, reason)  # type: ignore[arg-type]
    return out


def _scores(rd: _Reader, raw: object, path: tuple[str | int, ...]) -> dict[str, Scored]:
    out = {}
    for iid, entry in rd.mapping(raw, path, "scores ").items():
        ci = rd.items.get(iid)
        if ci is None:
            rd.unknown(iid, path, list(rd.items), "评分项")
            continue
        s = rd.scored(entry, (*path, iid), Decimal(0), ci.item.points, f"评分项 “{iid}”（满分 {fmt(ci.item.points)}）的核定分")
        step = rd.c.rubric.precision
        if s is not None and (s.score / step) % 1 != 0:
            # An outright score skips the item's rounding, so it must already sit on the grid.
            rd.error("D112", (*path, iid, "score"), f"评分项 “{iid}” 的核定分须为计分精度 {fmt(step)} 的整数倍",
                     expected=f"{fmt(step)} 的整数倍", found=fmt(s.score))
        elif s is not None:
            out[iid] = s
    return out
