"""`sanzhi` with every village slowed down, so a test can kill a batch in the middle.

Usage: python -m tests.batch.slow_cli SECONDS_PER_VILLAGE sanzhi-arguments…
Only the test changes: the pool's workers are forked from this process and inherit the patch.
"""

import sys
import time

from sanzhi.batch import work

_process = work.process
_delay = float(sys.argv[1])


def _slow_process(ctx, ref, known):  # type: ignore[no-untyped-def]
    time.sleep(_delay)
    return _process(ctx, ref, known)


work.process = _slow_process
sys.argv = ["sanzhi", *sys.argv[2:]]

from sanzhi.cli import main

main()
