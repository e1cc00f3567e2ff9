"""Shared pytest setup: the `--update-golden` switch and hypothesis profiles.

Why: golden files (expected error output, JSON results) are reviewed like code, so they are
only ever rewritten on purpose, with one switch (rendercv's `--update-testdata`). Hypothesis
runs derandomised with more examples in CI, so a CI failure reproduces exactly, and fast and
random on a developer machine.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

# Both start from hypothesis' own defaults: with CI set, hypothesis makes its built-in "ci"
# profile the default, and a profile without `parent` would silently inherit from it.
_BASE = settings.get_profile("default")
settings.register_profile(
    "ci",
    parent=_BASE,
    derandomize=True,  # a CI failure reproduces exactly, on any machine
    max_examples=500,
    deadline=None,  # shared CI runners have noisy timings
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", parent=_BASE, derandomize=False, max_examples=50, deadline=None)


def _hypothesis_profile() -> str:
    chosen = os.environ.get("SANZHI_HYPOTHESIS_PROFILE")
    if chosen:
        return chosen
    return "ci" if os.environ.get("CI", "").lower() == "true" else "dev"


HYPOTHESIS_PROFILE = _hypothesis_profile()
settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/**/expected, golden) instead of comparing with them",
    )


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"hypothesis profile: {HYPOTHESIS_PROFILE}"]
    if config.getoption("--update-golden"):
        lines.append("--update-golden: golden files will be rewritten, review `git diff tests/`")
    return lines
