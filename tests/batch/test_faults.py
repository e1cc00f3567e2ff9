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
import subprocess
import sys
from pathlib import Path

import pytest

from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import run_sanzhi, tree
from tests.batch.helpers import RUBRIC_V1, write_villages

ROOT = Path(__file__).resolve().parents[2]
ARGS = ("--rubric", str(RUBRIC_V1), "--year", "2025", "--jobs", "2", "--shard-size", "5")


def _crash_cli(marker: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
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


# ------------------------------------------------------------------------------ the machine
# In-process (`--jobs 1`), with the fault injected at the system call: what a full disk, a
# read-only mount or another program's database lock make the OS return.


def _cli(*args: str) -> tuple[int, str]:
    from typer.testing import CliRunner

    from sanzhi.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr


def _batch(tmp_path: Path, out: str, *more: str) -> tuple[int, str]:
    return _cli("batch", str(tmp_path / "in"), "--rubric", str(RUBRIC_V1), "--year", "2025", "--jobs", "1",
                "--shard-size", "5", "-o", str(tmp_path / out), "--db", str(tmp_path / f"{out}.sqlite"), *more)


def _fail_under(monkeypatch: pytest.MonkeyPatch, call: str, folder: Path, err: int, after: int = 0) -> None:
    """os.write (by descriptor) or os.open (by path) fails with `err` for files under `folder`,
    after `after` successful calls there."""
    import errno as _errno

    real = getattr(os, call)
    seen = {"n": 0}

    def path_of(first: object) -> str:
        if call == "write":
            try:
                return os.readlink(f"/proc/self/fd/{first}")
            except OSError:
                return ""
        return os.fspath(first)  # type: ignore[arg-type]

    def failing(first: object, *rest: object, **kw: object) -> object:
        if path_of(first).startswith(str(folder)):
            seen["n"] += 1
            if seen["n"] > after:
                raise OSError(err, os.strerror(err), *(() if call == "write" else (os.fspath(first),)))  # type: ignore[arg-type]
        return real(first, *rest, **kw)

    assert err in (_errno.ENOSPC, _errno.EROFS)
    monkeypatch.setattr(os, call, failing)


def _same_as_clean(tmp_path: Path, out: str) -> None:
    code, err = _batch(tmp_path, "clean")
    assert code == 0, err
    assert tree(tmp_path / out) == tree(tmp_path / "clean")


def test_a_full_disk_is_said_to_be_full_and_the_run_resumes(tmp_path: Path, rubric_v1: CompiledRubric,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    write_villages(rubric_v1, tmp_path / "in", 60, 2025)
    with monkeypatch.context() as m:
        _fail_under(m, "write", tmp_path / "out" / "villages", errno.ENOSPC, after=30)
        code, err = _batch(tmp_path, "out")
    assert code == 4, err
    assert "错误[O140]：磁盘已满，无法写入" in err
    assert f"--> {tmp_path / 'out' / 'villages'}/" in err  # the folder, not a temporary file's name
    assert "--resume" in err and "缺陷" not in err
    done = sqlite3.connect(tmp_path / "out.sqlite").execute("SELECT count(*) FROM run_inputs").fetchone()[0]
    assert 0 < done < 60
    code, err = _batch(tmp_path, "out", "--resume")
    assert code == 0, err
    assert f"沿用 {done} 个村" in err
    _same_as_clean(tmp_path, "out")


def test_a_read_only_folder_is_said_to_be_read_only_and_the_run_resumes(tmp_path: Path, rubric_v1: CompiledRubric,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    write_villages(rubric_v1, tmp_path / "in", 20, 2025)
    with monkeypatch.context() as m:
        _fail_under(m, "open", tmp_path / "out" / "published", errno.EROFS)  # after every village is scored
        code, err = _batch(tmp_path, "out")
    assert code == 4, err
    assert "错误[O141]：目录只读（只读文件系统），无法写入" in err
    assert str(tmp_path / "out" / "published") in err
    code, err = _batch(tmp_path, "out", "--resume")
    assert code == 0, err
    assert "沿用 20 个村，重做 0 个村" in err
    _same_as_clean(tmp_path, "out")


def test_a_database_locked_by_another_program_is_said_to_be_busy(tmp_path: Path, rubric_v1: CompiledRubric,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from sanzhi.batch import store

    write_villages(rubric_v1, tmp_path / "in", 20, 2025)
    code, err = _batch(tmp_path, "first")
    assert code == 0, err
    shutil.copy(tmp_path / "first.sqlite", tmp_path / "out.sqlite")
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.2)  # sanzhi waits 60 s
    other = sqlite3.connect(tmp_path / "out.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another program writing, and not letting go
    try:
        code, err = _batch(tmp_path, "out")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 4, err
    assert "错误[O142]：数据库被占用：另一个程序正在写入该结果数据库，已等待 0.2 秒" in err
    assert f"--> {tmp_path / 'out.sqlite'}" in err
    code, err = _batch(tmp_path, "out", "--resume")
    assert code == 0, err
