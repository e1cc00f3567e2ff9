"""Report speed and memory: ms per village PDF on one core, reports/s on all cores, RSS over a long run.

Usage: python scripts/bench_reports.py [RUBRIC] [--villages 50] [--single 15] [--long 300] [--jobs N]

Synthetic villages (sanzhi.synthetic), given a township and a county review so that their
reports have all three score columns, are read and scored like real files, then reported:

1. one core, renderer reused (as each worker does): median ms per report, wall and CPU time,
   split into view model + HTML and PDF (WeasyPrint layout + writing);
2. all cores: a full `write_reports_parallel` run of --villages reports to a temp folder,
   pool start-up included, in reports/s;
3. memory: --long reports rendered in this process, RSS sampled as it goes (flat = no leak).

Prints figures; asserts nothing (speed goals live here, not in tests). On a shared machine the
CPU-time figures are the ones to compare.
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

from sanzhi.api import load_compiled_rubric
from sanzhi.errors import Location
from sanzhi.inputs.assessment import read_assessment
from sanzhi.reports.html import print_stylesheets, render_village_html
from sanzhi.reports.pdf import get_renderer
from sanzhi.reports.pool import (
    VillageJob,
    default_workers,
    render_village_pdf,
    report_filename,
    write_reports_parallel,
)
from sanzhi.reports.village import build_village_report, rubric_info
from sanzhi.scoring.engine import score_village
from sanzhi.scoring.results import VillageResult
from sanzhi.standard.compile import CompiledRubric
from sanzhi.synthetic import synthetic_village

REPORT_DATE = date(2025, 12, 31)


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rubric", nargs="?", default="jiaxing-sanzhi")
    ap.add_argument("--villages", type=int, default=50, help="reports in the all-cores run")
    ap.add_argument("--single", type=int, default=15, help="reports timed on one core")
    ap.add_argument("--long", type=int, default=300, help="reports in the memory run (0: skip)")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    args = ap.parse_args()

    compiled, _ = load_compiled_rubric(args.rubric)
    info = rubric_info(compiled)
    results = villages(compiled, max(args.villages, args.single))
    renderer = get_renderer(print_stylesheets())
    print(f"rubric {compiled.ref}: {len(compiled.items)} items; cores usable: {default_workers()}")

    # 1. One core, renderer reused.
    render_village_pdf(info, results[0], input_sha256=None, report_date=REPORT_DATE)  # warm-up
    wall, cpu, html_ms, pages = [], [], [], []
    for r in results[: args.single]:
        t0, c0 = time.perf_counter(), time.process_time()
        view = build_village_report(info, r, input_sha256=None, report_date=REPORT_DATE)
        html = render_village_html(view)
        t1 = time.perf_counter()
        pdf = renderer.render_checked(html)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        html_ms.append(t1 - t0)
        pages.append(page_count(pdf))
    print(f"one core, {args.single} reports ({statistics.median(pages)} pages each): median "
          f"{statistics.median(wall) * 1000:.0f} ms wall, {statistics.median(cpu) * 1000:.0f} ms CPU per report "
          f"(best {min(wall) * 1000:.0f} ms wall, {min(cpu) * 1000:.0f} ms CPU; view model + HTML "
          f"{statistics.median(html_ms) * 1000:.1f} ms); load average {os.getloadavg()[0]:.1f}")

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

    # 3. Memory over a long run in one process (what each worker does).
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
