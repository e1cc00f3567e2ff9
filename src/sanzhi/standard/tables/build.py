"""A table's skeleton → the rubric data of a draft: rules recognised cell by cell.

Every item's 评分细则 goes through `recognize_cell`; notes, veto rows and the title block's
remarks through `recognize_note` (vetoes with look-back windows, pass marks, application
gates). Nothing is dropped: a clause no pattern understands becomes a `judgment` rule with the
text kept (the recognizer's rule), and every recognizer warning becomes a located warning
naming the row and the clause. Each item records `provenance: quoted` and the 评分细则 cell
verbatim as its `clause`.

Pure: the skeleton in, plain rubric data (dicts, Decimals, dates) and warnings out.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sanzhi.common.errors import Diagnostic, Location
from sanzhi.common.numbers import fmt
from sanzhi.standard.recognize import Recognition, recognize_cell, recognize_note
from sanzhi.standard.rules import KIND_NAMES
from sanzhi.standard.tables.methods import parse_methods
from sanzhi.standard.tables.skeleton import ID_CHARS, Skeleton, SkItem, short_name

# The rule kinds this engine scores; the recognizer may know more (a kind added to it first).
ENGINE_KINDS = frozenset(KIND_NAMES)

WARNING_CODES = {
    "unrecognized": "T200", "set_aside": "T201", "remark": "T202", "points_mismatch": "T203",
    "ambiguous_boundary": "T204", "conditional_target": "T205", "grade_scores": "T206", "needs_points": "T207",
    "cap_unattached": "T208", "lookback": "T209", "scored_by": "T210",
}
_DATE = re.compile(r"(\d{4})\s*(?:年|-|\.|/)\s*(\d{1,2})\s*(?:月|-|\.|/)\s*(\d{1,2})\s*日?")
_NAMES = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class DraftOptions:
    """What the person importing says, and what the table cannot: its identity."""

    source: str  # the file name the draft's header names
    rubric_id: str | None = None
    version: str | None = None
    title: str | None = None
    effective_date: date | None = None  # used when the table states none (the CLI passes today)


@dataclass
class Draft:
    data: dict[str, Any]  # rubric data, ready for the YAML writer
    warnings: list[Diagnostic]
    item_rows: dict[str, Location] = field(default_factory=dict)  # item id → where its row is
    placeholders: list[str] = field(default_factory=list)  # what the table did not say (in the header comment)
    where: str = ""  # "工作表 “Sheet1”" / "第 1 个表格"
    reread: list[str] = field(default_factory=list)  # items of an exported table read again from the table (edited rows)


def slug_id(text: str, fallback: str = "imported") -> str:
    """An id from a file stem or title: CJK, ASCII letters and digits kept, the rest a hyphen."""
    out = re.sub(r"[^0-9A-Za-z\u4e00-\u9fff._\-]+", "-", text).strip("-._")
    out = re.sub(r"-{2,}", "-", out)[:64].rstrip("-._")
    return out if out and ID_CHARS.match(out) else fallback


def parse_date(text: str) -> date | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _warn(out: list[Diagnostic], rec: Recognition, loc: Location, item: str | None) -> None:
    for w in rec.warnings:
        where = f"评分项 “{item}”：" if item else ""
        clause = w.clause if len(w.clause) <= 80 else w.clause[:80] + "…"
        message = w.message if w.clause in w.message else f"{w.message}（“{clause}”）"
        out.append(Diagnostic(WARNING_CODES.get(w.code, "T200"), where + message, loc, severity="warning"))


def _names(node: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in ("when", "count", "value", "target", "date_field", "requires", "expr", "applies_when") and isinstance(value, str):
                out |= set(_NAMES.findall(value))
            else:
                out |= _names(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            out |= _names(value)
    return out


def _engine_rules(rules: list[dict[str, Any]], points: Decimal, text: str, loc: Location, item: str,
                  warnings: list[Diagnostic]) -> list[dict[str, Any]]:
    """Rules of a kind the engine does not score yet become one judgment with the clause kept."""
    unknown = [r for r in rules if r["kind"] not in ENGINE_KINDS]
    if not unknown:
        return rules
    kinds = "、".join(sorted({r["kind"] for r in unknown}))
    warnings.append(Diagnostic("T211", f"评分项 “{item}”：识别出的规则类型 {kinds} 本版本尚不能计分，整项改为评审判断项并保留原文",
                               loc, severity="warning"))
    return [{"kind": "judgment", "min": Decimal(0), "max": points, "guidance": text.strip()}]


class _Builder:
    def __init__(self, sk: Skeleton, options: DraftOptions, prefix: str = "i") -> None:
        self.sk = sk
        self.o = options
        self.prefix = prefix  # field ids are <prefix><item number>_<n>
        self.warnings: list[Diagnostic] = list(sk.warnings)
        self.fields: list[dict[str, Any]] = []
        self.vetoes: list[dict[str, Any]] = []
        self.gates: list[tuple[dict[str, Any], Location]] = []
        self.scored: list[str | None] = []
        self.rows: dict[str, Location] = {}
        self.n = 0

    def item(self, it: SkItem) -> dict[str, Any]:
        self.n += 1
        assert it.points is not None  # a missing 分值 is an error before building
        criterion = it.criterion or it.name or it.rules.strip()
        name = it.name or short_name(criterion)
        text = it.rules
        self.rows[it.id] = it.loc
        if text.strip():
            rec = recognize_cell(text, points=it.points, criterion=criterion, id_prefix=f"{self.prefix}{self.n}")
            _warn(self.warnings, rec, it.rules_loc, it.id)
            plain = rec.to_plain()
            rules = _engine_rules(plain["rules"], it.points, text, it.rules_loc, it.id, self.warnings)
            used = _names(rules) | _names(plain["vetoes"])
            for spec in plain["fields"]:
                if spec["id"] in used:
                    spec.setdefault("help", f"评分项 {it.id}（原表第 {it.loc.row} 行）。")
                    self.fields.append(spec)
            self.vetoes += plain["vetoes"]
            self.gates += [(g, it.rules_loc) for g in plain["gates"]]
            scored_by = it.scored_by or rec.scored_by
            clause = text
        else:
            rules = [{"kind": "judgment", "min": Decimal(0), "max": it.points, "guidance": criterion}]
            self.warnings.append(Diagnostic("T213", f"评分项 “{it.id}” 的评分细则为空，已作为评审判断项（0～{fmt(it.points)} 分，依评定标准评分）",
                                            it.rules_loc, severity="warning"))
            scored_by = it.scored_by
            clause = criterion
        out: dict[str, Any] = {"id": it.id, "name": name, "points": it.points, "criterion": criterion,
                               "provenance": "quoted", "clause": clause, "rules": rules}
        if it.method.strip():
            methods, documents, unknown = parse_methods(it.method)
            if unknown:
                self.warnings.append(Diagnostic("T212", f"评分项 “{it.id}” 的考核方法中 “{'、'.join(unknown)}” 不是已知的考核方法，已作为佐证材料记录",
                                                it.method_loc, expected="听取汇报、审核材料、实地察看、访问调查、问卷调查、抽查村民、系统数据", severity="warning"))
            if methods:
                out["evidence"] = {"methods": methods, **({"documents": documents} if documents else {})}
            elif documents:
                out["evidence"] = {"methods": ["审核材料"], "documents": documents}
        if scored_by:
            out["scored_by"] = scored_by
        self.scored.append(scored_by)
        return out

    def note(self, text: str, loc: Location, prefix: str, verbatim: str | None = None) -> None:
        rec = recognize_note(text, id_prefix=prefix)
        _warn(self.warnings, rec, loc, None)
        plain = rec.to_plain()
        used = _names(plain["vetoes"])
        self.fields += [f for f in plain["fields"] if f["id"] in used]
        for veto in plain["vetoes"]:
            if verbatim is not None:
                veto["clause"] = verbatim  # the row as written, not the sentence made to read it
            self.vetoes.append(veto)
        self.gates += [(g, loc) for g in plain["gates"]]

    def build(self) -> Draft:
        sk = self.sk
        dims: list[dict[str, Any]] = []
        bonus: dict[str, Any] | None = None
        notes = 0
        for d in sk.dimensions:
            if d.kind == "veto":
                for text, loc in d.veto_rows:
                    notes += 1
                    self.note(text if "否决" in text else f"{text}，实行一票否决", loc, f"v{notes}", f"{d.name}：{text}")
                continue
            if d.kind == "bonus":
                items = [self.item(it) for it in d.items]
                cap = d.cap or sum((i["points"] for i in items), Decimal(0))
                if bonus is None:
                    bonus = {"name": d.name, "cap": cap, "items": items}
                else:
                    bonus["cap"] += cap
                    bonus["items"] += items
                continue
            indicators = []
            for ind in d.indicators:
                if not ind.items:
                    continue
                items = [self.item(it) for it in ind.items]
                indicators.append({"id": ind.id, "name": ind.name, "points": sum((i["points"] for i in items), Decimal(0)),
                                   "items": items})
            if indicators:
                dims.append({"id": d.id, "name": d.name, "points": sum((i["points"] for i in indicators), Decimal(0)),
                             "indicators": indicators})
        for text, loc in sk.notes:
            notes += 1
            self.note(text, loc, f"v{notes}")
        return self.assemble(dims, bonus)

    def rating(self) -> tuple[dict[str, Any], list[str]]:
        tiers: dict[Decimal, dict[str, Any]] = {}
        gate: dict[str, Any] | None = None
        for g, _loc in self.gates:
            if g["kind"] == "apply_gate":
                gate = gate or {"min_self_score": g["min_score"], "text": g["clause"]}
            elif g["min_score"] not in tiers:
                name = g.get("name") or f"{fmt(g['min_score'])}分以上"
                ident = slug_id(name, f"t{len(tiers) + 1}")
                tiers[g["min_score"]] = {"id": ident, "name": name, "min_score": g["min_score"]}
        placeholders = []
        ordered = [tiers[k] for k in sorted(tiers, reverse=True)]
        seen: set[str] = set()
        for n, t in enumerate(ordered):
            if t["id"] in seen:
                t["id"] = f"t{n + 1}"
            seen.add(t["id"])
        if not ordered:
            ordered = [{"id": "pending", "name": "待定等级", "min_score": Decimal(0)}]
            placeholders.append("等级：表中未见等级门槛，暂设 “待定等级”（0 分以上），请按标准改写 rating.tiers")
            self.warnings.append(Diagnostic("T214", "表中未见等级规则（如 “90分以上为示范村”），草案暂设一个 0 分以上的 “待定等级”，须改写",
                                            self.sk.grid.at(), severity="warning"))
        rating: dict[str, Any] = {}
        if gate is not None:
            rating["apply_gate"] = gate
        rating["tiers"] = ordered
        return rating, placeholders

    def assemble(self, dims: list[dict[str, Any]], bonus: dict[str, Any] | None) -> Draft:
        sk, o = self.sk, self.o
        placeholders: list[str] = []
        total = sum((d["points"] for d in dims), Decimal(0))
        title = o.title or sk.title or re.sub(r"\.[^.]+$", "", o.source.replace("\\", "/").rsplit("/", 1)[-1])
        block = {k: v for k, (v, _) in sk.block.items()}
        issuer = block.get("issuer")
        if not issuer:
            issuer = "（待填写：发布机关）"
            placeholders.append("发布机关：表中未写明（issuer）")
        version = o.version or block.get("version") or "1"
        effective = parse_date(block["effective"]) if "effective" in block else None
        if effective is None:
            effective = o.effective_date or date(2000, 1, 1)
            placeholders.append(f"施行日期：表中未写明，暂填 {effective.isoformat()}（effective_date）")
        where = f"工作表 “{sk.grid.sheet}”" if sk.grid.sheet else f"第 {sk.grid.table} 个表格" if sk.grid.table else ""
        source = o.source + (f"（{where}）" if where else "")
        vetoes = []
        for n, v in enumerate(self.vetoes, start=1):
            vetoes.append({**v, "id": f"V{n}"})
        rating, tier_placeholders = self.rating()
        placeholders += tier_placeholders
        description_parts = []
        if "note" in block:
            description_parts.append(block["note"])
        if sk.notes:
            description_parts.append("原表附注：" + "；".join(t for t, _ in sk.notes))
        data: dict[str, Any] = {
            "schema_version": 1,
            "id": o.rubric_id or slug_id(title),
            "version": version,
            "status": "draft",
            "title": title,
            "issuer": issuer,
            "effective_date": effective,
        }
        if description_parts:
            data["description"] = "\n".join(description_parts)
        data["provenance_note"] = (
            f"由 sanzhi rubric import 从 {source} 导入的草案：评定标准与评分细则按原表逐字引用"
            "（provenance: quoted，clause 为该项评分细则原文）；规则、字段与一票否决由评分细则识别器生成，须逐项复核。")
        data["changelog"] = [{"version": version, "date": effective, "changes": f"由 {o.source} 导入，待复核"}]
        data["precision"] = _precision(dims, bonus)
        data["total_points"] = total
        if self.fields:
            data["fields"] = self.fields
        data["dimensions"] = dims
        if bonus is not None:
            data["bonus"] = bonus
        if vetoes:
            data["vetoes"] = vetoes
        data["rating"] = rating
        return Draft(data, self.warnings, self.rows, placeholders, where)


def _amounts(node: Any) -> Iterable[Decimal]:
    if isinstance(node, Decimal):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _amounts(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _amounts(value)


def _precision(dims: list[dict[str, Any]], bonus: dict[str, Any] | None) -> Decimal:
    """0.1 unless an amount needs more places (0.25 points → 0.01)."""
    places = max((-int(a.normalize().as_tuple().exponent) for a in _amounts([dims, bonus])), default=1)
    places = max(1, min(places, 4))
    return Decimal(1).scaleb(-places)


def build_draft(sk: Skeleton, options: DraftOptions) -> Draft:
    """The draft rubric data for a table whose skeleton has no errors."""
    return _Builder(sk, options).build()


__all__ = ["ENGINE_KINDS", "Draft", "DraftOptions", "build_draft", "parse_date", "slug_id"]
