"""Line breaking of report text: the rules of Chinese typesetting, and never wider than the line."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sanzhi.reports.direct.text import Piece, Style, _atoms, break_pieces, face

STYLE = Style(10)
BOLD = Style(10, bold=True)


def pieces(*texts: tuple[str, Style]) -> list[Piece]:
    return [Piece(text, face(style.bold), style) for text, style in texts]


def lines_of(text: str, width: float, style: Style = STYLE) -> list[str]:
    return ["".join(seg[1] for seg in segs) for segs, _ in break_pieces(pieces((text, style)), width)]


def test_chinese_breaks_between_characters_at_the_width() -> None:
    # Noto Sans SC: every ideograph is 1 em; 10 pt text in a 50 pt line holds five.
    assert lines_of("一二三四五六七八九十十一", 50) == ["一二三四五", "六七八九十", "十一"]


def test_closing_marks_never_start_a_line_and_opening_marks_never_end_one() -> None:
    lines = lines_of("一二三四五，六七（八九十", 50)
    assert lines == ["一二三四", "五，六七", "（八九十"]
    for line in lines:
        assert line[0] not in "，。、）" and line[-1] not in "（《“"


def test_a_latin_word_stays_whole_and_a_too_long_one_breaks_anywhere() -> None:
    assert lines_of("评分 sanzhi 引擎", 40) == ["评分", "sanzhi", "引擎"]
    digest = "ab12" * 16  # a 64-character hash: wider than the line
    lines = lines_of(f"哈希 {digest}", 120)
    assert "".join(lines).replace(" ", "") == f"哈希{digest}"
    assert all(width <= 120 + 1e-6 for _, width in break_pieces(pieces((f"哈希 {digest}", STYLE)), 120))


def test_a_word_too_long_for_any_line_starts_the_next_line_after_a_space() -> None:
    # CSS overflow-wrap: anywhere cuts a word only where the line has no other break; the
    # space before it is a break, and no longer lost when the word followed it on the line.
    lines = lines_of('<img src="file:///etc/passwd">村', 72)
    assert lines[0] == "<img"
    assert lines_of("ab " + "x" * 40, 60)[0] == "ab"


def test_a_line_may_break_after_a_solidus_before_a_letter_not_in_a_date() -> None:
    assert lines_of("href=http://example.com/x.css", 100) == ["href=http://", "example.com/x.css"]
    assert lines_of("2024/09/26 日期", 60)[0] == "2024/09/26"


def test_spaces_at_a_break_are_dropped() -> None:
    assert lines_of("abc def ghi", 22) == ["abc", "def", "ghi"]


def test_styles_keep_their_pieces_on_a_line() -> None:
    (segs, _), = break_pieces(pieces(("总分 ", STYLE), ("81.9", BOLD), (" 分", STYLE)), 500)
    assert [(i, t) for i, t, _ in segs] == [(0, "总分 "), (1, "81.9"), (2, " 分")]
    xs = [x for _, _, x in segs]
    assert xs == sorted(xs) and xs[0] == 0


ALPHABET = st.sampled_from(list("评分标准村社区自治法治德治，。、（）：；ab1 23.%") + ["sanzhi", "  "])


@settings(deadline=None)
@given(st.lists(ALPHABET, min_size=1, max_size=60), st.floats(min_value=12, max_value=300))
@example(["sanzhi", "，", "，"], 45.0)
def test_lines_fit_and_keep_every_character(parts: list[str], width: float) -> None:
    text = " ".join("".join(parts).split())
    if not text:
        return
    laid = break_pieces(pieces((text, STYLE)), width)
    for segs, w in laid:
        # Wider only when a single glyph is wider than the line.
        assert w <= width + 1e-6 or len("".join(s[1] for s in segs)) == 1
    # Every character, spaces too, in order: a space is dropped only where a line breaks at it.
    pos = 0
    for segs, _ in laid:
        line = "".join(s[1] for s in segs)
        if pos and text[pos] == " " and not line.startswith(" "):
            pos += 1
        assert text.startswith(line, pos), (text, pos, line)
        pos += len(line)
    assert pos == len(text)
    # Where every unbreakable run fits a line, no line starts with a closing mark (a run wider
    # than the line, such as "sanzhisanzhi，" or "sanzhi，，", breaks anywhere: CSS
    # overflow-wrap: anywhere).
    if max(atom[2] for atom in _atoms(pieces((text, STYLE)))) <= width:
        for segs, _ in laid[1:]:
            first = "".join(s[1] for s in segs)
            assert first and first[0] not in "，。、）：；%"
