"""Real BibTeX exports (tests/corpus/) read as pasted: only their genuine problems, every key
accounted for, no LaTeX, braces, marks or "others" in any text the records give."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pybtex.backends.html import Backend as HTMLBackend
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexSyntaxError
from pybtex_docutils import Backend as DocutilsBackend

from scholarsite.blob_store import still_pickled_apart
from scholarsite.latex import (
    has_leftover_markup,
    parse_latex,
    parse_with_walker,
    without_case_braces,
)
from scholarsite.publication import HOMEPAGE_FIELDS, RICH_FIELDS, Publication, bibtex_source
from scholarsite.refs import Refs, load_refs
from scholarsite.refs_cache import PersonsKept, RefsCache, load_cache
from scholarsite.style import HomepageStyle, record_author_nodes

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(str(path.relative_to(CORPUS)) for path in CORPUS.rglob("*.bib"))

# The genuine breakage the corpus holds, by file: (key, what). Everything else must read.
GB7714_WITHOUT_TITLE = [
    "易仕和，2013",  # noqa: RUF001 (the key as the file writes it)
    "李时珍--", "乔纳斯--", "昂温1988--", "丸山敏秋--", "凯西尔--", "Einstein--",
    "Williams-ellis--", "morgan--", "lijianning--a", "lijianning--b", "钱学森--", "李四光--",
    "印森林--", "fordham--", "中国科学院物理研究所--", "贵州省土穰普查办公室--",
    "AmericanChemicalSociety--", "StanfordUniversity--", "北京师范大学学报--", "jmath--",
    "AsianPacificjournal--", "egbookpubaddressg--", "Allianceurlonly",
]  # fmt: skip
GENUINE = {
    "chinese/gb7714-2015-example.bib": {
        # A % comment inside the entry: pybtex (like BibTeX) reads it as part of the entry.
        ("萨利斯2000", "BibTeX syntax error"),
        *((key, 'missing field "title"') for key in GB7714_WITHOUT_TITLE),
        # The example gives one DOI to several entries to show its styles.
        ("刘乃安2000-17-18a", 'same DOI as "刘乃安2000-17-18"'),
        ("Deverell2013-21-22a", 'same DOI as "Deverell2013-21-22"'),
        ("储大同2010-721-724m", 'same DOI as "刘乃安2000-17-18"'),
    },
}
_ENTRY = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)


@cache
def read(name: str) -> Refs:
    return load_refs(CORPUS / name, strict=())


def keys_in(name: str) -> list[str]:
    text = (CORPUS / name).read_text("utf-8")
    return [
        key
        for kind, key in _ENTRY.findall(text)
        if kind.lower() not in ("comment", "string", "preamble")
    ]


@pytest.mark.parametrize("name", FILES)
def test_each_file_reads_with_only_its_genuine_problems(name: str) -> None:
    refs = read(name)
    found = {(problem.key, problem.message) for problem in refs.problems}
    expected = GENUINE.get(name, set())
    assert len(found) == len(expected), sorted(found)
    for key, what in expected:
        assert any(k == key and what in message for k, message in found), (key, what)
    assert refs.entries, name


def test_the_corpus_is_big_and_varied() -> None:
    entries = sum(len(keys_in(name)) for name in FILES)
    exporters = {name.split("/")[0] for name in FILES}
    assert entries >= 1000 and len(exporters) >= 8 and len(FILES) >= 20


@pytest.mark.parametrize("name", FILES)
def test_every_key_is_accounted_for(name: str) -> None:
    """Each key is listed, a version of a listed entry, a crossref target, a container, or has a
    problem named; repeated keys are one entry pasted twice (merged) or a problem."""
    refs = read(name)
    broken = {problem.key for problem in refs.problems}
    checked = 0
    for key in keys_in(name):
        role = refs.role(key)
        assert role != "unknown" or key in broken, key
        if role.startswith("version of "):
            assert refs.role(role.removeprefix("version of ")) == "listed"
        checked += 1
    assert checked == len(keys_in(name)) > 0
    assert len(set(refs.anchors.values())) == len(refs.anchors) and all(refs.anchors.values())
    assert len(set(refs.page_names.values())) == len(refs.page_names) and all(
        refs.page_names.values()
    )


def texts(publication: Publication) -> list[str]:
    """Every plain text a record gives, and its rich title and remark as HTML."""
    return [
        publication.title_text,
        publication.venue,
        publication.venue_tag,
        publication.status,
        publication.abstract,
        publication.remark_text,
        publication.credit,
        publication.institution,
        publication.thesis_kind,
        publication.report_type,
        publication.publisher,
        publication.location,
        publication.award,
        publication.date_text,
        *(link.label for link in publication.links),
        *(author.name for author in publication.authors + publication.editors),
    ]


HTML = HTMLBackend()  # render_as("html") looks the backend up in every package's metadata


def test_no_latex_braces_marks_or_others_in_any_text() -> None:
    checked = 0
    for name in FILES:
        for key, publication in read(name).publications.items():
            for text in texts(publication):
                assert not has_leftover_markup(text), (name, key, text)
                checked += 1
            for author in publication.authors:
                assert not re.search(r"[*\u2217†‡]", author.name), (name, key, author.name)
                assert author.name.casefold() != "others", (name, key)
            for rich in (publication.title, publication.remark):
                html = rich.render(HTML)
                assert "\\" not in html and "{" not in html and "}" not in html, (name, key, html)
                assert "<script" not in html
    assert checked > 15000


def pub(name: str, key: str, owner: tuple[str, ...] = ()) -> Publication:
    if owner:
        return load_refs(CORPUS / name, strict=(), owner_names=owner).publications[key]
    return read(name).publications[key]


# -- Derivations, each on real entries ---------------------------------------------

VENUE_TAGS = [
    ("acm/chi23-acm.bib", "10.1145/3544548.3580875", "CHI'23", "series"),
    ("dblp/limaye-dblp-withcrossref.bib", "DBLP:conf/stoc/FournierL0T24", "STOC'24", "dblp-key"),
    (
        "dblp/limaye-dblp-withcrossref.bib",
        "DBLP:journals/corr/abs-2408-03465",
        "Preprint'24",
        "preprint",
    ),
    ("al-folio/594zyc-papers.bib", "zhang2020task", "AAAI", "abbr"),
    ("ads/migueldvb-ads.bib", "1973A&A....24..337S", "A&A'73", "table"),
    ("software/exam-hall-dataset-CITATION.bib", "hamim2026examhall_thesis", "IIUC'26", "booktitle"),
    ("biblatex/biblatex-examples.bib", "loh", "Master's Thesis'92", "kind"),
    ("biblatex/biblatex-examples.bib", "padhye", "Tech Report'99", "kind"),
    ("ads/migueldvb-ads.bib", "2001PhDT.........9R", "PhD Thesis'01", "kind"),
    ("zotero/0froq-zotero.bib", "huang2017", "Journal of Hydrology'17", "short"),
]


@pytest.mark.parametrize(("name", "key", "tag", "rule"), VENUE_TAGS)
def test_venue_tag_is_derived_in_the_documented_order(
    name: str, key: str, tag: str, rule: str
) -> None:
    publication = pub(name, key)
    assert (publication.venue_tag, publication.venue_tag_rule) == (tag, rule)


def test_group_year_follows_the_tag_then_the_year() -> None:
    checked = 0
    for name in FILES:
        for publication in read(name).publications.values():
            if match := re.search(r"'(\d\d)$", publication.venue_tag):
                assert publication.group_year is not None
                assert publication.group_year % 100 == int(match[1])
            elif publication.venue_tag_rule != "abbr":
                assert publication.group_year == publication.year
            checked += 1
    assert checked > 900
    undated = [
        p for name in FILES for p in read(name).publications.values() if p.group_year is None
    ]
    assert undated and all(p.year is None for p in undated)


def test_listyear_comes_first(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@inproceedings{a, author = {A B}, title = {T}, year = {2023}, venuetag = {SIGMOD'24}}\n"
        "@inproceedings{b, author = {A B}, title = {U}, year = {2023}, venuetag = {SIGMOD'24},"
        " listyear = {2025}}\n"
    )
    publications = load_refs(path, strict=()).publications
    assert (publications["a"].group_year, publications["b"].group_year) == (2024, 2025)


MONTHS = [
    ("ads/migueldvb-ads.bib", "1978ApJ...221...51L", 4, "1978/04"),  # month = apr
    ("zotero/crenshaw-my-library.bib", "abdalla2022", 6, "2022/06"),  # month = jun
    ("software/exam-hall-dataset-CITATION.bib", "hamim2026examhall_thesis", 7, "2026/07"),  # {7}
    ("al-folio/594zyc-papers.bib", "zhang2020task", 1, "2020/01"),  # {Jan}
    ("ads/skycalc_ipy-CITATION.bib", "2021ascl.soft09007L", 9, "2021/09"),  # sep
]


@pytest.mark.parametrize(("name", "key", "month", "date"), MONTHS)
def test_months_in_any_form(name: str, key: str, month: int, date: str) -> None:
    publication = pub(name, key)
    assert (publication.month, publication.publication_date) == (month, date)


ARXIV = [
    ("al-folio/boqi-chen-papers.bib", "chen2024certifying", "2405.08645"),  # arXiv preprint arXiv:
    ("biblatex/biblatex-examples.bib", "baez/article", "math/0307200v3"),  # eprint + eprinttype
    (
        "dblp/limaye-dblp-withcrossref.bib",
        "DBLP:journals/corr/abs-2408-03465",
        "2408.03465",
    ),  # CoRR
    ("al-folio/594zyc-papers.bib", "zhang2020task", "1911.10484"),  # al-folio's arxiv
]


@pytest.mark.parametrize(("name", "key", "arxiv"), ARXIV)
def test_arxiv_from_every_form(name: str, key: str, arxiv: str) -> None:
    publication = pub(name, key)
    assert publication.arxiv == arxiv
    assert publication.arxiv_pdf == f"https://arxiv.org/pdf/{arxiv}"


def test_dblp_escaped_dois_are_normalised() -> None:
    publication = pub("dblp/limaye-dblp-withcrossref.bib", "DBLP:conf/latin/ChauguleL22")
    assert publication.doi == "10.1007/978-3-031-20624-5_37"
    assert publication.doi_url == "https://doi.org/10.1007/978-3-031-20624-5_37"


def test_crossref_fills_in_dblp_papers() -> None:
    name = "dblp/limaye-dblp-withcrossref.bib"
    refs = read(name)
    text = (CORPUS / name).read_text("utf-8")
    chunks = re.split(r"(?m)^(?=@)", text)
    citing = [
        _ENTRY.match(chunk)[2] for chunk in chunks if "crossref" in chunk and _ENTRY.match(chunk)
    ]
    assert len(citing) == 41 and len(refs.crossref_targets) == 39
    for key in citing:
        fields = refs.entries[key].fields
        assert "crossref" not in fields and all(
            f in fields for f in ("booktitle", "year", "publisher")
        ), key
    assert all(refs.role(key) == "crossref target" for key in refs.crossref_targets)


def test_the_owner_is_found_in_every_entry_of_their_dblp_export() -> None:
    for variants in (["Nutan Limaye"], ["Limaye, N."], ["N Limaye"]):
        refs = load_refs(
            CORPUS / "dblp/limaye-dblp-withcrossref.bib", strict=(), owner_names=variants
        )
        owners = [sum(a.is_owner for a in p.authors) for p in refs.publications.values()]
        assert owners and all(count == 1 for count in owners), variants


def test_names_marks_and_others() -> None:
    shang = pub("al-folio/42shawn-papers.bib", "Yuan_2024_ECAR")
    assert [(a.name, a.marks) for a in shang.authors[:3]] == [
        ("Zhihang Yuan", ("*",)),
        ("Yuzhang Shang", ("*",)),
        ("Hanling Zhang", ()),
    ]
    assert shang.marks == ("*",)
    annotated = pub("biblatex/97-annotations.bib", "ann1")
    assert [a.marks for a in annotated.authors] == [(), ("†",), ()]
    chinese = pub("chinese/thuthesis-refs.bib", "zhangkun1994")
    assert [a.name for a in chinese.authors] == ["张昆", "冯立群", "余昌钰"] and chinese.et_al
    ads = pub("ads/migueldvb-ads.bib", "1959flme.book.....L")
    assert [a.name for a in ads.authors] == ["L. D. Landau", "E. M. Lifshitz"]
    accents = pub("acm/chi23-acm.bib", "10.1145/3544548.3580875")
    assert "Claudia Núñez-Pacheco" in [a.name for a in accents.authors]


def test_theses_reports_software_and_datasets() -> None:
    thesis = pub("chinese/thuthesis-refs.bib", "zhengkaiqing1987")
    assert (thesis.kind, thesis.thesis_kind, thesis.institution) == (
        "thesis",
        "Master's thesis",
        "清华大学无线电系",
    )
    phd = pub("biblatex/biblatex-examples.bib", "geer")
    assert (phd.thesis_kind, phd.institution) == ("PhD thesis", "Uppsala Universitet")
    report = pub("biblatex/biblatex-examples.bib", "chiu")
    assert (report.report_type, report.report_number, report.institution) == (
        "Research report",
        "RC-6947",
        "IBM",
    )
    assert pub("software/openqmc-CITATION.bib", "Bainbridge_OpenQMC_2022").kind == "software"
    assert (
        pub("software/exam-hall-dataset-CITATION.bib", "hamim2026examhall_dataset").kind
        == "dataset"
    )
    assert pub("ads/migueldvb-ads.bib", "1973A&A....24..337S").venue == "Astronomy & Astrophysics"


def test_entries_without_authors_show_who_made_them() -> None:
    refs = read("biblatex/biblatex-examples.bib")
    without = [p for p in refs.publications.values() if not p.authors]
    assert without and all(p.credit for p in without if p.editors)


def test_bibtex_source_keeps_standard_fields_and_drops_the_homepages() -> None:
    checked = 0
    for name in FILES:
        refs = read(name)
        for key, entry in refs.entries.items():
            source = bibtex_source(entry)
            reread = Parser().parse_string(source).entries[key]
            lower = {field.lower() for field in reread.fields}
            assert not lower & HOMEPAGE_FIELDS, (name, key)
            for field in ("doi", "journaltitle", "date", "location", "howpublished", "series"):
                if field in {f.lower() for f in entry.fields}:
                    assert field in lower, (name, key, field)
            assert not re.search(
                r"[*†]", " ".join(str(p) for p in reread.persons.get("author", []))
            )
            checked += 1
    assert checked > 1000


# -- Read entry by entry: the same result as reading the whole file ------------------------


def everything(refs: Refs) -> tuple[object, ...]:
    """All a read gives: entries (fields, persons, order), lines, problems, notes, roles,
    records."""
    entries = [
        (
            key,
            entry.type,
            entry.original_type,
            list(entry.fields.items()),
            [(role, [str(person) for person in people]) for role, people in entry.persons.items()],
        )
        for key, entry in refs.entries.items()
    ]
    return (
        entries,
        refs.lines,
        refs.digests,
        [str(problem) for problem in refs.problems],
        [(str(note), note.code) for note in refs.notes],
        list(refs.crossref_targets),
        list(refs.containers),
        refs.version_of,
        refs.first_filled,
        refs.publications,
    )


def with_one_entry_edited(text: str) -> str:
    """*text* with a line added to its middle entry, and a new entry of three lines on top:
    one entry changed, one new, and the line of every entry below them moved."""
    starts = [
        match
        for match in _ENTRY.finditer(text)
        if match[1].lower() not in ("comment", "string", "preamble") and match[2]
    ]
    middle = starts[len(starts) // 2]
    assert text[middle.end()] == ","
    at = middle.end() + 1
    edited = text[:at] + "\n  scholarsiteedit = {edited}," + text[at:]
    return "@misc{scholarsite-added,\n  title = {Added on top},\n}\n\n" + edited


@pytest.mark.parametrize("name", FILES)
def test_reading_entry_by_entry_gives_what_reading_the_whole_file_gives(
    name: str, tmp_path: Path
) -> None:
    """A read that reuses an earlier read's parses, checks and records (through the saved
    cache) equals a fresh read, for the file itself and after an edit that changes one
    entry, adds one and moves the lines of all below."""
    path = tmp_path / "refs.bib"
    path.write_text((CORPUS / name).read_text("utf-8"), encoding="utf-8")
    cache_file = tmp_path / "cache.pickle"
    first = RefsCache(code=b"test")
    fresh = load_refs(path, strict=(), cache=first)
    fresh.publications = fresh.build_publications(first)
    first.save(cache_file)
    assert fresh.entries, name

    again_cache = load_cache(cache_file, b"test")
    again = load_refs(path, strict=(), cache=again_cache)
    again.publications = again.build_publications(again_cache)
    # the read reuses each entry's checks and record: no entry's persons are unpickled
    kept = [entry.persons for entry in again.entries.values()]
    kept = [persons for persons in kept if isinstance(persons, PersonsKept)]
    assert all(still_pickled_apart(persons) for persons in kept)
    parses = [entry for entry, _ in first.now["parsed"].values()]
    unfilled = [e for e in parses if "crossref" not in e.fields and e.key in again.entries]
    assert len(kept) == len(unfilled) and (kept or not fresh.entries)
    # nor any record's rich fields (its title's rich text, its authors, its links)
    records = list(again.publications.values())
    assert all(vars(record).keys().isdisjoint(RICH_FIELDS) for record in records)
    assert everything(again) == everything(fresh)
    parsed = len(first.now["parsed"])
    assert again_cache.reused == {
        "parsed": parsed,
        "facts": len(fresh.entries),
        "records": len(fresh.entries),
    }

    path.write_text(with_one_entry_edited(path.read_text("utf-8")), encoding="utf-8")
    edited_cache = load_cache(cache_file, b"test")
    edited = load_refs(path, strict=(), cache=edited_cache)
    edited.publications = edited.build_publications(edited_cache)
    assert everything(edited) == everything(load_refs(path, strict=()))
    assert edited_cache.reused["parsed"] == parsed - 1
    assert load_cache(cache_file, b"other code").before == {}


def test_an_edited_string_macro_is_read_again_by_the_entries_after_it(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    entry = "@inproceedings{a2024,\n  title = {A},\n  author = {Ada Lovelace},\n"
    path.write_text(f'@string{{conf = "OSDI"}}\n{entry}  booktitle = conf,\n}}\n', "utf-8")
    cache = RefsCache()
    load_refs(path, cache=cache)
    path.write_text(f'@string{{conf = "SOSP"}}\n{entry}  booktitle = conf,\n}}\n', "utf-8")
    warm = RefsCache(before=cache.now)
    refs = load_refs(path, cache=warm)
    assert refs.entries["a2024"].fields["booktitle"] == "SOSP"
    assert warm.reused["parsed"] == 0


def test_braces_alone_read_as_the_latex_parser_reads_them() -> None:
    """A field whose only LaTeX is braces ({GPU}s) skips the LaTeX parser: the same parts as the
    parser's, for every such field and name of the corpus."""
    values: set[str] = set()
    for name in FILES:
        try:
            data = Parser(strict=False).parse_file(CORPUS / name)
        except PybtexSyntaxError:  # the one file with a syntax error is read elsewhere
            continue
        for entry in data.entries.values():
            values |= set(entry.fields.values())
            for person in (person for people in entry.persons.values() for person in people):
                values |= {*person.first_names, *person.middle_names, *person.last_names}
    braced = [value for value in values if "{" in value and without_case_braces(value) is not None]
    for value in braced:
        assert parse_latex(value) == parse_with_walker(value), value
    assert len(braced) > 500, len(braced)


def test_paper_page_authors_are_the_styles_rendered_by_pybtex_docutils() -> None:
    """The paper page's author line, made without pybtex's rich text, is the style's line as
    pybtex_docutils renders it: for every record, each file read with an owner (the most
    frequent author), so bold owners, marks, "et al." and credits all occur."""
    style = HomepageStyle()
    checked = owners = marked = et_al = credited = 0
    for name in FILES:
        names = [a.name for p in read(name).publications.values() for a in p.authors]
        owner = (max(set(names), key=names.count),) if names else ()
        for key, publication in load_refs(
            CORPUS / name, strict=(), owner_names=owner
        ).publications.items():
            expected = style.format_record_authors(publication).render(DocutilsBackend())
            made = record_author_nodes(publication)
            assert [n.pformat() for n in made] == [n.pformat() for n in expected], (name, key)
            checked += 1
            owners += any(a.is_owner for a in publication.authors)
            marked += any(a.marks for a in publication.authors)
            et_al += publication.et_al
            credited += not publication.authors and bool(publication.credit)
    assert checked > 1000 and owners > 100 and marked >= 3 and et_al > 10 and credited > 10
