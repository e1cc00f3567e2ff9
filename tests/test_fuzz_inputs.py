"""Fuzzing the readers: generated bad bytes for village files (YAML, JSON, CSV, Excel) and rubrics.

Why: a wrong input must end in exit 1 or 2 with a Chinese message that names the file, never in
exit 3, a signal, a traceback or a hang (issue 13). Each example is a valid file mutated the
ways files get broken — bytes flipped, cut, repeated or spliced with tokens that once broke a
reader (deep brackets, anchors, tags, control characters, huge numbers, a DOCTYPE, a bad
shared-string index) — or plain noise, run through the real CLI in this process under an
alarm (a hang fails the test) and with the process's peak memory checked afterwards. A mutation
may leave a file valid: then exit 0 is right, and counted apart.

Examples per reader: 40 by default, `SANZHI_FUZZ_EXAMPLES=N` for more; each reader prints its
figures (`pytest -s`): inputs tried, clean errors, still valid, crashes, hangs.
"""

from __future__ import annotations

import io
import os
import re
import resource
import signal
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sanzhi.cli import app

REPO = Path(__file__).resolve().parents[1]
VILLAGE_RUBRIC = REPO / "tests" / "inputs" / "rubric.yaml"
GOOD_VILLAGE = REPO / "tests" / "inputs" / "valid" / "xinglin.yaml"
WORKBOOK_RUBRIC = REPO / "tests" / "inputs" / "workbooks" / "full.yaml"
EXAMPLES = int(os.environ.get("SANZHI_FUZZ_EXAMPLES", "40"))
SECONDS = 30  # per input: far above any real file of this size, far below "stuck"
PEAK_RSS_MB = 2_500
CJK = re.compile(r"[\u4e00-\u9fff]")
runner = CliRunner()

# Tokens that broke a reader once, or could: the corpus of issue 13 in fragments.
TOKENS = [
    b"[", b"{", b"]", b"}", b"[" * 40_000, b"- " * 20_000, b"&a ", b"*a", b"!!python/object:os.system ", b"!!binary ",
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b": ", b"- ", b"\t", b'"', b"'", b"\\", b"\r", b"\xc2\x85", "\u2028".encode(),
    b"---\n", b"<<: ", b"? ", b"%YAML 1.2\n", b"#", b"1e999999999", b"9" * 5_000, b"-0.0", b".nan", b".inf", b"NaN",
    b"2024-02-30", b"9999-12-31", b"0x1F", b"010", b"1:30", "\u200b".encode(), "٣٣٠".encode(), "３３０".encode(),
    b"\xe6\x9d", b"k" * 2_000 + b": 1\n", b"reason: -\n", b"[true]", b"{value: 1, extra: 2}", b"\n  " * 50,
]
XML_TOKENS = [
    b"<!DOCTYPE x [<!ENTITY e 'x'>]>", b"&e;", b"<", b">", b"]]>", b"<![CDATA[", b"<!--", b"-->", b"<?x ",
    b'<c r="ZZZZZ3" t="n"><v>1</v></c>', b'<c r="A3" t="s"><v>999</v></c>', b'<c r="B3" t="d"><v>2025-13-45</v></c>',
    b"<v>NaN</v>", b"<v>inf</v>", b'<row r="1000000000"/>', b'<mergeCell ref="A3:C9"/>', b"<f>1+1</f>", b"\x00",
    b'<sheet name="\xe6\x9d\x91\xe6\xb1\x87\xe6\x80\xbb (2)" sheetId="9" state="hidden" r:id="rId1"/>',
]


class Hang(BaseException):
    """Raised by the alarm; a BaseException, so sanzhi's error boundary cannot swallow it."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang


@st.composite
def mutated(draw: st.DrawFn, base: bytes, tokens: list[bytes]) -> bytes:
    """`base` broken by 1–4 edits, or (one time in ten) noise."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=4_000))
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["insert", "insert", "flip", "cut", "repeat", "truncate"]))
        if op == "insert":
            data[at:at] = draw(st.sampled_from(tokens))
        elif op == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 100))] * draw(st.integers(2, 50))
        elif op == "truncate":
            del data[at:]
    return bytes(data)


def _fuzz(tmp: Path, name: str, args: Callable[[Path], list[str]], inputs: st.SearchStrategy[bytes]) -> Counter[str]:
    stats: Counter[str] = Counter()
    slowest = [0.0]
    previous = signal.signal(signal.SIGALRM, _alarm)

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(data=inputs)
    def run(data: bytes) -> None:
        path = tmp / name
        path.write_bytes(data)
        stats["tried"] += 1
        start = time.perf_counter()
        signal.alarm(SECONDS)
        try:
            result = runner.invoke(app, args(path))
        except Hang:
            stats["hangs"] += 1
            pytest.fail(f"{name}: no answer within {SECONDS} s; input starts {data[:200]!r}")
        finally:
            signal.alarm(0)
        slowest[0] = max(slowest[0], time.perf_counter() - start)
        out = result.stdout + result.stderr
        if result.exit_code not in (0, 1, 2) or "Traceback" in out or "内部错误" in out or (
            result.exception is not None and not isinstance(result.exception, SystemExit)
        ):
            stats["crashes"] += 1
            pytest.fail(f"{name}: exit {result.exit_code}, {result.exception!r}\n{out[-2000:]}\ninput starts {data[:300]!r}")
        if result.exit_code == 0:
            stats["still valid"] += 1
            return
        assert CJK.search(result.stderr), out
        assert name in result.stderr, result.stderr[-2000:]  # every message names the file
        stats["clean errors"] += 1

    try:
        run()
    finally:
        signal.signal(signal.SIGALRM, previous)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"\n{name}: {dict(stats)}; slowest {slowest[0]:.2f} s; peak RSS of the test process {peak} MB")
    assert peak < PEAK_RSS_MB
    assert stats["crashes"] == stats["hangs"] == 0
    assert stats["tried"] == stats["clean errors"] + stats["still valid"]
    return stats


pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="needs SIGALRM")


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)  # messages name the file as given: a bare name
    yield


def _score(rubric: Path) -> Callable[[Path], list[str]]:
    return lambda path: ["score", "-r", str(rubric), path.name]


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_fuzz_village_text_files(tmp_path: Path, suffix: str) -> None:
    base = GOOD_VILLAGE.read_bytes()
    if suffix == ".json":
        import json

        import yaml

        base = json.dumps(yaml.safe_load(base), ensure_ascii=False, default=str).encode()
    _fuzz(tmp_path, "village" + suffix, _score(VILLAGE_RUBRIC), mutated(base, TOKENS))


def test_fuzz_rubric_files(tmp_path: Path) -> None:
    _fuzz(tmp_path, "rubric.yaml", lambda path: ["rubric", "check", path.name], mutated(VILLAGE_RUBRIC.read_bytes(), TOKENS))


def _valid_file(layout: str, tmp: Path) -> bytes:
    """A filled many-villages sheet (.xlsx or .csv) or per-village form, built as the workbook corpus builds them."""
    from tests.inputs.test_workbooks import build_case

    case: dict[str, object] = {"id": f"base_{layout}", "layout": layout}
    case.update({"village": "full-reviewed"} if layout == "village" else {"villages": ["full-reviewed", "full-community"]})
    return build_case(case, tmp).read_bytes()


def test_fuzz_csv_files(tmp_path: Path) -> None:
    _fuzz(tmp_path, "villages.csv", _score(WORKBOOK_RUBRIC), mutated(_valid_file("csv", tmp_path), TOKENS))


@st.composite
def mutated_workbooks(draw: st.DrawFn, base: bytes) -> bytes:
    """A part's XML broken and zipped again, or (one time in four) the zip's bytes themselves."""
    if draw(st.integers(0, 3)) == 0:
        return draw(mutated(base, [b"PK\x03\x04", b"PK\x01\x02", b"\xff" * 8, b"\x00" * 64]))
    with zipfile.ZipFile(io.BytesIO(base)) as zin:
        names = zin.namelist()
        target = draw(st.sampled_from([n for n in names if n.endswith((".xml", ".rels"))]))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for n in names:
                data = zin.read(n)
                zout.writestr(n, draw(mutated(data, XML_TOKENS)) if n == target else data)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["many", "village"])
def test_fuzz_workbooks(tmp_path: Path, kind: str) -> None:
    base = _valid_file(kind, tmp_path)
    _fuzz(tmp_path, f"{kind}.xlsx", _score(WORKBOOK_RUBRIC), mutated_workbooks(base))
