"""The rubrics shipped with sanzhi, addressed as ID or ID@VERSION.

Without a version, ID means the adopted version with the latest effective date: a draft
(`status: draft`, 征求意见稿) is only ever used when named with its version. Local variants
in rubrics/variants/ are bundled rubrics too.
"""

import functools
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from sanzhi.common.errors import Diagnostic, RubricError
from sanzhi.common.yaml_source import load_yaml

RUBRIC_DIR = Path(str(resources.files("sanzhi.standard") / "rubrics"))
SAMPLE_DIR = RUBRIC_DIR / "samples"


@dataclass(frozen=True, slots=True)
class BundledRubric:
    id: str
    version: str
    title: str
    effective_date: date
    path: Path
    status: str = "adopted"  # or "draft"

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


@functools.cache
def bundled_rubrics() -> tuple[BundledRubric, ...]:
    """Every bundled rubric file's header, sorted by id then effective date."""
    out = []
    for path in sorted([*RUBRIC_DIR.glob("*.yaml"), *(RUBRIC_DIR / "variants").glob("*.yaml")]):
        data, _ = load_yaml(path.read_text(encoding="utf-8"), path.name)
        assert isinstance(data, dict)
        out.append(BundledRubric(str(data["id"]), str(data["version"]), str(data["title"]),
                                 date.fromisoformat(str(data["effective_date"])), path, str(data.get("status", "adopted"))))
    return tuple(sorted(out, key=lambda b: (b.id, b.effective_date, b.version)))


def find_bundled(ref: str) -> BundledRubric:
    rid, _, version = ref.partition("@")
    matches = [b for b in bundled_rubrics() if b.id == rid and (not version or b.version == version)]
    if not matches:
        known = "、".join(b.ref for b in bundled_rubrics())
        what = f"版本 “{version}”" if version and any(b.id == rid for b in bundled_rubrics()) else "评分标准"
        raise RubricError([Diagnostic("R001", f"找不到内置{what}：{ref}", expected=f"内置评分标准之一：{known}，或一个 YAML 文件路径")])
    if not version:
        matches = [b for b in matches if b.status == "adopted"] or matches
    return matches[-1]  # latest effective date


def sample_files(rubric_id: str) -> list[Path]:
    folder = SAMPLE_DIR / rubric_id
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []
