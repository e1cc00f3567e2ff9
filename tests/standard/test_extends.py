"""Local variants (`extends` + `variant:`), and versions addressed as ID@VERSION.

Why: a county tailors the provincial table without copying it; every check of a rubric must
apply to the merged result, every mistake must point into the variant file, and `rubric show`
must mark what the variant changed.
"""

import io
import shutil
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from sanzhi.app.api import load_compiled_rubric
from sanzhi.common.diagnostics import render_human
from sanzhi.common.errors import RubricError
from sanzhi.inputs.files import read_text_village
from sanzhi.inputs.loaded import LoadedVillage
from sanzhi.reports.terminal import rubric_tree
from sanzhi.scoring.engine import score_village
from sanzhi.standard import bundled
from sanzhi.standard.bundled import BundledRubric, find_bundled, sample_files
from sanzhi.standard.loader import load_rubric_file
from sanzhi.standard.models import iter_items
from tests.golden import compare_golden

HERE = Path(__file__).parent / "versions"
EXPECTED = HERE / "expected"
COUNTY = "jiaxing-sanzhi-county-demo"

HEADER = """\
schema_version: 1
extends: base.yaml
id: county
version: "1"
title: 测试县变体
issuer: 测试县
effective_date: 2025-01-01
changelog: [{version: "1", date: 2025-01-01, changes: 初版}]
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(HERE / "base.yaml", tmp_path / "base.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(folder: Path, body: str, name: str = "variant.yaml", header: str = HEADER) -> Path:
    path = folder / name
    path.write_text(header + textwrap.dedent(body), encoding="utf-8")
    return Path(name)


def _errors(path: Path) -> str:
    with pytest.raises(RubricError) as info:
        load_rubric_file(path)
    return render_human(info.value.diagnostics, info.value.sources) + "\n"


def _tree(ref: str) -> str:
    console = Console(width=120, file=io.StringIO(), color_system=None)
    console.print(rubric_tree(load_compiled_rubric(ref)[0]))
    return console.file.getvalue()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- the bundled variant


def test_county_variant_merges_its_edits_onto_the_base() -> None:
    base, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    c, warnings = load_compiled_rubric(COUNTY)
    r = c.rubric
    assert warnings == []
    assert (r.id, r.version, r.extends) == (COUNTY, "2025", "jiaxing-sanzhi@2018")
    assert r.variant_of is not None and r.variant_of.base == "jiaxing-sanzhi@2018"
    assert r.variant_of.base_hash == base.content_hash
    ids = [item.id for _, _, item in iter_items(r)]
    assert "2.2.4" not in ids and ids[ids.index("2.2.3") + 1] == "2.2.5"  # placed after 2.2.3
    assert len(ids) == len(list(iter_items(base.rubric)))  # one dropped, one added
    item = next(item for _, _, item in iter_items(r) if item.id == "1.2.2")
    assert item.rules[0].target == "15 if county_class == '加快发展县' else 30"  # type: ignore[union-attr]
    assert item.provenance == "calibrated"
    assert r.rating.tiers[0].min_score == Decimal(92)
    assert next(v for v in r.vetoes if v.id == "V4").lookback_months == 36
    assert {f.id for f in r.fields} - {f.id for f in base.rubric.fields} == {"villager_talk_sessions"}
    # Inherited as is: the base's dimensions, review levels, bonus and provenance of untouched items.
    assert r.total_points == base.rubric.total_points and r.bonus == base.rubric.bonus
    # Not inherited: the base's own history and examples.
    assert [e.version for e in r.changelog] == ["2025"] and r.crosswalk is None
    assert [ch.model_dump(exclude_none=True) for ch in r.variant_of.changes] == [
        {"action": "changed", "what": "setting", "id": "provenance_note", "name": "出处说明", "detail": "已改写"},
        {"action": "dropped", "what": "item", "id": "2.2.4", "name": "小区协商议事（仅社区）"},
        {"action": "added", "what": "item", "id": "2.2.5", "name": "村民说事", "detail": "位于指标 2.2"},
        {"action": "changed", "what": "item", "id": "1.2.2", "name": "村级集体经济",
         "detail": "评定标准 …性收入达到20万元以上（… → …性收入达到30万元以上（…；…县的村达到10万元以上）… → …县的村达到15万元以上）…；"
                   "出处类型 quoted → calibrated；出处已改写；规则已改写"},
        {"action": "changed", "what": "veto", "id": "V4", "name": "集体上访、越级上访或群体性事件造成不良影响", "detail": "回溯月数 24 → 36"},
        {"action": "changed", "what": "tier", "id": "shifan", "name": "三治融合示范村(社区)", "detail": "最低分 90 → 92"},
        {"action": "dropped", "what": "field", "id": "community_consult_mechanism", "name": "已建立小区协商议事机制"},
        {"action": "dropped", "what": "field", "id": "property_joint_meeting", "name": "已建立物业联席会议制度"},
        {"action": "added", "what": "field", "id": "villager_talk_sessions", "name": "村民说事会年内召开次数"},
    ]


def test_rubric_show_marks_what_the_variant_changed(request: pytest.FixtureRequest) -> None:
    compare_golden(EXPECTED / "show_county_variant.txt", _tree(COUNTY), request)


def test_show_of_an_ordinary_rubric_has_no_marks() -> None:
    text = _tree("jiaxing-sanzhi@2018")
    assert "〔" not in text and "本变体" not in text


def test_results_under_a_variant_record_its_id_version_and_hash(tmp_path: Path) -> None:
    c, _ = load_compiled_rubric(COUNTY)
    sample = next(p for p in sample_files("jiaxing-sanzhi") if p.name.endswith("xinglin.yaml"))
    village = tmp_path / sample.name  # the sample names jiaxing-sanzhi@2018: score a copy without that line
    village.write_text(sample.read_text(encoding="utf-8").replace("rubric: jiaxing-sanzhi@2018\n", ""), encoding="utf-8")
    loaded = read_text_village(c, village)
    assert isinstance(loaded, LoadedVillage), loaded
    r = score_village(c, loaded.assessment)
    assert (r.rubric_id, r.rubric_version, r.rubric_hash) == (COUNTY, "2025", c.content_hash)


def test_variant_hash_changes_when_the_base_changes(workdir: Path) -> None:
    path = _write(workdir, "")
    before = load_rubric_file(path)[0].content_hash
    base = workdir / "base.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace("name: 指标一", "name: 指标甲"), encoding="utf-8")
    assert load_rubric_file(path)[0].content_hash != before


# --------------------------------------------------------------------------- edits on a small base


def test_override_add_drop_move_and_settings(workdir: Path) -> None:
    path = _write(workdir, """\
        total_points: 21
        variant:
          dimensions:
            "2": {points: 11, name: 维度乙}
          indicators:
            "2.1": {points: 11}
            "1.2": {under: "1", name: 新指标, points: 3, items: []}
            "1.1": {points: 7}
          items:
            "1.1.2": {under: "1.2"}
            "2.1.2": {under: "2.1", name: 新增项, points: 1, criterion: 新, provenance: calibrated, clause: 县定,
                      rules: [{kind: deduct, when: not staffed, points: 1, reason: 无人}]}
            "1.1.3": {points: 2, rules: [{kind: threshold, value: income, target: "30", points: 2, reason: 收入未达县定标准}]}
            "1.1.4": {under: "1.1", after: "1.1.1", name: 县定项, points: 1, criterion: 县定, provenance: calibrated, clause: 县定,
                      rules: [{kind: deduct, when: not plan_made, points: 1, reason: 未制定计划}]}
          tiers:
            A: {min_score: 19}
            C: {name: 合格, min_score: 10, after: B}
          fields:
            honors: drop
        bonus: null
        """)
    r = load_rubric_file(path)[0].rubric
    assert [(d.id, d.name, d.points) for d in r.dimensions] == [("1", "维度一", 10), ("2", "维度乙", 11)]
    assert [(i.id, [t.id for t in i.items]) for i in r.dimensions[0].indicators] == [("1.1", ["1.1.1", "1.1.4", "1.1.3"]), ("1.2", ["1.1.2"])]
    assert [t.id for t in r.dimensions[1].indicators[0].items] == ["2.1.1", "2.1.2"]
    assert r.bonus is None and [t.id for t in r.rating.tiers] == ["A", "B", "C"]
    assert r.rating.tiers[0].min_score == 19
    changes = {(c.action, c.what, c.id): c.detail for c in r.variant_of.changes}  # type: ignore[union-attr]
    assert changes[("moved", "item", "1.1.2")] == "从指标 1.1移到指标 1.2"
    assert changes[("added", "indicator", "1.2")] == "位于维度 1"
    assert changes[("changed", "setting", "total_points")] == "20 → 21"
    assert changes[("changed", "dimension", "2")] == "分值 10 → 11；名称 维度二 → 维度乙"
    assert changes[("added", "tier", "C")] is None
    assert changes[("changed", "setting", "bonus")] == "已改写"


def test_a_variant_of_a_variant(workdir: Path) -> None:
    _write(workdir, """\
        variant:
          tiers:
            A: {min_score: 19}
        """)
    path = _write(workdir, """\
        variant:
          vetoes:
            V1: {lookback_months: 36}
        """, name="town.yaml", header=HEADER.replace("base.yaml", "variant.yaml").replace("id: county", "id: town"))
    r = load_rubric_file(path)[0].rubric
    assert r.rating.tiers[0].min_score == 19 and r.vetoes[0].lookback_months == 36
    assert r.variant_of is not None and r.variant_of.base == "county@1"
    assert [(c.what, c.id) for c in r.variant_of.changes] == [("veto", "V1")]


ERROR_CASES = {
    "unknown_ids": """\
        variant:
          items:
            "1.1.4": drop
            "9.9.9": {points: 2}
          tiers:
            AA: {min_score: 1}
          colours: {}
        """,
    "bad_placement": """\
        variant:
          items:
            "1.1.2": {under: "1.9"}
            "1.1.3": {id: "1.1.30"}
            "1.1.9": {under: "1.1", after: "1.1.7", name: 新项, points: 1, criterion: 新, provenance: calibrated, clause: 县定,
                      rules: [{kind: deduct, when: not staffed, points: 1, reason: 无人}]}
          vetoes:
            V1: {under: "1"}
        """,
    "checks_apply_to_the_result": """\
        variant:
          items:
            "1.1.2": drop
            "1.1.1": {points: 5, pionts: 4}
            "2.1.2": {under: "2.1", name: 新增项, points: 1, criterion: 新, provenance: guessed, clause: 县定,
                      rules: [{kind: deduct, when: not staffed, points: 1, reason: 无人}]}
        """,
    "inherited_parts_point_at_extends": """\
        variant:
          items:
            "1.1.2": drop
        """,
    "unpinned_bundled_base": "",
    "missing_base": "",
    "hand_written_variant_of": """\
        variant_of: {base: base-demo@1, base_hash: "sha256:0", changes: []}
        """,
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_variant_mistakes_are_located_in_the_variant_file(case: str, workdir: Path, request: pytest.FixtureRequest) -> None:
    header = HEADER
    if case == "unpinned_bundled_base":
        header = HEADER.replace("extends: base.yaml", "extends: jiaxing-sanzhi")
    elif case == "missing_base":
        header = HEADER.replace("extends: base.yaml", "extends: provincial.yaml")
    path = _write(workdir, ERROR_CASES[case], header=header)
    compare_golden(EXPECTED / f"error_{case}.txt", _errors(path), request)


def test_extends_cycle_is_reported(workdir: Path, request: pytest.FixtureRequest) -> None:
    _write(workdir, "", name="a.yaml", header=HEADER.replace("base.yaml", "b.yaml").replace("id: county", "id: a"))
    _write(workdir, "", name="b.yaml", header=HEADER.replace("base.yaml", "a.yaml").replace("id: county", "id: b"))
    text = _errors(Path("a.yaml")).replace(str(workdir), "<tmp>")
    compare_golden(EXPECTED / "error_cycle.txt", text, request)


def test_a_broken_base_is_reported_with_its_own_locations(workdir: Path, request: pytest.FixtureRequest) -> None:
    base = workdir / "base.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace("points: 3, criterion: 收入", "points: 4, criterion: 收入"), encoding="utf-8")
    compare_golden(EXPECTED / "error_broken_base.txt", _errors(_write(workdir, "")), request)


def test_variant_without_extends_is_refused(workdir: Path) -> None:
    path = _write(workdir, "variant: {items: {}}\n", header=HEADER.replace("extends: base.yaml\n", ""))
    assert "只有写明 extends 的变体才能使用 variant" in _errors(path)


# --------------------------------------------------------------------------- versions side by side


def test_two_bundled_versions_are_addressed_by_id_at_version() -> None:
    refs = [b.ref for b in bundled.bundled_rubrics() if b.id == "jiaxing-sanzhi"]
    assert refs == ["jiaxing-sanzhi@2018", "jiaxing-sanzhi@2024"]  # by effective date
    assert find_bundled("jiaxing-sanzhi@2024").path.name == "jiaxing-sanzhi-2024.yaml"
    assert find_bundled("jiaxing-sanzhi@2024").status == "draft"
    # Without a version: the latest *adopted* version; the 2024 draft is never picked silently.
    assert find_bundled("jiaxing-sanzhi").ref == "jiaxing-sanzhi@2018"
    assert find_bundled(COUNTY).ref == f"{COUNTY}@2025"
    a, _ = load_compiled_rubric("jiaxing-sanzhi@2018")
    b, _ = load_compiled_rubric("jiaxing-sanzhi@2024")
    assert (a.ref, b.ref) == ("jiaxing-sanzhi@2018", "jiaxing-sanzhi@2024") and a.content_hash != b.content_hash


def test_latest_adopted_version_wins_when_the_version_is_omitted(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake(version: str, day: date, status: str = "adopted") -> BundledRubric:
        return BundledRubric("demo", version, "示例", day, Path(f"demo-{version}.yaml"), status)

    rubrics = (fake("2018", date(2018, 9, 20)), fake("2021", date(2021, 1, 1)), fake("2023", date(2023, 5, 1)),
               fake("2025", date(2025, 1, 1), "draft"))
    monkeypatch.setattr(bundled, "bundled_rubrics", lambda: rubrics)
    assert find_bundled("demo").version == "2023"
    assert find_bundled("demo@2018").version == "2018"
    assert find_bundled("demo@2025").version == "2025"
    monkeypatch.setattr(bundled, "bundled_rubrics", lambda: (fake("2025", date(2025, 1, 1), "draft"),))
    assert find_bundled("demo").version == "2025"  # only drafts: the latest draft
    with pytest.raises(RubricError) as info:
        find_bundled("demo@2030")
    assert "找不到内置版本 “2030”" in info.value.diagnostics[0].message
