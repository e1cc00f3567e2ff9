"""Rubric data → YAML text laid out like the bundled rubrics, with comments a reviewer needs.

PyYAML's safe dumper writes the values (quoting whatever YAML would read as another type:
ids like "1" stay strings); Decimals are written as the plain numbers they are (`0.5`,
`2`), read back exactly by the positioned loader; a multi-line text is a `|` block. The
dumper cannot write comments, so the top-level keys are dumped one by one and each item is
preceded by a `# 原表…` comment naming its row.
"""

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import yaml

from sanzhi.common.numbers import fmt


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # The rubric loader refuses aliases (R101): a value met twice (a judgment's `max` that is
        # its item's points object) is written out twice, never as `&id001` … `*id001`.
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    # As written: 0.40 stays 0.40 (the content hash is of the values as the file states them).
    text = str(value)
    if "E" in text or "e" in text:
        text = fmt(value)
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        # A text ending in blank lines needs a kept block ("|+"), after which PyYAML ends the
        # document ("...") and the sections written after it no longer load: quote it instead.
        style = '"' if value.endswith("\n\n") else "|"
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)
    return dumper.represent_str(value)


def _date(dumper: yaml.SafeDumper, value: date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(str, _text)
_Dumper.add_representer(date, _date)
_Dumper.add_representer(tuple, yaml.SafeDumper.represent_list)


def dump(value: Any, indent: int = 0) -> str:
    text = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000, default_flow_style=False)
    if not indent:
        return text
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


def _item_block(item: Mapping[str, Any], comment: str | None, indent: int) -> str:
    pad = " " * indent
    head = f"{pad}# {comment}\n" if comment else ""
    return head + dump([dict(item)], indent)


def rubric_yaml(data: Mapping[str, Any], header: Sequence[str], item_comments: Mapping[str, str] | None = None) -> str:
    """The whole draft: `header` lines as comments first (the schema line among them), then the data."""
    comments = item_comments or {}
    out = ["".join(f"# {line}".rstrip() + "\n" for line in header)]
    for key, value in data.items():
        if key == "dimensions":
            out.append("\ndimensions:\n")
            for dim in value:
                head = {k: v for k, v in dim.items() if k != "indicators"}
                out.append(dump([head], 2).rstrip("\n") + "\n    indicators:\n")
                for ind in dim["indicators"]:
                    ihead = {k: v for k, v in ind.items() if k != "items"}
                    out.append(dump([ihead], 6).rstrip("\n") + "\n        items:\n")
                    for item in ind["items"]:
                        out.append(_item_block(item, comments.get(str(item["id"])), 10))
        elif key == "bonus":
            head = {k: v for k, v in value.items() if k != "items"}
            out.append("\nbonus:\n" + dump(head, 2) + "  items:\n")
            for item in value["items"]:
                out.append(_item_block(item, comments.get(str(item["id"])), 4))
        else:
            sep = "\n" if key in ("fields", "attributes", "derived", "vetoes", "rating", "examples", "crosswalk") else ""
            out.append(sep + dump({key: value}))
    return "".join(out)


__all__ = ["dump", "rubric_yaml"]
