"""Use cases wiring files to the pure core; the CLI and library users call these."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sanzhi.errors import Diagnostic, RubricError
from sanzhi.inputs.files import Loaded, read_villages
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import find_bundled, sample_files
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.loader import load_rubric_file


def load_compiled_rubric(ref: str) -> tuple[CompiledRubric, list[Diagnostic]]:
    """A rubric file path, or a bundled ID / ID@VERSION."""
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_rubric_file(path)
    return load_rubric_file(find_bundled(ref).path, display_name=find_bundled(ref).path.name)


def samples_for(compiled: CompiledRubric) -> list[Path]:
    files = sample_files(compiled.rubric.id)
    if not files:
        raise RubricError([Diagnostic("R002", f"评分标准 {compiled.ref} 没有内置示例村数据")])
    return files


@dataclass(frozen=True, slots=True)
class Outcome:
    loaded: Loaded
    result: VillageResult | None

    @property
    def input_sha256(self) -> str:
        return "sha256:" + hashlib.sha256(self.loaded.input_bytes).hexdigest()


def score_paths(compiled: CompiledRubric, paths: list[Path]) -> Iterator[Outcome]:
    """Score every village file; a bad village yields its error and the run goes on."""
    for loaded in read_villages(compiled, paths):
        result = score_village(compiled, loaded.assessment) if loaded.assessment is not None else None
        yield Outcome(loaded, result)
