"""`sanzhi samples list|copy`: the sample villages sanzhi ships, to try every command on.

Every bundled rubric has sample villages (`sanzhi score --samples` scores them); the Jiaxing
rubric also has an earlier year's data for some of its villages, so that a batch per year
gives `ranking`, `history` and `yoy` something to show. `copy` writes them to a folder per
year, ready for `sanzhi batch DIR/<year> --year <year>`; `sanzhi batch --samples` reads them
where they are installed.
"""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sanzhi.app import api
from sanzhi.cli.boundary import error_boundary
from sanzhi.cli.screen import Screen
from sanzhi.reports.terminal import fit
from sanzhi.standard.bundled import UnitSamples, bundled_rubrics, sample_sets, unit_samples

out = Screen(highlight=False)
err = Screen(stderr=True, highlight=False, soft_wrap=True)
samples_app = typer.Typer(no_args_is_help=True, help="内置示例村数据：列出，或复制到一个文件夹（每个年度一个子文件夹），用来试用 batch、ranking、history、yoy。")


@samples_app.command("list")
def samples_list() -> None:
    """列出各评分标准的内置示例村数据：年度、村数、乡镇。"""
    with error_boundary():
        t = Table(title="内置示例村数据")
        t.add_column("评分标准 ID", no_wrap=True)
        t.add_column("年度", no_wrap=True)
        t.add_column("村数", no_wrap=True, justify="right")
        t.add_column("乡镇数", no_wrap=True, justify="right")
        t.add_column("县（市、区）")
        for rid in dict.fromkeys(b.id for b in bundled_rubrics()):
            for s in sample_sets(rid):
                t.add_row(rid, str(s.year), str(len(s.files)), str(len(s.townships)), "、".join(s.counties))
        out.print(fit(t))
        out.print("复制到文件夹（每个年度一个子文件夹）：sanzhi samples copy 文件夹 --rubric ID\n"
                  "直接批量评定某年度：sanzhi batch --samples --rubric ID --year 年度 -o 输出目录", markup=False)
        units = [u for u in (unit_samples(rid) for rid in dict.fromkeys(b.id for b in bundled_rubrics())) if u is not None]
        if units:
            u_table = Table(title="乡镇、县级评分标准的示例（先批量评村，再由村级批次评乡镇、县）")
            u_table.add_column("评分标准 ID", no_wrap=True)
            u_table.add_column("评定单位", no_wrap=True)
            u_table.add_column("读取的村级标准")
            u_table.add_column("年度", no_wrap=True)
            u_table.add_column("村数", no_wrap=True, justify="right")
            u_table.add_column("单位数", no_wrap=True, justify="right")
            for u in units:
                u_table.add_row(u.rubric.id, _UNIT_NAMES.get(u.rubric.unit, u.rubric.unit), u.rubric.reads or "",
                                str(u.year), str(len(u.villages)), str(len(u.units)))
            out.print(fit(u_table))
            out.print("复制到文件夹（villages/ 与 units/ 两个子文件夹）并给出两步命令：sanzhi samples copy 文件夹 --rubric ID",
                      markup=False)


_UNIT_NAMES = {"township": "乡镇（街道）", "county": "县（市、区）"}


def _unit_commands(u: UnitSamples, folder: Path) -> list[str]:
    """The two steps of a unit run on the copied samples: the village batch, then the units."""
    return [
        "试用（结果存入 $SANZHI_DB 指定的数据库，默认 ~/.local/share/sanzhi/results.sqlite）：",
        f"  sanzhi batch {folder / 'villages'} --rubric {u.rubric.reads} --year {u.year} -o out/villages",
        "  （上一步最后一行给出村级批次号 RUN_ID）",
        f"  sanzhi batch --rubric {u.rubric.ref} --from-run RUN_ID {folder / 'units'} -o out/units --pdf",
    ]


@samples_app.command("copy")
def samples_copy(
    folder: Annotated[Path, typer.Argument(help="目标文件夹；每个年度写入一个子文件夹（如 DIR/2025）")],
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="评分标准 ID[@版本]")] = "jiaxing-sanzhi",
    force: Annotated[bool, typer.Option("--force", help="覆盖目标文件夹中同名而内容不同的文件")] = False,
) -> None:
    """把某评分标准的内置示例村数据复制到文件夹，每个年度一个子文件夹，并给出试用命令。"""
    with error_boundary():
        units = api.copy_unit_samples(rubric, folder, force=force)
        if units is not None:
            err.print(f"已复制 {len(units.villages)} 个村、{len(units.units)} 个{_UNIT_NAMES.get(units.rubric.unit, '单位')}"
                      f"的示例数据到 {folder / 'villages'} 与 {folder / 'units'}", markup=False)
            err.print("\n".join(_unit_commands(units, folder)), markup=False)
            return
        copied = api.copy_samples(rubric, folder, force=force)
        rid = rubric.partition("@")[0]
        for c in copied:
            err.print(f"已复制 {c.sample_set.year} 年度 {len(c.sample_set.files)} 个村的数据到 {c.folder}", markup=False)
        last = copied[-1].sample_set
        lines = ["试用（结果存入 $SANZHI_DB 指定的数据库，默认 ~/.local/share/sanzhi/results.sqlite）："]
        lines += [f"  sanzhi batch {c.folder} --rubric {rid} --year {c.sample_set.year} -o out/{c.sample_set.year}" for c in copied]
        lines.append(f"  sanzhi ranking --year {last.year} --county {last.counties[0]}")
        if len(copied) > 1:
            first = copied[0].sample_set
            lines.append(f"  sanzhi history {first.codes[0]}")
            lines.append(f"  sanzhi yoy --year {last.year} --township {first.townships[0]}")
        err.print("\n".join(lines), markup=False)


def register(app: typer.Typer) -> None:
    """Add the `sanzhi samples` group to the main app."""
    app.add_typer(samples_app, name="samples")


__all__ = ["register", "samples_app"]
