"""The Python interpreters on this machine, on PATH and under pyenv, by version."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def installed_pythons() -> dict[tuple[int, int], str]:
    """Each Python 3 version found, with the first interpreter that runs it."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = [sys.executable, shutil.which("python3")]
    candidates += [shutil.which(f"python3.{minor}") for minor in range(8, 20)]
    candidates += sorted(str(path) for path in pyenv.glob("versions/3.*/bin/python3"))
    found: dict[tuple[int, int], str] = {}
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0:
            major, minor = map(int, probe.stdout.split())
            found.setdefault((major, minor), candidate)
    return found
