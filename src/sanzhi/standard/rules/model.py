"""The base of every rule kind's pydantic model."""

from sanzhi.standard.base import StrictModel


class RuleModel(StrictModel):
    """A rule as written in a rubric; each kind's model narrows `kind` to its own Literal tag,
    which is what the rubric format's discriminated union dispatches on."""

    kind: str
