"""A case's edits to a copy of a site, and the line numbers its expected messages name.

The cases of tests/bad_input/ and tests/data_quality/ are TOML files: ``[[edit]]`` tables, each on
one ``file`` of the site: ``append`` or ``prepend`` text, ``write`` the whole file, or
``delete = true``; ``encoding`` (default UTF-8) is how the text is encoded. In a case's expected
messages, ``{appended}`` is the line where the last appended text starts (its first line that is
not blank) and ``{line:TEXT}`` the first line of the edited file that holds TEXT.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from helpers.site import Site


def apply_edits(site: Site, edits: list[dict[str, Any]]) -> dict[str, int | Path]:
    """Change the site copy as the case says; return the last file edited and appended line."""
    where: dict[str, int | Path] = {}
    for edit in edits:
        path = site.root / edit["file"]
        encoding = edit.get("encoding", "utf-8")
        old = path.read_bytes() if path.exists() else b""
        if edit.get("delete"):
            path.unlink()
        elif "write" in edit:
            path.write_bytes(edit["write"].encode(encoding))
        elif "append" in edit:
            if old and not old.endswith(b"\n"):
                old += b"\n"
            added = edit["append"]
            blank = len(added) - len(added.lstrip("\n"))
            where["appended"] = old.count(b"\n") + 1 + blank
            path.write_bytes(old + added.encode(encoding))
        elif "prepend" in edit:
            path.write_bytes(edit["prepend"].encode(encoding) + old)
        else:
            raise AssertionError(f"unknown edit {edit}")
        where["file"] = path
    return where


def expand(message: str, where: dict[str, int | Path]) -> str:
    def line_of(match: re.Match[str]) -> str:
        lines = Path(str(where["file"])).read_bytes().decode("utf-8", "replace").splitlines()
        return str(next(number for number, line in enumerate(lines, 1) if match[1] in line))

    message = re.sub(r"\{line:([^}]*)\}", line_of, message)
    return message.replace("{appended}", str(where.get("appended", "?")))
