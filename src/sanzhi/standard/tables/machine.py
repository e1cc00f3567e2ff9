"""The machine sheet of an exported workbook: the rubric exactly, one row per piece."""

from sanzhi.standard.tables.build import DraftOptions, build_draft
from sanzhi.standard.tables.grid import TableFile

MACHINE_MARK = "sanzhi-rubric-machine"
MACHINE_SHEET = "机读数据"


def draft_from_machine(tf: TableFile, options: DraftOptions) -> "Imported":  # noqa: F821
    from sanzhi.standard.tables.draft import Imported, pick_skeleton

    sk = pick_skeleton(tf)
    return Imported(build_draft(sk, options), sk, machine=False)
