"""Compare a Recognition with a hand-written expectation (the recognition corpus).

"Exactly right" means: the same rules in the same order, each of the same kind with the
same amounts, caps, targets, bands and grades; the fields they read of the same type and
unit; the same vetoes, gates and scoring body; and an "unrecognized" warning exactly when
the row expects one. Field ids are generated, so expressions are compared token by token
with a consistent renaming of the expected ids; labels, reasons and guidance texts are
not compared (they are the clause's own words, for a reviewer).
"""

import re
from decimal import Decimal
from typing import Any

from sanzhi.standard.recognize.result import Recognition, thaw

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|\S")
_KEYWORDS = frozenset({"not", "and", "or", "if", "else", "in", "True", "False"})
_TEXT_KEYS = frozenset({"reason", "guidance", "label"})
_EXPR_KEYS = frozenset({"when", "count", "value", "target"})


def _num(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).normalize()
    return value


class _Names:
    def __init__(self) -> None:
        self.forward: dict[str, str] = {}
        self.backward: dict[str, str] = {}

    def bind(self, want: str, got: str) -> bool:
        if self.forward.get(want, got) != got or self.backward.get(got, want) != want:
            return False
        self.forward[want] = got
        self.backward[got] = want
        return True

    def expr(self, want: Any, got: Any) -> bool:
        if not isinstance(want, str) or not isinstance(got, str):
            return _num(want) == _num(got)
        a, b = _TOKEN.findall(want), _TOKEN.findall(got)
        if len(a) != len(b):
            return False
        for x, y in zip(a, b, strict=True):
            ident = re.match(r"[A-Za-z_]", x) and x not in _KEYWORDS
            if ident and re.match(r"[A-Za-z_]", y) and y not in _KEYWORDS:
                if not self.bind(x, y):
                    return False
            elif re.fullmatch(r"\d+(?:\.\d+)?", x) and re.fullmatch(r"\d+(?:\.\d+)?", y):
                if Decimal(x) != Decimal(y):
                    return False
            elif x != y:
                return False
        return True


def _defaults(rule: dict[str, Any], points: Decimal | None) -> dict[str, Any]:
    """Normalise omitted keys to their defaults so {cap: 3} on a 3-point item equals no cap.

    A deduction of the item's full points is a zero ("…记5分,未完成不记分" on a 5-point
    item reads either way); both clamp at 0, so they compare equal.
    """
    kind = rule.get("kind")
    out = {k: _num(v) for k, v in rule.items() if k not in _TEXT_KEYS}
    if kind == "deduct" and points is not None and out.get("points") == points:
        out = {"kind": "zero", "when": out.get("when")}
    if kind in ("per_occurrence", "per_unit", "shortfall") and points is not None and out.get("cap") == points:
        out.pop("cap")
    if kind == "judgment":
        out.setdefault("min", Decimal(0))
        if points is not None:
            out.setdefault("max", points)
    if kind == "shortfall":
        out.setdefault("direction", "below")
        out.setdefault("per", Decimal(1))
        out.setdefault("partial", "floor")
    if kind == "threshold":
        out.setdefault("op", ">=")
    return out


def _rule_diff(want: dict[str, Any], got: dict[str, Any], names: _Names, points: Decimal | None) -> list[str]:
    w, g = _defaults(want, points), _defaults(got, points)
    if w.get("kind") != g.get("kind"):
        return [f"kind: expected {w.get('kind')}, got {g.get('kind')}"]
    out = []
    for key in sorted(set(w) | set(g)):
        a, b = w.get(key), g.get(key)
        if key in _EXPR_KEYS:
            if not names.expr(a, b):
                out.append(f"{key}: expected {a!r}, got {b!r}")
        elif key == "bands":
            sa = sorted((x["range"].replace(" ", ""), _num(x["score"])) for x in a or [])
            sb = sorted((x["range"].replace(" ", ""), _num(x["score"])) for x in b or [])
            if sa != sb:
                out.append(f"bands: expected {sa}, got {sb}")
        elif key == "criteria":
            if len(a or []) != len(b or []):
                out.append(f"criteria: expected {len(a or [])}, got {len(b or [])}")
        elif key == "grades":
            sa = [(x["min_met"], _num(x["score"])) for x in a or []]
            sb = [(x["min_met"], _num(x["score"])) for x in b or []]
            if sa != sb:
                out.append(f"grades: expected {sa}, got {sb}")
        elif key == "steeper":
            da = {k: _num(v) for k, v in (a or {}).items()}
            db = {k: _num(v) for k, v in (b or {}).items()}
            if da != db:
                out.append(f"steeper: expected {da}, got {db}")
        elif a != b:
            out.append(f"{key}: expected {a}, got {b}")
    return out


def compare(expect: dict[str, Any], got: Recognition) -> list[str]:
    """Differences between an expectation and a recognition; empty when exactly right."""
    points = got.points
    names = _Names()
    diffs: list[str] = []
    want_rules = expect.get("rules") or []
    got_rules = thaw(got.rules)
    if len(want_rules) != len(got_rules):
        diffs.append(f"rules: expected {len(want_rules)} ({', '.join(r['kind'] for r in want_rules)}), "
                     f"got {len(got_rules)} ({', '.join(r['kind'] for r in got_rules)})")
    else:
        for k, (w, g) in enumerate(zip(want_rules, got_rules, strict=True)):
            diffs += [f"rule {k + 1}: {d}" for d in _rule_diff(w, g, names, points)]
    want_vetoes = expect.get("vetoes") or []
    got_vetoes = thaw(got.vetoes)
    if len(want_vetoes) != len(got_vetoes):
        diffs.append(f"vetoes: expected {len(want_vetoes)}, got {len(got_vetoes)}")
    else:
        for k, (w, g) in enumerate(zip(want_vetoes, got_vetoes, strict=True)):
            if not names.expr(w.get("when", f"__veto{k}"), g["when"]):
                diffs.append(f"veto {k + 1}: when differs")
            if w.get("lookback_months") != g.get("lookback_months"):
                diffs.append(f"veto {k + 1}: lookback_months expected {w.get('lookback_months')}, got {g.get('lookback_months')}")
    want_gates = [(x["kind"], _num(x["min_score"]), x.get("name")) for x in expect.get("gates") or []]
    got_gates = [(x["kind"], _num(x["min_score"]), x.get("name")) for x in got.gates]
    if [(k, s) for k, s, _ in want_gates] != [(k, s) for k, s, _ in got_gates] or any(
        n is not None and n != gn for (_, _, n), (_, _, gn) in zip(want_gates, got_gates, strict=False)
    ):
        diffs.append(f"gates: expected {want_gates}, got {got_gates}")
    if expect.get("scored_by") != got.scored_by:
        diffs.append(f"scored_by: expected {expect.get('scored_by')!r}, got {got.scored_by!r}")
    specs = {f["id"]: f for f in got.fields}
    for want_id, spec in (expect.get("fields") or {}).items():
        got_id = names.forward.get(want_id)
        if got_id is None:
            diffs.append(f"field {want_id}: not read by any recognised rule")
            continue
        want_type, want_unit = (spec, None) if isinstance(spec, str) else (spec[0], spec[1] if len(spec) > 1 else None)
        have = specs.get(got_id, {})
        if have.get("type") != want_type or (want_unit is not None and have.get("unit") != want_unit):
            diffs.append(f"field {want_id}: expected {want_type}/{want_unit}, got {have.get('type')}/{have.get('unit')}")
    codes = {w.code for w in got.warnings}
    for code in expect.get("warn") or []:
        if code not in codes:
            diffs.append(f"warning {code}: expected, not raised")
    if "unrecognized" in codes and "unrecognized" not in (expect.get("warn") or []):
        clauses = [w.clause for w in got.warnings if w.code == "unrecognized"]
        diffs.append(f"unexpected unrecognized: {clauses}")
    return diffs
