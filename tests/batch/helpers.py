"""Synthetic county data for the batch tests: deterministic village files, a few broken."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from sanzhi.inputs.synthetic import synthetic_village
from sanzhi.standard.compile import CompiledRubric

DATA = Path(__file__).parent / "data"
RUBRIC_V1 = DATA / "county-v1.yaml"
RUBRIC_V2 = DATA / "county-v2.yaml"
COUNTY = "测试县"


def village_code(i: int, townships: int) -> str:
    return f"330483{101 + i % townships:03d}{i // townships:03d}"


def raw_village(compiled: CompiledRubric, i: int, year: int, townships: int = 4, seed: int = 0) -> dict[str, object]:
    raw = synthetic_village(compiled, i, seed=seed, year=year, townships=townships)
    v = raw["village"]
    assert isinstance(v, dict)
    v["code"] = village_code(i, townships)
    v["name"] = f"测试村{i:04d}"
    v["township"] = f"第{i % townships + 1}镇"
    v["county"] = COUNTY
    answers = raw["answers"]
    assert isinstance(answers, dict)
    answers["incident"] = i % 13 == 5  # a few vetoes, not most
    answers.pop("incident_date", None)
    return raw


def _default(o: object) -> object:
    if isinstance(o, Decimal):
        return str(o)
    raise TypeError(type(o))


BROKEN_KINDS = ("bad value", "bad yaml", "missing field", "wrong year")


def write_villages(compiled: CompiledRubric, folder: Path, n: int, year: int, *, townships: int = 4,
                   broken: dict[int, str] | None = None, seed: int = 0) -> list[Path]:
    """n village files in folder/<township>/<code>.json; `broken` maps index → one of BROKEN_KINDS."""
    paths = []
    for i in range(n):
        raw = raw_village(compiled, i, year, townships, seed)
        kind = (broken or {}).get(i)
        v = raw["village"]
        answers = raw["answers"]
        assert isinstance(v, dict) and isinstance(answers, dict)
        if kind == "bad value":
            answers["findings"] = "很多"
        elif kind == "missing field":
            answers.pop("incident")
        elif kind == "wrong year":
            v["year"] = year - 1
        path = folder / f"town{101 + i % townships}" / f"{v['code']}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(raw, ensure_ascii=False, indent=1, default=_default)
        if kind == "bad yaml":
            text = text.replace('"answers": {', '"answers": {{', 1)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _cell(v: object) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, (list, tuple)):
        return "、".join(map(str, v)) or "无"
    return "" if v is None else str(v)


def write_many_csv(compiled: CompiledRubric, path: Path, indices: range, year: int, *, townships: int = 4,
                   bad_rows: tuple[int, ...] = ()) -> None:
    """A many-village sheet (CSV) as `sanzhi.inputs.forms` lays it out; `bad_rows` are indices given a bad value."""
    import csv
    import io

    from sanzhi.inputs.forms import many_template_csv

    template = many_template_csv(compiled).decode("utf-8-sig").splitlines()
    headers = next(csv.reader([template[1]]))
    keys = [h.rsplit("（", 1)[1].rstrip("）") for h in headers]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(next(csv.reader([template[0]])))
    w.writerow(headers)
    for i in indices:
        raw = raw_village(compiled, i, year, townships)
        values = {**raw["village"], **raw["answers"]}  # type: ignore[dict-item]
        if i in bad_rows:
            values["findings"] = "很多"
        w.writerow([_cell(values.get(k)) for k in keys])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
