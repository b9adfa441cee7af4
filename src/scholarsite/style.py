"""pybtex plugins that format refs.bib entries the way the homepage lists them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from docutils import nodes
from pybtex.database import Entry
from pybtex.richtext import Tag, Text
from pybtex.style import FormattedEntry
from pybtex.style.formatting import BaseStyle
from pybtex.style.labels import BaseLabelStyle

from .latex import latex_plain_text, latex_rich_text
from .names import (
    OwnerNames,
    author_annotations,
    authors,
    name_fingerprint,
    name_parts,
    person_text,
)
from .publication import Publication, build_publication, venue_tag

__all__ = [
    "EQUAL_CONTRIBUTION_MARK",
    "HomepageStyle",
    "VenueTagLabelStyle",
    "equal_contribution_positions",
    "latex_to_text",
    "name_fingerprint",
    "name_parts",
    "person_text",
    "text_from_latex",
]

EQUAL_CONTRIBUTION_MARK = "*"


def text_from_latex(value: str) -> Text:
    """A BibTeX field as pybtex rich text: ``\\emph`` as ``em``, math as Unicode and ``sup``."""
    return latex_rich_text(value)


def latex_to_text(value: str) -> str:
    """Plain text of a BibTeX field: accents decoded, braces and commands dropped."""
    return latex_plain_text(value)


def equal_contribution_positions(entry: Entry) -> set[int]:
    """1-based author positions marked ``equal`` in biblatex's ``author+an`` field."""
    return {position for position, values in author_annotations(entry).items() if "equal" in values}


@lru_cache(maxsize=16)
def _owner(names: tuple[str, ...]) -> OwnerNames:
    return OwnerNames(names)


class HomepageStyle(BaseStyle):
    """Title in quotes, every author in order, the owner's name in bold, the owner's remark."""

    default_label_style = "venuetag"
    default_sorting_style = "none"

    def __init__(
        self,
        owner_names: Iterable[str] = (),
        records: tuple[Mapping[str, Entry], Mapping[str, Publication]] | None = None,
        **kwargs: Any,
    ) -> None:
        """*owner_names*: the site owner's name variants (``scholarsite_owner_names``);
        *records*: entries and the records already made of them with those names, by key."""
        super().__init__(**kwargs)
        self.owner = _owner(tuple(owner_names))
        self.records = records

    def record_of(self, entry: Entry) -> Publication:
        """*entry*'s record: the one made before of this very entry, else a new one."""
        key = entry.key
        if self.records is not None and key is not None:
            entries, records = self.records
            if entries.get(key) is entry and key in records:
                return records[key]
        return build_publication(entry, owner=self.owner)

    def format_entry(self, label: str, entry: Entry, bib_data: Any = None) -> FormattedEntry:
        pub = self.record_of(entry)
        parts = [Text("\u201c", Tag("strong", pub.title), "\u201d. ")]
        if credit := self.format_record_authors(pub):
            parts += [credit] if pub.et_al else [credit, "."]  # "et al." ends with its own
        if pub.remark_text:
            parts += [" ", Tag("em", "(", pub.remark, ")")]
        return FormattedEntry(entry.key, Text(*parts), label)

    def format_authors(self, entry: Entry) -> Text:
        """Authors in order, the owner in bold, each mark (``*``, ``†``) as a superscript after the
        name, and "et al." for ``and others``."""
        shown, et_al = authors(entry, self.owner)
        return self.format_author_list(shown, et_al)

    def format_record_authors(self, pub: Publication) -> Text:
        """The record's authors (:meth:`format_authors`), else who it credits (the editors,
        organisation or ``howpublished``)."""
        if pub.authors or pub.et_al:
            return self.format_author_list(list(pub.authors), pub.et_al)
        return Text(pub.credit) if pub.credit else Text()

    @staticmethod
    def format_author_list(shown: list[Any], et_al: bool) -> Text:
        names = []
        for author in shown:
            name: Text = Text(author.name)
            if author.is_owner:
                name = Text(Tag("strong", name))
            if author.marks:
                name = Text(name, Tag("sup", "".join(author.marks)))
            names.append(name)
        if et_al:
            names.append(Text("et al."))
        return Text(", ").join(names)


def record_author_nodes(pub: Publication) -> list[nodes.Node]:
    """:meth:`HomepageStyle.format_record_authors` as pybtex_docutils' backend renders it, made
    without pybtex's rich text, whose making costs a paper page more than the rest of its lines:
    the owner in ``strong``, marks in ``superscript``, the text between them in one node."""
    if not (pub.authors or pub.et_al):
        return [nodes.Text(pub.credit)] if pub.credit else []
    result: list[nodes.Node] = []
    plain: list[str] = []

    def text_so_far() -> None:
        if text := "".join(plain):
            result.append(nodes.Text(text))
        plain.clear()

    for position, author in enumerate(pub.authors):
        if position:
            plain.append(", ")
        if not author.is_owner:
            plain.append(author.name)
        elif author.name:
            text_so_far()
            result.append(nodes.strong("", "", nodes.Text(author.name)))
        if marks := "".join(author.marks):
            text_so_far()
            result.append(nodes.superscript("", "", nodes.Text(marks)))
    if pub.et_al:
        plain.append(", et al." if pub.authors else "et al.")
    text_so_far()
    return result


class VenueTagLabelStyle(BaseLabelStyle):
    """Labels are the venue tags the owner writes (``OSDI'24``); anchors are the keys."""

    def format_labels(self, sorted_entries: Iterable[Entry]) -> Iterator[str]:
        for entry in sorted_entries:
            yield venue_tag(entry)[0] or entry.key
