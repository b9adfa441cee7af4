"""Project pages cite their papers, and every paper links back to the pages that cite it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bibdata import ENTRIES
from bs4 import BeautifulSoup
from conftest import Site

PROJECTS = {
    "bladedisc": "https://github.com/alibaba/BladeDISC",
    "recom": "https://github.com/AlibabaResearch/recom",
    "mononn": "https://github.com/AlibabaResearch/mononn",
    "flash-llm": "https://github.com/AlibabaResearch/flash-llm",
    "versapipe": "https://github.com/JamesTheZ/VersaPipe",
}
CITE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")


def cited_keys_by_page(docs: Path) -> dict[str, set[str]]:
    """Which keys each page's source cites, read from the Markdown itself."""
    cited: dict[str, set[str]] = {}
    for source in docs.rglob("*.md"):
        page = source.relative_to(docs).with_suffix(".html").as_posix()
        for keys in CITE.findall(source.read_text(encoding="utf-8")):
            for key in keys.split(","):
                cited.setdefault(key.strip(), set()).add(page)
    return cited


def cited_on(page: BeautifulSoup, container_id: str | None, prefix: str) -> set[str]:
    scope = page.find(id=container_id) if container_id else page.article
    line = scope.select_one(".publication-cited-on")
    return {prefix + a["href"] for a in line.find_all("a")} if line else set()


@pytest.mark.parametrize("name", PROJECTS)
def test_project_page_exists_is_navigable_and_links_its_repository(
    built_site: Site, homepage: BeautifulSoup, name: str
) -> None:
    page = built_site.page(f"projects/{name}.html")
    assert PROJECTS[name] in {a["href"] for a in page.article.find_all("a", href=True)}
    navigation = {a["href"] for a in homepage.select(".sidebar-tree a")}
    assert f"projects/{name}.html" in navigation
    assert f"projects/{name}.html" in {a["href"] for a in homepage.select("#projects a")}
    cards = built_site.page("projects/index.html").select(".sd-card a")
    assert f"{name}.html" in {a["href"] for a in cards}


@pytest.mark.parametrize("name", PROJECTS)
def test_project_citations_land_on_existing_entries(
    built_site: Site, homepage: BeautifulSoup, name: str
) -> None:
    page = built_site.page(f"projects/{name}.html")
    targets = [a["href"] for a in page.select(".bibtex-citation a")]
    assert targets, name
    for target in targets + [a["href"] for a in page.select("ul.cited-publications a")]:
        document, _, anchor = target.partition("#")
        assert document == "../index.html" and anchor in ENTRIES
        assert homepage.find(id=anchor) is not None


def test_backlinks_match_the_pages_that_cite(built_site: Site, homepage: BeautifulSoup) -> None:
    cited = cited_keys_by_page(built_site.root / "docs")
    assert cited["zheng2022astitch"] == {"projects/bladedisc.html"}
    for key in ENTRIES:
        expected = cited.get(key, set())
        assert cited_on(homepage, key, "") == expected, key
        paper = built_site.page(f"publications/{key}.html")
        assert cited_on(paper, None, "publications/") == {f"publications/../{p}" for p in expected}


def test_incremental_rebuild_drops_a_removed_citation(site: Site) -> None:
    site.build_ok()
    assert cited_on(site.page(), "oh2020gopipe", "") == {"projects/versapipe.html"}
    page = site.root / "docs" / "projects" / "versapipe.md"
    page.write_text(page.read_text().replace("{cite:p}`oh2020gopipe`", "GOPipe"))
    assert "oh2020gopipe" not in page.read_text()
    site.build_ok()
    incremental = {key: cited_on(site.page(), key, "") for key in ENTRIES}
    paper = cited_on(site.page("publications/oh2020gopipe.html"), None, "")
    assert incremental["oh2020gopipe"] == set() and paper == set()
    clean = Site(site.root)
    for built in (site.out, site.root / "doctrees"):
        for path in sorted(built.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    clean.build_ok()
    assert {key: cited_on(clean.page(), key, "") for key in ENTRIES} == incremental
