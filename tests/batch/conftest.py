"""Fixtures for the batch tests: the two test rubrics, generated inputs, a tree comparer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanzhi.app.api import load_compiled_rubric
from sanzhi.standard.compile import CompiledRubric
from tests.batch.helpers import RUBRIC_V1, RUBRIC_V2

CLOCK = iter(f"2026-01-{d:02d}T08:00:00+08:00" for d in range(1, 32))


@pytest.fixture(scope="session")
def rubric_v1() -> CompiledRubric:
    return load_compiled_rubric(str(RUBRIC_V1))[0]


@pytest.fixture(scope="session")
def rubric_v2() -> CompiledRubric:
    return load_compiled_rubric(str(RUBRIC_V2))[0]


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real default database or error log."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("SANZHI_DB", raising=False)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root (but the batch's private state folder) → its bytes."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if ".sanzhi-batch" in rel.parts or not p.is_file():
            continue
        out[str(rel)] = p.read_bytes()
    return out


def assert_same_tree(a: Path, b: Path) -> None:
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb), (sorted(set(ta) ^ set(tb)))[:20]
    differ = [k for k in ta if ta[k] != tb[k]]
    assert not differ, differ[:20]


def sanzhi_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "sanzhi", *args]


def run_sanzhi(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(sanzhi_cmd(*args), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})
