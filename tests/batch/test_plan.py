"""The batch plan over a workbook whose reader breaks part-way (a bug, S902): the villages read
before the break are still planned, the file's failure comes after them, and the run goes on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sanzhi.batch import plan
from sanzhi.batch.work import Failed, Shard
from sanzhi.inputs.files import read_text_village
from sanzhi.inputs.loaded import Loaded
from sanzhi.standard.compile import CompiledRubric
from tests.batch.helpers import write_villages


def test_a_reader_breaking_mid_workbook_keeps_the_villages_before_it(tmp_path: Path, rubric_v1: CompiledRubric,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first, after = write_villages(rubric_v1, tmp_path / "in", 2, 2025)
    book = tmp_path / "in" / "book.xlsx"
    book.write_bytes(b"not read")

    def breaking(compiled: CompiledRubric, path: Path) -> Iterator[Loaded]:
        yield read_text_village(compiled, first)
        raise RuntimeError("reader bug")

    monkeypatch.setattr(plan, "read_village_file", breaking)
    out = list(plan.plan_shards(rubric_v1, [str(book), str(after)], shard_size=10, known=lambda keys: {}, ship_bytes=False))
    kinds = [type(x).__name__ for x in out]
    assert kinds == ["Shard", "Failed", "Shard"], kinds
    shard, failed = out[0], out[1]
    assert isinstance(shard, Shard) and isinstance(failed, Failed)
    assert len(shard.refs) == 1
    assert failed.source == str(book) and failed.lines[0].endswith("请连同错误日志反馈")
    assert "S902" in failed.lines[0] and "RuntimeError: reader bug" in failed.lines[0]
