"""Score the 评分细则 recognizer on the recognition corpus (issue 16, part 5).

Prints rows exactly right / total, per source table, and every miss with the expected
and the recognised rules side by side. Usage:

    .venv/bin/python scripts/recognizer_score.py [CORPUS_DIR] [--all]

`--all` also prints the rules of rows that matched.
"""

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from sanzhi.standard.recognize import Recognition, recognize_cell, recognize_note
from sanzhi.standard.recognize.compare import compare
from sanzhi.standard.recognize.result import thaw

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "standard" / "recognize" / "corpus"


def run_row(row: dict[str, Any], prefix: str) -> Recognition:
    if row.get("note"):
        return recognize_note(row["text"], id_prefix=prefix)
    points = row.get("points")
    return recognize_cell(row["text"], points=Decimal(str(points)) if points is not None else None,
                          criterion=row.get("criterion"), id_prefix=prefix)


def load(corpus: Path) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for path in sorted(corpus.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for row in data["rows"]:
            rows.append((path.stem, row))
    return rows


def _short(rules: Any) -> str:
    out = []
    for r in rules:
        r = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in r.items() if k not in ("reason", "guidance")}
        out.append(str(r))
    return "\n        ".join(out) or "(none)"


def main(argv: list[str]) -> int:
    corpus = Path(next((a for a in argv if not a.startswith("--")), CORPUS))
    show_all = "--all" in argv
    rows = load(corpus)
    exact = 0
    per_table: dict[str, list[int]] = {}
    misses = []
    for k, (table, row) in enumerate(rows):
        got = run_row(row, f"r{k}")
        diffs = compare(row.get("expect") or {}, got)
        tally = per_table.setdefault(table, [0, 0])
        tally[1] += 1
        if not diffs:
            exact += 1
            tally[0] += 1
            if show_all:
                print(f"ok   {table} {row['where']}\n        {_short(thaw(got.rules))}")
        else:
            misses.append((table, row, got, diffs))
    print(f"recognizer corpus: {exact} / {len(rows)} rows exactly right ({100 * exact / len(rows):.1f} %)")
    for table, (ok, total) in sorted(per_table.items()):
        print(f"  {table:28s} {ok:3d} / {total}")
    for table, row, got, diffs in misses:
        print(f"\nMISS {table} · {row['where']}\n  text: {row['text']}")
        for d in diffs:
            print(f"  - {d}")
        print(f"  expected: {_short(row.get('expect', {}).get('rules') or [])}")
        print(f"  got:      {_short(thaw(got.rules))}")
        for w in got.warnings:
            print(f"  warning [{w.code}] {w.message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
