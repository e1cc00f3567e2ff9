"""How numbers and values read in explanations: kept here for the engine's imports.

Both live below the engine since the rule kinds' scorers (sanzhi.standard.rules) use them too.
"""

from sanzhi.common.numbers import fmt as fmt
from sanzhi.common.show import show as show
