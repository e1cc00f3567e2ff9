"""`sanzhi rubric impact` speed: N synthetic villages re-scored under two rubric versions.

Usage: python scripts/bench_impact.py [N] [A] [B] [--yaml] [--jobs J] [--keep DIR]

Writes N synthetic village files (JSON by default, the documented village data format;
--yaml for YAML) into a temporary folder — each a bundled sample village with about one answer
in six redrawn by sanzhi.inputs.synthetic (--plain: purely random villages) — then times the real command end to end in a
fresh process — interpreter start, imports, loading both rubrics, reading every file,
scoring each village twice, the report — exactly as a user runs it:

    sanzhi rubric impact A B FOLDER --json

Prints figures; asserts nothing (the goal, 20,000 villages in under 30 s on the 2-core
workplace machine, is read off the output).
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.synthetic import plausible_village, synthetic_village
from sanzhi.standard.bundled import sample_files


def _plain(obj: object) -> object:
    if isinstance(obj, Decimal):
        return str(obj)
    raise TypeError(type(obj))


def write_villages(ref: str, n: int, folder: Path, as_yaml: bool, plain: bool) -> float:
    compiled, _ = load_compiled_rubric(ref)
    samples = [load_yaml(p.read_text(encoding="utf-8"), p.name, code_prefix="D")[0] for p in sample_files(compiled.rubric.id)]
    t0 = time.perf_counter()
    if as_yaml:
        import yaml

    for i in range(n):
        raw = synthetic_village(compiled, i) if plain or not samples else plausible_village(compiled, samples, i)
        path = folder / f"{i:06d}.{'yaml' if as_yaml else 'json'}"
        text = json.dumps(raw, ensure_ascii=False, default=_plain)
        if as_yaml:
            text = yaml.safe_dump(json.loads(text), allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=20_000)
    ap.add_argument("a", nargs="?", default="jiaxing-sanzhi@2018")
    ap.add_argument("b", nargs="?", default="jiaxing-sanzhi@2024")
    ap.add_argument("--yaml", action="store_true", help="write YAML village files instead of JSON")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPU count)")
    ap.add_argument("--keep", type=Path, default=None, help="write the villages here and keep them")
    ap.add_argument("--plain", action="store_true", help="purely random villages (sanzhi.inputs.synthetic) instead of perturbed samples")
    args = ap.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="sanzhi-bench-impact-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t_write = write_villages(args.a, args.n, folder, args.yaml, args.plain)
        sanzhi = Path(sys.executable).with_name("sanzhi")
        cmd = [str(sanzhi), "rubric", "impact", args.a, args.b, str(folder), "--json"]
        if args.jobs:
            cmd += ["--jobs", str(args.jobs)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env={**os.environ, "COLUMNS": "120"})
        elapsed = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its worker processes
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        load = os.getloadavg()[0]
        if proc.returncode not in (0, 1):
            sys.exit(f"impact failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
        report = json.loads(proc.stdout)
        print(f"machine: {os.cpu_count()} CPU(s); python {sys.version.split()[0]}")
        print(f"villages: {args.n:,} {'YAML' if args.yaml else 'JSON'} files (written in {t_write:.1f} s, not timed)")
        print(f"command: {' '.join(cmd[1:4])} … --json" + (f" --jobs {args.jobs}" if args.jobs else ""))
        print(f"end to end: {elapsed:.1f} s wall  ({args.n / elapsed:,.0f} villages/s, each scored under both versions)")
        print(f"CPU: {cpu:.1f} s in the command and its workers ({cpu / args.n * 1000:.2f} ms per village); "
              f"load average at the end {load:.1f} on {os.cpu_count()} CPUs"
              + ("  — the machine was busy: the wall time is inflated; CPU ÷ cores is the idle estimate" if load > (os.cpu_count() or 1) else ""))
        print(f"scored: {report['villages']:,}; skipped: {report['failures']:,}; "
              f"rating changed: {report['changed_rating']:,} (up {report['up']:,}, down {report['down']:,}); "
              f"mean total {report['mean_total_a']} → {report['mean_total_b']}")
        print(f"goal: 20,000 villages in under 30 s → {'met' if args.n >= 20_000 and elapsed < 30 else 'see figures'}")
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
