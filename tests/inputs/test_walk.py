"""The one walker's rules (`sanzhi.inputs.walk`), each on a folder built for it.

The batch-level check that results written inside an input folder are not read back on a
second run is `tests/batch/test_batch_run.py::test_an_output_folder_inside_the_inputs_is_not_read_as_input`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanzhi.inputs.files import INPUT_SUFFIXES, input_files


def _touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")


def _listed(root: Path, *paths: Path, skip: Path | None = None) -> list[str]:
    return [os.path.relpath(f, root) for f in input_files(list(paths) or [root], skip)]


def test_only_registered_suffixes_in_any_case_old_excel_included(tmp_path: Path) -> None:
    _touch(tmp_path, "a.yaml", "b.YML", "c.Json", "d.xlsx", "e.XLSM", "f.csv", "g.xls", "h.et",
           "notes.txt", "report.pdf", "yaml", "a.yaml.bak")
    assert _listed(tmp_path) == ["a.yaml", "b.YML", "c.Json", "d.xlsx", "e.XLSM", "f.csv", "g.xls", "h.et"]
    assert set(INPUT_SUFFIXES) == {".yaml", ".yml", ".json", ".xlsx", ".xlsm", ".csv", ".xls", ".et"}


def test_hidden_and_lock_files_and_hidden_folders_are_skipped(tmp_path: Path) -> None:
    _touch(tmp_path, "村.xlsx", "~$村.xlsx", ".~lock.村.xlsx#", ".~村.xlsx", ".hidden.yaml",
           ".git/objects/x.json", ".sanzhi-batch/state.json", "~$folder/a.yaml", "sub/.village.json", "sub/v.json")
    assert _listed(tmp_path) == ["sub/v.json", "村.xlsx"]


def test_the_skipped_folder_is_found_however_it_is_spelled_and_only_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _touch(tmp_path, "in/t1/a.json", "in/out/villages/330/330483/330483101001.json", "in/t2/out/b.json")
    monkeypatch.chdir(tmp_path)
    for skip in (Path("in/out"), Path("./in/out/"), tmp_path / "in" / "out"):
        assert _listed(tmp_path, Path("in"), skip=skip) == ["in/t1/a.json", "in/t2/out/b.json"], skip
    assert "in/out/villages/330/330483/330483101001.json" in _listed(tmp_path, Path("in"))


def test_symlinked_folders_are_not_followed_symlinked_files_are_listed(tmp_path: Path) -> None:
    _touch(tmp_path, "in/t/a.json", "elsewhere/b.json")
    (tmp_path / "in" / "t" / "loop").symlink_to(tmp_path / "in", target_is_directory=True)  # a cycle
    (tmp_path / "in" / "other").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "in" / "link.json").symlink_to(tmp_path / "elsewhere" / "b.json")
    (tmp_path / "in" / "broken.json").symlink_to(tmp_path / "nowhere.json")  # its reader reports it missing
    assert _listed(tmp_path, tmp_path / "in") == ["in/broken.json", "in/link.json", "in/t/a.json"]


def test_order_is_by_path_components_and_spelled_as_pathlib_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As strings "a-b/x" < "a/z" ('-' is before '/'), by components the folder "a" comes first;
    # code points, not the locale: "B" before "a", 乙 (U+4E59) before 甲 (U+7532).
    _touch(tmp_path, "in/a-b/x.yaml", "in/a/z.yaml", "in/a.yaml", "in/B.yaml", "in/乙/v.yaml", "in/甲/v.yaml")
    monkeypatch.chdir(tmp_path)
    got = list(input_files([Path("./in/")]))
    assert got == [os.path.join("in", *p.split("/")) for p in ("B.yaml", "a/z.yaml", "a-b/x.yaml", "a.yaml", "乙/v.yaml", "甲/v.yaml")]
    assert got == sorted(got, key=lambda s: Path(s).parts)


def test_paths_given_by_name_are_taken_as_given_in_order(tmp_path: Path) -> None:
    _touch(tmp_path, "~$odd.xlsx", ".hidden.yaml", "notes.txt", "dir/v.json")
    given = [tmp_path / "notes.txt", tmp_path / "dir", tmp_path / ".hidden.yaml", tmp_path / "~$odd.xlsx", tmp_path / "missing.yaml"]
    assert _listed(tmp_path, *given) == ["notes.txt", "dir/v.json", ".hidden.yaml", "~$odd.xlsx", "missing.yaml"]
