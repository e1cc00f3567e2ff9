"""The machine sheet of an exported workbook: the rubric exactly, one row per piece.

Why: a 评分细则 in words cannot carry everything a rubric says (expressions, field types,
band edges, examples), so the exported workbook also carries the rubric itself, on a
protected sheet "机读数据": one row per piece — the rubric's own keys, each dimension,
indicator and item — as canonical JSON, with the fingerprint of the visible row it was
printed as. `sanzhi rubric import` of that workbook gives the rubric back exactly (content
hash equal) when nobody edited the table; a row edited in Excel no longer matches its
fingerprint, so that item is read from the table again (and said so), and every other item
still comes back exactly.

Layout of the sheet: A1 the mark, B1 the format version, C1 the rubric ref, D1 its content
hash; row 2 the headings; then rows of (kind, key, JSON, fingerprint). JSON longer than a
cell holds continues on rows of kind "+". The last row, kind "end", holds the number of
rows and the sha256 of all JSON, so a damaged sheet is noticed.
"""

import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sanzhi.common.errors import Diagnostic, Location
from sanzhi.common.numbers import fmt
from sanzhi.standard.models import Rubric
from sanzhi.standard.tables.build import Draft, DraftOptions, _Builder, build_draft, parse_date
from sanzhi.standard.tables.grid import MachineRow, TableFile
from sanzhi.standard.tables.layout import TableLayout, date_zh, fingerprint
from sanzhi.standard.tables.skeleton import Skeleton, SkItem

if TYPE_CHECKING:
    from sanzhi.standard.tables.draft import Imported

MACHINE_MARK = "sanzhi-rubric-machine"
MACHINE_SHEET = "机读数据"
FORMAT = "1"
HEADINGS = ("类型", "编号", "内容（JSON，请勿修改）", "表格指纹")
CHUNK = 30000  # characters per cell (Excel holds 32,767)
# Kept out of the machine data: a variant is exported resolved, as the rubric it is.
_RESOLVED_AWAY = ("extends", "variant_of")


def _typed(value: Any) -> Any:
    # JSON has no decimals or dates; an example village's answers (typed Any) must come back as
    # the Decimal and date they were, not as strings, so they are tagged.
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"not JSON: {type(value).__name__}")


def _untyped(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, text),) = obj.items()
        if key == "$decimal":
            return Decimal(text)
        if key == "$date":
            return datetime.date.fromisoformat(text)
        if key == "$datetime":
            return datetime.datetime.fromisoformat(text)
    return obj


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_typed)


def _plain(rubric: Rubric) -> dict[str, Any]:
    data = rubric.model_dump(mode="python", exclude_defaults=True)
    for key in _RESOLVED_AWAY:
        data.pop(key, None)
    return data


def machine_rows(rubric: Rubric, layout: TableLayout) -> list[tuple[str, str, str, str]]:
    """(kind, key, JSON, fingerprint) rows for the machine sheet, the "end" row last."""
    data = _plain(rubric)
    pieces: list[tuple[str, str, Any, str]] = []
    meta = {k: v for k, v in data.items() if k not in ("dimensions", "bonus")}
    pieces.append(("rubric", f"{rubric.id}@{rubric.version}", meta, fingerprint((layout.title, layout.info_line))))
    pieces.append(("rules", "", None, fingerprint([r.line for r in layout.rules])))
    shown = {d.id: d for d in layout.dimensions}
    for dim in data["dimensions"]:
        ld = shown[str(dim["id"])]
        pieces.append(("dimension", str(dim["id"]), {k: v for k, v in dim.items() if k != "indicators"}, fingerprint([ld.label])))
        for ind, li in zip(dim["indicators"], ld.indicators, strict=True):
            pieces.append(("indicator", str(ind["id"]), {k: v for k, v in ind.items() if k != "items"}, fingerprint([li.label])))
            for item, it in zip(ind["items"], li.items, strict=True):
                pieces.append(("item", str(item["id"]), item, fingerprint(it.texts)))
    if "bonus" in data:
        lb = layout.dimensions[-1]
        pieces.append(("bonus", "", {k: v for k, v in data["bonus"].items() if k != "items"}, fingerprint([lb.label])))
        for item, it in zip(data["bonus"]["items"], lb.items, strict=True):
            pieces.append(("bonus_item", str(item["id"]), item, fingerprint(it.texts)))
    rows: list[tuple[str, str, str, str]] = []
    for kind, key, value, fp in pieces:
        text = _json(value) if value is not None else ""
        first, rest = text[:CHUNK], text[CHUNK:]
        rows.append((kind, key, first, fp))
        while rest:
            rows.append(("+", key, rest[:CHUNK], ""))
            rest = rest[CHUNK:]
    digest = hashlib.sha256("".join(r[2] for r in rows).encode("utf-8")).hexdigest()
    rows.append(("end", str(len(rows)), digest, ""))
    return rows


# --------------------------------------------------------------------------- reading back


@dataclass
class _Piece:
    kind: str
    key: str
    value: Any
    fingerprint: str
    row: int


class MachineError(ValueError):
    pass


def _pieces(rows: Sequence[MachineRow]) -> list[_Piece]:
    if not rows or rows[-1].kind != "end":
        raise MachineError("缺少结束行")
    end = rows[-1]
    body = rows[:-1]
    if end.key != str(len(body)):
        raise MachineError(f"行数不符（应为 {end.key} 行，实际 {len(body)} 行）")
    if hashlib.sha256("".join(r.data for r in body).encode("utf-8")).hexdigest() != end.data:
        raise MachineError("内容校验值不符")
    out: list[_Piece] = []
    texts: list[list[str]] = []
    for r in body:
        if r.kind == "+":
            if not texts:
                raise MachineError(f"第 {r.row} 行是续行，但前面没有内容行")
            texts[-1].append(r.data)
            continue
        out.append(_Piece(r.kind, r.key, None, "", r.row))
        texts.append([r.data])
    heads = [r for r in body if r.kind != "+"]
    for piece, parts, head in zip(out, texts, heads, strict=True):
        text = "".join(parts)
        try:
            piece.value = json.loads(text, object_hook=_untyped) if text else None
        except json.JSONDecodeError:
            raise MachineError(f"第 {piece.row} 行的 JSON 无法读取") from None
        piece.fingerprint = head.fingerprint
    return out


@dataclass
class Machine:
    """The rubric as the machine sheet has it, with the fingerprints of its printed rows."""

    data: dict[str, Any]  # plain JSON data of the whole rubric
    title_fp: str
    rules_fp: str
    dims: dict[str, str]  # dimension id → label fingerprint
    inds: dict[str, str]
    items: dict[str, tuple[dict[str, Any], str, str | None, str | None]]  # id → (item, fingerprint, indicator id, dimension id)
    order: list[str]  # item ids in rubric order


def read_machine(rows: Sequence[MachineRow]) -> Machine:
    pieces = _pieces(rows)
    if not pieces or pieces[0].kind != "rubric" or not isinstance(pieces[0].value, dict):
        raise MachineError("第一行不是评分标准")
    data: dict[str, Any] = dict(pieces[0].value)
    m = Machine(data, pieces[0].fingerprint, "", {}, {}, {}, [])
    dims: list[dict[str, Any]] = []
    bonus: dict[str, Any] | None = None
    for p in pieces[1:]:
        if p.kind == "rules":
            m.rules_fp = p.fingerprint
        elif p.kind == "dimension":
            dims.append({**p.value, "indicators": []})
            m.dims[p.key] = p.fingerprint
        elif p.kind == "indicator":
            if not dims:
                raise MachineError(f"第 {p.row} 行的指标不属于任何维度")
            dims[-1]["indicators"].append({**p.value, "items": []})
            m.inds[p.key] = p.fingerprint
        elif p.kind == "item":
            if not dims or not dims[-1]["indicators"]:
                raise MachineError(f"第 {p.row} 行的评分项不属于任何指标")
            dims[-1]["indicators"][-1]["items"].append(p.value)
            m.items[p.key] = (p.value, p.fingerprint, str(dims[-1]["indicators"][-1]["id"]), str(dims[-1]["id"]))
            m.order.append(p.key)
        elif p.kind == "bonus":
            bonus = {**p.value, "items": []}
        elif p.kind == "bonus_item":
            if bonus is None:
                raise MachineError(f"第 {p.row} 行的加分项不属于加分部分")
            bonus["items"].append(p.value)
            m.items[p.key] = (p.value, p.fingerprint, None, None)
            m.order.append(p.key)
        else:
            raise MachineError(f"第 {p.row} 行的类型 “{p.kind}” 无法识别")
    data["dimensions"] = dims
    if bonus is not None:
        data["bonus"] = bonus
    return m


def exact(data: dict[str, Any]) -> dict[str, Any]:
    """The machine data as a rubric's Python data (Decimals, dates) for the YAML writer."""
    rubric = Rubric.model_validate(data)
    out = rubric.model_dump(mode="python", exclude_defaults=True)
    for key in _RESOLVED_AWAY:
        out.pop(key, None)
    return out


# --------------------------------------------------------------------------- the import


def _machine_loc(tf: TableFile, row: int | None = None) -> Location:
    return Location(tf.file, sheet=tf.machine_sheet, row=row)


def _names(node: Any) -> set[str]:
    from sanzhi.standard.tables.build import _names as names

    return names(node)


def _prune(data: dict[str, Any]) -> list[str]:
    """Drop answer and derived fields no rule, veto or tier reads any more (an edited item
    was read again and its old fields are left over); the names dropped."""
    dropped: list[str] = []
    while True:
        used = _names({k: v for k, v in data.items() if k not in ("fields", "attributes", "examples")})
        used |= {v.get("date_field") for v in data.get("vetoes", []) if v.get("date_field")}
        gone = [f["id"] for key in ("fields", "derived") for f in data.get(key, []) if f["id"] not in used]
        if not gone:
            return dropped
        for key in ("fields", "derived"):
            if key in data:
                data[key] = [f for f in data[key] if f["id"] not in gone]
                if not data[key]:
                    del data[key]
        dropped += gone


def _visible_block(sk: Skeleton) -> dict[str, str]:
    return {k: v for k, (v, _) in sk.block.items()}


def _title_changed(sk: Skeleton, data: dict[str, Any], options: DraftOptions) -> list[tuple[str, str, Any]]:
    """(key, label, new value) for each title-block field the person changed in the table."""
    block = _visible_block(sk)
    out: list[tuple[str, str, Any]] = []
    rubric_title = str(data["title"])
    shown_title = sk.title or ""
    if shown_title and shown_title not in (rubric_title, f"{rubric_title}（征求意见稿）"):
        out.append(("title", "名称", shown_title.removesuffix("（征求意见稿）")))
    if "issuer" in block and block["issuer"] != str(data["issuer"]):
        out.append(("issuer", "发布单位", block["issuer"]))
    if "version" in block and block["version"] != str(data["version"]):
        out.append(("version", "版本", block["version"]))
    if "effective" in block:
        d = parse_date(block["effective"])
        if d is not None and block["effective"] != date_zh(Rubric.model_validate({**data}).effective_date):
            out.append(("effective_date", "施行日期", d))
    return out


def _rebuild(tf: TableFile, sk: Skeleton, m: Machine, options: DraftOptions, warnings: list[Diagnostic]) -> dict[str, Any]:
    """The machine rubric with what the table changed: edited and added rows read again from the
    table, deleted rows dropped, structure as the table now has it."""
    data = {k: v for k, v in m.data.items() if k not in ("dimensions", "bonus")}
    # Fields of items read again are named <prefix><n>_<k>, like a first import; a rubric that
    # was itself imported has such names already, so the prefix is one no field uses that way.
    taken = {str(f["id"]) for key in ("fields", "attributes", "derived") for f in data.get(key, [])}
    prefix = next(p for p in ("i", "r", "e", "x", "imp", "imported") if not any(re.match(rf"^{p}\d+_\d+$", t) for t in taken))
    builder = _Builder(sk, options, prefix=prefix)
    machine_dims = {str(d["id"]): d for d in m.data["dimensions"]}
    machine_inds = {str(i["id"]): i for d in m.data["dimensions"] for i in d["indicators"]}
    seen: set[str] = set()
    reread: list[str] = []

    def item_for(it: SkItem) -> dict[str, Any]:
        seen.add(it.id)
        known = m.items.get(it.id)
        if known is not None and fingerprint(it.texts) == known[1]:
            return dict(known[0])
        fresh = builder.item(it)
        reread.append(it.id)
        if known is not None:
            for key in ("advice", "applies_when", "not_applicable"):
                if key in known[0]:
                    fresh[key] = known[0][key]
            warnings.append(Diagnostic("T215", f"评分项 “{it.id}” 在导出后被修改，已按表格中的文字重新识别规则", it.loc, severity="warning"))
        else:
            warnings.append(Diagnostic("T215", f"评分项 “{it.id}” 是导出后新增的，已按表格中的文字识别规则", it.loc, severity="warning"))
        return fresh

    dims: list[dict[str, Any]] = []
    bonus: dict[str, Any] | None = None
    for d in sk.dimensions:
        if d.kind == "bonus":
            items = [item_for(it) for it in d.items]
            old = m.data.get("bonus") or {}
            bonus = {**{k: v for k, v in old.items() if k != "items"}, "items": items}
            bonus.setdefault("name", d.name)
            bonus.setdefault("cap", d.cap or sum((Decimal(str(i["points"])) for i in items), Decimal(0)))
            continue
        if d.kind == "veto":
            continue
        inds = []
        for ind in d.indicators:
            items = [item_for(it) for it in ind.items]
            if not items:
                continue
            base = dict(machine_inds.get(ind.id, {"id": ind.id, "name": ind.name}))
            if not ind.implicit and ind.id in m.inds and fingerprint([ind.text]) != m.inds[ind.id]:
                base["name"] = ind.name
                warnings.append(Diagnostic("T215", f"指标 “{ind.id}” 的名称在导出后被修改，草案采用表格中的 “{ind.name}”", ind.loc, severity="warning"))
            inds.append({**{k: v for k, v in base.items() if k != "items"}, "points": _total(items), "items": items})
        base = dict(machine_dims.get(d.id, {"id": d.id, "name": d.name}))
        if d.id in m.dims and fingerprint([d.text]) != m.dims[d.id]:
            base["name"] = d.name
            warnings.append(Diagnostic("T215", f"维度 “{d.id}” 的名称在导出后被修改，草案采用表格中的 “{d.name}”", d.loc, severity="warning"))
        if inds:
            dims.append({**{k: v for k, v in base.items() if k != "indicators"}, "points": _total(inds), "indicators": inds})
    for ident in m.order:
        if ident not in seen:
            warnings.append(Diagnostic("T215", f"评分项 “{ident}” 已从表格中删除，草案中不再有此项", _machine_loc(tf), severity="warning"))
    data["fields"] = [*data.get("fields", []), *builder.fields]
    if not data["fields"]:
        del data["fields"]
    data["dimensions"] = dims
    if bonus is not None:
        data["bonus"] = bonus
    data["total_points"] = fmt(_total(dims))
    data["status"] = "draft"
    data["_reread"] = reread
    for name in _prune(data):
        warnings.append(Diagnostic("T215", f"字段 “{name}” 已无规则使用（其评分项在表格中被修改或删除），已从草案中删去", _machine_loc(tf), severity="warning"))
    return data


def _total(parts: Iterable[dict[str, Any]]) -> Decimal:
    return sum((Decimal(str(p["points"])) for p in parts), Decimal(0))


def draft_from_machine(tf: TableFile, options: DraftOptions) -> "Imported":
    from sanzhi.standard.tables.draft import Imported, pick_skeleton

    assert tf.machine is not None
    try:
        m = read_machine(tf.machine)
        Rubric.model_validate(m.data)
    except (MachineError, ValidationError) as e:
        reason = str(e) if isinstance(e, MachineError) else "内容不是有效的评分标准"
        sk = pick_skeleton(tf)
        draft = build_draft(sk, options)
        draft.warnings.insert(0, Diagnostic("T220", f"“{tf.machine_sheet}” 工作表已损坏（{reason}），改为按表格文字识别", _machine_loc(tf),
                                            severity="warning"))
        return Imported(draft, sk, machine=False)
    sk = pick_skeleton(tf, exported=True)
    warnings: list[Diagnostic] = []
    changed = [] if fingerprint(sk.above[:2]) == m.title_fp else _title_changed(sk, m.data, options)
    visible = {it.id: it for it in sk.items}
    edited = [i for i in m.order if i not in visible or fingerprint(visible[i].texts) != m.items[i][1]]
    added = [i for i in visible if i not in m.items]
    notes_fp = fingerprint([t for t, _ in sk.notes])
    if notes_fp != m.rules_fp:
        warnings.append(Diagnostic("T215", "表后的等级、一票否决等说明在导出后被修改；草案仍按机读数据中的规则，如需改动请直接修改草案的 rating 与 vetoes",
                                   sk.notes[0][1] if sk.notes else sk.grid.at(), severity="warning"))
    renamed = [d.id for d in sk.dimensions if d.kind == "normal" and d.id in m.dims and fingerprint([d.text]) != m.dims[d.id]]
    renamed += [i.id for d in sk.dimensions for i in d.indicators
                if not i.implicit and i.id in m.inds and fingerprint([i.text]) != m.inds[i.id]]
    reread: list[str] = []
    if edited or added or renamed:
        data = _rebuild(tf, sk, m, options, warnings)
        reread = data.pop("_reread")
    else:
        data = m.data
    for key, label, value in changed:
        data = {**data, key: value}
        warnings.append(Diagnostic("T215", f"标题栏中的{label}在导出后被修改，草案采用表格中的 “{value}”", sk.grid.at(), severity="warning"))
    overrides = {k: v for k, v in (("id", options.rubric_id), ("version", options.version), ("title", options.title)) if v}
    data = {**data, **overrides}
    try:
        result = exact(data)
    except ValidationError:
        # The table's edits made the data invalid (e.g. a 分值 of 0): keep them, the check says what is wrong.
        result = data
    where = f"工作表 “{sk.grid.sheet}”" if sk.grid.sheet else ""
    draft = Draft(result, warnings, {it.id: it.loc for it in sk.items}, [], where, reread=reread)
    return Imported(draft, sk, machine=True)


__all__ = ["FORMAT", "HEADINGS", "MACHINE_MARK", "MACHINE_SHEET", "Machine", "MachineError", "exact", "machine_rows", "read_machine"]
