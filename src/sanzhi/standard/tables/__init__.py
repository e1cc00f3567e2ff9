"""评分标准 tables ↔ rubrics (issue 16): the pure part of `sanzhi rubric import` and `export`.

    grid      the readers' output: rectangular cells, merges resolved, positions kept
    columns   column roles and synonyms; the header row
    skeleton  rows → dimensions → indicators → items, with located table mistakes
    methods   考核方法 cells ↔ evidence
    build     skeleton → draft rubric data, rules recognised cell by cell
    machine   the exported workbook's machine sheet: the rubric exactly, item by item
    draft     the draft's YAML text and its header comment
    layout    rubric → the printable table (rows, merged cells, rating rules in words)

The readers (files in) are `sanzhi.inputs.rubric_tables`; the writers (xlsx, docx, pdf) are
`sanzhi.reports.rubric_export`; `sanzhi.app.rubric_tables` wires them together.
"""
