"""Export → import → score: every bundled rubric comes back from its exported workbook and
scores every bundled sample village (and every example village) exactly as before.

Why: a standards body that publishes the table sanzhi exports, and later brings that table
back, must get the rubric it published, not a re-reading of its words. The workbook's machine
sheet carries the rubric; an untouched table gives the same content hash, so the same scores.
A variant (`extends`) comes back resolved, as the rubric it is: `extends` and the generated
`variant_of` record are not carried, so only its hash differs.
"""

from pathlib import Path

import pytest

from sanzhi.app import api
from sanzhi.app.revisions import run_examples
from sanzhi.app.rubric_tables import import_table
from sanzhi.reports.rubric_export import WRITERS
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.bundled import SAMPLE_DIR, bundled_rubrics, sample_files
from sanzhi.standard.compile import CompiledRubric
from sanzhi.standard.tables.layout import table_layout

REFS = [b.ref for b in bundled_rubrics()]
VARIANTS = {b.ref for b in bundled_rubrics() if "variants" in b.path.parts}


def export_and_import(ref: str, folder: Path) -> tuple[CompiledRubric, CompiledRubric, Path]:
    original, _ = api.load_compiled_rubric(ref)
    table = folder / "评分标准.xlsx"
    table.write_bytes(WRITERS[".xlsx"](original.rubric, table_layout(original.rubric)))
    report = import_table(table, folder / "back.yaml")
    assert report.check_error is None, report.check_error
    assert report.imported.machine and not report.warnings
    assert report.compiled is not None
    return original, report.compiled, folder / "back.yaml"


def _comparable(r: VillageResult) -> VillageResult:
    return r._replace(rubric_hash="")


def _samples(compiled: CompiledRubric) -> list[Path]:
    """The bundled sample villages scored with this rubric (those naming another version are not)."""
    return [p for p in sample_files(compiled.rubric.id) if _names_ref(p) in (compiled.rubric.id, compiled.ref, None)]


def _names_ref(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("rubric:"):
            return line.split(":", 1)[1].split("#")[0].strip().strip("\"'")
    return None


@pytest.mark.parametrize("ref", REFS)
def test_exported_workbook_gives_the_rubric_back(ref: str, tmp_path: Path) -> None:
    original, back, _ = export_and_import(ref, tmp_path)
    if ref in VARIANTS:
        assert back.rubric.extends is None and back.rubric.variant_of is None
        assert back.rubric.model_copy(update={"extends": original.rubric.extends, "variant_of": original.rubric.variant_of}) == original.rubric
    else:
        assert back.content_hash == original.content_hash
        assert back.rubric == original.rubric


@pytest.mark.parametrize("ref", REFS)
def test_reimported_rubric_scores_every_sample_the_same(ref: str, tmp_path: Path) -> None:
    original, back, path = export_and_import(ref, tmp_path)
    if original.unit != "village":
        # A township or county rubric scores units of a stored village run (tests/units/test_bundled_units.py
        # runs its samples): the same content hash back is the same rubric, hence the same scores.
        assert back.content_hash == original.content_hash and back.reads_hash == original.reads_hash
        return
    samples = _samples(original)
    before = [_comparable(o.result) for o in api.score_paths(original, samples) if o.result is not None]
    after = [_comparable(o.result) for o in api.score_paths(back, samples) if o.result is not None]
    assert len(before) == len(after) == len(samples)
    assert after == before  # item scores per level, findings, dimensions, totals, vetoes, ratings
    _, ex_before = run_examples(ref)
    _, ex_after = run_examples(str(path))
    assert [(e.name, e.passed, e.total, e.rating) for e in ex_after] == [(e.name, e.passed, e.total, e.rating) for e in ex_before]
    assert samples or ex_before, f"{ref}: nothing to score"


def test_every_bundled_rubric_has_villages_to_compare() -> None:
    counts = {}
    for ref in REFS:
        compiled, _ = api.load_compiled_rubric(ref)
        counts[ref] = len(_samples(compiled)) + len(compiled.rubric.examples)
        if compiled.unit != "village":  # its samples are a village run and the units' own data
            counts[ref] = len(sample_files(compiled.rubric.id)) + len(list((SAMPLE_DIR / compiled.rubric.id / "villages").glob("*.yaml")))
    assert all(counts.values()), counts
