"""What the writers share: column widths, the fixed file time, row heights from text length."""

import datetime
import math

from sanzhi.common.diagnostics import display_width

# 2000-01-01 00:00, as in the published XLSX files: the same rubric gives the same bytes.
FIXED_TIME = datetime.datetime(2000, 1, 1)

# Column widths in character units (Excel's width of "0"); a Chinese character takes two.
WIDTHS = {"项目": 11, "指标": 13, "序号": 6.5, "评分项": 15, "评定标准": 30, "分值": 5.5, "评分细则": 44, "考核方法": 17, "评分单位": 10}
# The same columns' shares of the page width, for Word and the PDF (percent).
SHARES = {"项目": 8, "指标": 9, "序号": 5, "评分项": 10, "评定标准": 20, "分值": 4.5, "评分细则": 29, "考核方法": 11, "评分单位": 7}


def lines_needed(text: str, width: float) -> int:
    """Lines a wrapped cell of `width` character units takes (display width: CJK counts 2)."""
    per_line = max(width * 0.98, 2)  # a little under: a clipped line is worse than a spare one
    return max(1, sum(max(1, math.ceil(display_width(part) / per_line)) for part in text.split("\n")))


def shares(columns: tuple[str, ...]) -> list[float]:
    raw = [SHARES[c] for c in columns]
    total = sum(raw)
    return [100 * r / total for r in raw]
