"""Loading the recognition corpus for the tests (the script has its own copy of this loop)."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from sanzhi.standard.recognize import Recognition, recognize_cell, recognize_note

CORPUS = Path(__file__).parent / "corpus"


def rows() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for row in yaml.safe_load(path.read_text(encoding="utf-8"))["rows"]:
            out.append((f"{path.stem} · {row['where']}", row))
    return out


def run(row: dict[str, Any], prefix: str = "item") -> Recognition:
    if row.get("note"):
        return recognize_note(row["text"], id_prefix=prefix)
    points = row.get("points")
    return recognize_cell(row["text"], points=Decimal(str(points)) if points is not None else None,
                          criterion=row.get("criterion"), id_prefix=prefix)
