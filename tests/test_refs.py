"""refs.bib is checked before anything is rendered; each problem names file, line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import Site

from scholarsite.refs import CachedRefs, Refs, entry_digest, load_refs, load_refs_cached

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
    "missing author": (entry(author=""), 'missing field "author"'),
    "missing year": (entry(year=""), 'missing field "year"'),
    "missing venue tag": (entry(venuetag=""), 'missing field "venuetag"'),
    "year not a number": (entry(year="2024a"), 'year "2024a" is not a four-digit year'),
    "author list does not parse": (entry(author="Lovelace, Ada, Jr, Extra"), "Too many commas"),
    "duplicate key": (entry(key="good2024paper"), "duplicate key (first used on line 1)"),
    "same DOI": (entry(doi="10.1145/1234567.1234568"), 'same DOI as "good2024paper"'),
    "same title": (entry(title="A {Good} Paper"), 'same title as "good2024paper"'),
    "malformed DOI": (entry(doi="1145/123"), 'malformed DOI "1145/123"'),
    "pdf with a path": (entry(pdf="../secret.pdf"), 'pdf "../secret.pdf" is not a plain file'),
    "pdf absolute": (entry(pdf="/etc/passwd"), 'pdf "/etc/passwd" is not a plain file'),
    "javascript url": (entry(code="javascript:alert(1)"), 'code "javascript:alert(1)" is not'),
    "file url": (entry(url="file:///etc/passwd"), 'url "file:///etc/passwd" is not an http'),
    "unknown type": (entry().replace("@inproceedings", "@paper"), "unknown entry type @paper"),
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
    text = (Path(__file__).resolve().parents[1] / "refs.bib").read_text(encoding="utf-8")
    assert len(refs.entries) == len(re.findall(r"^@\w+\{", text, re.MULTILINE)) > 0


def test_a_bad_entry_stops_the_build_with_a_clear_message(site: Site) -> None:
    site.refs.write_text(site.refs.read_text() + "\n" + entry(year="soon"))
    result = site.build()
    assert result.returncode != 0
    assert 'bad2024paper: year "soon" is not a four-digit year' in result.stderr
    assert "refs.bib:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (site.out / "index.html").exists()


def test_citing_an_unknown_key_names_the_key_and_the_page(site: Site) -> None:
    page = site.root / "docs" / "index.md"
    page.write_text(page.read_text() + "\nSee {cite:p}`nosuch2020paper`.\n")
    result = site.build()
    assert result.returncode != 0
    assert "index.md:" in result.stderr and "nosuch2020paper" in result.stderr


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
    (tmp_path / "scholarsite-refs-entries.pickle").unlink()
    again = load_refs_cached(path, tmp_path)
    assert list(again.entries) == list(fresh.entries)
