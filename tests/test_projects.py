"""Project pages cite their papers, and every paper links back to the pages that cite it."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from helpers.realsite import anchor, citing_pages, entries, paper_page, visible_pages
from helpers.site import Site

#: The project pages the site shows (none when the owner hides them all).
PROJECTS = [
    docname.removeprefix("projects/")
    for docname in visible_pages()
    if docname.startswith("projects/") and docname != "projects/index"
]


def cited_on(page: BeautifulSoup, container_id: str | None, prefix: str) -> set[str]:
    scope = page.find(id=container_id) if container_id else page.article
    assert isinstance(scope, Tag), container_id
    line = scope.select_one(".publication-cited-on")
    return {prefix + str(a["href"]) for a in line.find_all("a")} if line else set()


@pytest.mark.parametrize("name", PROJECTS)
def test_project_page_is_navigable(built_site: Site, homepage: BeautifulSoup, name: str) -> None:
    page = built_site.page(f"projects/{name}.html")
    assert page.h1 is not None
    navigation = {a["href"] for a in homepage.select(".sidebar-tree a")}
    assert f"projects/{name}.html" in navigation
    index = built_site.page("projects/index.html")
    assert index.article
    assert f"{name}.html" in {a["href"] for a in index.article.select("a")}


@pytest.mark.parametrize("name", PROJECTS)
def test_project_citations_land_on_existing_entries(
    built_site: Site, homepage: BeautifulSoup, name: str
) -> None:
    page = built_site.page(f"projects/{name}.html")
    targets = [a["href"] for a in page.select(".bibtex-citation a")]
    targets += [a["href"] for a in page.select("ul.cited-publications a")]
    assert bool(targets) == bool(citing_pages().get(f"projects/{name}")), name
    for target in targets:
        document, _, target_id = str(target).partition("#")
        assert document == "../index.html" and target_id in {anchor(key) for key in entries()}
        assert homepage.find(id=target_id) is not None


def test_backlinks_match_the_pages_that_cite(built_site: Site, homepage: BeautifulSoup) -> None:
    cited: dict[str, set[str]] = {}
    for docname, keys in citing_pages().items():
        for key in keys:
            cited.setdefault(key, set()).add(f"{docname}.html")
    for key in entries():
        expected = cited.get(key, set())
        assert cited_on(homepage, anchor(key), "") == expected, key
        paper = built_site.page(paper_page(key))
        assert cited_on(paper, None, "publications/") == {f"publications/../{p}" for p in expected}


def test_incremental_rebuild_drops_a_removed_citation(site: Site, make_app: Any) -> None:
    site.build_ok_in_process(make_app)
    assert cited_on(site.page(), "babbage1837engine", "") == {"projects/engine.html"}
    page = site.docs / "projects" / "engine.md"
    page.write_text(page.read_text().replace("{cite:t}`babbage1837engine`", "Babbage"))
    site.build_ok_in_process(make_app)
    keys = ("lovelace1843notes", "babbage1837engine", "lovelace1842cards")
    incremental = {key: cited_on(site.page(), key, "") for key in keys}
    paper = cited_on(site.page("publications/babbage1837engine.html"), None, "")
    assert incremental["babbage1837engine"] == set() and paper == set()
    assert incremental["lovelace1843notes"] == {"projects/engine.html"}
    shutil.rmtree(site.root / "out")
    site.build_ok_in_process(make_app)
    assert {key: cited_on(site.page(), key, "") for key in keys} == incremental
