"""What breaking a batch on purpose finds: one bad input or one dying worker never stops the
run, and the machine's trouble (a full disk, a read-only folder, a busy database) is reported
as such, resumably.

The crash tests run the real `sanzhi batch` (a pool of 2 workers) through
`tests.batch.crash_cli`, whose workers crash on the villages a marker names.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import run_sanzhi, tree
from tests.batch.helpers import RUBRIC_V1, write_villages

ROOT = Path(__file__).resolve().parents[2]
ARGS = ("--rubric", str(RUBRIC_V1), "--year", "2025", "--jobs", "2", "--shard-size", "5")


def _crash_cli(marker: str, *args: str, cwd: Path) -> "subprocess.CompletedProcess[str]":
    import subprocess

    return subprocess.run([sys.executable, "-m", "tests.batch.crash_cli", marker, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _skipped(out: Path) -> list[list[str]]:
    with (out / "skipped.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))[1:]


@pytest.mark.parametrize("marker", ["crash", "kill"])
def test_a_worker_dying_under_one_village_fails_that_village_only(tmp_path: Path, rubric_v1: CompiledRubric,
                                                                  marker: str) -> None:
    paths = write_villages(rubric_v1, tmp_path / "in", 40, 2025)
    victim = paths[9]  # town102, in a shard with four other villages, among others in flight
    victim = victim.rename(victim.with_name(f"{victim.stem}-{marker}.json"))
    source = str(victim.relative_to(tmp_path))

    run = _crash_cli(marker, "batch", "in", *ARGS, "-o", "out", "--db", "r.sqlite", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    how = "程序崩溃（SIGSEGV）" if marker == "crash" else "被系统强制终止（SIGKILL），可能是内存不足"
    assert f"跳过 {source}: S901 评分进程在处理该村时异常退出：{how}；该村未评分，其余村不受影响" in run.stderr
    assert "内部错误" not in run.stderr and "Traceback" not in run.stderr
    rows = _skipped(tmp_path / "out")
    assert [r[0] for r in rows] == [source]

    # The other 39 came out as a run without the crash gives them.
    clean = run_sanzhi("batch", "in", *ARGS, "-o", "clean", "--db", "c.sqlite", cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    code = victim.stem.split("-")[0]
    village_files = {k: v for k, v in tree(tmp_path / "clean").items() if k.startswith("villages/") and code not in k}
    assert {k: v for k, v in tree(tmp_path / "out").items() if k.startswith("villages/")} == village_files
    db = sqlite3.connect(tmp_path / "r.sqlite")
    assert db.execute("SELECT count(*) FROM village_results").fetchone() == (39,)
    assert db.execute("SELECT status FROM run_inputs WHERE source = ?", (source,)).fetchone() == ("failed",)
    db.close()

    # A resume retries it (it may have been the memory) and nothing else: once the worker
    # survives it, the run is the clean run.
    again = run_sanzhi("batch", "in", *ARGS, "-o", "out", "--db", "r.sqlite", "--resume", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "沿用 39 个村，重做 1 个村" in again.stderr
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")
