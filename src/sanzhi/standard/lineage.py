"""Which item of one rubric version is which item of another.

One pairing, shared by `rubric diff`, `rubric impact`, village data carried to another
version (`sanzhi.inputs.retarget`) and the year-over-year queries over stored runs
(`sanzhi.batch.queries.yoy`, `.history`). Items are paired in this order, each id used once:

1. the crosswalk, when one version names the other as its `previous` (renamed pairs, and
   split / merged groups; used backwards when comparing the newer version with the older);
2. the same id in both;
3. identical content (everything but id and name) among the items still unpaired, when
   unique on both sides: a renumbered item nobody declared.

The pairing works on an outline of each version (`Outline`): per item its content hash and
where it sits, per dimension its points, and the crosswalk. A batch run stores the outline of
its rubric with the run (`rubric_outlines`), so a later comparison pairs items without the
rubric files.
"""

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NamedTuple

from sanzhi.common.numbers import fmt
from sanzhi.standard.models import Item, Rubric

BONUS_PLACE = "加分项"  # the "indicator" of a bonus item


class CrosswalkEntry(NamedTuple):
    change: str  # renamed | split | merged
    old: tuple[str, ...]
    new: tuple[str, ...]
    note: str | None


class CrosswalkOutline(NamedTuple):
    previous: str  # ID@VERSION the old ids belong to
    entries: tuple[CrosswalkEntry, ...]


class ItemOutline(NamedTuple):
    name: str
    points: Decimal
    dimension: str | None  # None: a bonus item
    place: str  # indicator id, or BONUS_PLACE
    content: str  # sha256 of everything but id and name


class DimensionOutline(NamedTuple):
    name: str
    points: Decimal


class Outline(NamedTuple):
    """What pairing and comparing two versions need of one of them."""

    ref: str  # ID@VERSION
    crosswalk: CrosswalkOutline | None
    dimensions: Mapping[str, DimensionOutline]  # in rubric order
    items: Mapping[str, ItemOutline]  # in rubric order, bonus items last


def item_content(item: Item) -> str:
    """Everything about an item but its id and name, as one text (equal text: the same item)."""
    data = item.model_dump(mode="json", exclude={"id", "name"})
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def outline(r: Rubric) -> Outline:
    items: dict[str, ItemOutline] = {}
    for dim in r.dimensions:
        for ind in dim.indicators:
            for item in ind.items:
                items[item.id] = ItemOutline(item.name, item.points, dim.id, ind.id, _hash(item_content(item)))
    if r.bonus is not None:
        for item in r.bonus.items:
            items[item.id] = ItemOutline(item.name, item.points, None, BONUS_PLACE, _hash(item_content(item)))
    cw = None
    if r.crosswalk is not None:
        cw = CrosswalkOutline(r.crosswalk.previous, tuple(
            CrosswalkEntry(e.change, tuple(e.old), tuple(e.new), e.note) for e in r.crosswalk.items))
    return Outline(f"{r.id}@{r.version}", cw, {d.id: DimensionOutline(d.name, d.points) for d in r.dimensions}, items)


# ------------------------------------------------------------------------------ stored form


def outline_json(o: Outline) -> str:
    """The outline as stored with a batch run: compact, keys in order, decimals as text."""
    data: dict[str, Any] = {
        "ref": o.ref,
        "crosswalk": None if o.crosswalk is None else {
            "previous": o.crosswalk.previous,
            "items": [{"change": e.change, "old": list(e.old), "new": list(e.new), "note": e.note} for e in o.crosswalk.entries],
        },
        "dimensions": [[i, d.name, fmt(d.points)] for i, d in o.dimensions.items()],
        "items": [[i, it.name, fmt(it.points), it.dimension, it.place, it.content] for i, it in o.items.items()],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def outline_from_json(text: str) -> Outline:
    data = json.loads(text)
    cw = data.get("crosswalk")
    return Outline(
        str(data["ref"]),
        None if cw is None else CrosswalkOutline(str(cw["previous"]), tuple(
            CrosswalkEntry(str(e["change"]), tuple(e["old"]), tuple(e["new"]), e.get("note")) for e in cw["items"])),
        {str(i): DimensionOutline(str(n), Decimal(p)) for i, n, p in data["dimensions"]},
        {str(i): ItemOutline(str(n), Decimal(p), d, str(pl), str(c)) for i, n, p, d, pl, c in data["items"]},
    )


# ------------------------------------------------------------------------------ pairing


class Group(NamedTuple):
    """A split or merged crosswalk entry, as seen from a to b."""

    kind: str  # split | merged
    old: tuple[str, ...]  # ids in a
    new: tuple[str, ...]  # ids in b
    note: str | None


class Pairing(NamedTuple):
    pairs: list[tuple[str, str, str | None]]  # (id in a, id in b, via: "crosswalk" | "content" | None for the same id)
    groups: list[Group]
    left_a: list[str]  # removed: in a only
    left_b: list[str]  # added: in b only
    crosswalk: str | None  # which crosswalk paired the items, in words
    warnings: list[str]

    def ids(self) -> dict[str, str]:
        """Item ids of a → the id of the same item in b (split and merged items have none)."""
        return {i: j for i, j, _ in self.pairs}


def _usable_crosswalk(a: Outline, b: Outline) -> tuple[CrosswalkOutline | None, bool, str | None]:
    """(crosswalk, reversed?, description) when one version names the other as its previous."""
    if b.crosswalk is not None and b.crosswalk.previous == a.ref:
        return b.crosswalk, False, f"{b.ref} 的 crosswalk（自 {a.ref}）"
    if a.crosswalk is not None and a.crosswalk.previous == b.ref:
        return a.crosswalk, True, f"{a.ref} 的 crosswalk（自 {b.ref}，反向使用）"
    return None, False, None


def pair(a: Outline, b: Outline) -> Pairing:
    """Every item of `a` paired with its counterpart in `b` (module docstring for the order)."""
    ia, ib = a.items, b.items
    used_a: set[str] = set()
    used_b: set[str] = set()
    pairs: list[tuple[str, str, str | None]] = []
    groups: list[Group] = []
    warnings: list[str] = []
    crosswalk, backwards, used = _usable_crosswalk(a, b)
    for entry in crosswalk.entries if crosswalk else ():
        old, new = (entry.new, entry.old) if backwards else (entry.old, entry.new)
        kind = {"split": "merged", "merged": "split"}.get(entry.change, entry.change) if backwards else entry.change
        missing = [i for i in old if i not in ia] + [i for i in new if i not in ib]
        if missing:
            warnings.append(f"crosswalk 中的评分项 {'、'.join(missing)} 不在对应版本中，已忽略该条")
            continue
        if any(i in used_a for i in old) or any(i in used_b for i in new):
            warnings.append(f"crosswalk 中 {'、'.join(old)} → {'、'.join(new)} 与前面的条目重复，已忽略")
            continue
        used_a.update(old)
        used_b.update(new)
        if kind == "renamed":
            pairs.append((old[0], new[0], "crosswalk"))
        else:
            groups.append(Group(kind, tuple(old), tuple(new), entry.note))
    for iid in ia:
        if iid in ib and iid not in used_a and iid not in used_b:
            pairs.append((iid, iid, None))
            used_a.add(iid)
            used_b.add(iid)
    left_a = {i: it.content for i, it in ia.items() if i not in used_a}
    left_b = {i: it.content for i, it in ib.items() if i not in used_b}
    count_a: dict[str, int] = {}
    for c in left_a.values():
        count_a[c] = count_a.get(c, 0) + 1
    by_content_b: dict[str, list[str]] = {}
    for j, c in left_b.items():
        by_content_b.setdefault(c, []).append(j)
    for i, c in left_a.items():
        if count_a[c] == 1 and len(by_content_b.get(c, ())) == 1:
            j = by_content_b[c][0]
            pairs.append((i, j, "content"))
            used_a.add(i)
            used_b.add(j)
    return Pairing(pairs, groups, [i for i in ia if i not in used_a], [j for j in ib if j not in used_b], used, warnings)


def item_id_map(a: Rubric, b: Rubric) -> dict[str, str]:
    """Item ids of `a` → the id of the same item in `b` (same id, crosswalk rename, or content).

    Items that were removed, split or merged have no entry: their history does not carry over.
    """
    return pair(outline(a), outline(b)).ids()


# ------------------------------------------------------------------------------ in words


class ItemFate(NamedTuple):
    """What became of an item from one version to the next, for people to read."""

    status: str  # renamed | moved | changed | split | merged | added | removed
    old: tuple[str, ...]
    new: tuple[str, ...]
    text: str


def fates(a: Outline, b: Outline, p: Pairing | None = None) -> list[ItemFate]:
    """Renamed, moved, split, merged, added and removed items (changed content: `changed`),
    in b's order then a's; unchanged items are left out."""
    p = p if p is not None else pair(a, b)
    out: list[ItemFate] = []
    for i, j, _ in p.pairs:
        x, y = a.items[i], b.items[j]
        bits = []
        if i != j:
            bits.append(f"{i} → {j} 改号" + (f"（“{x.name}” 更名为 “{y.name}”）" if x.name != y.name else ""))
        if x.place != y.place:
            bits.append(f"{j} 自{place_text(x)}移至{place_text(y)}")
        if x.content != y.content:
            bits.append(f"{j} 定义有变化" + (f"（分值 {fmt(x.points)} → {fmt(y.points)}）" if x.points != y.points else ""))
        if bits:
            status = "renamed" if i != j else "moved" if x.place != y.place else "changed"
            out.append(ItemFate(status, (i,), (j,), "，".join(bits)))
    for g in p.groups:
        verb = "拆分为" if g.kind == "split" else "合并为"
        out.append(ItemFate(g.kind, g.old, g.new, f"{'、'.join(g.old)} {verb} {'、'.join(g.new)}" + (f"（{g.note}）" if g.note else "")))
    out += [ItemFate("removed", (i,), (), f"{i} “{a.items[i].name}” 已删除") for i in p.left_a]
    out += [ItemFate("added", (), (j,), f"{j} “{b.items[j].name}” 为新增") for j in p.left_b]
    order = {j: n for n, j in enumerate(b.items)}
    return sorted(out, key=lambda f: order.get((f.new or ("",))[0], len(order)))


def place_text(it: ItemOutline) -> str:
    """Where an item sits, in words: 指标 2.3, or 加分项."""
    return BONUS_PLACE if it.dimension is None else f"指标 {it.place}"


def ids_in(o: Outline, dimension: str) -> list[str]:
    return [i for i, it in o.items.items() if it.dimension == dimension]


__all__ = [
    "BONUS_PLACE",
    "CrosswalkEntry",
    "CrosswalkOutline",
    "DimensionOutline",
    "Group",
    "ItemFate",
    "ItemOutline",
    "Outline",
    "Pairing",
    "fates",
    "ids_in",
    "item_content",
    "item_id_map",
    "outline",
    "outline_from_json",
    "outline_json",
    "pair",
    "place_text",
]
