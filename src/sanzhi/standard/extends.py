"""Local variants without copying: a rubric that `extends` another and edits it by id.

Why: a county tailors the provincial table (drops an item that does not apply, adds a local
one, moves points, raises a threshold). Copying the whole file would silently fork it; a
variant states only its differences, so a reviewer reads them and a new base version
re-applies them. The loader calls `resolve_extends` on the raw data *before* validation, so
every check of a rubric applies to the merged result.

A variant file (docs/rubrics/versions.md):

    schema_version: 1
    extends: jiaxing-sanzhi@2018       # ID@VERSION of a bundled rubric, or a file path
    id: … version: … title: … issuer: … effective_date: … changelog: …   # its own identity
    total_points: 100                  # any other top-level key replaces the base's
    variant:                           # then edits by id, section by section
      items:
        "2.1.3": {points: 3}           # an existing id: the keys given replace the base's
        "4.3.2": drop                  # drop (an indicator or dimension with everything in it)
        "2.1.9": {under: "2.1", after: "2.1.3", name: …}   # a new id: added under a parent
        "3.2.1": {under: "3.1"}        # an existing id with `under`: moved

Sections: dimensions, indicators, items, vetoes, tiers, fields, attributes, derived. `under`
names the parent (an indicator for items, `bonus` for the bonus section, a dimension for
indicators); `after` places an entry after a sibling (default: last).

Not inherited (a variant states them): schema_version, id, version, title, issuer,
effective_date, changelog, description, status, crosswalk, examples. The merged rubric keeps
`extends` and gets a generated `variant_of` record (base ref, base hash, what changed).
"""

import contextvars
import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sanzhi.common.errors import Diagnostic, Location, RubricError
from sanzhi.common.numbers import fmt
from sanzhi.common.yaml_source import SourceMap
from sanzhi.standard.bundled import find_bundled
from sanzhi.standard.models import Rubric
from sanzhi.standard.problems import Problem

P = tuple[str | int, ...]

NOT_INHERITED = frozenset({
    "schema_version", "id", "version", "title", "issuer", "effective_date", "changelog", "description",
    "status", "crosswalk", "examples", "extends", "variant", "variant_of",
})
SECTIONS = ("dimensions", "indicators", "items", "vetoes", "tiers", "fields", "attributes", "derived")
_WHAT = {
    "dimensions": "dimension", "indicators": "indicator", "items": "item", "vetoes": "veto", "tiers": "tier",
    "fields": "field", "attributes": "attribute", "derived": "derived",
}
_NOUN = {
    "dimension": "维度", "indicator": "指标", "item": "评分项", "veto": "否决项", "tier": "等级",
    "field": "字段", "attribute": "属性", "derived": "派生字段", "setting": "设置",
}
_LABELS = {
    "points": "分值", "name": "名称", "rules": "规则", "criterion": "评定标准", "min_score": "最低分",
    "lookback_months": "回溯月数", "when": "条件", "dimension_minimums": "维度最低分", "requires": "前提条件",
    "total_points": "总分", "rating": "等级设置", "bonus": "加分项", "precision": "计分精度", "cap": "封顶",
    "applies_when": "适用条件", "not_applicable": "不适用处理", "provenance": "出处类型", "clause": "出处",
    "provenance_note": "出处说明", "description": "说明", "evidence": "评价方法", "advice": "改进建议", "scored_by": "评分单位", "unit": "单位", "label": "标签", "required": "必填",
    "min": "下限", "max": "上限", "choices": "选项", "items": "评分项", "indicators": "指标",
}
_PLACEMENT = ("under", "after")
_DROP = "drop"
_CHAIN: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("sanzhi_extends_chain", default=())


# --------------------------------------------------------------------------- source positions


@dataclass(frozen=True)
class VariantSourceMap(SourceMap):
    """Positions for merged data: a node the variant file wrote points into the variant file;
    an inherited node points at the variant's `extends:` line (the domain path says which)."""

    origins: dict[P, P] = field(default_factory=dict, repr=False, compare=False)  # merged prefix → variant path
    inherited: frozenset[P] = field(default_factory=frozenset, repr=False, compare=False)

    def _own(self, path: Sequence[str | int]) -> P | None:
        p = tuple(path)
        for n in range(len(p), 0, -1):
            prefix = p[:n]
            if prefix in self.origins:
                return self.origins[prefix] + p[n:]
            if prefix in self.inherited:
                return None
        return None

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> Location:
        own = self._own(path)
        return SourceMap.locate(self, own if own is not None else ("extends",), key=key and own is not None)

    def has(self, path: Sequence[str | int]) -> bool:
        own = self._own(path)
        return own is not None and SourceMap.has(self, own)


# --------------------------------------------------------------------------- helpers


def _plain(value: Any) -> Any:
    """A pydantic dump as the raw data a YAML file gives: dicts, lists, scalars."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _did_you_mean(word: str, candidates: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return f"是否想写 “{close[0]}”？" if close else None


class _Errors:
    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.diags: list[Diagnostic] = []

    def add(self, code: str, path: P, message: str, *, key: bool = False, expected: str | None = None, found: str | None = None, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, message, self.source.locate(path, key=key), None, expected, found, hint))


# --------------------------------------------------------------------------- base loading


def _base_path(ref: str, filename: str, errors: _Errors) -> tuple[Path, str] | None:
    if ref.lower().endswith((".yaml", ".yml")):
        path = Path(ref)
        if not path.is_absolute():
            path = Path(filename).parent / path
        return path, str(path)
    if "@" not in ref:
        errors.add("R301", ("extends",), f"extends 须写明基础评分标准的版本：{ref}@版本",
                   hint="变体应固定在一个版本上，基础标准出新版本时由编制单位决定是否跟进")
        return None
    try:
        b = find_bundled(ref)
    except RubricError as e:
        d = e.diagnostics[0]
        errors.add("R301", ("extends",), d.message, expected=d.expected)
        return None
    return b.path, b.path.name


def _load_base(ref: str, source: SourceMap, errors: _Errors) -> Any:
    from sanzhi.standard.loader import load_rubric_file  # the loader calls us: import late

    located = _base_path(ref, source.filename, errors)
    if located is None:
        return None
    path, display = located
    key = str(path.resolve())
    chain = _CHAIN.get() or (str(Path(source.filename).resolve()),)  # the file being loaded starts the chain
    if key in chain:
        errors.add("R302", ("extends",), "extends 形成循环引用", found=" → ".join([*chain, key]))
        return None
    token = _CHAIN.set((*chain, key))
    try:
        compiled, _ = load_rubric_file(path, display_name=display)
    except RubricError as e:
        note = Diagnostic("R303", f"基础评分标准 {ref} 未通过检查，须先修正（其问题一并列出）", source.locate(("extends",)))
        raise RubricError([note, *e.diagnostics], sources={source.filename: source.text, **e.sources}) from None
    finally:
        _CHAIN.reset(token)
    return compiled


# --------------------------------------------------------------------------- merging


class _Merger:
    """Applies the `variant` section to a plain copy of the base, recording what changed and
    where each edited node came from."""

    def __init__(self, merged: dict[str, Any], errors: _Errors) -> None:
        self.m = merged
        self.errors = errors
        self.changes: list[dict[str, Any]] = []
        self.owned: dict[int, dict[str, P]] = {}  # id(merged entity dict) → key → variant path

    # Where entities of each kind live in the merged data.
    def containers(self, what: str) -> Iterator[list[Any]]:
        m = self.m
        if what == "dimension":
            yield m.setdefault("dimensions", [])
        elif what == "indicator":
            for dim in m.get("dimensions", []):
                yield dim.setdefault("indicators", [])
        elif what == "item":
            for dim in m.get("dimensions", []):
                for ind in dim.get("indicators", []):
                    yield ind.setdefault("items", [])
            if isinstance(m.get("bonus"), dict):
                yield m["bonus"].setdefault("items", [])
        elif what == "tier":
            yield m.setdefault("rating", {}).setdefault("tiers", [])
        else:
            yield m.setdefault({"veto": "vetoes", "field": "fields", "attribute": "attributes", "derived": "derived"}[what], [])

    def find(self, what: str, ident: str) -> tuple[list[Any], int] | None:
        for box in self.containers(what):
            for n, entry in enumerate(box):
                if isinstance(entry, dict) and str(entry.get("id")) == ident:
                    return box, n
        return None

    def ids(self, what: str) -> list[str]:
        return [str(e.get("id")) for box in self.containers(what) for e in box if isinstance(e, dict)]

    def parent_box(self, what: str, under: str, path: P) -> list[Any] | None:
        if what == "item" and under in ("bonus", "加分项"):
            if not isinstance(self.m.get("bonus"), dict):
                self.errors.add("R304", (*path, "under"), "基础评分标准没有加分项，不能把评分项加到 bonus 下",
                                hint="先在变体顶层给出 bonus: {cap: …, items: [...]}")
                return None
            return self.m["bonus"].setdefault("items", [])
        parent = {"item": "indicator", "indicator": "dimension"}.get(what)
        if parent is None:
            self.errors.add("R304", (*path, "under"), f"{_NOUN[what]}没有上级，不能使用 under", key=True)
            return None
        found = self.find(parent, under)
        if found is None:
            self.errors.add("R304", (*path, "under"), f"找不到上级{_NOUN[parent]} “{under}”", hint=_did_you_mean(under, self.ids(parent)))
            return None
        box, n = found
        return box[n].setdefault("indicators" if parent == "dimension" else "items", [])

    def place(self, box: list[Any], entry: dict[str, Any], after: str | None, path: P) -> None:
        if after is None:
            box.append(entry)
            return
        for n, sibling in enumerate(box):
            if isinstance(sibling, dict) and str(sibling.get("id")) == after:
                box.insert(n + 1, entry)
                return
        self.errors.add("R304", (*path, "after"), f"同一上级中找不到 “{after}”，无法排在它之后",
                        hint=_did_you_mean(after, [str(s.get("id")) for s in box if isinstance(s, dict)]))
        box.append(entry)

    def where(self, what: str, box: list[Any]) -> str | None:
        if what not in ("item", "indicator"):
            return None
        if isinstance(self.m.get("bonus"), dict) and box is self.m["bonus"].get("items"):
            return "加分项"
        for dim in self.m.get("dimensions", []):
            if box is dim.get("indicators"):
                return f"维度 {dim.get('id')}"
            for ind in dim.get("indicators", []):
                if box is ind.get("items"):
                    return f"指标 {ind.get('id')}"
        return None

    def record(self, action: str, what: str, ident: str, name: Any, detail: str | None = None) -> None:
        self.changes.append({"action": action, "what": what, "id": ident, **({"name": str(name)} if name else {}),
                             **({"detail": detail} if detail else {})})

    def apply(self, section: str, edits: object, path: P) -> None:
        what = _WHAT[section]
        if not isinstance(edits, dict):
            self.errors.add("R300", path, f"variant.{section} 应为以 id 为键的映射", expected="\"id\": {…} 或 \"id\": drop")
            return
        for raw_id, edit in edits.items():
            ident = str(raw_id)
            epath = (*path, raw_id)
            found = self.find(what, ident)
            if edit == _DROP:
                if found is None:
                    self.errors.add("R305", epath, f"基础评分标准中没有{_NOUN[what]} “{ident}”，无法删除", key=True,
                                    hint=_did_you_mean(ident, self.ids(what)))
                    continue
                box, n = found
                self.record("dropped", what, ident, box[n].get("name") or box[n].get("label"))
                del box[n]
                continue
            if not isinstance(edit, dict):
                self.errors.add("R300", epath, f"{_NOUN[what]} “{ident}” 的修改应为键值映射或 drop", found=_show(edit))
                continue
            if "id" in edit:
                self.errors.add("R306", (*epath, "id"), "变体中不能改写 id", key=True,
                                hint="改号请删除（drop）原项后以新 id 新增；两版之间的改号用 crosswalk 记录")
                continue
            under = edit.get("under")
            after = edit.get("after")
            body = {k: v for k, v in edit.items() if k not in _PLACEMENT}
            if found is None:
                self.add_new(what, ident, body, under, after, epath)
            else:
                self.override(what, ident, found, body, under, after, epath)

    def add_new(self, what: str, ident: str, body: dict[str, Any], under: Any, after: Any, path: P) -> None:
        if what in ("item", "indicator") and under is None:
            parent = "指标（或 bonus）" if what == "item" else "维度"
            self.errors.add("R305", path, f"基础评分标准中没有{_NOUN[what]} “{ident}”；新增时须用 under 指明所属{parent}", key=True,
                            hint=_did_you_mean(ident, self.ids(what)))
            return
        box = next(iter(self.containers(what))) if under is None else self.parent_box(what, str(under), path)
        if box is None:
            return
        entry = {"id": ident, **body}
        self.owned[id(entry)] = {"id": path, **{k: (*path, k) for k in body}}
        self.place(box, entry, None if after is None else str(after), path)
        where = self.where(what, box)
        self.record("added", what, ident, body.get("name") or body.get("label"), f"位于{where}" if where else None)

    def override(self, what: str, ident: str, found: tuple[list[Any], int], body: dict[str, Any], under: Any, after: Any, path: P) -> None:
        box, n = found
        old = box[n]
        entry = {**old, **body}
        owned = dict(self.owned.get(id(old), {}))
        owned.update({k: (*path, k) for k in body})
        self.owned[id(entry)] = owned
        details = [_detail(_LABELS.get(k, k), old.get(k), v) for k, v in body.items() if old.get(k) != v]
        moved = None
        if under is not None or after is not None:
            src = self.where(what, box)
            del box[n]
            target = box if under is None else self.parent_box(what, str(under), path)
            if target is None:
                box.insert(n, entry)
                return
            self.place(target, entry, None if after is None else str(after), path)
            dst = self.where(what, target)
            if src != dst:
                moved = f"从{src}移到{dst}"
        else:
            box[n] = entry
        if moved:
            self.record("moved", what, ident, entry.get("name") or entry.get("label"), "；".join([moved, *details]))
        elif details or under is not None or after is not None:
            self.record("changed", what, ident, entry.get("name") or entry.get("label"), "；".join(details) or "调整顺序")

    # Positions: walk the merged tree once. A container the variant file wrote is found by
    # identity; an edited entity maps the keys it was given; everything else is inherited.
    def origins(self, data: dict[str, Any]) -> tuple[dict[P, P], frozenset[P]]:
        written: dict[int, P] = {}

        def index(node: Any, path: P) -> None:
            if isinstance(node, (dict, list)):
                written[id(node)] = path
                for k, v in (node.items() if isinstance(node, dict) else enumerate(node)):
                    index(v, (*path, k))

        index(data, ())
        origins: dict[P, P] = {}
        inherited: set[P] = set()

        def walk(node: Any, path: P) -> None:
            if not isinstance(node, (dict, list)):
                return
            owned = self.owned.get(id(node)) if isinstance(node, dict) else None
            if id(node) in written:
                origins[path] = written[id(node)]
            else:
                inherited.add(path)
                for k, vpath in (owned or {}).items():
                    origins[(*path, k)] = vpath
            children: Iterable[tuple[str | int, Any]] = node.items() if isinstance(node, dict) else enumerate(node)
            for child_key, v in children:
                walk(v, (*path, child_key))

        for k, v in self.m.items():
            if k in data and not isinstance(v, (dict, list)):
                origins[(k,)] = (k,)
            walk(v, (k,))
        inherited.discard(())
        return origins, frozenset(inherited)


def _detail(label: str, old: Any, new: Any) -> str:
    """"分值 2 → 3"; a long text shows only what changed; a list or mapping is "已改写"."""
    if old is None:
        return f"新增{label}"
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)):
        return f"{label}已改写"
    a, b = _show(old), _show(new)
    if len(a) <= 24 and len(b) <= 24:
        return f"{label} {a} → {b}"
    from sanzhi.standard.diff import text_hunks

    hunks = text_hunks(a, b)
    if len(hunks) > 2 or any(len(x) > 40 or len(y) > 40 for x, y in hunks):
        return f"{label}已改写"
    return f"{label} " + "；".join(f"{x} → {y}" for x, y in hunks)


def resolve_extends(data: dict[str, Any], source: SourceMap) -> tuple[dict[str, Any], SourceMap]:
    """The variant in `data` merged onto its base, as raw data, with positions mapped back.

    Raises RubricError for a base that cannot be found or loaded, a cycle, or an edit that
    names an id the base does not have; the merged data is then validated like any rubric.
    """
    errors = _Errors(source)
    if "variant_of" in data:
        errors.add("R300", ("variant_of",), "variant_of 由加载器根据 extends 自动生成，不能手写", key=True)
    ref = data.get("extends")
    if not isinstance(ref, str) or not ref.strip():
        if "extends" in data:
            errors.add("R300", ("extends",), "extends 应为基础评分标准的 ID@版本 或文件路径")
        else:
            errors.add("R300", ("variant",), "只有写明 extends 的变体才能使用 variant", key=True, hint="在文件顶层加上 extends: ID@版本")
        raise RubricError(errors.diags, sources={source.filename: source.text})
    compiled = None if errors.diags else _load_base(ref.strip(), source, errors)
    if compiled is None:
        raise RubricError(errors.diags, sources={source.filename: source.text})
    base = _plain(compiled.rubric.model_dump(mode="python", exclude_none=True))
    merged: dict[str, Any] = {k: v for k, v in base.items() if k not in NOT_INHERITED}
    m = _Merger(merged, errors)
    for k, v in data.items():
        if k == "variant":
            continue
        if k not in NOT_INHERITED and merged.get(k) != v:
            m.record("changed" if k in merged else "added", "setting", k, _LABELS.get(k, k), _detail("", merged.get(k), v).strip())
        merged[k] = v
    variant = data.get("variant")
    if variant is not None and not isinstance(variant, dict):
        errors.add("R300", ("variant",), "variant 应为键值映射", expected="、".join(SECTIONS) + " 之一为键")
    elif isinstance(variant, dict):
        for section in variant:
            if section not in SECTIONS:
                errors.add("R300", ("variant", section), f"variant 中未知的部分 “{section}”", key=True,
                           expected="、".join(SECTIONS) + " 之一", hint=_did_you_mean(str(section), SECTIONS))
        for section in SECTIONS:  # parents first, so new items can go under new indicators
            if section in variant:
                m.apply(section, variant[section], ("variant", section))
    if errors.diags:
        raise RubricError(errors.diags, sources={source.filename: source.text})
    merged["variant_of"] = {"base": compiled.ref, "base_hash": compiled.content_hash, "changes": m.changes}
    # Keep the file's own key order first (id, version, …), then what was inherited.
    ordered = {k: merged[k] for k in data if k in merged} | merged
    origins, inherited = m.origins(data)
    vmap = VariantSourceMap(source.filename, source.text, source._values, source._keys,
                            origins=origins, inherited=inherited)
    return ordered, vmap


# --------------------------------------------------------------------------- checks after loading


def check_versioning(rubric: Rubric) -> list[Problem]:
    """Checks of the version-related parts: crosswalk targets exist, examples name real ids."""
    from sanzhi.standard.diff import check_crosswalk
    from sanzhi.standard.rubric_tests import check_examples

    return check_crosswalk(rubric) + check_examples(rubric)


# --------------------------------------------------------------------------- marks for `rubric show`

_ACTION_ZH = {"added": "新增", "changed": "修改", "moved": "移动", "dropped": "删除"}


def variant_marks(rubric: Rubric) -> dict[tuple[str, str], str]:
    """(what, id) → a mark such as "〔修改：分值 5 → 6〕" for what a variant added, changed or moved."""
    if rubric.variant_of is None:
        return {}
    out: dict[tuple[str, str], str] = {}
    for ch in rubric.variant_of.changes:
        if ch.action != "dropped":
            out[(ch.what, ch.id)] = f"〔{_ACTION_ZH[ch.action]}" + (f"：{ch.detail}" if ch.detail and ch.action != "added" else "") + "〕"
    return out


def variant_notes(rubric: Rubric) -> list[str]:
    """Lines for what a mark cannot show: dropped entries and changed settings."""
    if rubric.variant_of is None:
        return []
    lines = []
    for ch in rubric.variant_of.changes:
        if ch.action == "dropped":
            lines.append(f"删除{_NOUN[ch.what]} {ch.id}" + (f" {ch.name}" if ch.name else ""))
        elif ch.what in ("setting", "field", "attribute", "derived"):
            label = ch.name if ch.what == "setting" and ch.name else f"{_NOUN[ch.what]} {ch.id}" + (f" {ch.name}" if ch.name else "")
            lines.append(f"{_ACTION_ZH[ch.action]}{label}" + (f"：{ch.detail}" if ch.detail and ch.detail != "已改写" else ""))
    return lines
