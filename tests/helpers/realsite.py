"""What the tests expect of the real site, read from its own refs.bib and conf.py."""

from __future__ import annotations

import re
import runpy
from functools import cache
from pathlib import Path
from typing import Any

from pybtex.database import Entry
from sphinx.util.matching import Matcher

from scholarsite.hiding import hidden_patterns
from scholarsite.paper_page_html import INDEX_TITLE
from scholarsite.publication import Publication
from scholarsite.refs import Refs, load_refs

REPO = Path(__file__).resolve().parents[2]


@cache
def refs() -> Refs:
    """The real refs.bib, read as the build reads it (notes never fail it)."""
    names = conf().get("scholarsite_owner_names", [])
    checked = load_refs(REPO / "refs.bib", owner_names=names, strict=())
    assert not checked.problems, checked.problems
    return checked


@cache
def entries() -> dict[str, Entry]:
    """The entries the publication list shows (not other versions or crossref targets), by key."""
    return {key: refs().entries[key] for key in refs().listed}


@cache
def publications() -> dict[str, Publication]:
    """The record of each listed entry: what the site shows of it, by key."""
    return {key: refs().publications[key] for key in refs().listed}


@cache
def conf(root: Path = REPO) -> dict[str, Any]:
    """The settings of *root*'s docs/conf.py."""
    return runpy.run_path(str(root / "docs" / "conf.py"))


def anchor(key: str) -> str:
    """The id of *key*'s entry on the publication list."""
    return refs().anchors[key]


def paper_page(key: str) -> str:
    """The address of *key*'s paper page, relative to the site root."""
    return f"publications/{refs().page_names[key]}.html"


def title(key: str) -> str:
    return publications()[key].title_text


def authors(key: str) -> list[str]:
    """The authors' names as shown, without marks, in order ("and others" is not one)."""
    return [author.name for author in publications()[key].authors]


def local_pdfs() -> dict[str, str]:
    """The PDF file in files/ each listed entry names, by key."""
    return {key: p.pdf for key, p in publications().items() if p.pdf and p.pdf_is_local}


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


_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_TOCTREE = re.compile(r"^```\{toctree\}[^\n]*\n(.*?)^```", re.M | re.S)
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def is_hidden(docname: str, root: Path = REPO) -> bool:
    """Whether conf.py's scholarsite_hidden_pages leaves *docname* out of the site."""
    patterns = hidden_patterns(conf(root).get("scholarsite_hidden_pages", []))
    return any(Matcher(patterns)(f"{docname}{suffix}") for suffix in (".md", ".rst"))


def visible_text(source: Path) -> str:
    """A page's Markdown as the site shows it: without the parts between <!-- and -->."""
    return _HTML_COMMENT.sub("", source.read_text(encoding="utf-8"))


def visible_pages(root: Path = REPO) -> dict[str, Path]:
    """Every page of docs/ the site builds (not hidden, not generated), by docname."""
    docs = root / "docs"
    generated = conf(root).get("scholarsite_paper_dir", "publications")
    pages = {}
    for source in sorted(docs.rglob("*.md")):
        docname = source.relative_to(docs).with_suffix("").as_posix()
        if not docname.startswith(f"{generated}/") and not is_hidden(docname, root):
            pages[docname] = source
    return pages


def citing_pages(root: Path = REPO) -> dict[str, set[str]]:
    """The keys each visible page cites, read from its Markdown, by docname."""
    cites: dict[str, set[str]] = {}
    for docname, source in visible_pages(root).items():
        for keys in CITE.findall(visible_text(source)):
            cites.setdefault(docname, set()).update(key.strip() for key in keys.split(","))
    return cites


def paper_index(root: Path = REPO) -> str:
    """The docname of the Publications index, which refs.bib makes (no page source)."""
    return f"{conf(root).get('scholarsite_paper_dir', 'publications')}/index"


def navigation_labels(root: Path = REPO) -> list[str]:
    """The labels of the homepage's toctree entries the site shows, in order."""
    docs = root / "docs"
    index = visible_text(docs / "index.md")
    labels = []
    for body in _TOCTREE.findall(index):
        for line in body.splitlines():
            entry = line.strip()
            if not entry or entry.startswith(":"):
                continue
            match = re.fullmatch(r"(.*?)\s*<(.+)>", entry)
            title, target = (match[1], match[2]) if match else ("", entry)
            docname = "index" if target == "self" else target.removesuffix(".md")
            if docname != "index" and is_hidden(docname, root):
                continue
            source = docs / f"{docname}.md"
            if not title and not source.is_file() and docname == paper_index(root):
                title = INDEX_TITLE  # rendered from refs.bib, no source of its own
            elif not title:
                heading = re.search(r"^# (.+)$", visible_text(source), re.M)
                title = heading[1].strip() if heading else docname
            labels.append(title)
    return labels
