"""Report speed and memory: ms per village PDF on one core, with and without libharfbuzz-subset
and against a naive WeasyPrint render, reports/s on all cores, RSS over a long run.

Usage: python scripts/bench_reports.py [RUBRIC] [--villages 50] [--single 8] [--repeat 3]
       [--plain 1] [--legacy 1] [--long 300] [--jobs N]

Synthetic villages (sanzhi.inputs.synthetic), given a township and a county review so that their
reports have all three score columns, are read and scored like real files, then reported:

1. one core, this process set up as a pool worker (`prepare_worker()`: renderer built once,
   long-lived objects frozen, cyclic-GC thresholds raised), each report made in three ways,
   round-robin (in a new, seeded order for every village) so that all see the same host speed:
   - hb: `render_village_pdf` (view model, HTML, PDF with the result JSON attached) with
     libharfbuzz-subset as this machine has it;
   - nohb: the same with libharfbuzz-subset forced absent in-process (WeasyPrint's module
     global set to None), as on a fresh pip install;
   - naive: the same report HTML and CSS through WeasyPrint as a first-time user writes it:
     a new FontConfiguration and CSS for every report, WeasyPrint's own font subsetting
     (libharfbuzz-subset when present), no URL fetcher, no attachment; WeasyPrint's own code
     throughout (sanzhi's per-process reuse is on only inside its renderer);
   - plain: hb (or nohb) with sanzhi's reuse inside WeasyPrint switched off (`pdf.plain()`:
     WeasyPrint's user-agent stylesheet, no remembered styles, line breaks or glyph runs),
     to show what that reuse saves;
   and with --legacy N, N renders per village of the route sanzhi had before it subset fonts
   itself: WeasyPrint's fontTools fallback (nohb without sanzhi's subsetter).
   Medians of wall time, CPU time, and wall time scaled to the machine's full speed (a short
   speed check before each render: on a shared virtual machine the raw figure swings by half
   from minute to minute). Compare the modes within one run, by their ratios.
2. all cores: a full `write_reports_parallel` run of --villages reports to a temp folder,
   pool start-up included, in reports/s;
3. memory: --long reports rendered in this process, RSS sampled as it goes (flat = no leak).

The last line is `report ms: hb=N nohb=N naive=N` (medians of wall ms, one core, this run;
`hb=-` when the machine has no libharfbuzz-subset). Prints figures; asserts nothing (speed
goals live here, not in tests).
"""

import argparse
import contextlib
import io
import os
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.errors import Location
from sanzhi.common.pool import default_workers
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.synthetic import synthetic_village
from sanzhi.reports import wpreuse
from sanzhi.reports.formats.pdf import render_village_pdf
from sanzhi.reports.html import print_stylesheets, render_village_html
from sanzhi.reports.pdf import plain
from sanzhi.reports.pool import VillageJob, prepare_worker, report_filename, write_reports_parallel
from sanzhi.reports.village import build_village_report, rubric_info
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


class Mode:
    """One way of making a report, timed in :func:`one_core`."""

    def __init__(self, name: str, render: Callable[[VillageResult], bytes], renders: int) -> None:
        self.name, self.render, self.renders = name, render, renders
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.scaled: list[float] = []
        self.pages: list[int] = []


def _wp_fonts() -> Any:
    from weasyprint.pdf import fonts

    return fonts


@contextlib.contextmanager
def no_system_subsetter() -> Iterator[None]:
    """libharfbuzz-subset forced absent in this process (as on a machine without it)."""
    fonts = _wp_fonts()
    saved = fonts.harfbuzz_subset
    fonts.harfbuzz_subset = None
    try:
        yield
    finally:
        fonts.harfbuzz_subset = saved


@contextlib.contextmanager
def weasyprint_subsetter() -> Iterator[None]:
    """WeasyPrint's own Font.subset, sanzhi's uharfbuzz subsetter taken out for the block."""
    font = _wp_fonts().Font
    patched = font.subset
    font.subset = getattr(patched, "__wrapped__", patched)
    try:
        yield
    finally:
        font.subset = patched


def naive_pdf(html: str, css: str) -> bytes:
    """A first-time user's render: new FontConfiguration and CSS each time, defaults for all."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    sheet = weasyprint.CSS(string=css, font_config=font_config)
    pdf: bytes = weasyprint.HTML(string=html).write_pdf(stylesheets=[sheet], font_config=font_config)
    return pdf


def one_core(modes: Sequence[Mode], results: list[VillageResult]) -> None:
    """Each village through every mode in turn (mode.renders times each), filling the modes'
    wall, CPU and speed-scaled times."""
    for i, r in enumerate(results):
        # A new order for every village (seeded, so runs compare): the mode right after another
        # pays for some of its garbage and cold caches, and a fixed order (or a rotation of one)
        # would always bill the same mode for the same neighbour.
        order = list(modes)
        random.Random(i).shuffle(order)
        for mode in order:
            for _ in range(mode.renders):
                speed = speed_check(rounds=2)
                t0, c0 = time.perf_counter(), time.process_time()
                pdf = mode.render(r)
                mode.wall.append(time.perf_counter() - t0)
                mode.cpu.append(time.process_time() - c0)
                mode.scaled.append(mode.wall[-1] * REFERENCE_SPEED_MS / speed)
            mode.pages.append(page_count(pdf))


def median_ms(values: Sequence[float]) -> float:
    return statistics.median(values) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rubric", nargs="?", default="jiaxing-sanzhi")
    ap.add_argument("--villages", type=int, default=50, help="reports in the all-cores run (0: skip)")
    ap.add_argument("--single", type=int, default=8, help="villages timed on one core")
    ap.add_argument("--repeat", type=int, default=3, help="renders of each of them per mode")
    ap.add_argument("--legacy", type=int, default=0,
                    help="renders per village of the fontTools route sanzhi had before (0: skip)")
    ap.add_argument("--plain", type=int, default=1,
                    help="renders per village with sanzhi's reuse inside WeasyPrint off (0: skip)")
    ap.add_argument("--long", type=int, default=300, help="reports in the memory run (0: skip)")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    args = ap.parse_args()

    compiled, _ = load_compiled_rubric(args.rubric)
    info = rubric_info(compiled)
    results = villages(compiled, max(args.villages, args.single))
    print(f"rubric {compiled.ref}: {len(compiled.items)} items; cores usable: {default_workers()}; "
          f"speed check {speed_check():.1f} ms")

    # 1. One core, this process set up as a pool worker; the modes round-robin.
    prepare_worker()
    has_hb = _wp_fonts().harfbuzz_subset is not None
    print(f"libharfbuzz-subset on this machine: {'yes' if has_hb else 'no'}")
    css = print_stylesheets()[0]

    def sanzhi_pdf(r: VillageResult) -> bytes:
        return render_village_pdf(info, r, input_sha256=None, report_date=REPORT_DATE)

    def sanzhi_nohb(r: VillageResult) -> bytes:
        with no_system_subsetter():
            return sanzhi_pdf(r)

    def sanzhi_plain(r: VillageResult) -> bytes:
        with plain():
            return sanzhi_pdf(r)

    def legacy(r: VillageResult) -> bytes:
        with no_system_subsetter(), weasyprint_subsetter():
            return sanzhi_pdf(r)

    def naive(r: VillageResult) -> bytes:
        view = build_village_report(info, r, input_sha256=None, report_date=REPORT_DATE)
        with weasyprint_subsetter():
            return naive_pdf(render_village_html(view), css)

    modes = [Mode("hb", sanzhi_pdf, args.repeat)] if has_hb else []
    modes += [Mode("nohb", sanzhi_nohb, args.repeat), Mode("naive", naive, args.repeat)]
    if args.plain:
        modes.append(Mode("plain", sanzhi_plain, args.plain))
    if args.legacy:
        modes.append(Mode("fontTools (before)", legacy, args.legacy))
    for mode in modes:  # warm-up: first-use costs (fonts parsed, templates compiled) left out
        mode.render(results[0])
    t0 = time.perf_counter()
    for r in results[: args.single]:
        render_village_html(build_village_report(info, r, input_sha256=None, report_date=REPORT_DATE))
    html_ms = (time.perf_counter() - t0) / args.single * 1000
    print(f"view model + HTML alone: {html_ms:.1f} ms per report")
    one_core(modes, results[: args.single])
    for mode in modes:
        print(f"one core, {mode.name}: {len(mode.wall)} renders of {len(mode.pages)} villages "
              f"({statistics.median(mode.pages)} pages): median {median_ms(mode.wall):.0f} ms wall, "
              f"{median_ms(mode.cpu):.0f} ms CPU per report; scaled to a {REFERENCE_SPEED_MS} ms speed "
              f"check: {median_ms(mode.scaled):.0f} ms")
    by_name = {m.name: median_ms(m.wall) for m in modes}
    by_cpu = {m.name: median_ms(m.cpu) for m in modes}
    ours = "hb" if has_hb else "nohb"
    print(f"naive / sanzhi: {by_name['naive'] / by_name[ours]:.2f}x wall, "
          f"{by_cpu['naive'] / by_cpu[ours]:.2f}x CPU; nohb / hb: "
          + (f"{by_name['nohb'] / by_name['hb']:.2f}x" if has_hb else "-")
          + (f"; plain / sanzhi: {by_cpu['plain'] / by_cpu[ours]:.2f}x CPU" if args.plain else "")
          + f"; speed check {speed_check():.1f} ms; load average {os.getloadavg()[0]:.1f}")
    print(f"reuse inside WeasyPrint so far: {wpreuse.stats()}")

    # 2. All cores, a full run including the pool start-up (--villages 0: skip).
    if args.villages:
        workers = args.jobs or default_workers()
        with tempfile.TemporaryDirectory() as tmp:
            jobs = [VillageJob(r, None, None, {"pdf": Path(tmp) / report_filename(r, ".pdf")})
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

    hb = f"{by_name['hb']:.0f}" if has_hb else "-"
    print(f"report ms: hb={hb} nohb={by_name['nohb']:.0f} naive={by_name['naive']:.0f}")


if __name__ == "__main__":
    main()
