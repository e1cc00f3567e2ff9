"""The recognition corpus: at least 90 % of rows exactly right, misses reported readably."""

from sanzhi.standard.recognize.compare import compare
from sanzhi.standard.recognize.result import thaw
from tests.standard.recognize.corpus_rows import rows, run

THRESHOLD = 0.90


def test_corpus_exact_match_rate() -> None:
    corpus = rows()
    misses = []
    for k, (name, row) in enumerate(corpus):
        got = run(row, f"r{k}")
        diffs = compare(row.get("expect") or {}, got)
        if diffs:
            misses.append(f"{name}\n    text: {row['text']}\n    " + "\n    ".join(diffs)
                          + f"\n    got rules: {thaw(got.rules)}")
    rate = 1 - len(misses) / len(corpus)
    assert rate >= THRESHOLD, f"{len(corpus) - len(misses)} / {len(corpus)} exact ({rate:.1%}); misses:\n" + "\n".join(misses)


def test_corpus_is_large_and_sourced() -> None:
    corpus = rows()
    assert len(corpus) >= 100
    for name, row in corpus:
        assert row["text"].strip(), name
        assert "expect" in row, name


def test_nothing_dropped() -> None:
    """Every unrecognised clause is named in a warning, and a cell always keeps a rule."""
    for k, (name, row) in enumerate(rows()):
        got = run(row, f"r{k}")
        warned = {w.clause for w in got.warnings if w.code == "unrecognized"}
        for clause in got.unrecognized:
            assert clause in warned, (name, clause)
        if not row.get("note"):
            assert got.rules or got.vetoes or got.gates, name
        if any(r["kind"] == "judgment" for r in got.rules) and got.unrecognized:
            assert any(w.code == "unrecognized" for w in got.warnings), name
