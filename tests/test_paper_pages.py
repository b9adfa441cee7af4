"""A page per paper with Google Scholar's tags, and the site's metadata for search engines."""

from __future__ import annotations

import json
from urllib.parse import urljoin
from xml.etree import ElementTree

import pytest
from bibdata import ENTRIES, authors, title
from bs4 import BeautifulSoup
from conftest import REPO, Site

from scholarsite.paper_pages import scholar_name
from scholarsite.style import latex_to_text

BASE = "https://zhen-zheng.readthedocs.io/en/latest/"


def meta(page: BeautifulSoup, name: str) -> list[str]:
    return [tag["content"] for tag in page.find_all("meta", attrs={"name": name})]


def json_ld(page: BeautifulSoup) -> list[dict]:
    return [
        json.loads(script.string) for script in page.find_all("script", type="application/ld+json")
    ]


def html_pages(site: Site) -> set[str]:
    return {path.relative_to(site.out).as_posix() for path in site.out.rglob("*.html")}


@pytest.mark.parametrize("key", list(ENTRIES))
def test_paper_page_carries_scholar_tags_matching_refs_bib(built_site: Site, key: str) -> None:
    entry = ENTRIES[key]
    page = built_site.page(f"publications/{key}.html")
    assert page.h1.get_text().rstrip("¶") == title(key)
    assert meta(page, "citation_title") == [title(key)]
    assert meta(page, "citation_author") == [scholar_name(p) for p in entry.persons["author"]]
    assert meta(page, "citation_publication_date") == [entry.fields["year"]]
    venue_tag = "citation_journal_title" if entry.type == "article" else "citation_conference_title"
    venue = entry.fields.get("journal") or entry.fields.get("booktitle")
    assert meta(page, venue_tag) == [latex_to_text(venue)]
    assert meta(page, "citation_doi") == ([entry.fields["doi"]] if "doi" in entry.fields else [])
    volume = [entry.fields["volume"]] if "volume" in entry.fields else []
    assert meta(page, "citation_volume") == volume
    if "pages" in entry.fields:
        first, _, last = entry.fields["pages"].partition("--")
        assert meta(page, "citation_firstpage") == [first]
        assert meta(page, "citation_lastpage") == [last]
    pdf = entry.fields.get("pdf")
    served = pdf is not None and (REPO / "files" / pdf).is_file()
    assert meta(page, "citation_pdf_url") == ([BASE + f"files/{pdf}"] if served else [])
    for tag in page.find_all("meta", attrs={"name": lambda n: n and n.startswith("citation_")}):
        assert tag["content"].strip(), tag
    (article,) = json_ld(page)
    assert article["@type"] == "ScholarlyArticle"
    assert article["headline"] == title(key)
    assert [person["name"] for person in article["author"]] == authors(key)


def test_paper_page_shows_the_entry(built_site: Site) -> None:
    page = built_site.page("publications/zhuang2024mononn.html")
    text = page.article.get_text(" ")
    assert ENTRIES["zhuang2024mononn"].fields["remark"] in text
    assert "OSDI'24" in text and "Equal contribution" in text
    assert (
        page.select_one("div.highlight-bibtex pre")
        .get_text()
        .startswith("@inproceedings{zhuang2024mononn,")
    )
    links = {a.get_text(): a["href"] for a in page.select("a.publication-link")}
    assert links["Code"] == ENTRIES["zhuang2024mononn"].fields["code"]
    assert links["In the list"] == "../index.html#zhuang2024mononn"


def test_pdf_url_is_absolute_on_the_site_when_the_pdf_is_served(site: Site) -> None:
    (site.root / "files" / "astitch-asplos22.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    site.build_ok()
    page = site.page("publications/zheng2022astitch.html")
    assert meta(page, "citation_pdf_url") == [BASE + "files/astitch-asplos22.pdf"]


def test_list_entries_and_index_link_to_paper_pages(built_site: Site, homepage) -> None:
    index = built_site.page("publications/index.html")
    index_links = {a["href"] for a in index.article.select("a.reference")}
    for key in ENTRIES:
        title_link = homepage.find(id=key).p.find("a")
        assert title_link["href"] == f"publications/{key}.html"
        assert f"{key}.html" in index_links


def test_homepage_describes_its_owner_as_a_person(homepage: BeautifulSoup) -> None:
    (person,) = json_ld(homepage)
    assert person["@type"] == "Person"
    assert person["name"] == "Zhen Zheng" and person["alternateName"] == "郑祯"
    assert person["jobTitle"] and person["affiliation"]["name"]
    assert {
        "https://github.com/JamesTheZ",
        "https://scholar.google.com/citations?hl=en&user=8eMsZ84AAAAJ",
        "https://www.linkedin.com/in/zheng-zhen-8a050262",
    } <= set(person["sameAs"])


def test_sitemap_lists_every_page_and_nothing_else(built_site: Site) -> None:
    sitemap = ElementTree.parse(built_site.out / "sitemap.xml")
    locs = sitemap.iterfind(".//{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    listed = {loc.text.removeprefix(BASE) for loc in locs}
    redirects = {"about.html", "about/index.html"}
    unlisted = {"search.html", "404.html"}
    assert "" in listed  # the homepage, at the site's root like its canonical link
    assert listed - {""} == html_pages(built_site) - redirects - unlisted - {"index.html"}
    assert {f"publications/{key}.html" for key in ENTRIES} <= listed
    robots = (built_site.out / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots


def test_every_page_has_canonical_link_and_open_graph(built_site: Site) -> None:
    # The search page has no content of its own to describe.
    pages = html_pages(built_site) - {"about.html", "about/index.html", "404.html", "search.html"}
    for name in pages:
        page = built_site.page(name)
        address = BASE if name == "index.html" else BASE + name  # the homepage: the site root
        assert page.find("link", rel="canonical")["href"] == address, name
        assert page.find("meta", property="og:url")["content"] == address, name
        assert page.find("meta", property="og:title")["content"].strip(), name
        assert page.find("meta", property="og:description")["content"].strip(), name
        assert page.find("meta", attrs={"name": "twitter:card"}), name


def test_404_page_links_are_absolute(built_site: Site) -> None:
    page = built_site.page("404.html")
    for tag in page.find_all(["a", "link", "script", "img"]):
        address = tag.get("href") or tag.get("src")
        if address and not address.startswith(("#", "mailto:")):
            assert address.startswith(("/en/latest/", "https://")), address


def test_adding_and_removing_an_entry_adds_and_removes_its_page(site: Site) -> None:
    new = (
        "@inproceedings{new2026paper,\n  author = {Zhen Zheng},\n  title = {A New Paper},\n"
        "  booktitle = {Proc. X},\n  year = {2026},\n  venuetag = {X'26},\n}\n\n"
    )
    original = site.refs.read_text()
    site.refs.write_text(new + original)
    site.build_ok()
    assert site.page("publications/new2026paper.html").h1.get_text().startswith("A New Paper")
    site.refs.write_text(original)
    site.build_ok()
    assert not (site.root / "docs" / "publications" / "new2026paper.md").exists()
    sitemap = (site.out / "sitemap.xml").read_text()
    assert "new2026paper" not in sitemap
    assert "new2026paper" not in (site.out / "index.html").read_text()
    assert urljoin(BASE, "publications/") in sitemap
