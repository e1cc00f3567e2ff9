"""Where internal errors are logged: one file the user can send with a bug report."""

import os
import tempfile
from pathlib import Path


def log_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "sanzhi"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    return folder / "sanzhi-error.log"
