"""An interrupted batch, resumed, leaves exactly what an uninterrupted run leaves.

The batch runs as a real `sanzhi batch` process (a pool of 2 workers) over a few hundred
generated villages; the test SIGKILLs its whole process group mid-run (as a power cut
would), or the main process alone (as the OOM killer, a task manager or `kill -9 PID` does:
its workers must not outlive it, nor keep the folder locked), checks the run is half done,
resumes it, and compares every output file byte for byte, and the database rows, with a
clean run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import assert_same_tree, run_sanzhi, tree
from tests.batch.helpers import RUBRIC_V1, write_villages

N = 300
BROKEN = {11: "bad value", 150: "bad yaml", 290: "wrong year"}
ARGS = ("--rubric", str(RUBRIC_V1), "--year", "2025", "--jobs", "2", "--shard-size", "5")


def _count(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM run_inputs").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _db_rows(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """The run's rows without the surrogate run key, sorted: comparable across databases."""
    con = sqlite3.connect(db)
    out = {}
    for table, cols in (
        ("village_results", ("village_code, village_name, township, county, year, total, rating_tier, rating_name,"
                             " vetoed, vetoes, operative_level, input_sha256, source")),
        ("level_totals", "village_code, level, base, bonus, total"),
        ("dimension_scores", "village_code, dimension_id, level, score, applicable_points"),
        ("item_scores", "village_code, level, scores"),
        ("review_corrections", "village_code, level, field_id, old_value, new_value, reviewer, reason"),
        ("run_inputs", "source, input_sha256, village_code, status, problems, output_sha256, input_file"),
        ("outputs", "unit, code, format, sha256"),
    ):
        out[table] = sorted(con.execute(f"SELECT {cols} FROM {table}").fetchall(), key=repr)
    out["runs"] = con.execute("SELECT year, rubric_id, rubric_version, rubric_hash, engine_version, status, villages,"
                              " skipped, inputs_sha256 FROM runs").fetchall()
    con.close()
    return out


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is gone
    except OSError:
        return False


def _kill_mid_run(tmp_path: Path, out: str, db: str, *, args: tuple[str, ...] = ARGS, until: int = N // 3,
                  delay: str = "0.01", alone: bool = False) -> None:
    """Start the batch, SIGKILL it once `until` sources are recorded: its whole process group,
    or (`alone`) the main process only, checking that no worker outlives it by 3 s."""
    # 10 ms a village: the run takes ~2 s, several of the batch's 0.5 s commits, so the kill
    # lands after some villages are recorded and before all are.
    cmd = [sys.executable, "-m", "tests.batch.slow_cli", delay, "batch", "in", *args, "-o", out, "--db", db]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    deadline = time.monotonic() + 180
    workers: list[int] = []
    try:
        while _count(tmp_path / db) < until:
            assert proc.poll() is None, "the batch ended before it could be interrupted: " + proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the batch made no progress"
            time.sleep(0.01)
        workers = _children(proc.pid)
        if alone:
            os.kill(proc.pid, signal.SIGKILL)  # what the OOM killer does: the main process only
        else:
            os.killpg(proc.pid, signal.SIGKILL)  # the main process and its pool workers, at once
        proc.wait()
        if alone:
            assert workers, "the batch had no pool workers"
            gone = time.monotonic() + 3
            while any(_alive(w) for w in workers) and time.monotonic() < gone:
                time.sleep(0.02)
            assert not [w for w in workers if _alive(w)], "pool workers outlived the killed batch"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory, rubric_v1: CompiledRubric) -> Path:
    root = tmp_path_factory.mktemp("resume")
    write_villages(rubric_v1, root / "in", N, 2025, broken=BROKEN)
    return root


def test_killed_run_resumes_to_the_same_outputs(inputs: Path) -> None:
    _kill_mid_run(inputs, "out", "killed.sqlite")
    done = _count(inputs / "killed.sqlite")
    assert N // 3 <= done < N
    con = sqlite3.connect(inputs / "killed.sqlite")
    assert con.execute("SELECT status FROM runs").fetchall() == [("running",)]
    con.close()
    assert not (inputs / "out" / "summary.json").exists()

    resumed = run_sanzhi("batch", "in", *ARGS, "-o", "out", "--db", "killed.sqlite", "--resume", cwd=inputs)
    assert resumed.returncode == 1, resumed.stderr  # the broken villages are still skipped
    assert "续跑批次" in resumed.stderr
    reused = int(resumed.stderr.split("沿用 ")[1].split(" ")[0])
    assert reused >= done - len(BROKEN) - 20  # what was done is not redone (bar a shard or two in flight)

    clean = run_sanzhi("batch", "in", *ARGS, "-o", "clean", "--db", "clean.sqlite", cwd=inputs)
    assert clean.returncode == 1, clean.stderr
    assert len(tree(inputs / "clean")) > N
    assert_same_tree(inputs / "out", inputs / "clean")
    assert _db_rows(inputs / "killed.sqlite") == _db_rows(inputs / "clean.sqlite")


def test_main_process_killed_alone_leaves_no_worker_and_resumes_at_once(inputs: Path, tmp_path: Path) -> None:
    import shutil

    work = tmp_path / "w"
    shutil.copytree(inputs / "in", work / "in")
    _kill_mid_run(work, "out", "k.sqlite", alone=True)
    done = _count(work / "k.sqlite")
    assert N // 3 <= done < N
    # At once: the folder lock died with the main process, whatever its workers did.
    resumed = run_sanzhi("batch", "in", *ARGS, "-o", "out", "--db", "k.sqlite", "--resume", cwd=work)
    assert resumed.returncode == 1, resumed.stderr
    assert "另一个批次" not in resumed.stderr
    clean = run_sanzhi("batch", "in", *ARGS, "-o", "clean", "--db", "clean.sqlite", cwd=work)
    assert clean.returncode == 1, clean.stderr
    assert_same_tree(work / "out", work / "clean")
    assert _db_rows(work / "k.sqlite") == _db_rows(work / "clean.sqlite")


PDF_N = 24
PDF_ARGS = ("--rubric", str(RUBRIC_V1), "--year", "2025", "--jobs", "2", "--pdf")  # the default shard size, 200


def test_killed_mid_pdf_shard_keeps_the_villages_finished(tmp_path: Path, rubric_v1: CompiledRubric) -> None:
    # One township folder: one 200-village shard. With reports each task holds a few seconds
    # of rendering, and each is committed when it comes back, so a kill after a few villages
    # loses only the tasks in flight.
    write_villages(rubric_v1, tmp_path / "in", PDF_N, 2025, townships=1)
    _kill_mid_run(tmp_path, "out", "p.sqlite", args=PDF_ARGS, until=4, delay="0", alone=True)
    done = _count(tmp_path / "p.sqlite")
    assert 4 <= done < PDF_N
    resumed = run_sanzhi("batch", "in", *PDF_ARGS, "-o", "out", "--db", "p.sqlite", "--resume", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    reused = int(resumed.stderr.split("沿用 ")[1].split(" ")[0])
    assert reused == done
    clean = run_sanzhi("batch", "in", *PDF_ARGS, "-o", "clean", "--db", "clean.sqlite", cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert len(list((tmp_path / "clean").rglob("*.pdf"))) == PDF_N + 1  # and the county summary
    assert_same_tree(tmp_path / "out", tmp_path / "clean")
    assert _db_rows(tmp_path / "p.sqlite") == _db_rows(tmp_path / "clean.sqlite")


def test_resume_redoes_changed_and_drops_removed_inputs(inputs: Path, tmp_path: Path) -> None:
    import shutil

    work = tmp_path / "w"
    shutil.copytree(inputs / "in", work / "in")
    _kill_mid_run(work, "out", "r.sqlite")
    files = sorted((work / "in").rglob("*.json"))
    done = {row[0] for row in sqlite3.connect(work / "r.sqlite").execute("SELECT source FROM run_inputs")}
    changed = next(f for f in files if str(f.relative_to(work)) in done and "330483101" in f.name)
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace('"name": "测试村', '"name": "改名村', 1), encoding="utf-8")
    removed = next(f for f in files if str(f.relative_to(work)) in done and f != changed)
    removed.unlink()
    resumed = run_sanzhi("batch", "in", *ARGS, "-o", "out", "--db", "r.sqlite", "--resume", cwd=work)
    assert resumed.returncode == 1, resumed.stderr
    clean = run_sanzhi("batch", "in", *ARGS, "-o", "clean", "--db", "clean.sqlite", cwd=work)
    assert clean.returncode == 1, clean.stderr
    assert_same_tree(work / "out", work / "clean")
    assert _db_rows(work / "r.sqlite") == _db_rows(work / "clean.sqlite")
    assert "改名村" in (work / "out" / "published" / "测试县" / "测试县-排名.csv").read_text(encoding="utf-8-sig")


def test_a_failure_inside_a_shard_keeps_only_whole_shards(inputs: Path, tmp_path: Path, rubric_v1: CompiledRubric,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Transactions span several shards. A failure while one shard is being written rolls the
    # open transaction back (never half a shard); what was committed before stays, and
    # --resume then finishes with the same files and rows as a clean run.
    from sanzhi.batch import ingest
    from sanzhi.batch.runner import BatchOptions, run_batch
    from sanzhi.batch.store import Store

    opts = BatchOptions(inputs=(inputs / "in",), out_dir=tmp_path / "out", year=2025, db=str(tmp_path / "r.sqlite"),
                        jobs=1, shard_size=5)
    monkeypatch.setattr(ingest, "COMMIT_EVERY_VILLAGES", 50)
    calls = {"n": 0}
    real_insert = Store.insert

    def failing_insert(self: Store, table: str, columns: object, rows: object) -> None:
        if table == "item_scores":
            calls["n"] += 1
            if calls["n"] == 23:  # the 23rd shard: 20 committed (4 × 50 villages), 2 shards pending
                raise OSError("disk full")
        real_insert(self, table, columns, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "insert", failing_insert)
    with pytest.raises(OSError):
        run_batch(rubric_v1, opts, clock=lambda: "2026-01-10T10:00:00+08:00")
    monkeypatch.setattr(Store, "insert", real_insert)
    recorded = _count(tmp_path / "r.sqlite")
    assert 0 < recorded < N and recorded % 5 == 0, recorded  # whole shards only
    again = run_batch(rubric_v1, replace(opts, resume=True), clock=lambda: "2026-01-10T10:00:00+08:00")
    assert again.reused == recorded
    clean = run_batch(rubric_v1, BatchOptions(inputs=(inputs / "in",), out_dir=tmp_path / "clean", year=2025,
                                              db=str(tmp_path / "c.sqlite"), jobs=1, shard_size=5),
                      clock=lambda: "2026-01-10T10:00:00+08:00")
    assert (again.scored, again.skipped) == (clean.scored, clean.skipped)
    assert_same_tree(tmp_path / "out", tmp_path / "clean")
    assert _db_rows(tmp_path / "r.sqlite") == _db_rows(tmp_path / "c.sqlite")
