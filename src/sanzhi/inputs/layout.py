"""What the self-assessment workbooks look like: sheets, columns and row keys.

Shared by the writer (`forms`) and the readers (`xlsx`, `csvfile`, `table`), so a form is
read back by the very declarations that wrote it. Rows and columns are found by key (an
id column in the per-village form, a “label（key）” header in the many-villages sheet),
never by position, so a clerk who inserts a row or moves a column breaks nothing.

Per-village form (`layout="village"`):
  封面     village identity, attributes and reviewers; the rubric id@version in a locked cell
  填报     one row per answer field, grouped by dimension and indicator, with a pair of
           correction columns (value, reason) per review level
  评分项   one row per item: evidence required and supplied, and the judgment score and
           reason per level for judgment items
  核定     one row per item: a reviewer's score set outright, with its reason, per level

Many-villages sheet (`layout="many"`, also as CSV): row 1 holds 评分标准 and the rubric
id@version, row 2 the headers, each row below is one village's self-assessment.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from sanzhi.common.numbers import fmt
from sanzhi.standard.compile import CompiledItem, CompiledRubric
from sanzhi.standard.fields import FieldSpec
from sanzhi.standard.models import ReviewLevel
from sanzhi.standard.values import normalize_text

SHEET_COVER = "封面"
SHEET_FIELDS = "填报"
SHEET_ITEMS = "评分项"
SHEET_OVERRIDES = "核定"
SHEET_MANY = "村汇总"
SHEET_CHOICES = "选项"
# Workbook order of the sheets, so a clerk's error list follows the tabs left to right.
SHEET_ORDER = {SHEET_COVER: 0, SHEET_FIELDS: 1, SHEET_ITEMS: 2, SHEET_OVERRIDES: 3, SHEET_MANY: 4}

RUBRIC_KEY = "rubric"
RUBRIC_LABEL = "评分标准"
ID_HEADER = "编号"
DELETE_MARK = "（删除）"  # a correction that strikes an answer out (value: null in YAML)
DOC_SPLIT = "\n"  # evidence documents: one per line in a cell (Alt+Enter), or split by ；

# The village keys of the data format, as FieldSpecs so cells are read like any answer.
# Labels are the words assessment.py uses in its messages.
VILLAGE_SPECS: tuple[FieldSpec, ...] = (
    FieldSpec(id="code", label="统计用区划代码", type="text", required=True,
              help="12 位数字，如 330483101201（国家统计局统计用区划代码）"),
    FieldSpec(id="name", label="村名", type="text", required=True, help="村（社区）全称"),
    FieldSpec(id="township", label="乡镇（街道）", type="text", required=True),
    FieldSpec(id="county", label="县（市、区）", type="text", required=True),
    FieldSpec(id="year", label="评定年度", type="integer", min=Decimal(2000), max=Decimal(2100), required=True),
    FieldSpec(id="assessed_on", label="评定日期", type="date", help="不填按评定年度 12 月 31 日计；一票否决的回溯期截至此日"),
    FieldSpec(id="assessor", label="自评填报人", type="text"),
)
REVIEWER = FieldSpec(id="reviewer", label="评审人", type="text")
REVIEW_DATE = FieldSpec(id="date", label="评审日期", type="date")
EVIDENCE = FieldSpec(id="evidence", label="佐证材料", type="text")
REASON = FieldSpec(id="reason", label="理由", type="text")


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    width: float
    entry: bool = False  # filled in by the village or a reviewer (unlocked, validated)


def review_levels(compiled: CompiledRubric) -> tuple[ReviewLevel, ...]:
    """The levels above the self-assessment, lowest first (乡镇评分, 县审核)."""
    return compiled.rubric.review_levels[1:]


def self_name(compiled: CompiledRubric) -> str:
    return compiled.rubric.review_levels[0].name


def entry_columns(compiled: CompiledRubric) -> tuple[Column, ...]:
    """Columns of the cover and 填报 sheets: one row per value, corrections per level."""
    cols = [
        Column("id", ID_HEADER, 10), Column("label", "填报项目", 30), Column("unit", "单位", 7),
        Column("expect", "填写要求", 24), Column("value", f"{self_name(compiled)}填写", 16, True),
    ]
    for lv in review_levels(compiled):
        cols += [Column(f"fix:{lv.id}", f"{lv.name}·更正值", 13, True),
                 Column(f"why:{lv.id}", f"{lv.name}·更正理由", 20, True)]
    cols += [Column("help", "填写说明", 36), Column("items", "相关评分项", 12)]
    return tuple(cols)


def item_columns(compiled: CompiledRubric) -> tuple[Column, ...]:
    """Columns of the 评分项 sheet: evidence, and judgment score + reason per level."""
    cols = [
        Column("id", ID_HEADER, 8), Column("name", "评分项", 18), Column("points", "分值", 6),
        Column("criterion", "评定标准与评分方法", 44), Column("evidence_req", "佐证材料要求", 24),
        Column("evidence", "佐证材料（村填写）", 24, True),
    ]
    for lv in compiled.rubric.review_levels:
        cols += [Column(f"score:{lv.id}", f"{lv.name}·酌情评分", 10, True),
                 Column(f"reason:{lv.id}", f"{lv.name}·评分理由", 20, True)]
    return tuple(cols)


def override_columns(compiled: CompiledRubric) -> tuple[Column, ...]:
    """Columns of the 核定 sheet: a reviewer's score set outright, per level."""
    cols = [Column("id", ID_HEADER, 8), Column("name", "评分项", 24), Column("points", "分值", 6)]
    for lv in review_levels(compiled):
        cols += [Column(f"score:{lv.id}", f"{lv.name}·核定分", 11, True),
                 Column(f"reason:{lv.id}", f"{lv.name}·核定理由", 30, True)]
    return tuple(cols)


def match_headers(row: list[object], columns: tuple[Column, ...]) -> dict[str, int]:
    """Column key → 0-based index, for the headers of `row` that are known."""
    wanted = {normalize_text(c.header): c.key for c in columns}
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = wanted.get(normalize_text(cell)) if isinstance(cell, str) else None
        if key is not None and key not in found:
            found[key] = i
    return found


# ---- fields grouped by where they are first used ------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    level: int  # 1 dimension, 2 indicator
    title: str


def field_rows(compiled: CompiledRubric) -> Iterator[Group | FieldSpec]:
    """The 填报 sheet's rows: group titles, each followed by the fields first read there.

    A field sits under the dimension and indicator of the first item (in rubric order) that
    reads it; fields read only by vetoes or rating conditions come last.
    """
    r = compiled.rubric
    index = {f.id: n for n, f in enumerate(r.fields)}
    placed: dict[str, tuple[str, str]] = {}  # field → (dimension title, indicator title), first use order
    for ci in compiled.items:
        if ci.dimension is None:
            where = (r.bonus.name if r.bonus else "加分项", "")
        else:
            dim = next(d for d in r.dimensions if d.id == ci.dimension)
            ind = next(i for i in dim.indicators if i.id == ci.indicator)
            where = (f"{dim.id} {dim.name}（{fmt(dim.points)} 分）", f"{ind.id} {ind.name}（{fmt(ind.points)} 分）")
        for name in sorted((n for n in ci.needs if n in index), key=index.__getitem__):
            placed.setdefault(name, where)
    rest = ("一票否决及其他", "")
    rows = [*placed.items(), *((f.id, rest) for f in r.fields if f.id not in placed)]
    specs = {f.id: f for f in r.fields}
    last: tuple[str, str] | None = None
    for fid, where in rows:
        if where != last:
            if last is None or where[0] != last[0]:
                yield Group(1, where[0])
            if where[1]:
                yield Group(2, where[1])
            last = where
        yield specs[fid]


def items_using(compiled: CompiledRubric) -> dict[str, tuple[str, ...]]:
    """Field or attribute id → ids of the items that read it."""
    out: dict[str, list[str]] = {}
    for ci in compiled.items:
        for name in ci.needs:
            out.setdefault(name, []).append(ci.item.id)
    return {k: tuple(v) for k, v in out.items()}


# ---- the many-villages sheet ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ManyColumn:
    key: str  # village key, attribute or field id, or score:/reason:/evidence: + item id
    label: str  # what errors call the column
    spec: FieldSpec
    width: float

    @property
    def header(self) -> str:
        return f"{self.label}（{self.key}）"


def many_columns(compiled: CompiledRubric, *, all_evidence: bool = False) -> tuple[ManyColumn, ...]:
    """One column per village key, attribute and field; judgment score and reason; evidence.

    The template has evidence columns for the items whose rubric lists evidence; a reader
    also accepts one for any other item (`all_evidence`).
    """
    r = compiled.rubric
    cols = [ManyColumn(s.id, s.label, s, 14) for s in (*VILLAGE_SPECS, *r.attributes, *r.fields)]
    own = self_name(compiled)
    for ci in compiled.items:
        score = judgment_spec(ci)
        if score is not None:
            cols.append(ManyColumn(f"score:{ci.item.id}", f"{ci.item.id} {ci.item.name}·{own}酌情评分", score, 12))
            cols.append(ManyColumn(f"reason:{ci.item.id}", f"{ci.item.id} {ci.item.name}·{own}评分理由", REASON, 24))
    for ci in compiled.items:
        if ci.item.evidence is not None or all_evidence:
            cols.append(ManyColumn(f"evidence:{ci.item.id}", f"{ci.item.id} {ci.item.name}·佐证材料", EVIDENCE, 24))
    return tuple(cols)


def judgment_spec(ci: CompiledItem) -> FieldSpec | None:
    """The allowed range of a judgment item's score, as a FieldSpec for reading and validation."""
    if ci.judgment is None:
        return None
    rule = ci.judgment.rule
    high = rule.max if rule.max is not None else ci.item.points
    return FieldSpec(id="score", label="评分", type="decimal", min=rule.min, max=high)
