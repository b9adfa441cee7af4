"""A page per paper with Google Scholar's tags, and the site's metadata for search engines."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup, Tag
from docutils import nodes
from helpers.realsite import (
    anchor,
    authors,
    conf,
    entries,
    files_present,
    paper_page,
    profile_links,
    publications,
    title,
)
from helpers.site import Site
from sphinx.util.docutils import new_document
from sphinxext.opengraph._description_parser import get_description

from scholarsite.page_frame import PageFrame
from scholarsite.paper_page_html import (
    INDEX_TITLE,
    PAGE_DOCTREE,
    body_frame,
    check_internal_links,
    document_of,
    index,
    index_docname,
    index_entries,
    index_page,
    page_context,
    section,
    translated,
)
from scholarsite.paper_pages import GENERATED_MARK
from scholarsite.scholar_tags import scholar_name
from scholarsite.simple_html import paragraph_html
from scholarsite.state import state

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def base() -> str:
    return str(conf()["html_baseurl"])


def meta(page: BeautifulSoup, name: str) -> list[str]:
    return [str(tag["content"]) for tag in page.find_all("meta", attrs={"name": name})]


def json_ld(page: BeautifulSoup) -> list[dict[str, Any]]:
    return [
        json.loads(script.string or "")
        for script in page.find_all("script", type="application/ld+json")
    ]


def html_pages(site: Site) -> set[str]:
    return {path.relative_to(site.out).as_posix() for path in site.out.rglob("*.html")}


def redirect_pages() -> set[str]:
    return {f"{source}.html" for source in conf()["redirects"]}


@pytest.mark.parametrize("key", list(entries()))
def test_paper_page_carries_scholar_tags_matching_refs_bib(built_site: Site, key: str) -> None:
    pub = publications()[key]
    page = built_site.page(paper_page(key), only=("h1", "meta", "script"))
    assert page.h1 and page.h1.get_text().rstrip("¶") == title(key)
    assert meta(page, "citation_title") == [title(key)]
    assert meta(page, "citation_author") == [scholar_name(a) for a in pub.authors]
    assert "others" not in " ".join(meta(page, "citation_author")).lower().split()
    date = f"{pub.year}/{pub.month:02d}" if pub.year and pub.month else str(pub.year or "")
    assert meta(page, "citation_publication_date") == ([date] if date else [])
    venue_tag = {
        "article": "citation_journal_title",
        "inproceedings": "citation_conference_title",
        "thesis": "citation_dissertation_institution",
        "report": "citation_technical_report_institution",
    }.get(pub.kind)
    if venue_tag:
        shown = pub.institution if pub.kind in ("thesis", "report") else pub.venue
        assert meta(page, venue_tag) == ([shown] if shown else []), venue_tag
    assert meta(page, "citation_doi") == ([pub.doi] if pub.doi else [])
    assert not any(doi.startswith("http") for doi in meta(page, "citation_doi"))
    assert meta(page, "citation_volume") == ([pub.volume] if pub.volume else [])
    if pub.pages:
        first, _, last = pub.pages.partition("\N{EN DASH}")
        assert meta(page, "citation_firstpage") == [first]
        assert meta(page, "citation_lastpage") == ([last] if last else [])
    # The site's own copy, else the PDF address the entry gives, else the arXiv PDF.
    if pub.pdf and pub.pdf_is_local and pub.pdf in files_present():
        pdf_url = f"{base()}files/{pub.pdf}"
    else:
        pdf_url = pub.pdf if pub.pdf and not pub.pdf_is_local else pub.arxiv_pdf
    assert meta(page, "citation_pdf_url") == ([pdf_url] if pdf_url else [])
    for tag in page.find_all("meta", attrs={"name": lambda n: n and n.startswith("citation_")}):
        assert str(tag["content"]).strip(), tag
    (article,) = json_ld(page)
    assert article["@type"] == ("Thesis" if pub.kind == "thesis" else "ScholarlyArticle")
    assert article["headline"] == title(key)
    assert [person["name"] for person in article["author"]] == authors(key)


def test_paper_page_shows_the_whole_entry(site: Site, make_app: Any) -> None:
    site.build_ok_in_process(make_app)
    page = site.page("publications/lovelace1843notes.html")
    assert page.article
    text = page.article.get_text(" ")
    assert "Includes Note G." in text
    assert "SM'43" in text and "Equal contribution" in text
    assert "vol. 3, pp. 666\N{EN DASH}731" in text
    source = page.select_one("div.highlight-bibtex pre")
    assert source and source.get_text().startswith("@article{lovelace1843notes,")
    links = {a.get_text(): a["href"] for a in page.select("a.publication-link")}
    assert links == {
        "PDF": "../files/notes-1843.pdf",
        "Code": "https://example.org/note-g",
        "DOI": "https://doi.org/10.5555/notes.1843",
        "In the list": "../index.html#lovelace1843notes",
    }
    assert meta(page, "citation_pdf_url") == [
        "https://ada.example.org/en/latest/files/notes-1843.pdf"
    ]
    letter = site.page("publications/lovelace1844letter.html")
    assert letter.article and "On imagination in science." in letter.article.get_text()


def test_list_entries_and_index_link_to_paper_pages(
    built_site: Site, homepage: BeautifulSoup
) -> None:
    index = built_site.page("publications/index.html")
    assert index.article
    index_links = {a["href"] for a in index.article.select("a.reference")}
    for key in entries():
        entry = homepage.find(id=anchor(key))
        assert isinstance(entry, Tag) and entry.p
        title_link = entry.p.find("a")
        assert isinstance(title_link, Tag)
        assert title_link["href"] == paper_page(key)
        assert paper_page(key).removeprefix("publications/") in index_links


def test_homepage_describes_its_owner_as_a_person(homepage: BeautifulSoup) -> None:
    settings = conf()
    (person,) = json_ld(homepage)
    assert person["@type"] == "Person"
    assert person["name"] == settings["author"]
    assert person.get("alternateName", "") == settings.get("scholarsite_person_alternate_name", "")
    https_links = {url for url in profile_links().values() if url.startswith("https://")}
    assert set(person["sameAs"]) == https_links


def test_sitemap_lists_every_page_and_nothing_else(built_site: Site) -> None:
    sitemap = ElementTree.parse(built_site.out / "sitemap.xml")
    listed = [str(loc.text) for loc in sitemap.iterfind(f".//{SITEMAP}loc")]
    assert listed == sorted(listed)
    pages = {link.removeprefix(base()) for link in listed}
    unlisted = set(conf()["scholarsite_sitemap_excludes"])
    assert "" in pages  # the homepage, at the site's root like its canonical link
    assert pages - {""} == html_pages(built_site) - redirect_pages() - unlisted - {"index.html"}
    assert {paper_page(key) for key in entries()} <= pages
    robots = (built_site.out / "robots.txt").read_text()
    assert f"Sitemap: {base()}sitemap.xml" in robots


def test_every_page_has_canonical_link_and_open_graph(built_site: Site) -> None:
    # The search page has no content of its own to describe.
    pages = html_pages(built_site) - redirect_pages() - {"404.html", "search.html"}
    for name in pages:
        page = built_site.page(name, only=("link", "meta"))
        address = base() if name == "index.html" else base() + name  # the homepage: the root
        canonical = page.find("link", rel="canonical")
        assert isinstance(canonical, Tag) and canonical["href"] == address, name
        og_url = page.find("meta", property="og:url")
        assert isinstance(og_url, Tag) and og_url["content"] == address, name
        for prop in ("og:title", "og:description"):
            tag = page.find("meta", property=prop)
            assert isinstance(tag, Tag) and str(tag["content"]).strip(), (name, prop)
        assert page.find("meta", attrs={"name": "twitter:card"}), name
    assert len(pages) >= len(entries())


def test_404_page_links_are_absolute(built_site: Site) -> None:
    prefix = conf()["notfound_urls_prefix"]
    page = built_site.page("404.html")
    checked = 0
    for tag in page.find_all(["a", "link", "script", "img"]):
        address = tag.get("href") or tag.get("src")
        if address and not str(address).startswith(("#", "mailto:")):
            assert str(address).startswith((prefix, "https://")), address
            checked += 1
    assert checked >= 5


def test_adding_and_removing_an_entry_adds_and_removes_its_page(site: Site, make_app: Any) -> None:
    new = (
        "@inproceedings{new2026paper,\n  author = {Ada Lovelace},\n  title = {A New Paper},\n"
        "  booktitle = {Proc. X},\n  year = {2026},\n  venuetag = {X'26},\n}\n\n"
    )
    original = site.refs.read_text()
    site.refs.write_text(new + original)
    site.build_ok_in_process(make_app)
    page = site.page("publications/new2026paper.html")
    assert page.h1 and page.h1.get_text().startswith("A New Paper")
    site.refs.write_text(original)
    site.build_ok_in_process(make_app)
    assert not (site.docs / "publications" / "new2026paper.md").exists()
    assert not (site.out / "publications" / "new2026paper.html").exists()
    sitemap = (site.out / "sitemap.xml").read_text()
    assert "new2026paper" not in sitemap
    assert "new2026paper" not in (site.out / "index.html").read_text()
    assert "https://ada.example.org/en/latest/publications/index.html" in sitemap


def test_shortened_descriptions_are_valid_html(site: Site, make_app: Any) -> None:
    """An ampersand where sphinxext-opengraph shortens a description leaves no half reference."""
    words = "x" * 194  # the description is cut at 197 characters: "&am" of "&amp;" would stay
    (site.docs / "quote.md").write_text(
        f"---\norphan: true\n---\n\n# Quote\n\n{words}& more words after it.\n",
        encoding="utf-8",
    )
    site.build_ok_in_process(make_app)
    page = site.page("quote.html")
    checked = 0
    for name in ("description", "og:description"):
        tag = page.find("meta", attrs={"name": name}) or page.find("meta", property=name)
        assert isinstance(tag, Tag), name
        content = str(tag["content"])
        assert content.startswith(words) and content.endswith("..."), content
        assert "&#x" not in content and "&" not in content, content
        checked += 1
    html = (site.out / "quote.html").read_text(encoding="utf-8")
    assert "&am..." not in html
    assert checked == 2


def source_tree(site: Site) -> dict[str, bytes]:
    return {
        path.relative_to(site.docs).as_posix(): path.read_bytes()
        for path in site.docs.rglob("*")
        if path.is_file()
    }


def test_the_build_leaves_the_source_tree_as_written(site: Site, make_app: Any) -> None:
    """No page source is generated; an older version's generated sources (its mark in them)
    are deleted, and the owner's own page in that folder stays, with its page."""
    written = source_tree(site)
    site.build_ok_in_process(make_app)
    assert source_tree(site) == written
    old = site.docs / "publications"
    old.mkdir()
    stub = f"---\norphan: true\n---\n\n{GENERATED_MARK}\n# Notes\n\n```{{paper}} x\n```\n"
    (old / "lovelace1843notes.md").write_text(stub, encoding="utf-8")
    (old / "index.md").write_text(stub.replace("paper}} x", "paper-index}"), encoding="utf-8")
    own = "---\norphan: true\n---\n\n# Talks\n\nMy talks.\n"
    (old / "talks.md").write_text(own, encoding="utf-8")
    site.build_ok_in_process(make_app)
    assert source_tree(site) == {**written, "publications/talks.md": own.encode()}
    assert "My talks." in site.page("publications/talks.html").get_text()
    page = site.page("publications/lovelace1843notes.html")
    assert page.select_one("div.highlight-bibtex pre")


def test_the_publications_index_keeps_its_place_in_the_navigation(
    site: Site, make_app: Any
) -> None:
    site.build_ok_in_process(make_app)
    expected = {
        "index.html": "publications/index.html",
        "projects/engine.html": "../publications/index.html",
        "publications/lovelace1843notes.html": "index.html",
    }
    for name, href in expected.items():
        links = site.page(name).select(".sidebar-tree a.reference")
        assert [(a.get_text(), a["href"]) for a in links][-1] == ("Publications", href), name
    current = site.page("publications/index.html").select(".sidebar-tree li.current-page a")
    assert [a.get_text() for a in current] == ["Publications"]


def page_times(site: Site) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in (site.out / "publications").glob("*")}


def test_a_rebuild_rewrites_only_the_paper_pages_whose_inputs_changed(
    site: Site, make_app: Any
) -> None:
    site.build_ok_in_process(make_app)
    first = page_times(site)
    assert "index.html" in first and len(first) > 4
    app = site.build_ok_in_process(make_app)
    assert page_times(site) == first  # nothing changed: no page written
    assert state(app.env).build._publications is None  # decided without loading the records
    text = site.refs.read_text(encoding="utf-8")
    site.refs.write_text(text.replace("Includes Note G.", "Includes Note G, at last."))
    site.build_ok_in_process(make_app)
    rewritten = {name for name, time in page_times(site).items() if first.get(name) != time}
    assert rewritten == {"lovelace1843notes.html", "index.html"}
    assert "Note G, at last." in site.page("publications/lovelace1843notes.html").get_text()
    # what every page shows besides its entry (here the sidebar's profile): all of them again
    second = page_times(site)
    site.build_ok_in_process(make_app, scholarsite_profile_tagline="Poetical scientist")
    assert all(time != second[name] for name, time in page_times(site).items())
    for name in second:
        assert "Poetical scientist" in site.page(f"publications/{name}").get_text(), name


def test_the_publications_index_is_written_as_the_translator_writes_its_entries(
    site: Site, make_app: Any
) -> None:
    """The index's lists, written as HTML from the records, are what the HTML translator makes
    of them as nodes; its description, made from its first entries, is made from all."""
    more = "".join(
        f"\n@misc{{note{year},\n  author = {{Ada Lovelace}},\n  title = {{Note number {year}}},\n"
        f"  year = {{{year}}},\n}}\n"
        for year in range(1830, 1836)
    )
    site.append(
        "refs.bib",
        "\n@inproceedings{ampersand2025,\n  author = {Ada Lovelace},\n"
        '  title = {Less {<than>} \\& "quoted" @ once},\n  booktitle = {Proc. of Things},\n'
        "  year = {2025},\n  venuetag = {P&T'25},\n  pubstate = {to appear},\n}\n" + more,
    )
    app = site.build_ok_in_process(make_app, ogp_description_length=150)
    pagename = index_docname(app)
    entries = index_entries(app, pagename)
    fast = index_page(app)
    full = document_of(app, INDEX_TITLE)
    index(app, full[0], entries)  # type: ignore[arg-type]
    assert fast["body"] == page_context(app, pagename, INDEX_TITLE, full)["body"]
    assert len(entries) >= 10 and any(pub.status for _, pub, _ in entries)
    assert "Less &lt;than&gt; &amp; &quot;quoted&quot; &#64; once" in fast["body"]
    described = fast[PAGE_DOCTREE]
    assert len(list(described.findall(nodes.list_item))) < len(entries)
    assert get_description(described, 150) == get_description(full, 150)
    assert len(get_description(full, 150)) == 150


def test_a_link_from_a_paper_page_to_no_page_is_reported(site: Site, make_app: Any) -> None:
    app = site.build_ok_in_process(make_app)
    document = new_document("<test>", app.builder.docsettings)
    paragraph = nodes.paragraph()
    for uri in ("../index.html#lovelace1843notes", "../projects/engine.html", "../gone.html"):
        paragraph += nodes.reference("", uri, refuri=uri, internal=True)
    paragraph += nodes.reference("", "out", refuri="https://example.org/", internal=False)
    document += paragraph
    what = "refs.bib entry lovelace1843notes"
    count = check_internal_links(app, "publications/lovelace1843notes", document, what)
    assert count == 1
    warnings = app.warning.getvalue()
    assert "refs.bib entry lovelace1843notes" in warnings and "gone.html" in warnings
    assert "publications/lovelace1843notes.html" in warnings


def test_the_dirhtml_builder_writes_and_checks_the_paper_pages(site: Site, make_app: Any) -> None:
    """Read the Docs' other usual builder: each page at a folder's address, every link checked."""
    app = site.build_ok_in_process(make_app, builder="dirhtml")
    papers = sorted(path.parent.name for path in site.out.glob("publications/*/index.html"))
    assert len(papers) >= 3 and "lovelace1843notes" in papers
    page = site.page("publications/lovelace1843notes/index.html")
    links = {a.get_text(): a["href"] for a in page.select("a.publication-link")}
    assert links["In the list"] == "../../#lovelace1843notes"
    document = new_document("<test>", app.builder.docsettings)
    paragraph = nodes.paragraph()
    for uri in ("../../#lovelace1843notes", "../../projects/engine/", "../../gone/"):
        paragraph += nodes.reference("", uri, refuri=uri, internal=True)
    document += paragraph
    what = "refs.bib entry lovelace1843notes"
    assert check_internal_links(app, "publications/lovelace1843notes", document, what) == 1
    assert "to gone, which this build does not write" in app.warning.getvalue()


def squashed(text: str) -> str:
    """*text* without spaces, heading marks and the colons a description puts after headings."""
    return "".join(text.split()).replace("¶", "").replace(":", "")


def test_paper_pages_carry_open_graph_tags_made_from_their_content(
    site: Site, make_app: Any
) -> None:
    site.build_ok_in_process(make_app)
    checked = 0
    for path in sorted((site.out / "publications").glob("*.html")):
        page = site.page(f"publications/{path.name}")
        title = page.find("meta", property="og:title")
        description = page.find("meta", property="og:description")
        assert isinstance(title, Tag) and isinstance(description, Tag), path.name
        assert page.h1 and title["content"] == page.h1.get_text().rstrip("¶")
        # the description is the page's text after its title (sphinxext-opengraph's own)
        assert page.article
        text = squashed(page.article.get_text()).removeprefix(squashed(str(title["content"])))
        assert text.startswith(squashed(str(description["content"]))[:20]), path.name
        checked += 1
    assert checked >= 5


def test_paper_pages_put_into_the_frame_are_the_themes_own(
    site: Site, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paper pages are the theme's page rendered once with each page's parts put in: byte for
    byte what rendering each through the theme writes (a frame made unusable forces that)."""
    framed: list[str] = []
    put_in = PageFrame.page

    def page(frame: PageFrame, name: str, *parts: str) -> str:
        framed.append(name)
        return put_in(frame, name, *parts)

    monkeypatch.setattr(PageFrame, "page", page)
    site.build_ok_in_process(make_app)
    assert "is not the frame's" not in site.status
    framed_pages = {path.name: path.read_bytes() for path in site.out.glob("publications/*.html")}
    monkeypatch.setattr(PageFrame, "usable", property(lambda frame: False))
    site.build_ok_in_process(make_app, out="through-theme")
    themed_pages = {path.name: path.read_bytes() for path in site.out.glob("publications/*.html")}
    assert framed_pages == themed_pages
    # every paper page came from the frame (the first also through the theme, to check it)
    papers = {name.removesuffix(".html") for name in framed_pages} - {"index"}
    assert sorted(framed) == sorted(papers) and len(papers) >= 3, framed


# -- Bodies written without the translator ---------------------------------------------------


def simple_paragraphs() -> list[nodes.paragraph]:
    """Paragraphs of what a paper page's lines are made of, with what HTML must escape."""
    escaped = 'a & <b> "c" @d'
    mixed = nodes.paragraph(classes=["paper-venue", "extra", "paper-venue"])
    mixed += nodes.strong("", "", nodes.Text("[OSDI'24 ("), nodes.emphasis("", "to appear"))
    mixed += nodes.Text(f"{escaped}\nnext line")
    mixed += nodes.superscript("", "*†")
    mixed += nodes.subscript("", "2")
    links = nodes.paragraph(classes=["publication-links"])
    links += nodes.reference(
        "PDF", "PDF", refuri="https://e.x/?a=1&b=2", rel="noopener", classes=["publication-link"]
    )
    links += nodes.reference("", "In the list", refuri="../index.html#k", internal=True)
    links += nodes.reference("", "", nodes.strong("", escaped), refuri="", reftitle="t\nx")
    links += nodes.reference("", "new tab", refuri="https://e.x", target="_blank")
    plain = nodes.paragraph("", escaped)
    return [mixed, links, plain, nodes.paragraph()]


def unsimple_paragraphs() -> list[nodes.Node]:
    """Nodes the simple writer leaves to the translator."""
    with_id = nodes.paragraph("", "x", ids=["anchor"])
    code = nodes.paragraph("", "", nodes.literal("", "code"))
    mail = nodes.paragraph("", "", nodes.reference("", "me", refuri="mailto:me@e.x"))
    language = nodes.paragraph("", "", nodes.emphasis("", "x", classes=["language-de"]))
    inner_id = nodes.paragraph("", "", nodes.strong("", "x", ids=["inner"]))
    return [with_id, code, mail, language, inner_id, nodes.bullet_list(), nodes.Text("x")]


def test_simple_lines_are_written_as_the_translator_writes_them(site: Site, make_app: Any) -> None:
    app = site.build_ok_in_process(make_app)
    pagename = next(iter(state(app.env).build.paper_pages))
    frame = body_frame(app)
    assert frame is not None
    checked = 0
    for paragraph in simple_paragraphs():
        document = document_of(app, "A & B <title>", [paragraph])
        body = frame.body(document)
        assert body is not None and paragraph_html(paragraph) is not None
        assert body == translated(app, pagename, document)[0]
        checked += 1
    abstract = section("Abstract", nodes.paragraph("", 'An "abstract" & more'))
    bibtex = section("BibTeX", nodes.raw("", '<div class="highlight">@x</div>\n', format="html"))
    document = document_of(app, "Sections", [*simple_paragraphs(), abstract, bibtex])
    assert frame.body(document) == translated(app, pagename, document)[0]
    for node in unsimple_paragraphs():
        assert paragraph_html(node) is None, node
        document = document_of(app, "Not simple", [node.deepcopy()])
        assert frame.body(document) is None
        checked += 1
    assert checked == 11


def test_a_translator_of_its_own_writes_every_paper_page(site: Site, make_app: Any) -> None:
    """A site whose HTML translator writes a paper page's lines otherwise (here, ``strong`` as
    ``b``) gets every body from that translator, not from the frame."""
    site.append(
        "docs/conf.py",
        "\nfrom sphinx.writers.html5 import HTML5Translator\n\n\n"
        "class BoldTranslator(HTML5Translator):\n"
        "    def visit_strong(self, node):\n"
        "        self.body.append('<b>')\n\n"
        "    def depart_strong(self, node):\n"
        "        self.body.append('</b>')\n\n\n"
        "def setup(app):\n"
        "    app.set_translator('html', BoldTranslator, override=True)\n",
    )
    site.build_ok_in_process(make_app)
    assert "is not the frame's: every paper page is written by the translator" in site.status
    pages = [path for path in site.out.glob("publications/*.html") if path.stem != "index"]
    for path in pages:
        venue = site.page(f"publications/{path.name}").select_one(".paper-venue")
        assert venue is not None and venue.b is not None and venue.strong is None, path.name
    assert len(pages) >= 3
