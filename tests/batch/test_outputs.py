"""Report outputs per format: the `outputs` table, resume per wanted format, the sweep, and the
version 2 → 3 migration of `run_inputs.pdf_sha256` (SQLite; PostgreSQL in test_postgres.py)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from sanzhi.batch.runner import BatchOptions, run_batch
from sanzhi.batch.store import Store
from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import assert_same_tree
from tests.batch.helpers import write_villages
from tests.batch.test_batch_run import STARTED, FakeReports

N = 10

# Version 2's layout, rebuilt from a version 3 database: the PDF hash back in run_inputs.
TO_VERSION_2 = """
    ALTER TABLE run_inputs ADD COLUMN pdf_sha256 TEXT;
    UPDATE run_inputs SET pdf_sha256 = (SELECT sha256 FROM outputs o WHERE o.run_key = run_inputs.run_key
        AND o.unit = 'village' AND o.code = run_inputs.village_code AND o.format = 'pdf') WHERE status = 'scored';
    DROP TABLE outputs;
    UPDATE sanzhi_meta SET value = '2' WHERE key = 'schema_version';
"""


def _opts(tmp_path: Path, name: str, formats: tuple[str, ...]) -> BatchOptions:
    return BatchOptions(inputs=(tmp_path / "in",), out_dir=tmp_path / name, year=2025,
                        db=str(tmp_path / f"{name}.sqlite"), jobs=1, formats=formats)


def _village_outputs(store: Store) -> list[tuple[object, ...]]:
    return sorted(store.query("SELECT run_key, code, format, sha256 FROM outputs WHERE unit = 'village'"))


def test_a_version_2_database_keeps_its_pdf_hashes_and_resumes(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    write_villages(rubric_v1, tmp_path / "in", N, 2025)
    opts = _opts(tmp_path, "out", ("pdf",))
    run_batch(rubric_v1, opts, clock=lambda: STARTED, reports=FakeReports())
    with Store(str(opts.db)) as store:
        before = _village_outputs(store)
    assert len(before) == N and all(fmt == "pdf" for _, _, fmt, _ in before)
    con = sqlite3.connect(str(opts.db))
    con.executescript(TO_VERSION_2)
    con.close()
    with Store(str(opts.db)) as store:
        store.ensure_schema()
        assert store.query("SELECT value FROM sanzhi_meta WHERE key = 'schema_version'") == [("5",)]
        assert _village_outputs(store) == before
        columns = [r[1] for r in store.query("PRAGMA table_info(run_inputs)")]
        assert "pdf_sha256" not in columns
    again = run_batch(rubric_v1, replace(opts, resume=True), clock=lambda: STARTED, reports=FakeReports())
    assert (again.reused, again.processed) == (N, 0)  # every PDF still matched its migrated hash


def test_resume_redoes_villages_for_a_newly_wanted_format_and_sweeps_unwanted_ones(
        tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    write_villages(rubric_v1, tmp_path / "in", N, 2025)
    opts = _opts(tmp_path, "out", ("pdf",))
    run_batch(rubric_v1, opts, clock=lambda: STARTED, reports=FakeReports())
    both = run_batch(rubric_v1, replace(opts, resume=True, formats=("pdf", "html")), clock=lambda: STARTED,
                     reports=FakeReports())
    assert (both.reused, both.processed) == (0, N)  # no village had its HTML report yet
    out = tmp_path / "out"
    assert len(list((out / "villages").rglob("*.html"))) == N
    assert (out / "published" / "测试县" / "测试县-汇总报告.html").exists()
    stray = next((out / "villages").rglob("*.json")).with_suffix(".docx")
    stray.write_bytes(b"not recorded")
    html_only = run_batch(rubric_v1, replace(opts, resume=True, formats=("html",)), clock=lambda: STARTED,
                          reports=FakeReports())
    assert (html_only.reused, html_only.processed) == (N, 0)
    assert not stray.exists() and not list(out.rglob("*.pdf"))  # PDFs no longer wanted are swept, summary too
    with Store(str(opts.db)) as store:
        assert {fmt for (fmt,) in store.query("SELECT DISTINCT format FROM outputs")} == {"html"}
    clean = _opts(tmp_path, "clean", ("html",))
    run_batch(rubric_v1, clean, clock=lambda: STARTED, reports=FakeReports())
    assert_same_tree(out, tmp_path / "clean")


def test_a_damaged_report_of_one_format_redoes_only_that_village(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    write_villages(rubric_v1, tmp_path / "in", N, 2025)
    opts = _opts(tmp_path, "out", ("pdf", "html"))
    run_batch(rubric_v1, opts, clock=lambda: STARTED, reports=FakeReports())
    html = sorted((tmp_path / "out" / "villages").rglob("*.html"))[3]
    html.unlink()
    again = run_batch(rubric_v1, replace(opts, resume=True), clock=lambda: STARTED, reports=FakeReports())
    assert (again.reused, again.processed) == (N - 1, 1)
    assert html.read_bytes().startswith(b"%HTML-fake ")


def test_cli_batch_docx_writes_word_reports_per_village_and_county(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    import docx

    from tests.batch.conftest import run_sanzhi
    from tests.batch.helpers import RUBRIC_V1

    write_villages(rubric_v1, tmp_path / "in", 6, 2025)
    args = ("batch", "in", "--rubric", str(RUBRIC_V1), "--year", "2025", "-o", "out", "--db", "r.sqlite", "--jobs", "2")
    proc = run_sanzhi(*args, "--docx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    reports = sorted((tmp_path / "out" / "villages").rglob("*.docx"))
    assert len(reports) == 6 and not list((tmp_path / "out").rglob("*.pdf"))
    first = docx.Document(str(reports[0]))
    assert any(p.text == "三治融合村（社区）评定报告" for p in first.paragraphs)
    summary = tmp_path / "out" / "published" / "测试县" / "测试县-汇总报告.docx"
    assert any(p.text == "三治融合村（社区）评定汇总报告" for p in docx.Document(str(summary)).paragraphs)
    before = {p: p.read_bytes() for p in [*reports, summary]}
    again = run_sanzhi(*args, "--docx", "--resume", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "沿用 6 个村，重做 0 个村" in again.stderr
    assert {p: p.read_bytes() for p in before} == before
