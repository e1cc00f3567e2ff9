"""The report of a township or county: the village report's view, worded for the unit, plus
四、汇总指标 — each aggregate's figure and the villages behind it.

Which villages a call lists (sanzhi.scoring.units.CallValue.listed): for `share(cond)` those
that do not meet the condition (what keeps the share from 100 %), for `count(cond)` those
counted, for `mean`/`sum` every village with its value, for `min`/`max` the village(s) at the
extreme; villages whose value could not be read come last, marked 缺少数据.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sanzhi.common.show import show
from sanzhi.reports import charts
from sanzhi.reports.village import (
    AggregateSection,
    CallSection,
    RubricInfo,
    VillageReport,
    build_village_report,
)
from sanzhi.scoring.units import AggregateValue, CallValue, UnitResult, call_text
from sanzhi.standard.units import UNIT_NAMES

__all__ = ["aggregate_sections", "build_unit_report"]

_SUBJECT = {"township": "本乡镇", "county": "本县"}
_TITLE = {"township": "三治融合乡镇（街道）评定报告", "county": "三治融合县（市、区）评定报告"}
_SEALS = {"township": ("乡镇（街道）盖章", "县（市、区）审核盖章"), "county": ("县（市、区）盖章", "市审核盖章")}


def _value(call: CallValue, value: object, display: Mapping[str, tuple[str, str | None]]) -> str:
    if value is None:
        return "缺少数据"
    if call.function in ("count", "share"):
        return "满足" if value is True else "未满足"
    unit = display.get(call.argument.strip(), ("", None))[1]
    return show(value, unit)


def _call_section(call: CallValue, display: Mapping[str, tuple[str, str | None]]) -> CallSection:
    text = f"{call.function}({' '.join(call.argument.split())})"
    shown = len(call.listed) - call.missing
    if call.function == "share":
        title = (f"{text}：{call.villages} 个村中 {call.counted} 个满足条件"
                 + (f"，以下 {shown} 个未满足" if shown else "，全部满足"))
    elif call.function == "count":
        title = f"{text}：{call.villages} 个村中 {call.counted} 个" + ("，列于下表" if shown else "")
    elif call.function in ("min", "max"):
        title = f"{text} = {call_text(call)}" + ("，见下表" if shown else "")
    else:
        title = f"{text} = {call_text(call)}，各村取值见下表"
    if call.missing:
        how = "按未满足计" if call.function in ("count", "share") else "不计入"
        title += f"；{call.missing} 个村缺少数据（{how}）"
    header = ("村代码", "村名称", "取值" if call.function not in ("count", "share") else "是否满足")
    rows = tuple((x.code, x.name, _value(call, x.value, display)) for x in call.listed)
    return CallSection(title, header, rows)


def aggregate_sections(aggregates: tuple[AggregateValue, ...],
                       display: Mapping[str, tuple[str, str | None]]) -> tuple[AggregateSection, ...]:
    return tuple(AggregateSection(a.text, tuple(_call_section(c, display) for c in a.calls)) for a in aggregates)


def build_unit_report(info: RubricInfo, unit: UnitResult, *, input_sha256: str | None, report_date: date,
                      display: Mapping[str, tuple[str, str | None]]) -> VillageReport:
    """The view model of a township's or county's report; `display` labels the village-level names."""
    base = build_village_report(info, unit.result, input_sha256=input_sha256, report_date=report_date)
    subject = _SUBJECT[unit.unit]
    r = unit.result
    place = (f"{r.county} · {UNIT_NAMES[unit.unit]}（辖 {unit.villages} 个村）" if unit.unit == "township"
             else f"{UNIT_NAMES[unit.unit]}（辖 {unit.villages} 个村）")
    tiers = tuple(t._replace(status=t.status.replace("本村", subject)) for t in base.tiers)
    gate = base.gate.replace("本村", subject) if base.gate else None
    scale = charts.score_scale(r.total, info.total_points, [(t.name, t.min_score) for t in info.tiers], marker=subject)
    return base._replace(title=_TITLE[unit.unit], subject=subject, place=place, seals=_SEALS[unit.unit],
                         tiers=tiers, gate=gate, scale=scale, aggregates=aggregate_sections(unit.aggregates, display))
