"""Column roles and the header row: which column holds what, found by name and synonym.

Real tables name the same column many ways (domain brief §4, the corpus in
tests/standard/recognize/corpus): 项目/类别/考评指标/测评项目 for the category, 评定标准/
创建标准/考评内容 for the requirement, 分值/分数 for the points, 评分细则/评分标准/扣分说明/
评分办法/考核标准及评分办法 for the rules, 考核方法/测评方法/考评办法 for the methods. A header
cell is matched exactly first (after whitespace and a parenthesised unit are removed), then
by the words it contains, the stronger words first ("考核标准及评分办法" is the rules, not the
requirement; "考评办法" is the method, "评分办法" the rules).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sanzhi.standard.tables.grid import Grid, GridCell

Role = Literal["seq", "category", "indicator", "name", "criterion", "points", "rules", "method", "scored_by", "score", "remark"]

# Exact names, after normalisation.
EXACT: dict[Role, tuple[str, ...]] = {
    "seq": ("序号", "编号", "项次", "序", "项号", "条目"),
    "category": ("项目", "类别", "考评指标", "测评项目", "一级指标", "考核项目", "维度", "评价维度", "考核类别", "类目", "大类", "评价项目"),
    "indicator": ("指标", "二级指标", "考核指标", "评价指标", "子项目", "考评项目", "分项"),
    "name": ("评分项", "考评内容", "测评内容", "考核内容", "评价内容", "内容", "评分项目", "三级指标", "考核要点", "检查内容"),
    "criterion": ("评定标准", "创建标准", "标准", "考核标准", "评价标准", "建设标准", "具体标准", "考核要求", "工作要求", "要求", "测评标准", "标准要求"),
    "points": ("分值", "分数", "标准分", "满分", "分值（分）", "权重", "标准分值", "基本分", "应得分"),
    "rules": ("评分细则", "评分标准", "扣分说明", "评分办法", "考核标准及评分办法", "评分方法", "计分办法", "扣分标准", "扣分办法", "评分说明", "评分规则", "计分方法", "评分细则（扣分标准）"),
    "method": ("考核方法", "测评方法", "考评办法", "检查方法", "考核方式", "核查方式", "验收方式", "评价方式", "考评方法", "考核办法", "检查方式", "评价方法"),
    "scored_by": ("评分单位", "评分部门", "考核部门", "考评单位", "责任单位", "牵头单位", "评分主体", "考核单位"),
    "score": ("得分", "自评分", "自评得分", "乡镇评分", "县审核得分", "评分", "实得分", "扣分", "考核得分", "初审得分", "复核得分", "审核得分"),
    "remark": ("备注", "说明", "附注"),
}

# Words a header contains, strongest first: the first role whose word appears wins.
CONTAINS: tuple[tuple[Role, tuple[str, ...]], ...] = (
    ("rules", ("细则", "扣分说明", "扣分标准", "评分办法", "评分标准", "计分", "评分方法", "评分规则")),
    ("method", ("考核方法", "测评方法", "考评办法", "检查方法", "考核方式", "核查", "验收方式", "评价方式", "考评方法", "考核办法")),
    ("score", ("得分", "自评", "乡镇评", "县审", "审核")),
    ("scored_by", ("评分单位", "评分部门", "考核部门", "责任单位", "牵头单位")),
    ("points", ("分值", "分数", "标准分", "满分")),
    ("seq", ("序号", "编号")),
    ("indicator", ("二级指标", "考核指标", "评价指标")),
    ("category", ("一级指标", "项目", "类别", "考评指标", "维度")),
    ("criterion", ("评定标准", "创建标准", "考核标准", "评价标准", "建设标准", "要求")),
    ("name", ("评分项", "考评内容", "测评内容", "考核内容", "评价内容", "内容")),
    ("remark", ("备注",)),
)

ROLE_ZH: dict[Role, str] = {
    "seq": "序号", "category": "项目", "indicator": "指标", "name": "评分项", "criterion": "评定标准", "points": "分值",
    "rules": "评分细则", "method": "考核方法", "scored_by": "评分单位", "score": "得分", "remark": "备注",
}

HEADER_SEARCH = 30  # rows searched for the header
_UNIT = re.compile(r"[（(][^）)]*[）)]$")
_SPACE = re.compile(r"\s+")


def normalize_header(text: str) -> str:
    text = _SPACE.sub("", text.replace("\u3000", " "))
    stripped = _UNIT.sub("", text)
    return stripped or text


def role_of(text: str) -> Role | None:
    key = normalize_header(text)
    if not key or len(key) > 20:  # a sentence, not a column name
        return None
    whole = _SPACE.sub("", text)
    for role, names in EXACT.items():
        if key in names or whole in names:
            return role
    for role, words in CONTAINS:
        if any(w in key for w in words):
            return role
    return None


@dataclass(frozen=True, slots=True)
class Header:
    row: int  # 0-based
    columns: dict[Role, int]  # role → its (first) column
    names: dict[int, str]  # column → the header text as written
    repeated: tuple[tuple[Role, int], ...]  # a role seen again in a later column (ignored)

    def has(self, role: Role) -> bool:
        return role in self.columns

    def label(self, role: Role) -> str:
        return self.names[self.columns[role]]


def _roles(row: Sequence[GridCell]) -> tuple[dict[Role, int], dict[int, str], list[tuple[Role, int]]]:
    found: dict[Role, int] = {}
    names: dict[int, str] = {}
    repeated: list[tuple[Role, int]] = []
    seen_origins: set[tuple[int, int]] = set()
    for col, cell in enumerate(row):
        if cell.blank:
            continue
        if cell.origin is not None:
            if cell.origin in seen_origins:
                continue  # the rest of a horizontally merged header cell
            seen_origins.add(cell.origin)
        role = role_of(cell.text)
        if role is None:
            continue
        names[col] = _SPACE.sub("", cell.text)
        if role in found:
            # A second 评定标准-like column next to 评分项: the requirement.
            if role == "name" and "criterion" not in found:
                found["criterion"] = col
            elif role == "criterion" and "name" not in found:
                found["name"] = col
            elif role not in ("score", "remark"):  # several score columns (乡镇评分, 县审核得分) are usual
                repeated.append((role, col))
            continue
        found[role] = col
    return found, names, repeated


def _usable(roles: dict[Role, int]) -> bool:
    text = {"name", "criterion", "rules"} & set(roles)
    return ("points" in roles and bool(text)) or ("rules" in roles and bool({"name", "criterion", "category"} & set(roles)))


def find_header(grid: Grid) -> Header | None:
    """The header row: among the first rows, the first one naming the most roles that can make
    items (points with some text column, or rules with a requirement)."""
    best: Header | None = None
    for r, row in enumerate(grid.rows[:HEADER_SEARCH]):
        roles, names, repeated = _roles(row)
        if not _usable(roles):
            continue
        core = len(set(roles) - {"score", "remark"})
        if best is None or core > len(set(best.columns) - {"score", "remark"}):
            best = Header(r, roles, names, tuple(repeated))
    return best


def seen_texts(grid: Grid, limit: int = 3) -> list[str]:
    """The first non-empty rows' texts, for an error that says what was found instead."""
    out = []
    for row in grid.rows[:HEADER_SEARCH]:
        texts = []
        origins: set[tuple[int, int]] = set()
        for cell in row:
            if cell.blank or (cell.origin is not None and cell.origin in origins):
                continue
            if cell.origin is not None:
                origins.add(cell.origin)
            texts.append(cell.text.strip().replace("\n", " "))
        if texts:
            out.append(" | ".join(t[:20] for t in texts[:8]))
        if len(out) >= limit:
            break
    return out
