"""Text normalisation for 评分细则 cells: full-width forms to ASCII, whitespace out.

Cells come from Word and Excel tables typed by hand: "１２％", "（含８０％）", "；" and
"," mixed, line breaks inside a cell. Every pattern in this package is written against
the normalised form; `Normalized.original` maps a span back to the cell as typed, so a
warning quotes the clause verbatim.
"""

from dataclasses import dataclass

# Full-width ASCII block U+FF01–U+FF5E maps to U+0021–U+007E by a fixed offset.
_FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_EXTRA = {
    ord("\u3000"): " ",  # ideographic space
    ord("～"): "~",
    ord("〜"): "~",
    ord("–"): "-",
    ord("―"): "—",
    ord("﹪"): "%",
    ord("“"): '"',
    ord("”"): '"',
    ord("‘"): "'",
    ord("’"): "'",
    ord("【"): "(",
    ord("】"): ")",
    ord("〔"): "(",
    ord("〕"): ")",
}
_TABLE: dict[int, int | str] = {**_FULL_WIDTH, **_EXTRA}


@dataclass(frozen=True, slots=True)
class Normalized:
    text: str
    source: str
    index: tuple[int, ...]  # index[i] = position in `source` of text[i]

    def original(self, start: int, end: int) -> str:
        """The cell text as typed behind the normalised span [start, end)."""
        if start >= end or not self.index:
            return ""
        return self.source[self.index[start] : self.index[end - 1] + 1].strip()


def normalize(source: str) -> Normalized:
    """ASCII digits and punctuation, no whitespace; line breaks become clause breaks (;)."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(source):
        if ch in "\r\n":
            if out and out[-1] not in ";。":
                out.append(";")
                index.append(i)
            continue
        mapped = ch.translate(_TABLE)
        if mapped.isspace():
            continue
        out.append(mapped)
        index.append(i)
    while out and out[-1] == ";":
        out.pop()
        index.pop()
    return Normalized("".join(out), source, tuple(index))
