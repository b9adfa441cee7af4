"""The real homepage shows what its sources hold; PDFs are served or linked elsewhere."""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup, Tag
from helpers.realsite import (
    REPO,
    anchor,
    authors,
    conf,
    entries,
    publications,
    title,
    visible_text,
)
from helpers.site import Site

INDEX_MD = REPO / "docs" / "index.md"


def text_of(element: Tag) -> str:
    return " ".join(element.get_text(" ").split())


def test_page_title_is_the_sites_title_and_the_first_heading(homepage: BeautifulSoup) -> None:
    heading = re.search(r"^# (.+)$", visible_text(INDEX_MD), re.M)
    assert heading
    assert homepage.title and homepage.title.string == conf()["html_title"]
    assert homepage.h1 and homepage.h1.get_text(strip=True).rstrip("¶") == heading[1].strip()


def test_every_web_link_of_the_page_source_is_there(homepage: BeautifulSoup) -> None:
    written = set(re.findall(r"\]\((https?://[^)\s]+)\)", visible_text(INDEX_MD)))
    assert homepage.article
    links = {a["href"] for a in homepage.article.find_all("a", href=True)}
    assert written - links == set()
    assert len(written) >= 1


def test_every_page_the_homepage_links_to_is_linked(homepage: BeautifulSoup) -> None:
    written = re.findall(r"\]\(([\w/-]+)\.md\)", visible_text(INDEX_MD))
    assert homepage.article
    links = {a["href"] for a in homepage.article.find_all("a", href=True)}
    assert {f"{page}.html" for page in written} - links == set()


def test_every_publication_is_listed_with_title_and_authors_in_order(
    homepage: BeautifulSoup,
) -> None:
    section = homepage.find(id="publications")
    assert isinstance(section, Tag)
    for key in entries():
        entry = section.find(id=anchor(key))
        assert isinstance(entry, Tag) and entry.p, key
        text = " ".join(re.sub(r"[*\u2020]", "", entry.p.get_text()).split())  # no marks
        assert title(key) in text, key
        assert ", ".join(authors(key)) in text, key


def test_publications_are_newest_year_first(homepage: BeautifulSoup) -> None:
    section = homepage.find(id="publications")
    assert isinstance(section, Tag)
    records = {anchor(key): record for key, record in publications().items()}
    years = [records[node["id"]].group_year for node in section.select(".citation")]
    assert len(years) == len(records) > 0
    # Newest first; the undated ones (no year at all) last.
    assert years == sorted(years, key=lambda year: -1 if year is None else year, reverse=True)


def test_old_addresses_redirect_where_conf_py_says(built_site: Site) -> None:
    redirects: dict[str, str] = conf()["redirects"]
    for source, target in redirects.items():
        page = built_site.page(f"{source}.html")
        refresh = page.find("meta", attrs={"http-equiv": "refresh"})
        assert isinstance(refresh, Tag), source
        url = str(refresh["content"]).split("url=")[-1]
        resolved = (built_site.out / source).parent / url
        assert resolved.resolve() == (built_site.out / source).parent.joinpath(target).resolve()
    assert len(redirects) >= 1


def test_pdfs_are_served_when_in_files_never_linked_to_a_landing_page(
    site: Site, make_app: Any
) -> None:
    """The fixture site has one entry's PDF in files/ and another's missing: that one has no PDF
    link (its address is the publisher's landing page, not a PDF)."""
    site.build_ok_in_process(make_app)
    page = site.page()
    links = {
        key: {a.get_text(): a["href"] for a in page.select(f"#{key} a.publication-link")}
        for key in ("lovelace1843notes", "babbage1837engine", "lovelace1844letter")
    }
    assert links["lovelace1843notes"]["PDF"] == "files/notes-1843.pdf"
    assert (site.out / "files" / "notes-1843.pdf").read_bytes() == (
        site.files / "notes-1843.pdf"
    ).read_bytes()
    assert "PDF" not in links["babbage1837engine"]
    assert links["babbage1837engine"]["Publisher"] == "https://example.org/powers"
    assert "PDF" not in links["lovelace1844letter"]
    summary = [line for line in site.status.splitlines() if "not in files/" in line]
    assert len(summary) == 1 and "powers-1837.pdf (babbage1837engine)" in summary[0]


def test_the_site_builds_as_read_the_docs_builds_it(built_site: Site) -> None:
    """The session's build ran Read the Docs' command line, with .readthedocs.yaml's settings."""
    config = (REPO / ".readthedocs.yaml").read_text()
    assert "configuration: docs/conf.py" in config
    assert "fail_on_warning: true" in config
    assert conf()["nitpicky"] is True  # as strict as make html's -n
    assert built_site.out == built_site.root / "_build" / "html"
    assert (built_site.out / "index.html").is_file()


def test_text_is_decoded_as_written(homepage: BeautifulSoup) -> None:
    """UTF-8 sources (emoji, accents, CJK) reach the page intact, not as mojibake."""
    assert homepage.article
    text = text_of(homepage.article)
    assert "ðŸ" not in text and "Ã" not in text and "\ufffd" not in text
