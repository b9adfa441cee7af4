"""pybtex plugins that format refs.bib entries the way the homepage lists them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from pybtex.backends.plaintext import Backend as PlainTextBackend
from pybtex.database import Entry, Person
from pybtex.markup import LaTeXParser
from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.names.plain import NameStyle

EQUAL_CONTRIBUTION_MARK = "*"

_plain_names = NameStyle()
# Rendered with the backend itself: render_as("text") looks the backend up with find_plugin,
# which scans every installed package's metadata (10 ms) on each call.
_PLAIN_TEXT = PlainTextBackend()


# What latexcodec's decoder changes: macros, comments, ties, dashes, quote ligatures, doubled
# commas and runs of white space (it collapses and trims them). A field with none of these
# decodes to itself, so only the braces are left to parse; latexcodec takes 0.4 ms a title.
_LATEX_DECODED = re.compile(r"[\\%~`\n\t\r]|''|--|,,|\s\s|^\s|\s$")


def text_from_latex(value: str) -> Text:
    """``Text.from_latex(value)``, skipping the decoder for a field it would leave as it is."""
    if _LATEX_DECODED.search(value):
        return Text.from_latex(value)
    return LaTeXParser(value).parse()


@lru_cache(maxsize=65536)
def latex_to_text(value: str) -> str:
    """Plain text of a BibTeX field: accents decoded, braces and macros dropped."""
    return str(text_from_latex(value).render(_PLAIN_TEXT)).replace("\xa0", " ")


def name_parts(person: Person) -> tuple[tuple[str, ...], ...]:
    """A person's name parts, as plain tuples fit for hashing and comparing."""
    parts = (person.first_names, person.middle_names, person.prelast_names, person.last_names)
    return (*(tuple(part) for part in parts), tuple(person.lineage_names))


_person_texts: dict[tuple[tuple[str, ...], ...], str] = {}


def person_text(person: Person) -> str:
    """A person's name as a reader sees it: ``Given Middle von Family, Jr.``."""
    key = name_parts(person)
    if (text := _person_texts.get(key)) is None:
        text = _plain_names.format(person).format().render(_PLAIN_TEXT).replace("\xa0", " ")
        _person_texts[key] = text
    return text


def name_fingerprint(person: Person) -> str:
    """A comparable form of a name, blind to case, accents, braces and spacing."""
    return _text_fingerprint(person_text(person))


@lru_cache(maxsize=65536)
def _text_fingerprint(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w.]+", " ", text.casefold()).split())


@lru_cache(maxsize=16)
def _owner_fingerprints(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name_fingerprint(Person(name)) for name in names)


def equal_contribution_positions(entry: Entry) -> set[int]:
    """1-based author positions marked ``equal`` in biblatex's ``author+an`` field."""
    positions = set()
    for item in entry.fields.get("author+an", "").split(";"):
        position, _, annotation = item.partition("=")
        if position.strip().isdigit() and "equal" in annotation:
            positions.add(int(position))
    return positions


class HomepageStyle(BaseStyle):
    """Title in quotes, every author in order, the owner's name in bold, the owner's remark."""

    default_label_style = "venuetag"
    default_sorting_style = "none"

    def __init__(self, owner_names: Iterable[str] = (), **kwargs: Any) -> None:
        """*owner_names*: the site owner's name variants (``scholarsite_owner_names``)."""
        super().__init__(**kwargs)
        self.owner_fingerprints = _owner_fingerprints(tuple(owner_names))

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> FormattedEntry:
        parts = [
            Text("\u201c", Tag("strong", text_from_latex(entry.fields["title"])), "\u201d. "),
            self.format_authors(entry),
            ".",
        ]
        if remark := entry.fields.get("remark"):
            parts += [" ", Tag("em", "(", text_from_latex(remark), ")")]
        return FormattedEntry(entry.key, Text(*parts), label)

    def format_authors(self, entry: Entry) -> Text:
        equal = equal_contribution_positions(entry)
        names = []
        for position, person in enumerate(entry.persons.get("author", []), start=1):
            name = Text(person_text(person))
            if name_fingerprint(person) in self.owner_fingerprints:
                name = Tag("strong", name)
            if position in equal:
                name = Text(name, Tag("sup", EQUAL_CONTRIBUTION_MARK))
            names.append(name)
        return Text(", ").join(names)


class VenueTagLabelStyle(BaseLabelStyle):
    """Labels are the venue tags the owner writes (``OSDI'24``); anchors are the keys."""

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        for entry in sorted_entries:
            yield latex_to_text(entry.fields.get("venuetag", entry.key))
