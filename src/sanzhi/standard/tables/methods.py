"""考核方法 cells ↔ `evidence`: the methods a rubric knows, and the documents to bring.

Tables word the methods freely ("查阅资料、实地查看、走访群众"); each is mapped to one of the
rubric's evidence methods (models.EvidenceMethod). A line headed "佐证材料：" (or 材料/台账)
lists documents, which is how the export writes them, so an exported table reads back the
same. A phrase that names no known method is kept as a document and reported.
"""

import re
import typing

from sanzhi.standard.models import EvidenceMethod

KNOWN_METHODS: tuple[str, ...] = typing.get_args(EvidenceMethod)

METHOD_WORDS: dict[str, tuple[str, ...]] = {
    "听取汇报": ("听取汇报", "汇报", "听取介绍", "听介绍"),
    "审核材料": ("审核材料", "查阅资料", "查看资料", "查阅台账", "查看台账", "查阅材料", "查看材料", "查资料", "审阅", "审查材料",
              "材料审核", "查阅", "查看", "台账", "资料", "材料"),
    "实地察看": ("实地察看", "实地查看", "现场查看", "现场察看", "实地检查", "现场检查", "实地", "现场", "察看"),
    "访问调查": ("访问调查", "走访", "访谈", "入户", "座谈", "询问", "访问"),
    "问卷调查": ("问卷调查", "问卷", "满意度调查", "满意度测评", "测评"),
    "抽查村民": ("抽查村民", "抽查", "随机抽"),
    "系统数据": ("系统数据", "系统", "平台数据", "平台", "数据比对", "数据"),
}
DOCUMENTS_LABEL = "佐证材料"
_DOC_LINE = re.compile(r"^\s*(?:佐证材料|佐证资料|所需材料|材料|台账|佐证|查阅材料)\s*[:：]\s*(.*)$")
_SPLIT = re.compile(r"[、，,；;/\s]+")


def _method(token: str) -> str | None:
    if token in KNOWN_METHODS:  # a method named as the rubric names it (材料审核 and 审核材料 are both kept)
        return token
    # The longest matching word decides: "实地查看" is 实地察看, not the 查看 of 审核材料.
    best: tuple[int, str] | None = None
    for name, words in METHOD_WORDS.items():
        for w in words:
            if w in token and (best is None or len(w) > best[0]):
                best = (len(w), name)
    return best[1] if best else None


def parse_methods(text: str) -> tuple[list[str], list[str], list[str]]:
    """(methods, documents, phrases that named no method — kept among the documents)."""
    methods: list[str] = []
    documents: list[str] = []
    unknown: list[str] = []
    for line in text.splitlines():
        m = _DOC_LINE.match(line)
        if m:
            # "；" separates documents whose names hold a "、" ("议事会、参事会会议记录；工作台账").
            listed = m.group(1)
            sep = r"[；;]" if re.search(r"[；;]", listed) else r"[、，,]"
            documents += [d.strip() for d in re.split(sep, listed) if d.strip()]
            continue
        for token in _SPLIT.split(line.strip().strip("。")):
            if not token:
                continue
            method = _method(token)
            if method is None:
                unknown.append(token)
                documents.append(token)
            elif method not in methods:
                methods.append(method)
    return methods, list(dict.fromkeys(documents)), unknown


def methods_text(methods: tuple[str, ...] | list[str], documents: tuple[str, ...] | list[str]) -> str:
    """The 考核方法 cell the export writes: the methods, then a 佐证材料 line."""
    lines = ["、".join(methods)] if methods else []
    if documents:
        if any("、" in d or "，" in d or "," in d for d in documents):
            # "；" keeps "议事会、参事会会议记录" one document; a lone one ends with it too.
            lines.append(f"{DOCUMENTS_LABEL}：" + "；".join(documents) + ("；" if len(documents) == 1 else ""))
        else:
            lines.append(f"{DOCUMENTS_LABEL}：" + "、".join(documents))
    return "\n".join(lines)
