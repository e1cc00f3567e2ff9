"""`--executor dask` on a local cluster of worker processes gives what the local pool gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhi.cli import app
from sanzhi.standard.compile import CompiledRubric
from tests.batch.conftest import assert_same_tree
from tests.batch.helpers import RUBRIC_V1, write_villages
from tests.batch.test_resume import _db_rows

distributed = pytest.importorskip("distributed", reason="Dask distributed is not installed (pip install 'sanzhi[distributed]')")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  host="127.0.0.1", silence_logs=40) as c:
        yield c


def test_dask_results_equal_local_pool(tmp_path: Path, rubric_v1: CompiledRubric, cluster, monkeypatch) -> None:
    write_villages(rubric_v1, tmp_path / "in", 80, 2025, broken={9: "bad value", 40: "wrong year"})
    monkeypatch.chdir(tmp_path)
    common = ["batch", "in", "--rubric", str(RUBRIC_V1), "--year", "2025", "--shard-size", "6"]
    local = CliRunner().invoke(app, [*common, "-o", "local", "--db", "local.sqlite", "--jobs", "2"])
    assert local.exit_code == 1, local.output
    dask = CliRunner().invoke(app, [*common, "-o", "dask", "--db", "dask.sqlite", "--executor", "dask",
                                    "--scheduler", cluster.scheduler_address])
    assert dask.exit_code == 1, dask.output
    assert "评分 78 个村，2 个村数据有误已跳过" in dask.output
    assert_same_tree(tmp_path / "local", tmp_path / "dask")
    assert _db_rows(tmp_path / "local.sqlite") == _db_rows(tmp_path / "dask.sqlite")


def test_dask_needs_a_scheduler(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(app, ["batch", str(tmp_path / "in"), "--rubric", str(RUBRIC_V1), "--year", "2025",
                                      "-o", str(tmp_path / "o"), "--db", str(tmp_path / "r.sqlite"), "--executor", "dask"])
    assert result.exit_code == 2 and "--scheduler" in result.output
