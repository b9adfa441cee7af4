"""Incremental builds write what a clean build writes, and a no-op rebuild does no work."""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers.site import Site

from scholarsite import bibliography, entry_html
from scholarsite.blob_store import still_pickled_apart
from scholarsite.publication import RICH_FIELDS
from scholarsite.refs import CachedRefs, load_refs
from scholarsite.refs_cache import PersonsKept
from scholarsite.state import state
from scholarsite.upstream import cite_domain

EDITED_KEY = "lovelace1843notes"  # cited from the fixture site's project page


def build(site: Site, make_app: Any, out: str = "out", **overrides: Any) -> str:
    """Build in process, strictly; return Sphinx's verbose output."""
    site.build_ok_in_process(make_app, out=out, **overrides)
    return site.status


def assert_same_html(site: Site, make_app: Any, **overrides: Any) -> None:
    """The incremental output in out/ equals a clean build's, every file byte for byte.

    Pages, sitemap.xml, files/: all of it, so nothing stale or missing ships. The search
    index is compared for what it finds: after a page is removed, Sphinx keeps that page's
    words in it with no page to point to. After a setting changed, Sphinx keeps the old build
    information in ``.buildinfo.bak``.
    """
    incremental_out = site.out
    shutil.rmtree(site.root / "clean", ignore_errors=True)  # a clean build each time
    build(site, make_app, "clean", **overrides)
    clean_out = site.out
    incremental = {path.relative_to(incremental_out) for path in incremental_out.rglob("*")}
    clean = {path.relative_to(clean_out) for path in clean_out.rglob("*")}
    incremental.discard(Path(".buildinfo.bak"))
    clean.discard(Path(".buildinfo.bak"))
    assert incremental == clean
    differing = [
        str(path)
        for path in sorted(clean)
        if (clean_out / path).is_file()
        and path.name not in {"searchindex.js", ".buildinfo"}
        and not filecmp.cmp(incremental_out / path, clean_out / path, shallow=False)
    ]
    assert differing == []
    assert len(clean) > 20
    # the paper pages and the index, which no Sphinx document makes, are among those compared
    paper_pages = [path for path in clean if path.parent.name == "publications"]
    assert len(paper_pages) >= 4 and Path("publications/index.html") in paper_pages
    assert search_index(incremental_out) == search_index(clean_out)
    site.out = incremental_out


def search_index(out: Path) -> dict[str, Any]:
    """Sphinx's search index, without the words that point to no page."""
    text = (out / "searchindex.js").read_text(encoding="utf-8")
    index: dict[str, Any] = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    for name in ("terms", "titleterms"):
        index[name] = {word: pages for word, pages in index[name].items() if pages != []}
    return index


def list_source(site: Site) -> Path:
    """The page holding the full publication list."""
    (source,) = [page for page in site.docs.rglob("*.md") if "{publications}" in page.read_text()]
    return source


def read_counts(output: str) -> tuple[int, int, int]:
    """Sphinx's "updating environment: A added, C changed, R removed" of one build."""
    match = re.search(r"(\d+) added, (\d+) changed, (\d+) removed", output)
    assert match, output
    return int(match[1]), int(match[2]), int(match[3])


def edit_entry(site: Site, key: str) -> None:
    """Change an entry's title and venue tag."""
    text = site.refs.read_text(encoding="utf-8")
    start = text.index(f"{{{key},")
    end = text.index("\n}", start)
    entry = re.sub(r"title\s*=\s*\{", "title = {Revised: ", text[start:end], count=1)
    entry = re.sub(r"venuetag\s*=\s*\{", "venuetag = {Rev-", entry, count=1)
    site.refs.write_text(text[:start] + entry + text[end:], encoding="utf-8")


def test_the_formatting_cache_changes_no_output(site: Site, make_app: Any) -> None:
    """The site built with the cache is the site built with sphinxcontrib-bibtex's own domain.

    Without owner names: the stock domain makes styles without arguments, and the owner's
    names reach the homepage style through the site's domain (bold owners: test_style.py).
    """
    build(site, make_app, "cached", scholarsite_owner_names=[])
    cached = site.out
    site.append(
        "docs/conf.py",
        "\n\ndef setup(app):\n"
        "    from sphinxcontrib.bibtex.domain import BibtexDomain\n\n"
        "    app.add_domain(BibtexDomain, override=True)\n",
    )
    output = build(site, make_app, "stock", scholarsite_owner_names=[])
    assert "formatted entries reused" not in output and "scholarsite: formatted" not in output
    pages = sorted(path.relative_to(cached) for path in cached.rglob("*.html"))
    assert pages == sorted(path.relative_to(site.out) for path in site.out.rglob("*.html"))
    assert len(pages) >= 8
    differing = [
        str(page)
        for page in pages
        if not filecmp.cmp(cached / page, site.out / page, shallow=False)
    ]
    assert differing == []


def test_the_search_index_is_the_one_sphinx_makes_from_the_entries(
    site: Site, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lists' entries indexed by their distinct words (entry_html.search_words), rendered
    and then kept after an entry's edit, index as Sphinx's search does reading each entry."""
    build(site, make_app)
    edit_entry(site, EDITED_KEY)
    output = build(site, make_app)
    match = re.search(r"list entries rendered (\d+), reused (\d+)", output)
    assert match and int(match[2]) >= 3, output  # the kept entries' words were used
    by_words = search_index(site.out)
    monkeypatch.setattr(entry_html.EntryHTMLCache, "add_list", lambda *args: None)
    build(site, make_app, "entries-read")
    assert search_index(site.out) == by_words
    source = list_source(site)
    list_doc = by_words["docnames"].index(source.relative_to(site.docs).with_suffix("").as_posix())
    list_words = [
        word
        for word, docs in by_words["terms"].items()
        if docs == list_doc or (isinstance(docs, list) and list_doc in docs)
    ]
    assert len(list_words) > 50 and "revis" in list_words  # the edited title's word, stemmed


def test_page_edit_gives_the_clean_build(site: Site, make_app: Any) -> None:
    """A page is edited: refs.bib, unchanged, is read from its cache, and the objects of the
    entries the page does not cite (persons, a record's rich text) stay pickled."""
    build(site, make_app)
    site.append("docs/projects/engine.md", "\nOne more sentence.\n")
    app = site.build_ok_in_process(make_app)
    assert read_counts(site.status) == (0, 1, 0)
    (refs,) = state(app.env).build.refs
    assert isinstance(refs, CachedRefs) and refs.read  # its entries handed to the cite domain
    cited = {
        target.key
        for ref in cite_domain(app.env).citation_refs
        if ref.docname == "projects/engine"
        for target in ref.targets
    }
    others = [entry for key, entry in refs.entries.items() if key not in cited]
    assert cited and len(others) >= 2
    assert all(isinstance(entry.persons, PersonsKept) for entry in others)
    assert all(still_pickled_apart(entry.persons) for entry in others)
    records = [refs.publications[entry.key] for entry in others]
    assert all(vars(record).keys().isdisjoint(RICH_FIELDS) for record in records)
    assert_same_html(site, make_app)


def test_a_description_reading_into_the_list_is_the_clean_builds(site: Site, make_app: Any) -> None:
    """The list page's description reads on into its entries; with them kept after an edit (and
    only the first outlined for it), it is the clean build's."""
    build(site, make_app, ogp_description_length=600)
    edit_entry(site, EDITED_KEY)
    output = build(site, make_app, ogp_description_length=600)
    match = re.search(r"list entries rendered (\d+), reused (\d+)", output)
    assert match and int(match[2]) >= 3, output
    description = site.page("index.html", only=("meta",)).find("meta", property="og:description")
    assert description is not None
    titles = [pub.title_text for pub in load_refs(site.refs).publications.values()]
    read = [title for title in titles if title[:20] in str(description["content"])]
    assert len(read) >= 2, description
    assert_same_html(site, make_app, ogp_description_length=600)


def test_cited_entry_edit_gives_the_clean_build_formatting_only_that_entry(
    site: Site, make_app: Any
) -> None:
    """A cited entry's title and venue tag change: the list, and every page citing it, follow,
    written again without being read again (the list's page links to refs.bib, too)."""
    build(site, make_app)
    edit_entry(site, EDITED_KEY)
    output = build(site, make_app)
    assert read_counts(output) == (0, 0, 0)
    match = re.search(r"formatted (\d+) entr(?:y|ies), reused (\d+)", output)
    assert match, output
    assert (int(match[1]), int(match[2])) == (1, 3)
    assert "entries of refs.bib reused" in output  # parsed once, by the site's check
    assert "Revised: Sketch" in site.page("projects/engine.html").get_text()
    assert_same_html(site, make_app)


def test_a_list_page_showing_refs_bib_itself_is_read_again_after_an_edit(
    site: Site, make_app: Any
) -> None:
    """A page that includes a bib file's text depends on it: an entry's edit reads it again."""
    (list_page,) = [
        page for page in site.docs.rglob("*.md") if "{publications}" in page.read_text()
    ]
    list_page.write_text(
        list_page.read_text(encoding="utf-8")
        + "\n```{literalinclude} ../refs.bib\n:language: bibtex\n```\n",
        encoding="utf-8",
    )
    build(site, make_app)
    edit_entry(site, EDITED_KEY)
    output = build(site, make_app)
    assert read_counts(output) == (0, 1, 0)
    name = list_page.relative_to(site.docs).with_suffix(".html").as_posix()
    blocks = site.page(name).select("div.highlight-bibtex pre")
    assert any("Revised: Sketch" in block.get_text() for block in blocks)
    assert_same_html(site, make_app)


def test_noop_rebuild_reads_nothing_and_formats_nothing(site: Site, make_app: Any) -> None:
    build(site, make_app)
    output = build(site, make_app)
    read = re.findall(r"reading sources\.\.\. \[[ \d]+%\] (\S+)", output)
    assert read_counts(output) == (0, 0, 0), read
    assert "no targets are out of date" in output
    assert "bibliography unchanged, formatted entries reused" in output
    # the bulky data (parsed entries, formatted citations) stays on disk
    assert "parsed entries of refs.bib in use" not in output
    assert "stored cite data read" not in output


def test_lost_stored_data_is_rebuilt_and_old_copies_are_removed(site: Site, make_app: Any) -> None:
    """Formatted citations live beside the environment pickle: one file (the parsed entries are
    refs.bib's, read again from the site's own cache), recreated if lost."""
    build(site, make_app)
    doctrees = site.root / "out" / "doctrees"
    [stored] = doctrees.glob("scholarsite-cite-*")
    assert stored.name.startswith("scholarsite-cite-formatting-")
    stored.unlink()
    edit_entry(site, EDITED_KEY)
    output = build(site, make_app)
    assert "is gone; formatting afresh" in output
    assert_same_html(site, make_app)
    site.append("docs/projects/engine.md", "\nOne more sentence.\n")
    build(site, make_app)
    assert len(list(doctrees.glob("scholarsite-cite-*"))) == 1
    assert_same_html(site, make_app)


def assert_rewritten_unread_from_storage(site: Site, make_app: Any) -> None:
    """A setting that rewrites every page without reading one: the pages resolve their
    citations from the stored ones, and are the clean build's."""
    output = build(site, make_app, scholarsite_profile_tagline="Poetical scientist")
    assert read_counts(output) == (0, 0, 0)
    assert "stored cite data read from scholarsite-cite-formatting-" in output
    assert "Poetical scientist" in site.page("projects/engine.html").get_text()
    assert_same_html(site, make_app, scholarsite_profile_tagline="Poetical scientist")


def test_pages_written_again_unread_resolve_their_citations_from_storage(
    site: Site, make_app: Any
) -> None:
    """A setting that rewrites every page without reading one: the stored citations find their
    entries in refs.bib as the site reads it, and the pages are the clean build's."""
    build(site, make_app)
    assert_rewritten_unread_from_storage(site, make_app)


def test_entries_sphinxcontrib_bibtex_parsed_itself_are_stored_and_found_again(
    site: Site, make_app: Any
) -> None:
    """With two bib files sphinxcontrib-bibtex parses them itself: its entries are stored in a
    file of their own, each stored citation finds its entry there again, and edits still
    give the clean build."""
    (site.root / "more.bib").write_text(
        "@misc{babbage1864passages,\n  author = {Charles Babbage},\n"
        "  title = {Passages from the Life of a Philosopher},\n  year = {1864},\n}\n",
        encoding="utf-8",
    )
    site.append("docs/conf.py", '\nbibtex_bibfiles = ["../refs.bib", "../more.bib"]\n')
    build(site, make_app)
    doctrees = site.root / "out" / "doctrees"
    parts = sorted(path.name.split("-")[2] for path in doctrees.glob("scholarsite-cite-*"))
    assert parts == ["entries", "formatting"]
    assert "Passages from the Life" in site.page("index.html").get_text()
    site.append("docs/projects/engine.md", "\nOne more sentence.\n")
    build(site, make_app)
    assert_same_html(site, make_app)
    # every page written again, none read: the stored citations, with their entries, resolve
    # the pages' citations
    assert_rewritten_unread_from_storage(site, make_app)
    edit_entry(site, EDITED_KEY)
    build(site, make_app)
    assert "Revised: Sketch" in site.page("projects/engine.html").get_text()
    assert_same_html(site, make_app)


def test_removed_entry_takes_its_paper_page_with_it(site: Site, make_app: Any) -> None:
    """An entry deleted from refs.bib leaves no page behind, as in a clean build."""
    build(site, make_app)
    page = site.out / "publications" / "lovelace1842cards.html"
    assert page.is_file()
    text, count = re.subn(
        r"^@\w+\{lovelace1842cards,.*?^\}\n",
        "",
        site.refs.read_text(encoding="utf-8"),
        flags=re.M | re.S,
    )
    assert count == 1
    site.refs.write_text(text, encoding="utf-8")
    build(site, make_app)
    assert not page.exists()
    assert_same_html(site, make_app)


def test_lost_cache_gives_the_clean_build(site: Site, make_app: Any) -> None:
    """The doctrees (environment, stamps) gone, an entry edited and another removed: the
    pages are rendered afresh and the removed entry's page goes."""
    build(site, make_app)
    shutil.rmtree(site.root / "out" / "doctrees")
    edit_entry(site, EDITED_KEY)
    text = site.refs.read_text(encoding="utf-8")
    site.refs.write_text(re.sub(r"^@\w+\{lovelace1842cards,.*?^\}\n", "", text, flags=re.M | re.S))
    build(site, make_app)
    assert not (site.out / "publications" / "lovelace1842cards.html").exists()
    assert "Revised: Sketch" in site.page(f"publications/{EDITED_KEY}.html").get_text()
    assert_same_html(site, make_app)


def test_a_file_added_to_files_and_removed_again_incrementally(site: Site, make_app: Any) -> None:
    build(site, make_app)
    (site.files / "powers-1837.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert entry_html_counts(build(site, make_app)) == (1, listed(site) - 1)  # that entry's
    links = {a.get_text(): a["href"] for a in site.page().select("#babbage1837engine a")}
    assert links["PDF"] == "files/powers-1837.pdf"
    assert (site.out / "files" / "powers-1837.pdf").is_file()
    assert_same_html(site, make_app)
    (site.files / "powers-1837.pdf").unlink()  # and taken out again: gone from the site
    build(site, make_app)
    links = {a.get_text(): a["href"] for a in site.page().select("#babbage1837engine a")}
    assert "PDF" not in links and links["Publisher"] == "https://example.org/powers"
    assert not (site.out / "files" / "powers-1837.pdf").exists()
    assert_same_html(site, make_app)


@pytest.mark.parametrize("hard_links", [True, False], ids=["linked", "copied"])
def test_a_pdf_replaced_in_files_is_served_anew(
    site: Site, make_app: Any, monkeypatch: pytest.MonkeyPatch, hard_links: bool
) -> None:
    """Served files are linked (or, where the file system cannot, copied) once and kept while
    unchanged; a replaced one, even by a file of the same size, is served as it is now."""
    if not hard_links:
        monkeypatch.setattr(bibliography.os, "link", no_hard_links)
    build(site, make_app)
    pdf = site.files / "notes-1843.pdf"
    served = site.out / "files" / pdf.name
    assert served.read_bytes() == pdf.read_bytes()
    checked = 0
    for revision in (b"%PDF-1.4\n% revised\n%%EOF\n", b"%PDF-1.4\n% REVISED\n%%EOF\n"):
        replacement = site.files / "replacement.tmp"
        replacement.write_bytes(revision)
        os.utime(replacement, ns=(pdf.stat().st_atime_ns, pdf.stat().st_mtime_ns + 10**9))
        replacement.replace(pdf)  # as an editor or a download saves it: a new file
        build(site, make_app)
        assert served.read_bytes() == revision
        checked += 1
    assert checked == 2
    assert (served.stat().st_ino == pdf.stat().st_ino) is hard_links
    assert_same_html(site, make_app)


def no_hard_links(source: Any, target: Any) -> None:
    raise OSError("no hard links on this file system")


PREPRINT = """
@article{lovelace1842notespreprint,
  author  = {Ada Lovelace},
  title   = {Sketch of the Analytical Engine, with notes by the translator},
  journal = {CoRR},
  volume  = {abs/1842.00042},
  year    = {1842},
}
"""


def test_a_version_added_and_removed_incrementally(site: Site, make_app: Any) -> None:
    """A new version changes what its published entry shows (list and paper page) though that
    entry's own fields did not change."""
    build(site, make_app)
    site.append("refs.bib", PREPRINT)
    build(site, make_app)
    versions = site.page().select(f"#{EDITED_KEY} .publication-versions a")
    assert [a["href"] for a in versions] == ["publications/lovelace1842notespreprint.html"]
    paper = site.page(f"publications/{EDITED_KEY}.html")
    assert len(paper.select(".publication-versions a")) == 1
    assert_same_html(site, make_app)
    site.refs.write_text(site.refs.read_text().replace(PREPRINT, ""))
    build(site, make_app)
    assert site.page().select(".publication-versions") == []
    assert site.page(f"publications/{EDITED_KEY}.html").select(".publication-versions") == []
    assert_same_html(site, make_app)


# -- The list's entries rendered once, their HTML reused (scholarsite.entry_html) -----------


def entry_html_counts(output: str) -> tuple[int, int]:
    """How many list entries a build rendered, and how many it reused from an earlier one."""
    match = re.search(r"list entries rendered (\d+), reused (\d+)", output)
    assert match, output
    return int(match[1]), int(match[2])


def listed(site: Site) -> int:
    count = len(load_refs(site.refs).listed)
    assert count >= 3
    return count


def test_an_edited_entry_alone_is_rendered_again(site: Site, make_app: Any) -> None:
    assert entry_html_counts(build(site, make_app)) == (listed(site), 0)
    edit_entry(site, EDITED_KEY)
    assert entry_html_counts(build(site, make_app)) == (1, listed(site) - 1)
    assert "Revised: Sketch" in site.page().select_one(f"#{EDITED_KEY}").get_text()
    assert_same_html(site, make_app)


def test_an_entry_whose_backlinks_change_is_rendered_again(site: Site, make_app: Any) -> None:
    """A page starts citing an entry, then a citing page's title changes: the "Cited on"
    lines follow, and only the entries showing them are rendered again."""
    build(site, make_app)
    site.append("docs/projects/engine.md", "\nThe cards too {cite:p}`lovelace1842cards`.\n")
    assert entry_html_counts(build(site, make_app)) == (1, listed(site) - 1)
    cited_on = site.page().select_one("#lovelace1842cards .publication-cited-on")
    assert cited_on is not None and "The engine" in cited_on.get_text()
    assert_same_html(site, make_app)
    page = site.docs / "projects" / "engine.md"
    page.write_text(page.read_text().replace("# The engine", "# The analytical engine"))
    output = build(site, make_app)
    assert entry_html_counts(output) == (3, listed(site) - 3)  # the three it cites
    assert "The analytical engine" in site.page().select_one(f"#{EDITED_KEY}").get_text()
    assert_same_html(site, make_app)


def test_a_setting_that_changes_the_entries_renders_them_again(site: Site, make_app: Any) -> None:
    build(site, make_app)
    assert site.page().select(f"#{EDITED_KEY} a[href^='publications/']")
    output = build(site, make_app, scholarsite_paper_pages=False)
    assert entry_html_counts(output) == (listed(site), 0)
    assert not site.page().select(f"#{EDITED_KEY} a[href^='publications/']")
    edit_entry(site, "babbage1837engine")
    build(site, make_app, scholarsite_paper_pages=False)
    incremental = site.out
    build(site, make_app, "clean", scholarsite_paper_pages=False)
    pages = sorted(path.relative_to(site.out) for path in site.out.rglob("*.html"))
    assert len(pages) >= 5
    assert [
        str(page)
        for page in pages
        if not filecmp.cmp(incremental / page, site.out / page, shallow=False)
    ] == []


def test_lost_entry_html_is_rendered_again(site: Site, make_app: Any) -> None:
    build(site, make_app)
    kept = site.root / "out" / "doctrees" / "scholarsite-entry-html.pickle"
    assert kept.is_file()
    kept.unlink()
    edit_entry(site, EDITED_KEY)
    assert entry_html_counts(build(site, make_app)) == (listed(site), 0)
    assert kept.is_file()
    assert_same_html(site, make_app)


def test_kept_html_is_put_where_the_writer_placed_it(tmp_path: Path) -> None:
    """A kept entry's HTML is placed in a page's body as a mark, then put in its place when the
    page's context is made: the body every handler and the theme see is the whole page."""
    cache = entry_html.EntryHTMLCache(tmp_path / "kept.pickle", "", None)  # type: ignore[arg-type]
    entries = ['<li id="a">A &amp; “B”</li>', "<li id='b'>\ue001</li>", ""]
    marks = [cache.place(html) for html in entries]
    assert all(len(mark) < 64 and mark.startswith(cache.mark) for mark in marks)
    body = "<ul>" + "\n".join(marks) + "</ul>"
    assert cache.put_in(body) == "<ul>" + "\n".join(entries) + "</ul>"
    assert cache.placed == {}  # each put in once, and let go
    assert cache.put_in("<p>no list</p>") == "<p>no list</p>"
    other = entry_html.EntryHTMLCache(tmp_path / "kept.pickle", "", None)  # type: ignore[arg-type]
    assert other.mark != cache.mark  # a page's own text cannot hold a build's mark


def test_kept_entries_read_back_as_stored(tmp_path: Path) -> None:
    """An entry's HTML, outline and words as the next build reads them back: no words, words,
    and words not known (then Sphinx's search reads the entry itself)."""
    path = tmp_path / "kept.pickle"
    saved = entry_html.EntryHTMLCache(path, "code", None)  # type: ignore[arg-type]
    outline = [("paragraph", (), None, ["Ada ", ("strong", (), None, ["Lovelace"])])]
    stored = {"none": (), "some": ("ada", "lovelace"), "unknown": None}
    for key, words in stored.items():
        saved.store("index", key, f"<li>{key}</li>", outline, words)
    saved.save({"index"})
    read = entry_html.EntryHTMLCache(path, "code", None)  # type: ignore[arg-type]
    for key, words in stored.items():
        node = read.node("index", key, render=lambda: pytest.fail("kept, not rendered"))
        assert node["html"] == f"<li>{key}</li>"
        assert node["words"] == (None if words is None else list(words))
        assert node.astext() == "Ada Lovelace" and node["described"] == len("AdaLovelace")
    later = read.node("index", "some", render=lambda: pytest.fail("kept"), outlined=False)
    assert later.children == [] and "described" not in later
    assert read.counts == [0, 4]


def test_damaged_caches_are_read_afresh(site: Site, make_app: Any) -> None:
    """refs.bib's per-entry cache, the entries' HTML and the search stems, each damaged: the
    next build reads and renders afresh, and gives the clean build's site."""
    build(site, make_app)
    doctrees = site.root / "out" / "doctrees"
    damaged = [
        doctrees / name
        for name in (
            "scholarsite-refs-by-entry.pickle",
            "scholarsite-entry-html.pickle",
            "scholarsite-search-stems.pickle",
        )
    ]
    for path in damaged:
        assert path.is_file(), path
        path.write_bytes(b"not a pickle")
    edit_entry(site, EDITED_KEY)
    assert entry_html_counts(build(site, make_app)) == (listed(site), 0)
    assert_same_html(site, make_app)
