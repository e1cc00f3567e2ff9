"""The rubric content hash: what a result is stamped with, and what `--resume` compares."""

from sanzhi.standard.bundled import find_bundled
from sanzhi.standard.loader import parse_rubric


def _jiaxing_text() -> str:
    return find_bundled("jiaxing-sanzhi@2018").path.read_text(encoding="utf-8")


def test_comments_and_spelled_out_defaults_do_not_change_the_hash() -> None:
    text = _jiaxing_text()
    base = parse_rubric(text, "a.yaml")[0].content_hash
    # `below_all: 未达标` is the default: leaving it out, or spelling out `rank_tiers: []`, is the same rubric.
    spelled = text.replace("  below_all: 未达标\n", "  rank_tiers: []\n", 1)
    assert spelled != text
    assert parse_rubric("# 注释\n" + spelled, "b.yaml")[0].content_hash == base


def test_a_changed_point_changes_the_hash() -> None:
    text = _jiaxing_text()
    base = parse_rubric(text, "a.yaml")[0].content_hash
    changed = text.replace("min_self_score: 80", "min_self_score: 81", 1)
    assert changed != text
    assert parse_rubric(changed, "c.yaml")[0].content_hash != base
