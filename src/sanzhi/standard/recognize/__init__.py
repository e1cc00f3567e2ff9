"""Recognise the rule sentences of 评分细则 cells (issue 16, part 3).

Pure functions, text in → a frozen `Recognition` out:

    recognize_cell(text, *, points=None, criterion=None, id_prefix="item") -> Recognition
    recognize_note(text, *, id_prefix="note") -> Recognition

`Recognition.rules` are rubric rule dicts (deduct, per_occurrence, zero, threshold, bands,
per_unit, criteria, judgment, and the new `shortfall`), `fields` FieldSpec dicts for every
field the rules read, `vetoes` Veto dicts, `gates` pass marks / application gates / tiers
(shape in `result.py`), `scored_by` the body named by "(由区综治办评分)", `warnings` what
a reviewer must look at, each quoting the clause as typed. Text no pattern understands is
never dropped: it becomes a `judgment` rule and an "unrecognized" warning.

Modules: normalize (full-width forms), amounts (Chinese numerals), clauses (splitting),
families/* (one per pattern family), fields (ids, labels, types), assemble (grouping and
reconciliation), cell (entry points), result (the result types), compare (corpus scoring).
"""

from sanzhi.standard.recognize.cell import recognize_cell, recognize_note
from sanzhi.standard.recognize.result import Recognition, RecognizeWarning

__all__ = ["Recognition", "RecognizeWarning", "recognize_cell", "recognize_note"]
