"""Print a sha256 for every output sanzhi writes for the bundled samples.

For refactors that must not change bytes: run it before and after (old and new commit) and
diff the two listings. It scores every bundled rubric's samples with JSON and a report in
every format the checkout has (PDF and HTML before the format registry; see
`sanzhi.reports.formats`) at a fixed report date, and runs one batch with every report format
over the Jiaxing samples into a fresh folder and database. A format one commit has and the
other lacks shows up as added files.

    python scripts/output_fingerprint.py > before.txt
    git checkout NEW; python scripts/output_fingerprint.py > after.txt; diff before.txt after.txt

Batch outputs that name the run (its random id, timestamps) are listed by name only.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPORT_DATE = "2026-01-15"
# Files a batch writes whose bytes name the run (random run id, start time): listed, not hashed.
RUN_SPECIFIC = {"state.json", "summary.json"}


def sanzhi(*args: str, env: dict[str, str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "sanzhi", *args], check=False, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit(f"sanzhi {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")


def report_formats() -> tuple[list[str], list[str]]:
    """The report formats of `sanzhi score` and of `sanzhi batch` in this checkout."""
    try:
        from sanzhi.reports.formats import FORMATS
    except ImportError:  # before the registry: score had PDF and HTML, batch PDF only
        return ["pdf", "html"], ["pdf"]
    return [f.name for f in FORMATS], [f.name for f in FORMATS]


def listing(root: Path) -> list[str]:
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if path.name in RUN_SPECIFIC or "/.sanzhi-batch/" in f"/{rel}" or path.suffix == ".sqlite":
            out.append(f"{'(run-specific)':64}  {rel}")
        else:
            out.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}")
    return out


def main() -> None:
    rubrics = sys.argv[1:] or ["jiaxing-sanzhi", "zhejiang-shanzhi", "minzhu-fazhi", "shandan-wuzhi",
                               "kunshan-grid", "tongxiang-carriers"]
    formats, batch_formats = report_formats()
    batch_flags = [f"--{name}" for name in batch_formats]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {**os.environ, "SANZHI_DB": str(root / "db.sqlite"), "COLUMNS": "100"}
        for rid in rubrics:
            d = root / "score" / rid
            dirs = [arg for name in formats for arg in (f"--{name}", str(d / name))]
            sanzhi("score", "--rubric", rid, "--samples", "-o", str(d / "results.json"), *dirs,
                   "--report-date", REPORT_DATE, "-j", "2", env=env)
        samples = Path(__file__).resolve().parents[1] / "src/sanzhi/standard/rubrics/samples/jiaxing-sanzhi"
        sanzhi("batch", str(samples), "--rubric", "jiaxing-sanzhi", "--year", "2025", "-o", str(root / "batch"),
               *batch_flags, "--db", str(root / "batch.sqlite"), env=env)
        print("\n".join(listing(root)))


if __name__ == "__main__":
    main()
