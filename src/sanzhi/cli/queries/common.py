"""What the query commands share: the results database opened for reading, numbers and JSON
for the terminal, the --unit/--period/--db/--json/--township/--county options, period words."""

import json
import os
import sys
from decimal import Decimal
from enum import Enum
from typing import Annotated

import typer

from sanzhi.batch.queries.rows import VillageRow
from sanzhi.batch.runner import resolve_db
from sanzhi.batch.store import Store, is_postgres
from sanzhi.cli.screen import Screen
from sanzhi.common.errors import Diagnostic, UserError
from sanzhi.common.numbers import fmt

out = Screen(highlight=False)
err = Screen(stderr=True, highlight=False, soft_wrap=True)

def open_store(db: str | None) -> Store:
    url = resolve_db(db)
    if not is_postgres(url):
        path = url.removeprefix("sqlite:///")
        if not os.path.exists(path):
            raise UserError([Diagnostic("O111", f"结果数据库不存在：{path}", hint="先运行 sanzhi batch，或用 --db 指定数据库")])
    store = Store(url)
    store.ensure_schema()
    return store


def cell_number(v: Decimal | None) -> str:
    return "" if v is None else fmt(v)


def signed(v: Decimal | None) -> str:
    if v is None:
        return ""
    return ("+" if v > 0 else "") + fmt(v)


def dump(data: object) -> None:
    def default(o: object) -> object:
        if isinstance(o, Decimal):
            return fmt(o)
        raise TypeError(type(o))

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=default) + "\n")


class Unit(str, Enum):
    village = "village"
    township = "township"
    county = "county"


UNIT_WORDS = {"village": "村", "township": "乡镇", "county": "县"}
UnitOption = Annotated[Unit, typer.Option("--unit", help="village：村；township：乡镇（乡镇评分标准的批次）；county：县")]
PeriodOption = Annotated[str | None, typer.Option("--period", help="评定期：2025-11（月）、2025-Q3（季度）、2025-H1（半年）；默认全年")]


def stored_period_of(year: int, period: str | None) -> str:
    """--period → runs.period ('' for the year); its year must be --year's."""
    if period is None:
        return ""
    from sanzhi.common.periods import PeriodError, parse_period

    try:
        p = parse_period(period)
    except PeriodError as e:
        raise typer.BadParameter(str(e)) from None
    if p.year != year:
        raise typer.BadParameter(f"--period {period} 不在 --year {year} 年度内")
    return p.stored


def when_words(year: int, stored: str) -> str:
    from sanzhi.common.periods import stored_period

    return f"{year} 年度" if not stored else stored_period(year, stored).label


def period_label(r: VillageRow) -> str:
    return period_words(r.year, r.period) if r.period else "全年"


def period_words(year: int, stored: str) -> str:
    from sanzhi.common.periods import stored_period

    return stored_period(year, stored).label


DbOption = Annotated[str | None, typer.Option("--db", help="结果数据库（默认 $SANZHI_DB 或 ~/.local/share/sanzhi/results.sqlite）")]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON")]
TownshipOption = Annotated[str | None, typer.Option("--township", help="乡镇（街道）名称")]
CountyOption = Annotated[str | None, typer.Option("--county", help="县（市、区）名称")]
