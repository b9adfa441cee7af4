"""What the tests expect, read from refs.bib itself rather than typed by hand."""

from __future__ import annotations

from pathlib import Path

from scholarsite.refs import load_refs
from scholarsite.style import latex_to_text, person_text

REPO = Path(__file__).resolve().parents[1]
REFS = load_refs(REPO / "refs.bib")
assert not REFS.problems, REFS.problems
ENTRIES = REFS.entries


def title(key: str) -> str:
    return latex_to_text(ENTRIES[key].fields["title"])


def authors(key: str) -> list[str]:
    return [person_text(person) for person in ENTRIES[key].persons["author"]]
