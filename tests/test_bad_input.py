"""Every case in tests/bad_input/ fails the strict build with its own clear message.

A case is a TOML file: what it breaks in a copy of the site (``[[edit]]`` tables), the extra
``sphinx-build`` options (``args``), and the messages the build must print (``expect``).

Edits, applied in order, each on one ``file`` of the site (``refs.bib``, ``docs/conf.py``, ...):
``append`` or ``prepend`` text, ``write`` the whole file, or ``delete = true``; ``encoding``
(default UTF-8) is how the text is encoded.

In ``expect``, ``{appended}`` is the line where the last appended text starts (its first line
that is not blank) and ``{line:TEXT}`` the first line of the edited file that holds TEXT.
``written = false`` says the build must stop before it writes any page.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from conftest import Site

CASES_DIR = Path(__file__).parent / "bad_input"
CASES = sorted(path.stem for path in CASES_DIR.glob("*.toml"))


def load_case(name: str) -> dict[str, Any]:
    return tomllib.loads((CASES_DIR / f"{name}.toml").read_text(encoding="utf-8"))


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
        lines = Path(where["file"]).read_bytes().decode("utf-8", "replace").splitlines()
        return str(next(number for number, line in enumerate(lines, 1) if match[1] in line))

    message = re.sub(r"\{line:([^}]*)\}", line_of, message)
    return message.replace("{appended}", str(where.get("appended", "?")))


#: The kinds of bad input issue 8 names; each must keep a case.
REQUIRED = [
    "refs_unbalanced_brace",
    "refs_unclosed_entry_at_end",
    "refs_duplicate_key",
    "refs_same_doi",
    "refs_missing_title",
    "refs_missing_author",
    "refs_missing_year",
    "refs_missing_venuetag",
    "refs_author_list_does_not_parse",
    "refs_not_utf8",
    "refs_unknown_type",
    "refs_year_not_a_number",
    "page_cite_unknown_key",
    "page_cite_blank_key",
    "refs_pdf_parent_path",
    "refs_pdf_absolute_path",
    "refs_strict_missing_pdf",
    "refs_javascript_url",
    "refs_file_url",
    "refs_malformed_doi",
    "page_broken_front_matter",
    "page_link_to_missing_page",
    "refs_empty",
    "refs_missing",
    "conf_owner_names_is_a_string",
]


def test_the_corpus_covers_what_the_issue_lists() -> None:
    assert len(CASES) >= 25, CASES
    assert set(REQUIRED) - set(CASES) == set()
    for name in CASES:
        case = load_case(name)
        assert case["about"] and case["expect"] and case["edit"], name


@pytest.mark.parametrize("name", CASES)
def test_bad_input_fails_with_a_clear_message(site: Site, name: str) -> None:
    case = load_case(name)
    where = apply_edits(site, case["edit"])
    result = site.build(*case.get("args", []))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and "sphinx-err-" not in output, output
    for message in case["expect"]:
        assert expand(message, where) in result.stderr, result.stderr
    if not case.get("written", True):
        assert not (site.out / "index.html").exists(), "the build wrote pages before it stopped"
