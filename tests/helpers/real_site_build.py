"""Build the real site as Read the Docs does into a folder, and say how it went: run by the test
controller (tests/conftest.py) while its workers start, so that no worker waits for it alone.

Usage: python real_site_build.py FOLDER. Writes FOLDER/result.json ({"returncode", "stderr"})
last, when the build is over.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.site import REPO, copy_site

RESULT = "result.json"


def main(folder: Path) -> int:
    built = copy_site(REPO, folder / "real-site")
    result = built.build_as_read_the_docs()
    partial = folder / f"{RESULT}.partial"
    partial.write_text(json.dumps({"returncode": result.returncode, "stderr": result.stderr}))
    partial.replace(folder / RESULT)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
