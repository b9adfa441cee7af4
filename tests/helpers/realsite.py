"""What the tests expect of the real site, read from its own refs.bib and conf.py."""

from __future__ import annotations

import runpy
from functools import cache
from pathlib import Path
from typing import Any

from pybtex.database import Entry

from scholarsite.refs import load_refs
from scholarsite.style import latex_to_text, person_text

REPO = Path(__file__).resolve().parents[2]


@cache
def entries() -> dict[str, Entry]:
    refs = load_refs(REPO / "refs.bib")
    assert not refs.problems, refs.problems
    return dict(refs.entries.items())


@cache
def conf(root: Path = REPO) -> dict[str, Any]:
    """The settings of *root*'s docs/conf.py."""
    return runpy.run_path(str(root / "docs" / "conf.py"))


def title(key: str) -> str:
    return latex_to_text(entries()[key].fields["title"])


def authors(key: str) -> list[str]:
    return [person_text(person) for person in entries()[key].persons["author"]]


def local_pdfs() -> dict[str, str]:
    """The PDF file name each entry names, by key."""
    return {key: e.fields["pdf"] for key, e in entries().items() if "pdf" in e.fields}


def files_present(root: Path = REPO) -> set[str]:
    folder = (root / "docs" / conf(root).get("scholarsite_files_dir", "../files")).resolve()
    return {path.name for path in folder.iterdir() if path.is_file()} if folder.is_dir() else set()


def published_prefix(root: Path = REPO) -> str:
    """The path the site is published at (notfound_urls_prefix): the 404 page's links use it."""
    return str(conf(root).get("notfound_urls_prefix") or "/")


class _Settings(dict[str, Any]):
    """conf.py's settings, readable as ``config.name`` and ``config["name"]`` like Sphinx's."""

    def __getattr__(self, name: str) -> Any:
        return self[name]


def profile_links(root: Path = REPO) -> dict[str, str]:
    """The profile's contact links conf.py asks for: accessible name, address."""
    from scholarsite.config import SETTINGS
    from scholarsite.profile import profile_links as links_of

    settings = conf(root)
    values = _Settings({s.name: settings.get(s.name, s.default) for s in SETTINGS})
    links, _ = links_of(values)  # type: ignore[arg-type]  # reads settings by name only
    return {link.hidden_prefix + link.label: link.url for link in links}
