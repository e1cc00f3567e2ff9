"""The screen HTML report in a real headless browser on a machine without Chinese fonts.

Chromium (Debian package `chromium`) is started with a fontconfig file that lists only the
non-CJK system fonts (DejaVu, Liberation), whatever the host has installed, so the only
Chinese font it can reach is the one embedded in the report. Skipped when no Chromium is on
the PATH.

How "text, not boxes" is told from a screenshot: a missing glyph is drawn as the same box for
every character, so two reports that differ only in the village name (same length) give
identical screenshots when the name prints as boxes, and different ones when it prints as
text. The control — the same pair with the embedded font taken out — must come out identical,
or the browser found a Chinese font somewhere else and the check would prove nothing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from sanzhi.reports.html import EMBEDDED_FAMILY, render_village_html
from tests.reports.test_html import by_name, jiaxing

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on the PATH (apt-get install -y chromium): browser rendering not checked",
)

NON_CJK_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation")


def _fontconfig(tmp: Path) -> Path:
    dirs = "".join(f"<dir>{d}</dir>" for d in NON_CJK_FONT_DIRS if os.path.isdir(d))
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        f"<fontconfig><cachedir>{tmp / 'fc-cache'}</cachedir>{dirs}</fontconfig>",
        encoding="utf-8",
    )
    return conf


def _screenshot(html: str, tmp: Path, name: str) -> str:
    """sha256 of a Chromium screenshot of the report's first screen."""
    page = tmp / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp / f"{name}.png"
    profile = tempfile.mkdtemp(dir=tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FONTCONFIG")}
    env["FONTCONFIG_FILE"] = str(_fontconfig(tmp))
    assert CHROMIUM is not None
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--window-size=900,700", "--hide-scrollbars",
         f"--screenshot={shot}", page.as_uri()],
        env=env, check=True, capture_output=True, timeout=120,
    )
    return hashlib.sha256(shot.read_bytes()).hexdigest()


def _without_embedded_font(html: str) -> str:
    out, n = re.subn(r"@font-face \{[^}]*\}", "", html)
    assert n == 1
    return out


def test_village_name_prints_as_chinese_text_in_a_browser_without_cjk_fonts(tmp_path: Path) -> None:
    v = by_name(jiaxing(), "杏林村")
    first = render_village_html(v.view._replace(village_name="杏林村"), standalone=True)
    second = render_village_html(v.view._replace(village_name="稻香村"), standalone=True)
    assert EMBEDDED_FAMILY in first

    control = (_screenshot(_without_embedded_font(first), tmp_path, "c1"),
               _screenshot(_without_embedded_font(second), tmp_path, "c2"))
    if control[0] != control[1]:
        pytest.fail("Chromium found a Chinese font outside the report: the check is void")
    embedded = (_screenshot(first, tmp_path, "e1"), _screenshot(second, tmp_path, "e2"))
    assert embedded[0] != embedded[1], "the village name printed as boxes"
    assert embedded[0] != control[0]
