"""The publication list: grouping, anchors, links, BibTeX, and citations from any page."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup, Tag
from helpers.realsite import REPO, anchor, conf, entries, publications
from helpers.site import Site
from pybtex.database import Person, parse_string

from scholarsite.refs import HOMEPAGE_FIELDS
from scholarsite.style import name_fingerprint, person_text

ENTRIES = entries()


def made_up_entry(key: str, year: str, title: str | None = None) -> str:
    return (
        f"@inproceedings{{{key},\n  author = {{Ada Lovelace and Zhen Zheng}},\n"
        f"  title = {{{title or 'Paper ' + key}}},\n  booktitle = {{Proc. X}},\n"
        f"  year = {{{year}}},\n  venuetag = {{X'{year[2:]}}},\n}}\n\n"
    )


def with_made_up_refs(site: Site, *entries: str) -> Site:
    """The fixture site over a small made-up refs.bib, cited from nowhere."""
    page = site.docs / "projects" / "engine.md"
    page.write_text("# The engine\n\nNo citations here.\n")
    site.refs.write_text("".join(entries))
    return site


def entry_ids(page: BeautifulSoup) -> list[str]:
    return [node["id"] for node in page.select("#publications .citation")]


def test_grouped_by_year_newest_first_file_order_within_a_year(site: Site, make_app: Any) -> None:
    with_made_up_refs(
        site,
        made_up_entry("b2023", "2023"),
        made_up_entry("c2025", "2025"),
        made_up_entry("a2023", "2023"),
        made_up_entry("d2024", "2024"),
    )
    site.build_ok_in_process(make_app)
    page = site.page()
    years = [
        heading.get_text(strip=True).rstrip("¶") for heading in page.select("#publications h3")
    ]
    assert years == ["2025", "2024", "2023"]
    assert entry_ids(page) == ["c2025", "d2024", "b2023", "a2023"]
    assert [s["id"] for s in page.select("#publications section")] == [
        "year-2025",
        "year-2024",
        "year-2023",
    ]


def test_anchors_are_the_keys_and_stay_when_an_entry_is_added(site: Site, make_app: Any) -> None:
    site.build_ok_in_process(make_app)
    before = entry_ids(site.page())
    assert sorted(before) == sorted(
        ["lovelace1843notes", "babbage1837engine", "lovelace1842cards", "lovelace1844letter"]
    )
    site.refs.write_text(made_up_entry("new2025", "2025") + site.refs.read_text())
    site.build_ok_in_process(make_app)
    after = entry_ids(site.page())
    assert after[0] == "new2025"
    assert after[1:] == before
    ids = [tag["id"] for tag in site.page().find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_each_entry_links_only_what_its_data_has(built_site: Site, homepage: BeautifulSoup) -> None:
    served = {path.name for path in (built_site.out / "files").glob("*")}
    checked = 0
    for key, pub in publications().items():
        entry = homepage.find(id=anchor(key))
        assert isinstance(entry, Tag), key
        links = {a.get_text(): a["href"] for a in entry.select("a.publication-link")}
        assert links.get("DOI") == (pub.doi_url or None), key
        assert links.get("arXiv") == (pub.arxiv_url or None), key
        # A PDF link is a PDF: the site's copy, the entry's PDF address or the arXiv PDF;
        # never the publisher's landing page that the DOI link already is.
        if pub.pdf and pub.pdf_is_local and pub.pdf in served:
            pdf = f"files/{pub.pdf}"
        else:
            pdf = (pub.pdf if pub.pdf and not pub.pdf_is_local else pub.arxiv_pdf) or None
        assert links.get("PDF") == pdf, key
        for link in pub.links:
            assert links.get(link.label) == link.url, (key, link.label)
        checked += 1
    assert checked == len(publications()) > 0


def test_owner_is_bold_and_marks_are_explained_under_their_entry(homepage: BeautifulSoup) -> None:
    section = homepage.find(id="publications")
    assert isinstance(section, Tag)
    owner = {name_fingerprint(Person(name)) for name in conf()["scholarsite_owner_names"]}
    bold = 0
    for key, entry in ENTRIES.items():
        strong = {node.get_text() for node in section.select(f"[id='{anchor(key)}'] p strong")}
        for person in entry.persons["author"]:
            is_owner = name_fingerprint(person) in owner
            assert (person_text(person) in strong) == is_owner, (key, str(person))
            bold += is_owner
    marked = {key for key, entry in ENTRIES.items() if "author+an" in entry.fields}
    assert marked <= {key for key in ENTRIES if section.select(f"[id='{anchor(key)}'] p sup")}
    # Each entry whose authors carry a mark explains it under itself, and no other does.
    with_marks = {key for key in ENTRIES if section.select(f"[id='{anchor(key)}'] p sup")}
    explained = {
        key for key in ENTRIES if section.select(f"[id='{anchor(key)}'] .publication-legend")
    }
    assert explained == with_marks
    assert len(section.select(".publication-legend")) == len(with_marks)
    assert bold >= 1


def test_remark_shows_with_its_entry(homepage: BeautifulSoup) -> None:
    shown = 0
    for key, pub in publications().items():
        text = " ".join(homepage.find(id=anchor(key)).p.get_text().split())
        if pub.remark_text:
            assert " ".join(pub.remark_text.split()) in text, key
            shown += 1
    assert shown == sum(1 for pub in publications().values() if pub.remark_text)


def test_no_bibtex_braces_or_latex_in_the_list(homepage: BeautifulSoup) -> None:
    for key in ENTRIES:
        text = homepage.find(id=anchor(key)).p.get_text()
        assert not set(text) & set("{}\\~"), (key, text)


def test_bibtex_box_holds_a_clean_standard_entry(homepage: BeautifulSoup) -> None:
    for key, entry in ENTRIES.items():
        source = (
            homepage.find(id=anchor(key)).select_one("details.publication-bibtex pre").get_text()
        )
        parsed = parse_string(source, "bibtex").entries[key]
        assert not set(parsed.fields) & HOMEPAGE_FIELDS
        assert parsed.fields["title"] == entry.fields["title"]
        assert [str(p) for p in parsed.persons["author"]] == [
            str(p) for p in entry.persons["author"]
        ]
        for name in ("doi", "year", "pages", "volume", "booktitle", "journal"):
            assert parsed.fields.get(name) == entry.fields.get(name), (key, name)


def test_whole_refs_bib_is_downloadable(built_site: Site, homepage: BeautifulSoup) -> None:
    link = homepage.find(id="publications").find("a", attrs={"download": True})
    assert link.get_text() == "refs.bib"
    assert (built_site.out / link["href"]).read_bytes() == (REPO / "refs.bib").read_bytes()


def test_citations_from_another_page_land_on_the_entry(site: Site, make_app: Any) -> None:
    site.build_ok_in_process(make_app)
    cites = site.page("projects/engine.html")
    targets = [
        a["href"] for a in cites.select("article a[href*='#']") if "index.html#" in a["href"]
    ]
    assert "../index.html#lovelace1843notes" in targets
    assert "../index.html#babbage1837engine" in targets
    for target in targets:
        assert site.page().find(id=str(target).split("#")[1]) is not None
    short_list = [a["href"] for a in cites.select("ul.cited-publications a")]
    assert short_list == ["../index.html#lovelace1843notes", "../index.html#babbage1837engine"]


def test_a_shared_label_warns_only_where_not_suppressed(site: Site, make_app: Any) -> None:
    """Entries of one venue and year share a label (their venue tag), which sphinxcontrib-bibtex
    warns of, a warning the fixture's conf.py suppresses as the owner's does: the warning is
    dropped before Sphinx sees it, and only then (upstream.SuppressedDropped)."""
    from sphinxcontrib.bibtex import domain

    logger = domain.logger
    with_made_up_refs(site, made_up_entry("a2023", "2023"), made_up_entry("b2023", "2023"))
    site.build_ok_in_process(make_app)
    assert entry_ids(site.page()) == ["a2023", "b2023"]
    assert domain.logger is logger  # put back after the domain's env_updated
    site.build_in_process(make_app, out="shown", suppress_warnings=[])
    warnings = [line for line in site.warnings.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, site.warnings
    assert 'duplicate label "X\'23" for keys "a2023" and "b2023"' in warnings[0]
    assert "[bibtex.duplicate_label]" in warnings[0]
