"""The bare-os file reader (batch workers, every village file) gives exactly what Path.read_bytes gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanzhi.inputs.read import read_file


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 70_000])
def test_regular_files_read_whole(tmp_path: Path, size: int) -> None:
    p = tmp_path / "v.json"
    p.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    assert read_file(str(p)) == p.read_bytes()


def test_files_that_report_no_size_are_read_to_the_end() -> None:
    # /proc files say st_size 0: a reader trusting the size would return nothing.
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc here")
    assert read_file(str(status)).startswith(b"Name:")


def test_a_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        read_file(str(tmp_path / "none.json"))
