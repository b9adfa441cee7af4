"""The pybtex style on small entries: names, accents, equal marks, missing optional fields."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pybtex.plugin
import pytest
import sphinxcontrib.bibtex.plugin
from helpers.realsite import entries
from helpers.site import ROOTS, Site
from pybtex.database import Entry, Person, parse_file
from pybtex.richtext import Text

from scholarsite.latex import has_leftover_markup
from scholarsite.style import HomepageStyle, VenueTagLabelStyle, latex_to_text, text_from_latex

OWNER = ["Zhen Zheng", "Zheng, Zhen", "Z. Zheng"]


def entry(authors: str, **fields: str) -> Entry:
    fields = {"title": "A Paper", "year": "2024", "venuetag": "OSDI'24", **fields}
    made = Entry("inproceedings", fields=fields)
    for name in authors.split(" and "):
        made.add_person(Person(name), "author")
    return made


def render(made: Entry, owner: list[str] = OWNER, backend: str = "html") -> str:
    made.key = "key"
    formatted = HomepageStyle(owner_names=owner).format_entry("label", made)
    return formatted.text.render_as(backend)


@pytest.mark.parametrize(
    "written",
    ["Zhen Zheng", "Zheng, Zhen", "{Zhen} {Zheng}", "ZHEN ZHENG", "Z. Zheng"],
)
def test_owner_is_bold_in_every_written_form(written: str) -> None:
    html = render(entry(f"Ada Lovelace and {written} and Alan Turing"))
    assert html.count("<strong>") == 2  # the title, and the owner
    assert "<strong>Ada" not in html and "<strong>Alan" not in html


def test_other_people_with_the_owners_family_name_are_not_bold() -> None:
    html = render(entry("Liyan Zheng and Weijie Zheng"))
    assert html.count("<strong>") == 1


def test_owner_name_with_accents_and_braces_matches() -> None:
    html = render(entry(r"Ren{\'e} M{\"u}ller and Zhen Zheng"), owner=["René Müller"])
    assert "<strong>René Müller</strong>" in html


def test_authors_keep_their_order() -> None:
    html = render(entry("C Three and A One and B Two"))
    assert html.index("Three") < html.index("One") < html.index("Two")


def test_equal_contribution_marks_by_position() -> None:
    html = render(
        entry("Donglin Zhuang and Zhen Zheng and Haojun Xia", **{"author+an": "1=equal; 2=equal"})
    )
    assert html.count("<sup>*</sup>") == 2
    assert "Xia<sup>" not in html


def test_title_keeps_its_capitalisation_without_braces() -> None:
    made = entry("A B", title="{AStitch}: Enabling a New Multi-dimensional Space on {GPU}")
    text = render(made, backend="text")
    assert "AStitch: Enabling a New Multi-dimensional Space on GPU" in text
    assert "{" not in text and "\\" not in text


def test_latex_in_titles_becomes_text() -> None:
    assert "Café & Thé" in render(entry("A B", title=r"Caf{\'e} \& Th{\'e}"), backend="text")


def test_remark_is_shown_only_when_present() -> None:
    assert "(Accepted.)" in render(entry("A B", remark="Accepted."))
    assert "<em>" not in render(entry("A B"))


def test_missing_optional_fields_are_fine() -> None:
    html = render(entry("A B"))
    assert "A Paper" in html and "A B" in html


def test_labels_are_venue_tags() -> None:
    labels = VenueTagLabelStyle().format_labels([entry("A B"), entry("A B", venuetag="PPoPP'21")])
    assert list(labels) == ["OSDI'24", "PPoPP'21"]


def test_plain_text_has_no_markup() -> None:
    made = entry("Zhen Zheng", title="{MonoNN}")
    made.key = "key"
    text = HomepageStyle(owner_names=OWNER).format_entry("label", made).text
    assert isinstance(text, Text)
    assert text.render_as("text") == "\u201cMonoNN\u201d. Zhen Zheng."


def test_decoder_reads_every_field_and_any_string() -> None:
    """Every field of refs.bib and of the fixture sites decodes to text without LaTeX left (the
    corpus's are checked in test_corpus); any string at all decodes without error."""
    import random

    fields = [value for entry in entries().values() for value in entry.fields.values()]
    for bib in sorted(ROOTS.rglob("*.bib")):
        fields += [v for e in parse_file(str(bib)).entries.values() for v in e.fields.values()]
    left = [value for value in fields if has_leftover_markup(latex_to_text(value))]
    rng = random.Random(1)
    alphabet = "aZ09 {}():;,./-'`~\\$%&_^#\"<>!?@\xe9\xa0\n\t"
    noise = ["".join(rng.choices(alphabet, k=rng.randint(0, 8))) for _ in range(5000)]
    failed = [value for value in noise if not isinstance(outcome(text_from_latex, value), Text)]
    assert len(fields) > 50 and len(noise) == 5000
    assert not left
    assert not failed


def outcome(parse, value: str) -> object:
    """What parsing *value* gives: the text, or the error (unbalanced braces) as a string."""
    try:
        return parse(value)
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def test_a_build_finds_every_plugin_without_scanning_the_installed_packages(
    site: Site, make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pybtex and sphinxcontrib-bibtex scan every installed package's metadata for a plugin not
    registered at runtime; a build that reads, formats and labels entries needs no such scan."""
    scans: list[dict[str, str]] = []

    def counted_scan(**selection: str) -> Any:
        scans.append(selection)
        return importlib.metadata.entry_points(**selection)

    monkeypatch.setattr(pybtex.plugin, "entry_points", counted_scan)
    monkeypatch.setattr(sphinxcontrib.bibtex.plugin, "entry_points", counted_scan)
    site.build_ok_in_process(make_app)
    assert len(site.page().select("#publications .citation")) >= 3  # entries formatted
    assert scans == []
