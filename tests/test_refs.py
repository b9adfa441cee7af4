"""refs.bib is checked before anything is rendered; each problem names file, line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scholarsite.refs import (
    RENDERER_NEEDS,
    CachedRefs,
    Refs,
    anchors_for,
    entry_digest,
    load_refs,
    load_refs_cached,
    page_names_for,
)

GOOD = """\
@inproceedings{good2024paper,
  author   = {Zhen Zheng and Ada Lovelace},
  title    = {A Good Paper},
  booktitle = {Proceedings of Something},
  year     = {2024},
  doi      = {10.1145/1234567.1234568},
  venuetag = {OSDI'24},
}
"""


def entry(key: str = "bad2024paper", **fields: str) -> str:
    values = {
        "author": "Ada Lovelace",
        "title": "A Bad Paper",
        "year": "2024",
        "venuetag": "SOSP'24",
        **fields,
    }
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in values.items() if value)
    return f"@inproceedings{{{key},\n{body}}}\n"


def problems(tmp_path: Path, text: str | bytes) -> list[str]:
    path = tmp_path / "refs.bib"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return [str(problem) for problem in load_refs(path).problems]


BAD_ENTRY_LINE = GOOD.count("\n") + 2  # after GOOD and a blank line

CASES = {
    "missing title": (entry(title=""), 'missing field "title"'),
    "author list does not parse": (entry(author="Lovelace, Ada, Jr, Extra"), "Too many commas"),
    "duplicate key": (entry(key="good2024paper"), "duplicate key (first used on line 1)"),
    "same DOI": (entry(doi="10.1145/1234567.1234568"), 'same DOI as "good2024paper"'),
    "pdf with a path": (entry(pdf="../secret.pdf"), 'pdf "../secret.pdf" is not a plain file'),
    "pdf absolute": (entry(pdf="/etc/passwd"), 'pdf "/etc/passwd" is not a plain file'),
    "javascript url": (entry(code="javascript:alert(1)"), 'code "javascript:alert(1)" is not'),
    "file url": (entry(url="file:///etc/passwd"), 'url "file:///etc/passwd" is not an http'),
}


@pytest.mark.parametrize("case", CASES)
def test_each_problem_is_reported_with_file_line_and_key(tmp_path: Path, case: str) -> None:
    text, message = CASES[case]
    found = problems(tmp_path, GOOD + "\n" + text)
    assert len(found) == 1, found
    key = "good2024paper" if case == "duplicate key" else "bad2024paper"
    assert found[0].startswith(f"{tmp_path / 'refs.bib'}:{BAD_ENTRY_LINE}: {key}: ")
    assert message in found[0]


def test_unbalanced_brace_points_at_its_entry(tmp_path: Path) -> None:
    text = GOOD + "\n" + entry(title="{Unbalanced") + "\n" + entry(key="after2024paper")
    found = problems(tmp_path, text)
    assert any("bad2024paper: BibTeX syntax error" in problem for problem in found), found


def test_entry_without_closing_brace_at_end_of_file(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD + "\n" + entry().rstrip().removesuffix("}"))
    assert len(found) == 1 and "bad2024paper: BibTeX syntax error" in found[0], found


def test_non_utf8_file_names_its_line(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD.encode() + "\n% Caf\xe9\n".encode("latin-1"))
    assert found == [
        f"{tmp_path / 'refs.bib'}:10: not UTF-8 text; save the file with UTF-8 encoding"
    ]


def test_empty_and_missing_files(tmp_path: Path) -> None:
    assert "no entries" in problems(tmp_path, "% nothing yet\n")[0]
    assert "file not found" in str(load_refs(tmp_path / "absent.bib").problems[0])


def test_string_macros_are_understood(tmp_path: Path) -> None:
    text = '@string{osdi = "Proceedings of OSDI"}\n' + entry(booktitle="").replace(
        "  title", "  booktitle = osdi,\n  title"
    )
    assert problems(tmp_path, text) == []


def test_the_real_refs_bib_is_clean() -> None:
    refs = load_refs(Path(__file__).resolve().parents[1] / "refs.bib")
    assert refs.problems == []
    assert len(refs.entries) >= 1


def test_cached_refs_give_the_same_entries_and_survive_a_lost_cache(tmp_path: Path) -> None:
    """The second build reads refs.bib's checked entries from the cache, or the file if lost."""
    path = Path(__file__).resolve().parents[1] / "refs.bib"
    fresh = load_refs(path)
    first = load_refs_cached(path, tmp_path)
    assert isinstance(first, Refs)
    cached = load_refs_cached(path, tmp_path)
    assert isinstance(cached, CachedRefs)
    assert cached.pdfs == fresh.pdfs
    assert list(cached.entries) == list(fresh.entries)
    assert [entry_digest(entry) for entry in cached.entries.values()] == [
        entry_digest(entry) for entry in fresh.entries.values()
    ]
    assert cached.listed == fresh.listed and cached.anchors == fresh.anchors
    assert [p.title_text for p in cached.publications.values()] == [
        p.title_text for p in fresh.publications.values()
    ]
    (tmp_path / "scholarsite-refs-by-entry.pickle").unlink()
    again = load_refs_cached(path, tmp_path)
    assert isinstance(again, CachedRefs)
    assert list(again.entries) == list(fresh.entries)
    assert again.listed == fresh.listed


# -- The tolerant parse: only genuine breakage is a problem ---------------------------

NOTE_CASES = {
    "missing year": (entry(year=""), "missing-year", 'missing field "year"'),
    "year not a number": (entry(year="soon"), "bad-year", 'year "soon" is not a four-digit year'),
    "missing venue tag": (
        entry(
            venuetag="",
            booktitle="Proceedings of the 30th Symposium on Operating Systems Principles",
        ),
        "missing-venuetag",
        "derived until then: SOSP'24",
    ),
    "missing author": (entry(author=""), "missing-author", 'missing field "author"'),
    "odd DOI": (entry(doi="1145/123"), "odd-doi", 'malformed DOI "1145/123"'),
    "unknown type": (entry().replace("@inproceedings", "@paper"), "unknown-type", "@paper"),
    "relative address": (entry(code="www.example.org"), "not-a-web-address", "code"),
}


@pytest.mark.parametrize("case", NOTE_CASES)
def test_data_quality_is_a_note_not_a_problem(tmp_path: Path, case: str) -> None:
    text, code, message = NOTE_CASES[case]
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + "\n" + text)
    refs = load_refs(path, strict=())
    assert refs.problems == []
    notes = [note for note in refs.notes if note.code == code]
    assert len(notes) == 1, refs.notes
    assert str(notes[0]).startswith(f"{path}:{BAD_ENTRY_LINE}: bad2024paper: ")
    assert message in notes[0].message
    # The site renders every entry from its record: as the build reads the file, no note is a
    # problem.
    assert not RENDERER_NEEDS
    assert load_refs(path).problems == []


def test_an_entry_pasted_twice_merges_silently(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(GOOD + "\n" + GOOD.replace("  ", "    "))
    refs = load_refs(path)
    assert refs.problems == [] and list(refs.entries) == ["good2024paper"]


def test_one_key_for_two_entries_is_a_problem(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD + "\n" + GOOD.replace("A Good Paper", "Another Paper"))
    assert len(found) == 1 and "duplicate key (first used on line 1)" in found[0]


def test_crossref_targets_fill_in_their_papers_and_are_not_listed(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(
        "@inproceedings{DBLP:conf/asplos/X22, author = {Ada Lovelace}, title = {T},"
        " crossref = {DBLP:conf/asplos/2022}}\n"
        "@proceedings{DBLP:conf/asplos/2022, editor = {Babbage, Charles},"
        " title = {ASPLOS '22: 27th ACM International Conference}, year = {2022},"
        " publisher = {ACM}}\n"
    )
    refs = load_refs(path, strict=())
    assert refs.problems == []
    assert list(refs.entries) == ["DBLP:conf/asplos/X22"]
    assert refs.role("DBLP:conf/asplos/2022") == "crossref target"
    paper = refs.entries["DBLP:conf/asplos/X22"]
    assert paper.fields["year"] == "2022" and paper.fields["booktitle"].startswith("ASPLOS")
    assert refs.publications["DBLP:conf/asplos/X22"].venue_tag == "ASPLOS'22"
    assert refs.publications["DBLP:conf/asplos/X22"].group_year == 2022


def test_a_preprint_and_its_published_version_are_one_entry(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    preprint = (
        entry(key="pre", title="A {Good} paper", venuetag="", doi="")
        .replace("@inproceedings", "@article")
        .replace("  year", "  journal = {arXiv preprint arXiv:2401.00001},\n  year")
    )
    apart = entry(key="apart", title="A good paper!", separate="true")
    stranger = entry(key="stranger", title="A Good Paper", author="Someone Else")
    path.write_text(preprint + "\n" + GOOD + "\n" + apart + "\n" + stranger)
    refs = load_refs(path, strict=())
    assert refs.version_of == {"pre": "good2024paper"}
    assert refs.listed == ["good2024paper", "apart", "stranger"]
    assert refs.publications["good2024paper"].versions == ("pre",)
    assert refs.publications["pre"].arxiv == "2401.00001"


def test_unsafe_addresses_anywhere_are_problems(tmp_path: Path) -> None:
    bad = entry(remark=r"see \href{javascript:alert(1)}{here}", links="Demo=data:text/html,x")
    found = problems(tmp_path, GOOD + "\n" + bad)
    assert len(found) == 2, found
    assert any('remark "javascript:alert(1)"' in problem for problem in found)
    assert any('links "data:text/html,x"' in problem for problem in found)


KEYS = [
    "zheng2022astitch",
    "DBLP:conf/asplos/ZhengYWLZYLD22",
    "10.1145/3544548.3580875",
    "2026A&A...710L..32M",
    "2025A&A...710L..32M",
    "余雄庆2020",
    "余雄庆2021",
    "昂温1988--",
    "a_b",
    "a-b",
]


def test_every_key_gets_a_unique_stable_anchor_and_page_name() -> None:
    from docutils.nodes import make_id

    anchors, pages = anchors_for(KEYS), page_names_for(KEYS)
    for names in (anchors, pages):
        assert len(set(names.values())) == len(KEYS) and all(names.values())
    assert anchors_for(reversed(KEYS)) == anchors and page_names_for(reversed(KEYS)) == pages
    # Keys that worked keep the id the list always gave them, and the page name they had.
    for key in ("zheng2022astitch", "DBLP:conf/asplos/ZhengYWLZYLD22", "10.1145/3544548.3580875"):
        assert pages[key] == re.sub(r"[^a-z0-9_-]+", "-", key.lower())
    for key in ("zheng2022astitch", "DBLP:conf/asplos/ZhengYWLZYLD22"):
        assert anchors[key] == make_id(key)
    # What needed more: two ADS keys shared an id (make_id drops the year), Chinese keys had none.
    assert make_id("2026A&A...710L..32M") == make_id("2025A&A...710L..32M")
    assert make_id("余雄庆2020") == make_id("10.1145/3544548.3580875") == ""
    assert anchors["10.1145/3544548.3580875"].startswith("ref-10-1145-3544548-3580875-")
    assert anchors["2026A&A...710L..32M"].startswith("ref-2026a-a-710l-32m-")
    assert anchors["余雄庆2020"].startswith("ref-2020-")
    # A page name never starts with the dash a dropped letter leaves, nor loses a key's letters
    # without a hash to tell it apart.
    assert pages["余雄庆2020"].startswith("2020-") and pages["昂温1988--"].startswith("1988-")
    assert not [name for name in pages.values() if name.startswith("-")]
