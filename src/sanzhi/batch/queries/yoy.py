"""Year over year: each village's (or unit's) scores against the base year's, part by part.

Items of the two years' rubrics are paired as `rubric diff` pairs them
(`sanzhi.standard.lineage`: the newer rubric's crosswalk, the same id, identical content), from
the outlines stored with the runs (`rubric_outlines`). A paired item is comparable when its
content (everything but id and name) is the same; a renumbered or moved one says so. A dimension
is comparable when its points are the same and it holds the same items (through the pairing),
all of them comparable. A total is comparable only when the rubric hash is the same. Years whose
rubric was recorded without an outline (by an earlier sanzhi) are compared by id and definition
hash (`rubric_parts`). Everything not comparable is still shown, flagged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from sanzhi.batch.queries.rows import VillageRow, latest_rows
from sanzhi.batch.store import Store, dec, parse_item_scores
from sanzhi.common.numbers import fmt
from sanzhi.standard.lineage import Outline, Pairing, ids_in, outline_from_json, pair, place_text


class Part(NamedTuple):
    name: str
    points: Decimal | None
    part_hash: str
    position: int


def rubric_parts(store: Store, rubric_hash: str) -> dict[tuple[str, str], Part]:
    return {
        (kind, pid): Part(name, dec(points), h, pos)
        for kind, pid, name, points, h, pos in store.query(
            "SELECT kind, part_id, name, points, part_hash, position FROM rubric_parts WHERE rubric_hash = ?", (rubric_hash,))
    }


class Change(NamedTuple):
    """One dimension or item compared across two years."""

    id: str
    name: str
    base: Decimal | None  # None: absent that year
    current: Decimal | None
    delta: Decimal | None
    comparable: bool
    note: str  # why not comparable, or that it was renumbered or moved; else ""
    base_id: str | None = None  # the item's id in the base year, when it was renumbered


class VillageChange(NamedTuple):
    village_code: str
    village_name: str
    township: str
    county: str
    base: VillageRow | None
    current: VillageRow | None
    delta: Decimal | None
    comparable: bool  # same rubric (hash) both years
    note: str
    dimensions: tuple[Change, ...]
    items: tuple[Change, ...]  # only when asked for
    pairing: str | None = None  # how items were paired across the two rubrics, in words (a crosswalk)


def _item_scores(store: Store, row: VillageRow) -> dict[str, Decimal]:
    found = store.query("SELECT scores FROM item_scores WHERE run_key = ? AND village_code = ? AND level = ?",
                        (row.run_key, row.village_code, row.operative_level))
    return parse_item_scores(found[0][0]) if found else {}


def _scores(store: Store, table: str, key: str, row: VillageRow) -> dict[str, Decimal]:
    return {
        pid: dec(score)  # type: ignore[misc]
        for pid, score in store.query(
            f"SELECT {key}, score FROM {table} WHERE run_key = ? AND village_code = ? AND level = ?",
            (row.run_key, row.village_code, row.operative_level))
    }


def _what(kind: str) -> str:
    return "维度" if kind == "dimension" else "评分项"


def _compare(kind: str, base: dict[str, Decimal], cur: dict[str, Decimal], bparts: dict[tuple[str, str], Part],
             cparts: dict[tuple[str, str], Part]) -> tuple[Change, ...]:
    """By id and definition hash: the comparison for rubrics recorded without an outline."""
    ids = sorted(set(base) | set(cur), key=lambda i: (
        (cparts.get((kind, i)) or bparts.get((kind, i)) or Part("", None, "", 1 << 30)).position, i))
    out = []
    for i in ids:
        bp, cp = bparts.get((kind, i)), cparts.get((kind, i))
        b, c = base.get(i), cur.get(i)
        what = _what(kind)
        if b is None or bp is None:
            note = f"上一年度无此{what}"
        elif c is None or cp is None:
            note = f"本年度无此{what}"
        elif bp.part_hash != cp.part_hash:
            note = f"评分标准中该{what}的定义已变化" + (f"（分值 {bp.points} → {cp.points}）" if bp.points != cp.points else "")
        else:
            note = ""
        name = (cp or bp).name if (cp or bp) else i  # type: ignore[union-attr]
        out.append(Change(i, name, b, c, None if b is None or c is None else c - b, not note, note))
    return tuple(out)


class Link(NamedTuple):
    """Two years' rubrics, their outlines and which item is which (`sanzhi.standard.lineage`)."""

    base: Outline
    current: Outline
    pairing: Pairing

    @property
    def described(self) -> str | None:
        return self.pairing.crosswalk


def link(store: Store, base_hash: str, current_hash: str) -> Link | None:
    """The link between two stored rubrics; None when either was recorded without an outline."""
    b, c = store.rubric_outline(base_hash), store.rubric_outline(current_hash)
    if b is None or c is None:
        return None
    bo, co = outline_from_json(b), outline_from_json(c)
    return Link(bo, co, pair(bo, co))


def _delta(b: Decimal | None, c: Decimal | None) -> Decimal | None:
    return None if b is None or c is None else c - b


def _linked_items(lk: Link, base: dict[str, Decimal], cur: dict[str, Decimal]) -> tuple[Change, ...]:
    bo, co, p = lk.base, lk.current, lk.pairing
    back = {j: i for i, j, _ in p.pairs}
    grouped_new = {j: g for g in p.groups for j in g.new}
    grouped_old = {i: g for g in p.groups for i in g.old}
    out = []
    for j in [*co.items, *(k for k in cur if k not in co.items)]:
        if j not in cur and j not in back:
            continue
        y = co.items.get(j)
        name = y.name if y else j
        if j in back and y is not None:
            i = back[j]
            x = bo.items[i]
            same = x.content == y.content
            notes = []
            if i != j:
                notes.append(f"原编号 {i}（改号" + ("，内容不变）" if same else "）"))
            if x.place != y.place:
                notes.append(f"自{place_text(x)}移至{place_text(y)}")
            if not same:
                notes.append("评分标准中该评分项的定义已变化" + (f"（分值 {fmt(x.points)} → {fmt(y.points)}）" if x.points != y.points else ""))
            b, c = base.get(i), cur.get(j)
            out.append(Change(j, name, b, c, _delta(b, c), same and b is not None and c is not None, "；".join(notes),
                              i if i != j else None))
        elif j in grouped_new:
            g = grouped_new[j]
            how = "拆分而来" if g.kind == "split" else "合并而来"
            out.append(Change(j, name, None, cur.get(j), None, False, f"由 {'、'.join(g.old)} {how}，不跨版本对比"))
        else:
            out.append(Change(j, name, None, cur.get(j), None, False, "上一年度无此评分项（新增）"))
    for i in bo.items:
        if i in back.values() or i not in base:
            continue
        x = bo.items[i]
        if i in grouped_old:
            g = grouped_old[i]
            note = f"已拆分为 {'、'.join(g.new)}" if g.kind == "split" else f"已并入 {'、'.join(g.new)}"
        else:
            note = "本年度无此评分项（已删除）"
        out.append(Change(i, x.name, base.get(i), None, None, False, note))
    return tuple(out)


def _linked_dimensions(lk: Link, base: dict[str, Decimal], cur: dict[str, Decimal]) -> tuple[Change, ...]:
    bo, co, p = lk.base, lk.current, lk.pairing
    ids = p.ids()
    out = []
    for d in [*co.dimensions, *(k for k in bo.dimensions if k not in co.dimensions)]:
        b, c = base.get(d), cur.get(d)
        if b is None and c is None:
            continue
        x, y = bo.dimensions.get(d), co.dimensions.get(d)
        if x is None or y is None:
            note = "上一年度无此维度" if x is None else "本年度无此维度"
            out.append(Change(d, (y or x).name if (y or x) else d, b, c, None, False, note))  # type: ignore[union-attr]
            continue
        old, new = ids_in(bo, d), ids_in(co, d)
        carried = [ids[i] for i in old if i in ids]
        if x.points != y.points:
            note = f"评分标准中该维度的分值已变化（{fmt(x.points)} → {fmt(y.points)}）"
        elif len(carried) != len(old) or set(carried) != set(new):
            gone = [i for i in old if ids.get(i) not in new]
            came = [j for j in new if j not in carried]
            note = "所含评分项有变化：" + "；".join(filter(None, (
                f"移出或删除 {'、'.join(gone)}" if gone else "", f"移入或新增 {'、'.join(came)}" if came else "")))
        elif changed := [ids[i] for i in old if bo.items[i].content != co.items[ids[i]].content]:
            note = f"所含评分项的定义有变化：{'、'.join(changed)}"
        else:
            renamed = [f"{i} → {ids[i]}" for i in old if ids[i] != i]
            note = f"含改号评分项 {'、'.join(renamed)}，内容不变，仍可比" if renamed else ""
            out.append(Change(d, y.name, b, c, _delta(b, c), b is not None and c is not None, note))
            continue
        out.append(Change(d, y.name, b, c, _delta(b, c), False, note))
    return tuple(out)


def year_over_year(store: Store, year: int, base_year: int, *, code: str | None = None, township: str | None = None,
                   county: str | None = None, items: bool = False, unit: str = "village", period: str = "",
                   base_period: str | None = None) -> list[VillageChange]:
    """This year (or period) against the base year's: by default the same period of the base year
    (2025-11 against 2024-11); `base_period` names another (a period-over-period comparison)."""
    if base_period is None:
        base_period = same_period(period, base_year)
    cur_rows = {r.village_code: r for r in latest_rows(store, year=year, township=township, county=county, code=code,
                                                        unit=unit, period=period)}
    if code is not None or township is None and county is None:
        base_rows = {r.village_code: r for r in latest_rows(store, year=base_year, code=code, unit=unit, period=base_period)}
    else:  # villages of that township/county this year, wherever they were filed last year
        base_rows = {}
        for c in cur_rows:
            base_rows.update({r.village_code: r for r in latest_rows(store, year=base_year, code=c, unit=unit,
                                                                     period=base_period)})
    parts_cache: dict[str, dict[tuple[str, str], Part]] = {}
    links: dict[tuple[str, str], Link | None] = {}

    def parts(h: str) -> dict[tuple[str, str], Part]:
        if h not in parts_cache:
            parts_cache[h] = rubric_parts(store, h)
        return parts_cache[h]

    out = []
    for vc in sorted(set(cur_rows) | (set(base_rows) if code is not None else set())):
        cur, base = cur_rows.get(vc), base_rows.get(vc)
        ref = cur or base
        assert ref is not None
        if cur is None or base is None:
            missing_year, missing_period = (base_year, base_period) if base is None else (year, period)
            if missing_period:
                from sanzhi.common.periods import stored_period

                note = f"{stored_period(missing_year, missing_period).label}无评分记录"
            else:
                note = f"{missing_year} 年度无评分记录"
            out.append(VillageChange(vc, ref.village_name, ref.township, ref.county, base, cur, None, False, note, (), ()))
            continue
        same = cur.rubric_hash == base.rubric_hash
        note = "" if same else (
            f"评分标准已变化：{base.rubric_id}@{base.rubric_version} → {cur.rubric_id}@{cur.rubric_version}"
            if (base.rubric_id, base.rubric_version) != (cur.rubric_id, cur.rubric_version)
            else f"评分标准内容已变化（{base.rubric_id}@{base.rubric_version}，hash 不同）")
        key = (base.rubric_hash, cur.rubric_hash)
        if key not in links:
            links[key] = None if same else link(store, *key)
        lk = links[key]
        bdims = _scores(store, "dimension_scores", "dimension_id", base)
        cdims = _scores(store, "dimension_scores", "dimension_id", cur)
        if lk is None:
            bp, cp = parts(base.rubric_hash), parts(cur.rubric_hash)
            dims = _compare("dimension", bdims, cdims, bp, cp)
            its = _compare("item", _item_scores(store, base), _item_scores(store, cur), bp, cp) if items else ()
        else:
            dims = _linked_dimensions(lk, bdims, cdims)
            its = _linked_items(lk, _item_scores(store, base), _item_scores(store, cur)) if items else ()
        out.append(VillageChange(vc, cur.village_name, cur.township, cur.county, base, cur, cur.total - base.total,
                                 same, note, dims, its, lk.described if lk else None))
    return out



def same_period(period: str, year: int) -> str:
    """The same period in another year: 2025-11 → 2024-11 ('' stays the year)."""
    if not period:
        return ""
    from sanzhi.common.periods import Period, parse_period

    p = parse_period(period)
    return Period(year, p.kind, p.index).stored



__all__ = ["Change", "Link", "Part", "VillageChange", "link", "rubric_parts", "same_period", "year_over_year"]
