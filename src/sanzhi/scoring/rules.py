"""The rule kinds' scorers live with their kinds, one module each, in sanzhi.standard.rules;
a compiled rule carries its kind, and `score_item` (items.py) calls `cr.kind.score`.

Kept for the names other engine modules import from here.
"""

from sanzhi.standard.rules.kind import Display as Display
from sanzhi.standard.rules.kind import Values as Values
