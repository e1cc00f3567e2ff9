"""Scoring bodies' forms (多部门评分): one per-village workbook per body, merged into one village.

A rubric that names the body scoring each item (`scored_by`: 区综治办, 派出所, …) gets one form
per body from `sanzhi form --by-body`: its cover records the body (a locked 评分部门 row), its
填报 sheet holds the fields its items read, its 评分项 and 核定 sheets only its items. Fields no
body's item reads (those of vetoes and rating conditions, and of items without a body) and the
items without a body go to one more form, 基本信息. Every form carries the village identity and
attributes on its cover: targets and exemptions depend on them.

Reading: a per-village form whose cover names a body is not a village by itself. The readers
hand it over as a `BodyForm` (raw data and the cell of every value, not validated); `BodyForms`
holds them by village code and merges a village's forms into one raw village, validated and
located as one form would be (`sanzhi score` and `sanzhi batch` both read through it):

- a value given in two forms must be the same (是 and √ are the same; blank is no answer): two
  different values are one error (D130) naming both files and cells;
- the same body's form twice for one village is an error (D131), as is a body the rubric does
  not name (D132);
- a review level is present when any form has it; its reviewer is the one named, or, when the
  forms name different reviewers, each body's ("区综治办：张某；区六合、沿江分局：李某"); its
  date the latest;
- 自评填报人 differing between forms are all kept, joined.

A village is merged as soon as the forms of every body of the rubric (and 基本信息 when the
rubric has one) are in, so memory holds only villages still incomplete; those are merged at the
end of the listing with what they have: a missing body's items are unanswered (缺少填报数据).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sanzhi.common.errors import DataError, Diagnostic, Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.cellmap import CellMap, failed
from sanzhi.inputs.layout import REVIEW_DATE, VILLAGE_SPECS
from sanzhi.inputs.loaded import Loaded, LoadedVillage, Source
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.values import ValueProblem, is_blank, normalize_text, parse_value

SHARED_BODY = "基本信息"  # the form of what no body scores: veto fields, items without a body
BODY_KEY = "scored_by"  # the cover row that names the form's body
BODY_LABEL = "评分部门"

Places = list[tuple[tuple[str, ...], Location]]


def bodies(compiled: CompiledRubric) -> tuple[str, ...]:
    """The bodies of a rubric's forms in rubric order, 基本信息 last when anything is left for it;
    () for a rubric that names no body."""
    named: list[str] = []
    for ci in compiled.items:
        if ci.scored_by is not None and ci.scored_by not in named:
            named.append(ci.scored_by)
    if not named:
        return ()
    return (*named, SHARED_BODY) if shared_fields(compiled) or any(ci.scored_by is None for ci in compiled.items) else tuple(named)


def body_fields(compiled: CompiledRubric, body: str) -> frozenset[str]:
    """The answer fields on `body`'s form: those its items read (a field read by several
    bodies' items is on each of their forms); for 基本信息, the fields no body's item reads."""
    if body == SHARED_BODY:
        return shared_fields(compiled) | frozenset(n for ci in compiled.items if ci.scored_by is None for n in ci.needs
                                                   if n in _field_ids(compiled))
    return frozenset(n for ci in compiled.items if ci.scored_by == body for n in ci.needs if n in _field_ids(compiled))


def body_items(compiled: CompiledRubric, body: str) -> frozenset[str]:
    """The items on `body`'s form (基本信息: the items without a body)."""
    want = None if body == SHARED_BODY else body
    return frozenset(ci.item.id for ci in compiled.items if ci.scored_by == want)


def shared_fields(compiled: CompiledRubric) -> frozenset[str]:
    read = {n for ci in compiled.items if ci.scored_by is not None for n in ci.needs}
    return frozenset(f.id for f in compiled.rubric.fields if f.id not in read)


def _field_ids(compiled: CompiledRubric) -> frozenset[str]:
    return frozenset(f.id for f in compiled.rubric.fields)


@dataclass
class LevelEntry:
    """What one review level (乡镇评分, 县审核…) filled in on a form, and the cell of each value;
    the cells are registered once the level's position among the reviews present is known."""

    reviewer: object = None
    date: object = None
    corrections: dict[str, dict[str, object]] = field(default_factory=dict)
    judgments: dict[str, dict[str, object]] = field(default_factory=dict)
    scores: dict[str, dict[str, object]] = field(default_factory=dict)
    places: Places = field(default_factory=list)

    def present(self) -> bool:
        return not (is_blank(self.reviewer) and is_blank(self.date)) or bool(self.corrections or self.judgments or self.scores)


def review_entries(levels: dict[str, LevelEntry], order: Iterable[str], cells: CellMap) -> list[dict[str, object]]:
    """The levels present (a reviewer named, or anything filled in), lowest first, as raw reviews;
    registers each value's cell at its review's position."""
    out: list[dict[str, object]] = []
    for lv in order:
        level = levels[lv]
        if not level.present():
            continue
        entry: dict[str, object] = {"level": lv, "reviewer": None if is_blank(level.reviewer) else level.reviewer}
        if not is_blank(level.date):
            entry["date"] = level.date
        for section in ("corrections", "judgments", "scores"):
            if getattr(level, section):
                entry[section] = getattr(level, section)
        for sub, loc in level.places:
            cells.put(("reviews", len(out), *sub), loc)
        out.append(entry)
    return out


@dataclass
class BodyForm:
    """One body's per-village form, read but not validated: the raw village data of the format,
    the cell of every value, and the problems the reader found itself."""

    file: str
    blob: bytes
    body: str
    body_at: Location
    village: dict[str, object]
    answers: dict[str, object]
    judgments: dict[str, dict[str, object]]
    evidence: dict[str, list[str]]
    levels: dict[str, LevelEntry]
    places: dict[tuple[str | int, ...], Location]
    own: list[Diagnostic]

    @property
    def code(self) -> str:
        value = self.village.get("code")
        return "" if is_blank(value) else normalize_text(str(value))


class BodyForms:
    """Holds body forms by village code and yields each village merged once its forms are in."""

    def __init__(self, compiled: CompiledRubric) -> None:
        self.c = compiled
        self.expected = frozenset(bodies(compiled))
        self.pending: dict[str, list[BodyForm]] = {}

    def take(self, got: Iterable[Loaded | BodyForm]) -> Iterator[Loaded]:
        """Villages pass through; a body form is held, and its village merged when complete."""
        for x in got:
            if not isinstance(x, BodyForm):
                yield x
                continue
            if not x.code:  # nothing to group by: read alone, which names what is missing
                yield merge(self.c, [x])
                continue
            forms = self.pending.setdefault(x.code, [])
            forms.append(x)
            if self.expected and {f.body for f in forms} >= self.expected and len(forms) == len(self.expected):
                del self.pending[x.code]
                yield merge(self.c, forms)

    def rest(self) -> Iterator[Loaded]:
        """The villages still incomplete, merged with what they have, by code."""
        for code in sorted(self.pending):
            yield merge(self.c, self.pending[code])
        self.pending.clear()


def _typed(spec: FieldSpec | None, raw: object) -> object:
    """A value as compared between forms: parsed by its field when it parses, else as typed."""
    if spec is None:
        return normalize_text(str(raw)) if isinstance(raw, str) else raw
    try:
        return parse_value(spec, raw)
    except ValueProblem:
        return raw


def _shown(raw: object) -> str:
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


class _Merge:
    def __init__(self, compiled: CompiledRubric, forms: list[BodyForm]) -> None:
        self.c = compiled
        self.forms = forms
        self.specs: dict[str, FieldSpec] = {s.id: s for s in (*VILLAGE_SPECS, *compiled.rubric.attributes, *compiled.rubric.fields)}
        self.places: dict[tuple[str | int, ...], Location] = {}
        self.own: list[Diagnostic] = []
        self.names = {f.id: f.label for f in (*compiled.rubric.attributes, *compiled.rubric.fields)}

    def where(self, form: BodyForm, path: tuple[str | int, ...]) -> Location:
        return form.places.get(path, Location(form.file))

    def value(self, into: dict[str, object], key: str, raw: object, form: BodyForm, path: tuple[str | int, ...],
              spec: FieldSpec | None, label: str, first: dict[tuple[str | int, ...], BodyForm]) -> None:
        """Put one value; the same value again is fine, a different one an error naming both cells."""
        at = self.where(form, path)
        if is_blank(raw):
            if key not in into:
                into[key] = raw
                self.places[path] = at
            return
        if key in into and not is_blank(into[key]):
            if _typed(spec, into[key]) != _typed(spec, raw):
                other = first[path]
                self.own.append(Diagnostic(
                    "D130", f"“{label}” 在两份评分部门表中填写不一致：{other.file} 填 “{_shown(into[key])}”，{form.file} 填 “{_shown(raw)}”",
                    at, path=f"{' › '.join(str(p) for p in path)}", expected=f"与 {self.where(other, path)} 相同", found=_shown(raw),
                    hint="同一个村的各评分部门表中，同一项只能有一个值；请核对后改成一致，或只在一份表中填写"))
            return
        into[key] = raw
        self.places[path] = at
        first[path] = form

    def run(self) -> tuple[dict[str, object], CellMap]:
        forms = self.forms
        village: dict[str, object] = {}
        answers: dict[str, object] = {}
        judgments: dict[str, object] = {}  # item id → one form's judgment entry, whole
        evidence: dict[str, object] = {}  # item id → one form's 佐证材料 list, whole
        first: dict[tuple[str | int, ...], BodyForm] = {}
        assessors: list[str] = []
        for form in forms:
            for key, raw in form.village.items():
                if key == "assessor":
                    if not is_blank(raw) and str(raw).strip() not in assessors:
                        assessors.append(str(raw).strip())
                        self.places.setdefault(("village", key), self.where(form, ("village", key)))
                    continue
                spec = self.specs.get(key)
                self.value(village, key, raw, form, ("village", key), spec, spec.label if spec else key, first)
            for key, raw in form.answers.items():
                self.value(answers, key, raw, form, ("answers", key), self.specs.get(key), self.names.get(key, key), first)
            for iid, entry in form.judgments.items():
                self._whole(judgments, iid, entry, form, ("judgments", iid), f"评分项 “{iid}” 的酌情评分", first)
            for iid, docs in form.evidence.items():
                self._whole(evidence, iid, docs, form, ("evidence", iid), f"评分项 “{iid}” 的佐证材料", first)
            for section in ("village", "answers", "judgments", "evidence", "reviews"):
                self.places.setdefault((section,), self.where(form, (section,)))
        if assessors:
            village["assessor"] = "、".join(assessors)
        cells = CellMap(Location(forms[0].file), self.places)
        levels = self._levels(first)
        order = [lv.id for lv in self.c.rubric.review_levels[1:]]
        merged: dict[str, object] = {"rubric": self.c.ref, "village": village, "answers": answers, "judgments": judgments,
                                     "evidence": evidence, "reviews": review_entries(levels, order, cells)}
        return merged, cells

    def _whole(self, into: dict[str, object], key: str, value: object, form: BodyForm, path: tuple[str | int, ...],
               label: str, first: dict[tuple[str | int, ...], BodyForm]) -> None:
        """An item's judgment or evidence: one form's, whole; two different ones are an error."""
        if key in into:
            if into[key] != value:
                other = first[path]
                self.own.append(Diagnostic("D130", f"{label}在两份评分部门表中填写不一致（{other.file}、{form.file}）",
                                           self.where(form, path), expected=f"与 {self.where(other, path)} 相同",
                                           hint="一个评分项只由一个评分部门评分；请只在该部门的表中填写"))
            return
        into[key] = value
        first[path] = form
        for p, loc in form.places.items():
            if p[:len(path)] == path:
                self.places[p] = loc

    def _levels(self, first: dict[tuple[str | int, ...], BodyForm]) -> dict[str, LevelEntry]:
        out: dict[str, LevelEntry] = {}
        for lv in self.c.rubric.review_levels[1:]:
            merged = LevelEntry()
            reviewers: list[tuple[str, str]] = []
            dates: list[tuple[object, Location]] = []
            for form in self.forms:
                level = form.levels.get(lv.id)
                if level is None or not level.present():
                    continue
                at = dict(level.places)
                if not is_blank(level.reviewer):
                    reviewers.append((form.body, str(level.reviewer).strip()))
                    merged.places.append(((), at.get((), Location(form.file))))
                if not is_blank(level.date):
                    dates.append((level.date, at.get(("date",), Location(form.file))))
                for section in ("corrections", "judgments", "scores"):
                    target: dict[str, dict[str, object]] = getattr(merged, section)
                    for key, entry in getattr(level, section).items():
                        path = (f"reviews:{lv.id}", section, key)
                        if key in target:
                            if self._differs(section, key, target[key], entry):
                                other = first[path]
                                name = self.names.get(key, f"评分项 “{key}”")
                                self.own.append(Diagnostic(
                                    "D130", f"{lv.name}对 {name} 的{_SECTION[section]}在两份评分部门表中不一致（{other.file}、{form.file}）",
                                    at.get((section, key), Location(form.file)), hint="请核对后改成一致，或只在一份表中填写"))
                            continue
                        target[key] = entry
                        first[path] = form
                        merged.places += [(p, loc) for p, loc in level.places if p[:2] == (section, key)]
            if reviewers:
                names = {name for _, name in reviewers}
                merged.reviewer = reviewers[0][1] if len(names) == 1 else "；".join(f"{b}：{n}" for b, n in reviewers)
            if dates:
                merged.date, at_date = max(dates, key=lambda d: _as_date(d[0]))
                merged.places.append((("date",), at_date))
            out[lv.id] = merged
        return out

    def _differs(self, section: str, key: str, a: dict[str, object], b: dict[str, object]) -> bool:
        if section != "corrections":
            return a != b
        spec = self.specs.get(key)
        return _typed(spec, a.get("value")) != _typed(spec, b.get("value")) if a.get("value") is not None and b.get("value") is not None else a.get("value") != b.get("value")


_SECTION = {"corrections": "更正", "judgments": "酌情评分", "scores": "核定分"}


def _as_date(raw: object) -> date:
    try:
        value = parse_value(REVIEW_DATE, raw)
    except ValueProblem:
        return date.min
    return value if isinstance(value, date) else date.min


def merge(compiled: CompiledRubric, forms: list[BodyForm]) -> Loaded:
    """One village from its bodies' forms (in file order): validated, every problem located."""
    forms = sorted(forms, key=lambda f: f.file)
    files = tuple(f.file for f in forms)
    source = Source(files[0], parts=files) if len(files) > 1 else Source(files[0])
    blob = b"\0".join(f.blob for f in forms)
    own: list[Diagnostic] = [d for f in forms for d in f.own]
    expected = bodies(compiled)
    seen: dict[str, BodyForm] = {}
    for f in forms:
        if f.body not in expected:
            own.append(Diagnostic("D132", f"评分部门 “{f.body}” 不是评分标准 {compiled.ref} 的评分部门", f.body_at,
                                  expected="、".join(expected) + " 之一" if expected else "本评分标准未按部门分表",
                                  found=f.body, hint=f"请用 sanzhi form --rubric {compiled.ref} --by-body 重新生成各部门的表格"))
        elif f.body in seen:
            own.append(Diagnostic("D131", f"村代码 {f.code} 的 “{f.body}” 评分表有两份：{seen[f.body].file}、{f.file}", f.body_at,
                                  hint="每个评分部门每个村只填一份；请删除重复的一份"))
        else:
            seen[f.body] = f
    m = _Merge(compiled, forms)
    raw, cells = m.run()
    own += m.own
    try:
        assessment = read_assessment(compiled, raw, cells.locate)
    except DataError as e:
        return failed(source, cells.refine(e, own), blob)
    if own:
        return failed(source, own, blob)
    return LoadedVillage(source, assessment, blob)


__all__ = ["BODY_KEY", "BODY_LABEL", "SHARED_BODY", "BodyForm", "BodyForms", "LevelEntry", "bodies", "body_fields",
           "body_items", "merge", "review_entries", "shared_fields"]
