"""`sanzhi` whose pool workers crash (SIGSEGV, as a C extension would) on every village whose
source names the marker, or (marker `kill`) are killed by SIGKILL (as the OOM killer would).

Usage: python -m tests.batch.crash_cli MARKER sanzhi-arguments…
Only the test changes: the pool's workers are forked from this process and inherit the patch.
"""

import os
import signal
import sys

from sanzhi.batch import work

_process = work.process
_marker = sys.argv[1]
_parent = os.getpid()


def _crashing_process(ctx, ref, known):  # type: ignore[no-untyped-def]
    if _marker in ref.key and os.getpid() != _parent:
        os.kill(os.getpid(), signal.SIGKILL if _marker == "kill" else signal.SIGSEGV)
    return _process(ctx, ref, known)


work.process = _crashing_process
sys.argv = ["sanzhi", *sys.argv[2:]]

from sanzhi.cli import main

main()
