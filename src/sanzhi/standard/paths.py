"""Turn a raw-data path into the domain path a person recognises.

("dimensions", 1, "indicators", 0, "items", 2, "rules", 0, "points")
→ 维度 “2” › 指标 “2.1” › 评分项 “2.1.3” › 规则 #1（deduct） › points
"""

from collections.abc import Sequence

_NAMED = {
    "dimensions": "维度",
    "indicators": "指标",
    "items": "评分项",
    "vetoes": "否决项",
    "tiers": "等级",
    "fields": "字段",
    "attributes": "属性",
    "derived": "派生字段",
    "aggregates": "汇总字段",
    "criteria": "标准",
    "review_levels": "评审层级",
    "changelog": "修订记录",
}
_NUMBERED = {"rules": "规则", "bands": "分档", "grades": "等级档"}


def domain_path(data: object, path: Sequence[str | int]) -> str:
    parts: list[str] = []
    node = data
    i = 0
    while i < len(path):
        key = path[i]
        child = node.get(key) if isinstance(node, dict) and isinstance(key, str) else None
        if isinstance(key, str) and i + 1 < len(path) and isinstance(path[i + 1], int) and isinstance(child, list):
            idx = path[i + 1]
            assert isinstance(idx, int)
            elem = child[idx] if 0 <= idx < len(child) else None
            if key in _NAMED:
                ident = elem.get("id") if isinstance(elem, dict) else None
                parts.append(f"{_NAMED[key]} “{ident}”" if ident is not None else f"{_NAMED[key]} #{idx + 1}")
            elif key in _NUMBERED:
                kind = elem.get("kind") if isinstance(elem, dict) else None
                parts.append(f"{_NUMBERED[key]} #{idx + 1}" + (f"（{kind}）" if kind else ""))
            else:
                parts.append(f"{key}[{idx + 1}]")
            node = elem
            i += 2
            continue
        if key == "bonus":
            parts.append("加分项")
        else:
            parts.append(str(key) if not isinstance(key, int) else f"[{key + 1}]")
        node = child if isinstance(node, dict) else (node[key] if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node) else None)
        i += 1
    return " › ".join(parts)
