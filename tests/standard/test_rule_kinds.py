"""The rule-kind registry (sanzhi.standard.rules) is complete: every kind has every part.

A kind is one module of sanzhi/standard/rules/ ending with `KIND = RuleKind(...)`, listed
once in `KINDS`. These tests fail when a kind lacks any of: its registration, its model in
the rubric format's union, expression slots that are real fields of its model, its checks,
wording and scorer in its own module, a file of hand-computed cases in tests/scoring/cases/,
an entry in the committed JSON schema, or a row in the README's rule-kind table. They also
pin the 评分细则 wording (`describe`) and check that a compiled rubric survives pickling,
as a batch ships it to worker processes.
"""

import importlib
import inspect
import json
import pickle
import pkgutil
import typing
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import sanzhi.standard.rules as rules_package
from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.errors import Location
from sanzhi.common.yaml_source import load_yaml
from sanzhi.inputs.assessment import read_assessment
from sanzhi.inputs.synthetic import synthetic_village
from sanzhi.scoring.engine import score_village
from sanzhi.standard.bundled import bundled_rubrics
from sanzhi.standard.rules import KIND_NAMES, KINDS, Rule, RuleModel, kind_named
from sanzhi.standard.rules.kind import ROLES, RuleContext, RuleKind, kind_tag
from tests.golden import compare_golden
from tests.scoring import builders
from tests.scoring.test_rule_cases import _all_cases as rule_cases

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "scoring" / "cases"
SCHEMA = ROOT / "src" / "sanzhi" / "standard" / "schema" / "rubric.schema.json"
README = ROOT / "README.md"
EXPECTED = Path(__file__).parent / "expected"


def _kinds() -> list[Any]:
    return [pytest.param(k, id=k.name) for k in KINDS]


# --------------------------------------------------------------------------- the registry


def test_union_and_registry_agree() -> None:
    union = typing.get_args(typing.get_args(Rule)[0])
    assert union == tuple(k.model for k in KINDS)
    assert KIND_NAMES == tuple(kind_tag(m) for m in union)
    assert len(set(KIND_NAMES)) == len(KIND_NAMES)
    # Every rule model written is registered: a model never reaches the format unregistered.
    assert set(RuleModel.__subclasses__()) == {k.model for k in KINDS}


def test_every_kind_module_is_registered() -> None:
    """A module of the package that defines a KIND is in KINDS (a forgotten registration fails)."""
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if kind is not None:
            assert isinstance(kind, RuleKind), info.name
            assert any(k is kind for k in KINDS), f"{info.name}.KIND is not in sanzhi.standard.rules.KINDS"
            assert info.name == kind.name, f"kind {kind.name!r} lives in {info.name}.py: name the module after the kind"


@pytest.mark.parametrize("kind", _kinds())
def test_every_kind_has_every_part_in_its_own_module(kind: RuleKind[Any, Any]) -> None:
    module = inspect.getmodule(kind.model)
    assert module is not None and getattr(module, "KIND", None) is kind
    assert kind.role in ROLES
    parts = {"prepare": kind.prepare, "check": kind.check, "describe": kind.describe, "outline": kind.outline,
             "score": kind.score}
    if kind.nested is not None:
        parts["nested"] = kind.nested
    for part, fn in parts.items():
        assert callable(fn), f"{kind.name}: {part} is not callable"
        # Module-level functions of the kind's own module: one place per kind, and picklable.
        assert fn.__module__ == module.__name__, f"{kind.name}: {part} is defined in {fn.__module__}"
        assert "<locals>" not in fn.__qualname__ and getattr(module, fn.__name__) is fn, f"{kind.name}: {part}"
    fields = kind.model.model_fields
    for slot, _ in kind.slots:
        assert slot in fields, f"{kind.name}: slot {slot!r} is not a field of {kind.model.__name__}"
        assert fields[slot].annotation is str, f"{kind.name}: slot {slot!r} is not an expression (Expr)"
    assert kind_named(kind.name) is kind


# --------------------------------------------------------------------------- rule cases, schema, README


def _items_in(node: object) -> Iterator[dict[str, Any]]:
    """Every item mapping (points + rules) anywhere in a case file."""
    if isinstance(node, dict):
        if isinstance(node.get("rules"), list):
            yield node
        for value in node.values():
            yield from _items_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _items_in(value)


@pytest.mark.parametrize("kind", _kinds())
def test_every_kind_has_rule_cases_and_reads_in_chinese(kind: RuleKind[Any, Any]) -> None:
    path = CASES / f"{kind.name}.yaml"
    assert path.exists(), f"no hand-computed cases for {kind.name}: write {path.relative_to(ROOT)}"
    data, _ = load_yaml(path.read_text(encoding="utf-8"), path.name)
    seen = 0
    for item in _items_in(data):
        points = Decimal(str(item.get("points", 1)))
        for raw in item["rules"]:
            if raw.get("kind") != kind.name:
                continue
            rule = kind.model.model_validate(raw)
            seen += 1
            for text in (kind.describe(rule, points), kind.outline(rule)):
                assert isinstance(text, str) and text.strip(), f"{kind.name}: empty wording for {raw}"
            kind.prepare(rule)
            assert isinstance(kind.check(rule, RuleContext(("rules", 0), points, {})), list)
            assert list(kind.expressions(rule)) or not kind.slots
    assert seen, f"{path.name} has no rule of kind {kind.name}"


def test_committed_schema_lists_every_kind() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    rules = schema["$defs"]["Item"]["properties"]["rules"]["items"]
    mapping = rules["discriminator"]["mapping"]
    assert set(mapping) == set(KIND_NAMES), "schema is stale: run `sanzhi rubric schema -o src/sanzhi/standard/schema/rubric.schema.json`"
    for name in KIND_NAMES:
        ref = mapping[name].rsplit("/", 1)[-1]
        assert schema["$defs"][ref]["properties"]["kind"]["const"] == name


def test_readme_table_lists_every_kind() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| rule kind | meaning |"):]
    table = table[:table.index("\n\n")]
    rows = [line.split("|")[1].strip().strip("`") for line in table.splitlines()[2:]]
    assert rows == list(KIND_NAMES), "README's rule-kind table must list every kind, in registry order"


# --------------------------------------------------------------------------- 评分细则 wording


def test_every_bundled_rule_reads_as_a_table_would(request: pytest.FixtureRequest) -> None:
    """`describe` for every rule of the six bundled systems: the 评分细则 column of a printed table."""
    lines = []
    for b in (b for b in bundled_rubrics() if b.status == "adopted" and b.path.parent.name != "variants"):
        compiled, _ = load_compiled_rubric(b.ref)
        lines.append(f"# {b.ref}")
        for ci in compiled.items:
            for cr in ci.rules:
                lines.append(f"{ci.item.id} {cr.kind.name}: {cr.kind.describe(cr.rule, ci.item.points)}")
    compare_golden(EXPECTED / "rule_details.txt", "\n".join(lines) + "\n", request)


def _wording() -> list[Any]:
    """The hand-written `wording` entries of the kinds' case files."""
    out = []
    for kind in KINDS:
        path = CASES / f"{kind.name}.yaml"
        if path.exists():
            data, _ = load_yaml(path.read_text(encoding="utf-8"), path.name)
            for n, entry in enumerate(data.get("wording") or []):
                out.append(pytest.param(kind, entry, id=f"{kind.name}-{n + 1}"))
    return out


@pytest.mark.parametrize(("kind", "entry"), _wording())
def test_describe_and_outline_read_as_written_out(kind: RuleKind[Any, Any], entry: dict[str, Any]) -> None:
    rule = kind.model.model_validate(entry["rule"])
    assert kind.describe(rule, Decimal(str(entry["points"]))) == entry["describe"]
    if "outline" in entry:
        assert kind.outline(rule) == entry["outline"]


@pytest.mark.parametrize("kind", _kinds())
def test_every_kind_has_its_wording_written_out(kind: RuleKind[Any, Any]) -> None:
    path = CASES / f"{kind.name}.yaml"
    data, _ = load_yaml(path.read_text(encoding="utf-8"), path.name) if path.exists() else ({}, None)
    assert data.get("wording"), f"{path.name}: add a `wording:` list — how this kind's rules read (describe, outline)"


# --------------------------------------------------------------------------- picklable


def test_compiled_rubric_survives_pickling_with_its_kinds() -> None:
    """A batch ships the compiled rubric to worker processes: the copy scores alike and its
    rules refer to the registered kinds, not to copies of them."""
    compiled, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    copy = pickle.loads(pickle.dumps(compiled))
    for ci, cj in zip(compiled.items, copy.items, strict=True):
        for a, b in zip(ci.rules, cj.rules, strict=True):
            assert b.kind is a.kind and b.rule == a.rule and b.prepared == a.prepared
        assert (cj.judgment is None) == (ci.judgment is None)
    for n in range(40):
        raw = synthetic_village(compiled, n)
        here = score_village(compiled, read_assessment(compiled, raw, lambda p, k: Location("x")))
        there = score_village(copy, read_assessment(copy, raw, lambda p, k: Location("x")))
        assert here == there


@pytest.mark.parametrize("kind", _kinds())
def test_every_kind_scores_alike_after_pickling(kind: RuleKind[Any, Any]) -> None:
    """Each kind's hand-computed cases, scored with a pickled copy of their compiled rubric."""
    cases = [case for test_id, case in rule_cases() if test_id.startswith(f"{kind.name}_") and not case.get("xfail")
             and "data_error" not in case["expect"]]
    assert cases
    for case in cases:
        compiled = builders.compile_spec(case)
        copy = pickle.loads(pickle.dumps(compiled))
        assert any(cr.kind is kind for ci in copy.items for cr in ci.rules)
        raw = builders.village_raw(case)
        assert builders.score(copy, raw) == builders.score(compiled, raw)
