"""The output folder's lock: one batch at a time, held by the main process alone.

An flock belongs to the open file description, which forked children share; a main process
killed outright must not leave its folder locked by a child that outlives it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sanzhi.batch.folder import folder_lock
from sanzhi.common.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_batch_on_the_same_folder_is_refused_with_the_holder(tmp_path: Path) -> None:
    with folder_lock(tmp_path), pytest.raises(UserError) as e, folder_lock(tmp_path):
        pass
    d = e.value.diagnostics[0]
    assert d.code == "O130"
    assert f"（进程 {os.getpid()}）" in d.message
    with folder_lock(tmp_path):  # released
        pass


def test_a_killed_main_process_leaves_no_lock_behind_even_if_a_child_lives_on(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tests.batch.lock_child", str(tmp_path)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    child = int(proc.stdout.readline())
    try:
        os.kill(proc.pid, signal.SIGKILL)  # the main process alone
        proc.wait()
        os.kill(child, 0)  # the child still runs…
        with folder_lock(tmp_path):  # …and the folder is free
            pass
    finally:
        os.kill(child, signal.SIGKILL)
