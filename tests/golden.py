"""Golden-file comparison with one switch to regenerate (`pytest --update-golden`).

Why: exact output (Chinese diagnostics, JSON results) is user-visible behaviour, so a change
must show up as a reviewable diff of a file in tests/, never be accepted silently.
"""

import difflib
from pathlib import Path

import pytest

UPDATE_HINT = "Run pytest --update-golden to create/refresh it"


def compare_golden(path: Path, actual_text: str, request: pytest.FixtureRequest) -> None:
    """Assert `actual_text` equals the golden file at `path`, or rewrite it under --update-golden.

    Files are UTF-8 with "\\n" line ends, compared byte for byte; a missing file fails too, so a
    new case cannot pass before someone has read its output.
    """
    path = Path(path)
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual_text.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing. {UPDATE_HINT}.", pytrace=False)
    expected = path.read_bytes().decode("utf-8")
    if expected != actual_text:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual_text.splitlines(keepends=True),
                fromfile=f"{path} (golden)",
                tofile="actual",
            )
        )
        pytest.fail(f"output differs from golden file {path}. {UPDATE_HINT}.\n{diff}", pytrace=False)
