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
    unit: str = "village"  # or "township" / "county"
    reads: str | None = None  # a unit rubric's village rubric, ID@VERSION

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
        reads = data.get("reads")
        out.append(BundledRubric(str(data["id"]), str(data["version"]), str(data["title"]),
                                 date.fromisoformat(str(data["effective_date"])), path, str(data.get("status", "adopted")),
                                 str(data.get("unit", "village")), str(reads) if reads is not None else None))
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
    """The rubric's sample villages (`samples/<id>/*.yaml`), whose scores the tests hand-compute."""
    folder = SAMPLE_DIR / rubric_id
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


@dataclass(frozen=True, slots=True)
class SampleSet:
    """The bundled sample villages of one rubric for one assessment year."""

    rubric_id: str
    year: int
    files: tuple[Path, ...]
    codes: tuple[str, ...]  # the villages' codes, in file order
    townships: tuple[str, ...]
    counties: tuple[str, ...]


def sample_sets(rubric_id: str) -> list[SampleSet]:
    """The rubric's sample villages by year, earliest first: the files of `samples/<id>/`, and
    earlier years' data, where there is some, in `samples/history/<id>/<year>/` (a history for
    `sanzhi history` and `yoy` to show; kept out of `samples/<id>/`, which is one year's
    villages to score or batch as a folder). The year is each file's own `village.year`."""
    earlier = SAMPLE_DIR / "history" / rubric_id
    files = [*sample_files(rubric_id),
             *(sorted(p for sub in earlier.iterdir() if sub.is_dir() for p in sub.glob("*.yaml")) if earlier.is_dir() else ())]
    by_year: dict[int, list[tuple[Path, dict[str, object]]]] = {}
    for p in files:
        data, _ = load_yaml(p.read_text(encoding="utf-8"), p.name)
        village = data.get("village") if isinstance(data, dict) else None
        if isinstance(village, dict) and isinstance(village.get("year"), int):
            by_year.setdefault(village["year"], []).append((p, village))
    return [SampleSet(rubric_id, year, tuple(p for p, _ in got), tuple(str(v.get("code")) for _, v in got),
                      tuple(dict.fromkeys(str(v.get("township")) for _, v in got)),
                      tuple(dict.fromkeys(str(v.get("county")) for _, v in got)))
            for year, got in sorted(by_year.items())]


@dataclass(frozen=True, slots=True)
class UnitSamples:
    """A township or county rubric's samples: the villages of the run it reads
    (`samples/<id>/villages/`) and the units' own data (`samples/<id>/units/`)."""

    rubric: BundledRubric
    year: int
    villages: tuple[Path, ...]
    units: tuple[Path, ...]


def unit_samples(rubric_id: str) -> UnitSamples | None:
    """The samples of a bundled unit rubric, or None (a village rubric, or none bundled)."""
    folder = SAMPLE_DIR / rubric_id
    villages = tuple(sorted((folder / "villages").glob("*.yaml")))
    rubric = next((b for b in reversed(bundled_rubrics()) if b.id == rubric_id and b.unit != "village"), None)
    if not villages or rubric is None:
        return None
    data, _ = load_yaml(villages[0].read_text(encoding="utf-8"), villages[0].name)
    village = data.get("village") if isinstance(data, dict) else None
    year = village.get("year") if isinstance(village, dict) else None
    return UnitSamples(rubric, year if isinstance(year, int) else 0, villages,
                       tuple(sorted((folder / "units").glob("*.yaml"))))
