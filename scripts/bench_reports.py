"""Report speed and memory: ms per village PDF on one core, reports/s on all cores, RSS over a long run.

Usage: python scripts/bench_reports.py [RUBRIC] [--villages 50] [--single 15] [--repeat 3] [--long 300] [--jobs N]

Synthetic villages (sanzhi.inputs.synthetic), given a township and a county review so that their
reports have all three score columns, are read and scored like real files, then reported:

1. one core, renderer reused, each report made by `render_village_pdf` (view model, HTML,
   PDF with the result JSON attached): median ms per report, wall and CPU time, first in a
   plain process, then after `prepare_worker()` (what each pool worker runs: renderer built
   once, long-lived objects frozen, cyclic-GC thresholds raised). Each render is preceded by
   a short speed check, and the median is also printed scaled to the machine's full speed:
   on a shared virtual machine the raw figure swings by half from minute to minute;
2. all cores: a full `write_reports_parallel` run of --villages reports to a temp folder,
   pool start-up included, in reports/s;
3. memory: --long reports rendered in this process, RSS sampled as it goes (flat = no leak).

Prints figures; asserts nothing (speed goals live here, not in tests). Compare runs by the
scaled figures and the speed checks: CPU time swings with the host as much as wall time does.
"""

import argparse
import io
import os
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.errors import Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.synthetic import synthetic_village
from sanzhi.reports.html import render_village_html
from sanzhi.reports.pool import (
    VillageJob,
    default_workers,
    prepare_worker,
    render_village_pdf,
    report_filename,
    write_reports_parallel,
)
from sanzhi.reports.village import RubricInfo, build_village_report, rubric_info
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.compile import CompiledRubric

REPORT_DATE = date(2025, 12, 31)


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


#: The speed check's time on this workplace's machine when it ran at full speed (ms).
REFERENCE_SPEED_MS = 7.0


def speed_check(rounds: int = 10) -> float:
    """ms for a fixed pure-Python loop (best of `rounds`): how fast this machine is right now.

    Shared and virtual machines vary by tens of percent from minute to minute even when idle
    (measured here: 6.7 to 11.8 ms within one minute), so figures from different runs are
    comparable only together with this number.
    """
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        sum(i * i for i in range(200_000))
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def page_count(pdf: bytes) -> int:
    """Pages of a PDF (pypdf, from the test extras); 0 when pypdf is not installed."""
    try:
        import pypdf
    except ImportError:
        return 0
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def reviewed(compiled: CompiledRubric, raw: dict[str, object]) -> dict[str, object]:
    """The synthetic village after a township and a county review (three score columns, as in
    a real filed report), the township correcting one count."""
    answers = raw["answers"]
    assert isinstance(answers, dict)
    count = next((f.id for f in compiled.rubric.fields if f.type == "integer" and f.id in answers), None)
    corrections = {count: {"value": int(answers[count]) + 1, "reason": "抽查复核"}} if count else {}
    return {**raw, "reviews": [
        {"level": "township", "reviewer": "合成镇评审组", "date": "2026-01-10", "corrections": corrections},
        {"level": "county", "reviewer": "合成县评审组", "date": "2026-02-20"},
    ]}


def villages(compiled: CompiledRubric, n: int, offset: int = 0) -> list[VillageResult]:
    raws = [reviewed(compiled, synthetic_village(compiled, offset + i)) for i in range(n)]
    return [score_village(compiled, read_assessment(compiled, raw, lambda p, k: Location("bench"))) for raw in raws]


def one_core(info: RubricInfo, results: list[VillageResult], repeat: int
             ) -> tuple[list[float], list[float], list[float], list[int]]:
    """Each report `repeat` times through render_village_pdf (view model, HTML, PDF with the
    result JSON attached). Returns every wall time, every CPU time, every wall time scaled to
    the reference machine speed (a speed check just before each render), and pages."""
    wall, cpu, scaled, pages = [], [], [], []
    for r in results:
        for _ in range(repeat):
            speed = speed_check(rounds=2)
            t0, c0 = time.perf_counter(), time.process_time()
            pdf = render_village_pdf(info, r, input_sha256=None, report_date=REPORT_DATE)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            scaled.append(wall[-1] * REFERENCE_SPEED_MS / speed)
        pages.append(page_count(pdf))
    return wall, cpu, scaled, pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rubric", nargs="?", default="jiaxing-sanzhi")
    ap.add_argument("--villages", type=int, default=50, help="reports in the all-cores run")
    ap.add_argument("--single", type=int, default=15, help="villages timed on one core")
    ap.add_argument("--repeat", type=int, default=3, help="renders of each of them (as a worker)")
    ap.add_argument("--long", type=int, default=300, help="reports in the memory run (0: skip)")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    args = ap.parse_args()

    compiled, _ = load_compiled_rubric(args.rubric)
    info = rubric_info(compiled)
    results = villages(compiled, max(args.villages, args.single))
    print(f"rubric {compiled.ref}: {len(compiled.items)} items; cores usable: {default_workers()}; "
          f"speed check {speed_check():.1f} ms")

    # 1. One core, renderer reused: first as a plain process, then set up like a pool worker.
    render_village_pdf(info, results[0], input_sha256=None, report_date=REPORT_DATE)  # warm-up
    t0 = time.perf_counter()
    for r in results[: args.single]:
        render_village_html(build_village_report(info, r, input_sha256=None, report_date=REPORT_DATE))
    html_ms = (time.perf_counter() - t0) / args.single * 1000
    print(f"view model + HTML alone: {html_ms:.1f} ms per report")
    plain = one_core(info, results[: args.single], 1)
    prepare_worker()
    worker = one_core(info, results[: args.single], args.repeat)
    for label, (wall, cpu, scaled, pages) in (("default GC", plain), ("as a pool worker", worker)):
        print(f"one core, {label}, {len(wall)} renders of {len(pages)} villages ({statistics.median(pages)} pages): "
              f"median {statistics.median(wall) * 1000:.0f} ms wall, {statistics.median(cpu) * 1000:.0f} ms CPU "
              f"per report; scaled to a {REFERENCE_SPEED_MS} ms speed check: {statistics.median(scaled) * 1000:.0f} ms; "
              f"load average {os.getloadavg()[0]:.1f}")
    print(f"speed check {speed_check():.1f} ms")

    # 2. All cores, a full run including the pool start-up.
    workers = args.jobs or default_workers()
    with tempfile.TemporaryDirectory() as tmp:
        jobs = [VillageJob(r, None, None, Path(tmp) / report_filename(r, ".pdf"), None)
                for r in results[: args.villages]]
        t0 = time.perf_counter()
        done = list(write_reports_parallel(info, jobs, report_date=REPORT_DATE, workers=workers))
        elapsed = time.perf_counter() - t0
        assert len(done) == args.villages
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"all cores ({workers} workers), {args.villages} reports written: {elapsed:.1f} s, "
          f"{args.villages / elapsed:.2f} reports/s; largest worker RSS {children:.0f} MiB")

    # 3. Memory over a long run in one process, set up like a pool worker (section 1).
    if args.long:
        long_results = villages(compiled, min(args.long, 100), offset=10_000)
        samples = [(0, rss_mib())]
        for i in range(args.long):
            render_village_pdf(info, long_results[i % len(long_results)], input_sha256=None, report_date=REPORT_DATE)
            if (i + 1) % max(1, args.long // 6) == 0:
                samples.append((i + 1, rss_mib()))
        series = ", ".join(f"{n}: {mib:.0f}" for n, mib in samples)
        print(f"RSS (MiB) after n reports in one process: {series}")
        print(f"growth over the last {samples[-1][0] - samples[1][0]} reports: {samples[-1][1] - samples[1][1]:+.1f} MiB")


if __name__ == "__main__":
    main()
