"""JSON Schema of the rubric format, for editor completion (yaml-language-server)."""

import json

from sanzhi.standard.models import Rubric


def rubric_schema() -> dict[str, object]:
    schema = Rubric.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sanzhi 评分标准（rubric）"
    return schema


def rubric_schema_json() -> str:
    return json.dumps(rubric_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
