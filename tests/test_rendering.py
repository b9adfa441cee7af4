"""The list, the paper pages and the head tags render from each entry's Publication record.

tests/roots/records holds a refs.bib of made-up entries, one for each thing the owner's list
shows (issue 13) and real exports write (issue 12), and the PDF one of them names; it is built
with the fixture site's pages (tests/roots/site/docs), strictly, once for this module.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from helpers.bodies import compare_bodies_with_the_translator
from helpers.cases import apply_edits, expand
from helpers.site import ROOTS, Site, fixture_site

from scholarsite.latex import has_leftover_markup
from scholarsite.refs import Refs, load_refs

RECORDS = ROOTS / "records"
CITING_PAGE = """\
# The engine

Its scheduler is {cite:p}`lovelace2026status`; its numbers were first put on
{cite:t}`lovelace2021bernoulliarxiv`; its tables are in {cite:p}`DBLP:conf/es/2019`.

## Publications

```{cited-publications}
```
"""


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = fixture_site("site", tmp_path_factory.mktemp("records") / "site")
    shutil.copy(RECORDS / "refs.bib", site.refs)
    shutil.rmtree(site.files)
    shutil.copytree(RECORDS / "files", site.files)
    (site.docs / "projects" / "engine.md").write_text(CITING_PAGE, encoding="utf-8")
    site.build_ok_for_many_tests()
    return site


def entry(site: Site, key: str) -> Tag:
    found = site.page().find(id=key)
    assert isinstance(found, Tag), key
    return found


def anchor_of(key: str) -> str:
    return load_refs(RECORDS / "refs.bib").anchors[key]


def links(node: Tag) -> dict[str, str]:
    return {a.get_text(): str(a["href"]) for a in node.select("a.publication-link")}


def meta(page: BeautifulSoup, name: str) -> list[str]:
    return [str(tag["content"]) for tag in page.find_all("meta", attrs={"name": name})]


def paper(site: Site, key: str) -> BeautifulSoup:
    return site.page(f"publications/{key}.html")


def test_year_groups_follow_the_tag_newest_first_undated_last(records: Site) -> None:
    page = records.page()
    years = [h.get_text(strip=True).rstrip("¶") for h in page.select("#publications h3")]
    assert years == ["2026", "2024", "2022", "2020", "2019", "Undated"]
    # SIGMOD'24 of a 2023 record sits under 2024.
    section = page.find(id="year-2024")
    assert isinstance(section, Tag)
    keys = [item["id"] for item in section.select(".citation")]
    assert keys == ["lovelace2024pdfurl", "lovelace2024preprint", "lovelace2023sigmod"]
    assert [item["id"] for item in page.select("#year-undated .citation")] == ["lovelaceundated"]
    index = records.page("publications/index.html")
    index_years = [h.get_text(strip=True).rstrip("¶") for h in index.select("section h2")]
    assert index_years[-len(years) :] == years


def test_status_marks_links_and_remark(records: Site) -> None:
    item = entry(records, "lovelace2026status")
    tag = item.select_one(".venue-tag")
    assert tag is not None and tag.get_text() == "[MLSys'26 (to appear)] "
    assert tag.em is not None and tag.em.get_text() == "to appear"
    assert [sup.get_text() for sup in item.select("p sup")] == ["†", "†"]
    legend = item.select(".publication-legend")
    assert [node.get_text() for node in legend] == ["(† Corresponding author)"]
    found = links(item)
    assert found["PDF"] == "files/engine-2026.pdf"
    assert found["E2E"] == "https://example.org/engine/pull/5234"
    assert found["Artifact"] == "https://example.org/artifact"
    assert list(found) == ["PDF", "E2E", "Artifact"]
    remark = item.p.find("em", recursive=False) if item.p else None
    assert remark is not None and remark.strong is not None
    (link,) = remark.select("a")
    assert link["href"] == "https://arxiv.org/pdf/2401.14112"
    assert link.get_text() == "FP6-Engine" and link.em is not None
    page = paper(records, "lovelace2026status")
    assert "(to appear)" in page.select_one(".paper-venue").get_text()
    assert [n.get_text() for n in page.select(".publication-legend")] == legend_texts(legend)
    assert page.select_one("article a[href='https://arxiv.org/pdf/2401.14112']") is not None


def legend_texts(nodes: list[Tag]) -> list[str]:
    return [node.get_text() for node in nodes]


def test_marks_written_into_names_stay_out_of_them(records: Site) -> None:
    item = entry(records, "lovelace2024pdfurl")
    authors = item.p.get_text() if item.p else ""
    assert "Albert Einstein*†, " in authors and "Ada Lovelace*, " in authors
    assert [sup.get_text() for sup in item.select("p sup")] == ["*†", "*"]
    assert legend_texts(item.select(".publication-legend")) == [
        "(* Equal contribution; † Corresponding author)"
    ]
    page = paper(records, "lovelace2024pdfurl")
    assert meta(page, "citation_author") == [
        "Einstein, Albert", "Lovelace, Ada", "Somerville, Mary",
    ]  # fmt: skip
    assert meta(page, "citation_publication_date") == ["2024/06"]
    assert "June 2024" in page.select_one(".paper-venue").get_text()


def test_pdf_elsewhere_and_doi_as_an_address(records: Site) -> None:
    found = links(entry(records, "lovelace2024pdfurl"))
    assert found["PDF"] == "https://arxiv.org/pdf/2412.14590"
    assert found["DOI"] == "https://doi.org/10.5555/cards.2024"
    page = paper(records, "lovelace2024pdfurl")
    assert meta(page, "citation_pdf_url") == ["https://arxiv.org/pdf/2412.14590"]
    assert meta(page, "citation_doi") == ["10.5555/cards.2024"]
    assert meta(page, "citation_firstpage") == ["10181"]
    assert meta(page, "citation_lastpage") == ["10196"]
    assert meta(page, "citation_issue") == ["10"]


def test_no_pdf_button_on_the_landing_page(records: Site) -> None:
    found = links(entry(records, "lovelace2023sigmod"))
    assert "PDF" not in found
    assert found["DOI"] == "https://doi.org/10.1145/3626000"
    assert meta(paper(records, "lovelace2023sigmod"), "citation_pdf_url") == []


def test_arxiv_only_paper_is_a_preprint_with_its_pdf(records: Site) -> None:
    item = entry(records, "lovelace2024preprint")
    assert item.select_one(".venue-tag").get_text() == "[Preprint'24] "
    found = links(item)
    assert found["PDF"] == "https://arxiv.org/pdf/2408.00001"
    assert found["arXiv"] == "https://arxiv.org/abs/2408.00001"
    assert "et al." in item.p.get_text() and "et al.." not in item.p.get_text()
    page = paper(records, "lovelace2024preprint")
    authors = meta(page, "citation_author")
    assert authors == ["Lovelace, Ada", "Menabrea, Luigi"]
    assert meta(page, "citation_pdf_url") == ["https://arxiv.org/pdf/2408.00001"]


def test_versions_show_as_one_entry_and_citations_land_on_it(records: Site) -> None:
    page = records.page()
    assert page.find(id="lovelace2022bernoulli") is not None
    lead = entry(records, "lovelace2022bernoulli")
    # The preprint is not listed; its id is on the published version's entry.
    moved = page.find(id="lovelace2021bernoulliarxiv")
    assert isinstance(moved, Tag)
    holder = moved.find_parent(class_="citation")
    assert holder is not None and holder["id"] == "lovelace2022bernoulli"
    assert len(page.select("#publications .citation")) == 9
    assert [n.get_text() for n in lead.select(".publication-award")] == ["Best Paper Award"]
    lead_page = paper(records, "lovelace2022bernoulli")
    assert [n.get_text() for n in lead_page.select(".publication-award")] == ["Best Paper Award"]
    row = lead.select_one(".publication-versions")
    assert row is not None
    (version,) = row.select("a")
    assert version["href"] == "publications/lovelace2021bernoulliarxiv.html"
    own = paper(records, "lovelace2022bernoulli").select_one(".publication-versions a")
    assert own is not None and own["href"] == "lovelace2021bernoulliarxiv.html"
    cites = records.page("projects/engine.html")
    hrefs = [str(a["href"]) for a in cites.select("article a[href*='index.html#']")]
    assert len(hrefs) >= 3, hrefs
    for href in hrefs:
        assert page.find(id=href.split("#")[1]) is not None, href
    # A crossref target (DBLP's @proceedings) is not listed: citing it lands on its paper.
    target = page.find(id=anchor_of("DBLP:conf/es/2019"))
    assert isinstance(target, Tag)
    holder = target.find_parent(class_="citation")
    assert holder is not None and holder["id"] == "lovelace2019tables"
    assert f"index.html#{target['id']}" in {href.removeprefix("../") for href in hrefs}
    short = [a.get_text() for a in cites.select("ul.cited-publications a")]
    assert short == [
        "Scheduling the Analytical Engine at Scale",
        "Computing Bernoulli Numbers on the Engine",
        "Tables Filled In from Their Proceedings",
    ]


def test_thesis_and_report_tags(records: Site) -> None:
    thesis = paper(records, "lovelace2020thesis")
    assert meta(thesis, "citation_dissertation_institution") == ["University of London"]
    assert meta(thesis, "citation_publication_date") == ["2020/09"]
    assert "PhD thesis, University of London" in thesis.select_one(".paper-venue").get_text()
    report = paper(records, "lovelace2019report")
    assert meta(report, "citation_technical_report_institution") == ["Engine Society"]
    assert meta(report, "citation_technical_report_number") == ["TR-2019-07"]


def test_undated_entry_without_venue_tag_builds(records: Site) -> None:
    item = entry(records, "lovelaceundated")
    assert "Notes Without a Date" in item.get_text()
    page = paper(records, "lovelaceundated")
    assert meta(page, "citation_publication_date") == []
    assert "note:" in records.status and "lovelaceundated" in records.status


def test_no_latex_braces_marks_or_others_outside_the_bibtex_boxes(records: Site) -> None:
    pages = [records.page(), *(paper(records, key) for key in keys_of_pages(records))]
    checked = 0
    for page in pages:
        for box in page.select("details.publication-bibtex, pre, .highlight"):
            box.decompose()
        article = page.article
        assert article is not None
        text = article.get_text(" ")
        assert not set(text) & set("{}\\$"), text
        assert " others" not in text
        for tag in page.find_all("meta", attrs={"name": lambda n: n and n.startswith("citation_")}):
            value = str(tag["content"])
            assert not set(value) & set("{}\\$*†"), value
            assert value.lower() != "others"
            checked += 1
    assert len(pages) == 11 and checked >= 55, (len(pages), checked)


def keys_of_pages(site: Site) -> list[str]:
    return sorted(
        path.stem for path in (site.out / "publications").glob("*.html") if path.stem != "index"
    )


# -- Data-quality notes: the build goes on -----------------------------------------------

NOTES_DIR = Path(__file__).parent / "data_quality"
NOTE_CASES = sorted(path.stem for path in NOTES_DIR.glob("*.toml"))


@pytest.mark.parametrize("name", NOTE_CASES)
def test_a_data_quality_note_never_fails_the_build(site: Site, make_app: Any, name: str) -> None:
    case = tomllib.loads((NOTES_DIR / f"{name}.toml").read_text(encoding="utf-8"))
    where = apply_edits(site, case["edit"])
    site.build_ok_in_process(make_app, builder="dummy")
    for message in case["expect"]:
        assert expand(message, where) in site.status, site.status
    assert "WARNING" not in site.warnings
    assert len(case["expect"]) >= 1


# -- Real exports, built as pasted ---------------------------------------------------------

CORPUS = Path(__file__).parent / "corpus"
#: One file of each kind a new owner pastes: a DBLP export with its @proceedings, an al-folio
#: papers.bib (abbr, marks in names, pdf addresses), a Google Scholar export (arXiv preprints as
#: journals), a NASA ADS export (journal macros, bibcodes as keys) and a Chinese thesis
#: template's references (East Asian names and keys, "and others").
CORPUS_SITES = [
    "dblp/limaye-dblp-withcrossref.bib",
    "al-folio/al-folio-example-papers.bib",
    "google-scholar/jollygoodjacob-scholar.bib",
    "ads/migueldvb-ads.bib",
    "chinese/thuthesis-refs.bib",
]


def text_outside_sources(page: BeautifulSoup) -> str:
    """What a reader sees of a page's article, without its BibTeX boxes and code blocks."""
    article = page.article
    assert article is not None
    for box in article.select("details.publication-bibtex, pre, .highlight"):
        box.decompose()
    return article.get_text(" ")


@pytest.mark.parametrize("name", CORPUS_SITES)
def test_a_real_export_builds_strictly_as_pasted(
    site: Site, make_app: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    shutil.copy(CORPUS / name, site.refs)
    (site.docs / "projects" / "engine.md").write_text("# The engine\n\nNo citations.\n")
    bodies_from_frame = compare_bodies_with_the_translator(monkeypatch)
    site.build_ok_in_process(make_app)
    refs = load_refs(CORPUS / name)
    assert refs.problems == []
    # each paper page's body, written from the frame, is the translator's (compared as built)
    paper_pages = {f"publications/{path.stem}" for path in site.out.glob("publications/*.html")}
    assert sorted(bodies_from_frame) == sorted(paper_pages - {"publications/index"})
    homepage = site.page(only=("article",))
    # Every key is accounted for: listed, or a version whose id is on its listed entry.
    listed = homepage.select("#publications .citation")
    assert [item["id"] for item in listed] == sorted_as_listed(refs)
    # DBLP's @proceedings fill in their papers' venues and are neither listed nor given a page.
    assert not {refs.anchors[key] for key in refs.crossref_targets} & {i["id"] for i in listed}
    assert len(refs.crossref_targets) >= (10 if name.startswith("dblp/") else 0)
    for key in refs.crossref_targets:
        assert not (site.out / "publications" / f"{refs.page_names[key]}.html").exists(), key
    for key, lead in refs.version_of.items():
        holder = homepage.find(id=refs.anchors[key])
        assert isinstance(holder, Tag), key
        if holder.get("id") != refs.anchors[lead]:
            holder = holder.find_parent(class_="citation")
        assert holder is not None and holder["id"] == refs.anchors[lead], key
    assert not has_leftover_markup(text_outside_sources(homepage))
    checked_pages = checked_tags = 0
    for key, pub in refs.publications.items():
        page = site.page(f"publications/{pub.page_name}.html", only=("article", "meta"))
        authors = page.select_one(".paper-authors")
        assert authors is not None, key
        for mark in authors.select("sup"):
            mark.decompose()
        assert not set(authors.get_text()) & set("*†‡"), (key, authors.get_text())
        assert "others" not in authors.get_text().split(), key
        text = text_outside_sources(page)
        assert not has_leftover_markup(text), (key, text)
        for tag in page.find_all("meta", attrs={"name": lambda n: n and n.startswith("citation_")}):
            value = str(tag["content"])
            assert not has_leftover_markup(value) and not set(value) & set("*†‡"), (key, value)
            assert value.casefold() not in ("others", "others,"), key
            checked_tags += 1
        checked_pages += 1
    assert checked_pages == len(refs.entries) >= 4
    assert checked_tags >= 3 * checked_pages


def sorted_as_listed(refs: Refs) -> list[str]:
    """The listed keys' anchors in the list's order: newest group first, Undated last."""
    publications = refs.publications
    order = {key: index for index, key in enumerate(refs.listed)}

    def position(key: str) -> tuple[int, int]:
        year = publications[key].group_year
        return (-year if year is not None else 1, order[key])

    return [refs.anchors[key] for key in sorted(refs.listed, key=position)]


ODD_KEYS = {
    "2026A&A...710L..32M": "Stars One",  # two ADS bibcodes that make_id makes one id
    "2025A&A...710L..32M": "Stars Two",
    "余雄庆2020": "飞机总体设计",  # make_id keeps only the year
    "10.1145/3544548.3580875": "A Key That Is a DOI",
}


def test_any_key_gets_its_own_anchor_and_citations_land_on_it(site: Site, make_app: Any) -> None:
    site.append(
        "refs.bib",
        "".join(
            f"\n@misc{{{key},\n  author = {{余雄庆}},\n  title = {{{title}}},\n"
            "  year = {2020},\n}\n"
            for key, title in ODD_KEYS.items()
        ),
    )
    cites = ", ".join(ODD_KEYS)
    (site.docs / "projects" / "engine.md").write_text(f"# The engine\n\nSee {{cite:p}}`{cites}`.\n")
    site.build_ok_in_process(make_app)
    anchors = load_refs(site.refs).anchors
    ids = [anchors[key] for key in ODD_KEYS]
    assert len(set(ids)) == len(ODD_KEYS) and all(ids)
    page = site.page()
    for key, title in ODD_KEYS.items():
        item = page.find(id=anchors[key])
        assert isinstance(item, Tag) and title in item.get_text(), key
        assert "余雄庆" in item.get_text(), key
    hrefs = [
        str(a["href"])
        for a in site.page("projects/engine.html").select("article a[href*='index.html#']")
    ]
    assert sorted(href.split("#")[1] for href in hrefs) == sorted(ids)
