"""One normalised, typed record per refs.bib entry: everything the site shows, derived once."""

from __future__ import annotations

import html
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from importlib.resources import files
from typing import ClassVar

from pybtex.database import Entry
from pybtex.richtext import Text

from .blob_store import AttributesPickledApart
from .latex import fold, latex_plain_text, latex_rich_text, parse_latex
from .names import Author, OwnerNames, authors

# -- Fields --------------------------------------------------------------------

#: Entry types and the kind each is shown as; any other type is shown as ``misc`` would be.
KINDS = {
    "article": "article", "periodical": "article", "suppperiodical": "article",
    "inproceedings": "inproceedings", "conference": "inproceedings",
    "proceedings": "proceedings", "mvproceedings": "proceedings",
    "book": "book", "mvbook": "book", "bookinbook": "book", "booklet": "book",
    "collection": "book", "mvcollection": "book", "reference": "book", "mvreference": "book",
    "inbook": "incollection", "incollection": "incollection", "inreference": "incollection",
    "suppbook": "incollection", "suppcollection": "incollection",
    "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "report": "report", "techreport": "report", "manual": "report", "standard": "report",
    "online": "online", "electronic": "online", "www": "online",
    "software": "software", "dataset": "dataset", "patent": "patent",
    "unpublished": "unpublished", "misc": "misc", "newspaper": "article",
}  # fmt: skip
#: Types that hold other entries rather than being a publication (biblatex).
CONTAINER_TYPES = frozenset({"set", "xdata"})

#: The homepage's own fields (and the other templates' fields it understands): shown on the site,
#: never in the BibTeX visitors copy.
HOMEPAGE_FIELDS = frozenset({
    "venuetag", "listyear", "remark", "pdf", "links", "separate", "author+an", "editor+an",
    "code", "slides", "video", "project", "poster", "website", "html", "blog", "supp",
    "arxiv", "abbr", "selected", "award", "bibtex_show", "preview", "altmetric", "dimensions",
    "google_scholar_id", "annotation", "additional_info", "inspirehep_id", "abstract",
})  # fmt: skip
#: Link fields, each with its label, in the order they are shown.
LINK_FIELDS = {
    "code": "Code", "slides": "Slides", "video": "Video", "poster": "Poster",
    "project": "Project", "website": "Website", "blog": "Blog", "supp": "Supplement",
}  # fmt: skip
#: Fields holding a web address; each must be http(s) (``pdf`` may also be a file name).
URL_FIELDS = ("url", *LINK_FIELDS, "html")
#: Every standard BibTeX and biblatex field: what the visitor's copyable BibTeX keeps.
STANDARD_FIELDS = (
    "title", "subtitle", "titleaddon", "booktitle", "booksubtitle", "maintitle", "journal",
    "journaltitle", "journalsubtitle", "issuetitle", "eventtitle", "eventdate", "venue",
    "series", "edition", "volume", "volumes", "number", "issue", "part", "chapter", "pages",
    "pagetotal", "eid", "articleno", "numpages", "year", "date", "month", "origdate",
    "publisher", "organization", "institution", "school", "address", "location", "howpublished",
    "type", "note", "addendum", "pubstate", "version", "language", "langid", "isbn", "issn",
    "isrn", "doi", "eprint", "eprinttype", "eprintclass", "archiveprefix", "primaryclass",
    "url", "urldate", "keywords", "holder",
)  # fmt: skip

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
_UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file)\s*:", re.IGNORECASE)
_PLAIN_FILE_NAME = re.compile(r"^[^\\/:*?\"<>|\s][^\\/:*?\"<>|]*$")
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "janvier"),
            ("feb", "february", "febr"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
PUBSTATES = {
    "inpress": "in press", "forthcoming": "forthcoming", "submitted": "submitted",
    "prepublished": "preprint", "inpreparation": "in preparation",
}  # fmt: skip
THESIS_KINDS = {
    "phdthesis": "PhD thesis", "mastersthesis": "Master's thesis", "mathesis": "Master's thesis",
    "candthesis": "Candidate thesis", "bathesis": "Bachelor's thesis", "phd": "PhD thesis",
    "masters": "Master's thesis",
}  # fmt: skip


def field_text(entry: Entry, name: str) -> str:
    """A field's plain text ("" when absent)."""
    return latex_plain_text(entry.fields.get(name, ""))


def entry_kind(entry: Entry) -> str:
    """The kind an entry is shown as (``misc`` for an unknown type)."""
    return KINDS.get(entry.type.lower(), "misc")


# -- DOI, arXiv, addresses -------------------------------------------------------


def normalize_doi(doi: str) -> str:
    """A DOI as written anywhere (``https://doi.org/...``, ``doi:...``, DBLP's ``\\_``), bare."""
    doi = latex_plain_text(doi.replace("\\_", "_")).strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    return doi.strip()


def doi_of(entry: Entry) -> str:
    """The entry's DOI, bare; "" when it has none or the value does not look like one."""
    doi = normalize_doi(entry.fields.get("doi", ""))
    return doi if _DOI.match(doi) else ""


def arxiv_of(entry: Entry) -> str:
    """The arXiv identifier: ``eprint`` with ``archivePrefix``/``eprinttype = {arxiv}``,
    al-folio's ``arxiv``, Google Scholar's ``journal = {arXiv preprint arXiv:NNNN.NNNNN}``,
    DBLP's CoRR ``volume = {abs/NNNN.NNNNN}``, or an arxiv.org address in ``url``."""
    fields = entry.fields
    prefix = (fields.get("eprinttype") or fields.get("archiveprefix") or "").strip().lower()
    candidates = []
    if "eprint" in fields and prefix in ("arxiv", ""):
        candidates.append(fields["eprint"])
    candidates.append(fields.get("arxiv", ""))
    for name in ("journal", "journaltitle", "howpublished", "note", "booktitle"):
        if match := re.search(
            r"arxiv[:\s]*(?:preprint\s*)?(?:arxiv\s*:\s*)?(\S+)", fields.get(name, ""), re.I
        ):
            candidates.append(match[1])
    if fold(field_text(entry, "journal")) == "corr":
        candidates.append(fields.get("volume", "").removeprefix("abs/"))
    if match := re.search(r"arxiv\.org/(?:abs|pdf)/([^\s?#]+?)(?:\.pdf)?$", fields.get("url", "")):
        candidates.append(match[1])
    for candidate in candidates:
        candidate = candidate.strip().removeprefix("arXiv:").removeprefix("arxiv:")
        if match := _ARXIV_ID.fullmatch(candidate.rstrip(".,}")):
            return match[1]
    return ""


def is_http_url(value: str) -> bool:
    return bool(_HTTP_URL.match(value.strip()))


def is_unsafe_url(value: str) -> bool:
    """An address a page must never link to: ``javascript:``, ``data:``, ``file:``, ..."""
    return bool(_UNSAFE_SCHEME.match(value))


def parse_links(value: str) -> list[tuple[str, str]]:
    """The owner's labelled links: ``links = {E2E=https://...; Artifact=https://...}``."""
    pairs = []
    for item in re.split(r"\s*;\s*(?=[^;=]+=)", value.strip()):
        label, separator, url = item.partition("=")
        if separator and label.strip():
            pairs.append((latex_plain_text(label.strip()), url.strip().rstrip(";").strip()))
    return pairs


# -- Dates -----------------------------------------------------------------------


def year_of(entry: Entry) -> int | None:
    """The year of publication: ``year``, else the year of biblatex's ``date`` (ranges too)."""
    for name in ("year", "date", "eventdate", "origdate"):
        if match := re.search(r"(?<!\d)(\d{4})(?!\d)", entry.fields.get(name, "")):
            return int(match[1])
    return None


def month_of(entry: Entry) -> int | None:
    """The month in any form (``jun``, ``June``, ``{June}``, ``6``, ``Jun.``), else ``date``'s."""
    value = latex_plain_text(entry.fields.get("month", "")).strip().rstrip(".").lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    if value:
        word = re.split(r"[\s/\-\u2013]+", value)[0]
        if word in _MONTHS:
            return _MONTHS[word]
    if match := re.match(r"\s*\d{4}-(\d{2})", entry.fields.get("date", "")):
        month = int(match[1])
        return month if 1 <= month <= 12 else None
    return None


def iso_date(year: int | None, month: int | None) -> str:
    """``2023/06`` or ``2023``: Google Scholar's ``citation_publication_date`` form."""
    if year is None:
        return ""
    return f"{year}/{month:02d}" if month else str(year)


# -- Venue and tag -----------------------------------------------------------------


@dataclass(frozen=True)
class _Venue:
    tag: str
    names: tuple[str, ...]
    #: DBLP's name for the venue's stream where it is not the tag (``usenix`` for ATC).
    dblp: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def known_venues() -> tuple[_Venue, ...]:
    """The table of well-known venues, ``data/venues.toml``."""
    with files("scholarsite").joinpath("data/venues.toml").open("rb") as file:
        data = tomllib.load(file)
    return tuple(
        _Venue(
            item["tag"],
            tuple(fold(name) for name in item["names"]),
            tuple(item.get("dblp", ())),
        )
        for item in data["venue"]
    )


def venue_of(entry: Entry) -> str:
    """Where the entry appeared, as plain text: journal, proceedings, school, publisher, ..."""
    for name in ("journaltitle", "journal", "booktitle", "eventtitle", "howpublished"):
        if text := field_text(entry, name):
            return text
    kind = entry_kind(entry)
    if kind == "thesis":
        return field_text(entry, "school") or field_text(entry, "institution")
    if kind == "report":
        return field_text(entry, "institution") or field_text(entry, "organization")
    for name in ("organization", "institution", "publisher", "series"):
        if text := field_text(entry, name):
            return text
    return ""


def _known_tag(venue: str) -> str:
    folded = fold(venue)
    for known in known_venues():
        for name in known.names:
            if folded == name or (len(name.split()) >= 3 and name in folded):
                return known.tag
    return ""


def _known_spelling(acronym: str) -> str:
    for known in known_venues():
        if known.tag.casefold() == acronym.casefold() or acronym.casefold() in known.dblp:
            return known.tag
    return acronym.upper()


_STOP_WORDS = frozenset(
    [
        "of",
        "on",
        "the",
        "and",
        "in",
        "for",
        "at",
        "to",
        "a",
        "an",
        "proceedings",
        "proc",
        "international",
        "annual",
        "conference",
        "journal",
    ]
)


def short_venue(venue: str) -> str:
    """A short form of a venue: its name when short, else the initials of its main words."""
    name = re.sub(r"\b(\d+(st|nd|rd|th)|(19|20)\d\d)\b", " ", venue)
    name = re.sub(r"^\s*(proceedings|proc\.)\s+(of\s+)?(the\s+)?", "", name, flags=re.I)
    name = " ".join(re.sub(r"[,:;()]", " ", name).split())
    if len(name) <= 20:
        return name
    words = [
        word for word in re.split(r"[\s\-/]+", name) if word and word.lower() not in _STOP_WORDS
    ]
    return "".join(word[0].upper() for word in words if word[0].isalpha())[:8]


def _with_year(tag: str, year: int | None) -> str:
    return f"{tag}'{year % 100:02d}" if year is not None and not re.search(r"\d", tag) else tag


def venue_tag(entry: Entry) -> tuple[str, str]:
    """The tag before the title (``OSDI'24``) and the rule that gave it, in this order:

    1. ``venuetag``, the owner's own;
    2. al-folio's ``abbr``;
    3. ACM's ``series`` (``CHI '23``);
    4. the acronym in a DBLP key (``DBLP:conf/asplos/...``) or in the booktitle (``(ASPLOS '22)``);
    5. the table of well-known venues and journals (``data/venues.toml``);
    6. a thesis's or report's kind (``PhD Thesis``, ``Tech Report``), not its school;
    7. a short form of the venue; an arXiv-only paper is a ``Preprint``.

    A derived tag without a year gets the entry's (two digits). "" when nothing gives one.
    """
    fields = entry.fields
    year = year_of(entry)
    if tag := latex_plain_text(fields.get("venuetag", "")):
        return tag, "venuetag"
    if tag := latex_plain_text(fields.get("abbr", "")):
        return tag, "abbr"
    series = latex_plain_text(fields.get("series", ""))
    if match := re.fullmatch(r"([A-Za-z][\w&\-]*)\s*'\s*(\d\d)", series):
        return f"{match[1]}'{match[2]}", "series"
    if match := re.match(r"DBLP:conf/([a-z0-9]+)/", entry.key):
        return _with_year(_known_spelling(match[1]), year), "dblp-key"
    venue = venue_of(entry)
    if match := re.search(r"\(([A-Z][A-Za-z&\-]+)\s*'?\s*(\d\d)?\)", venue):
        return (f"{match[1]}'{match[2]}" if match[2] else _with_year(match[1], year)), "booktitle"
    if is_preprint(entry):
        return _with_year("Preprint", year), "preprint"
    if match := re.match(r"DBLP:journals/([a-z0-9]+)/", entry.key):
        known = _known_spelling(match[1])
        if known != match[1].upper() or len(match[1]) <= 6:
            return _with_year(known, year), "dblp-key"
    if tag := _known_tag(venue):
        return _with_year(tag, year), "table"
    if tag := kind_tag(entry):
        return _with_year(tag, year), "kind"
    if venue:
        return _with_year(short_venue(venue), year), "short"
    return "", ""


def is_preprint(entry: Entry) -> bool:
    """A preprint: arXiv, CoRR, ECCC, bioRxiv, ... or ``@unpublished``, not a published version."""
    if entry.type.lower() == "unpublished":
        return True
    venue = fold(venue_of(entry))
    if re.search(
        r"\b(arxiv|corr|eccc|electronic colloquium on computational complexity"
        r"|biorxiv|medrxiv|ssrn|preprint|e prints?)\b",
        venue,
    ):
        return True
    return not venue and bool(arxiv_of(entry))


def group_year(entry: Entry, tag: str) -> int | None:
    """The year heading an entry sits under, in one precedence: the owner's ``listyear``, then
    the year in the venue tag (``SIGMOD'24``: 2024, whatever the publisher's record says), then
    ``year``/``date``; None (the "Undated" group) when there is none."""
    if match := re.search(r"(?<!\d)(\d{4})(?!\d)", entry.fields.get("listyear", "")):
        return int(match[1])
    if match := re.search(r"'\s*(\d\d)\b|(?<!\d)((?:19|20)\d\d)(?!\d)", tag):
        if match[2]:
            return int(match[2])
        two = int(match[1])
        # The century nearest the entry's year (``SM'43`` of 1843 is 1843), else this one's.
        near = year_of(entry) or (2000 + two if two < 70 else 1900 + two)
        return min(
            (century + two for century in range(near // 100 * 100 - 100, near + 101, 100)),
            key=lambda candidate: abs(candidate - near),
        )
    return year_of(entry)


# -- Text fields -------------------------------------------------------------------


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "br", "div", "li"):
            self.parts.append(" ")


def html_to_text(value: str) -> str:
    """Text of a value that may hold HTML (abstracts copied from publishers' pages)."""
    if "<" not in value and "&" not in value:
        return value
    parser = _HTMLText()
    parser.feed(value)
    parser.close()
    return " ".join(html.unescape("".join(parser.parts)).split())


def abstract_of(entry: Entry) -> str:
    """The abstract as plain text: LaTeX decoded, HTML tags shown as their text."""
    return html_to_text(field_text(entry, "abstract"))


def status_of(entry: Entry) -> str:
    """The status after the venue tag: biblatex's ``pubstate`` (``to appear``, ``inpress``)."""
    value = latex_plain_text(entry.fields.get("pubstate", ""))
    return PUBSTATES.get(value.replace(" ", "").lower(), value)


def thesis_kind(entry: Entry) -> str:
    """``PhD thesis``, ``Master's thesis``, or the ``type`` the entry gives."""
    written = latex_plain_text(entry.fields.get("type", ""))
    if written:
        return THESIS_KINDS.get(written.replace(" ", "").lower(), written)
    return THESIS_KINDS.get(entry.type.lower(), "Thesis")


REPORT_TYPES = {
    "techreport": "Technical report",
    "resreport": "Research report",
    "report": "Report",
}


def report_type(entry: Entry) -> str:
    """``Technical report``, ``Research report``, or the ``type`` the entry gives."""
    written = latex_plain_text(entry.fields.get("type", ""))
    if written:
        return REPORT_TYPES.get(written.replace(" ", "").lower(), written)
    return "Manual" if entry.type.lower() == "manual" else "Technical report"


THESIS_TAGS = {
    "PhD thesis": "PhD Thesis", "Master's thesis": "Master's Thesis",
    "Bachelor's thesis": "Bachelor's Thesis",
}  # fmt: skip


def kind_tag(entry: Entry) -> str:
    """A thesis's or report's venue tag: its kind, short (a school is not a venue)."""
    kind = entry_kind(entry)
    if kind == "thesis":
        return THESIS_TAGS.get(thesis_kind(entry), "Thesis")
    if kind == "report":
        if entry.type.lower() in ("manual", "standard"):
            return str(entry.type).capitalize()
        return "Tech Report" if report_type(entry) == "Technical report" else "Report"
    return ""


# -- The record ----------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str


#: A record's fields that hold objects (rich text, names, links) rather than plain values:
#: pickled apart and unpickled on first use. A build that reuses thousands of records from an
#: earlier read (refs_cache) reads mostly their plain values: key, year, venue tag, page name.
RICH_FIELDS = ("title", "remark", "authors", "editors", "links")


@dataclass(frozen=True)
class Publication(AttributesPickledApart):
    """Everything the site shows of one entry, derived once from the parsed entry.

    Pickled with its :data:`RICH_FIELDS` apart, which a record unpickled reads on first use.
    """

    key: str
    anchor: str
    page_name: str
    kind: str
    entry_type: str
    title: Text
    title_text: str
    authors: tuple[Author, ...]
    et_al: bool
    editors: tuple[Author, ...]
    #: Who is shown when there are no authors: the organisation, editors or ``howpublished``.
    credit: str
    venue: str
    venue_tag: str
    venue_tag_rule: str
    status: str
    year: int | None
    month: int | None
    group_year: int | None
    volume: str
    number: str
    pages: str
    publisher: str
    location: str
    #: A thesis's school and kind, a report's institution, type and number.
    institution: str
    thesis_kind: str
    report_type: str
    report_number: str
    doi: str
    arxiv: str
    url: str
    pdf: str
    pdf_is_local: bool
    links: tuple[Link, ...]
    remark: Text
    remark_text: str
    abstract: str
    award: str
    selected: bool
    is_preprint: bool
    #: Keys of the other versions of this paper (a preprint, a journal version).
    versions: tuple[str, ...] = field(default=())

    apart: ClassVar[tuple[str, ...] | None] = RICH_FIELDS

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def arxiv_url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else ""

    @property
    def arxiv_pdf(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv}" if self.arxiv else ""

    @property
    def date_text(self) -> str:
        """``June 2023``, ``2023`` or ""."""
        if self.year is None:
            return ""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}" if self.month else str(self.year)

    @property
    def publication_date(self) -> str:
        """``citation_publication_date``: ``2023/06``, ``2023`` or ""."""
        return iso_date(self.year, self.month)

    @property
    def marks(self) -> tuple[str, ...]:
        """The marks this entry's authors carry, each once, in the order of MARK_MEANINGS."""
        used = {mark for author in self.authors for mark in author.marks}
        return tuple(mark for mark in ("*", "†", "‡", "§", "¶", "#") if mark in used)


def build_publication(
    entry: Entry,
    *,
    owner: OwnerNames | None = None,
    anchor: str = "",
    page_name: str = "",
    versions: tuple[str, ...] = (),
) -> Publication:
    """The record of *entry* (crossref already resolved)."""
    fields = entry.fields
    people, et_al = authors(entry, owner)
    editors, _ = authors(entry, owner, role="editor")
    kind = entry_kind(entry)
    tag, rule = venue_tag(entry)
    credit = ""
    if not people:
        credit = (
            ", ".join(editor.name for editor in editors)
            or field_text(entry, "organization")
            or field_text(entry, "institution")
            or field_text(entry, "howpublished")
            or field_text(entry, "publisher")
        )
    pdf = fields.get("pdf", "").strip()
    pdf_is_local = bool(pdf) and not is_http_url(pdf) and bool(_PLAIN_FILE_NAME.match(pdf))
    if pdf and not pdf_is_local and not is_http_url(pdf):
        pdf = ""
    links = [
        Link(label, fields[name].strip())
        for name, label in LINK_FIELDS.items()
        if is_http_url(fields.get(name, ""))
    ]
    links += [
        Link(label, url) for label, url in parse_links(fields.get("links", "")) if is_http_url(url)
    ]
    url = fields.get("url", "").strip()
    html_page = fields.get("html", "").strip()
    if not is_http_url(url):
        url = html_page if is_http_url(html_page) else ""
    remark_source = fields.get("remark", "")
    return Publication(
        key=entry.key,
        anchor=anchor,
        page_name=page_name,
        kind=kind,
        entry_type=entry.type.lower(),
        title=latex_rich_text(fields.get("title", "")),
        title_text=field_text(entry, "title"),
        authors=tuple(people),
        et_al=et_al,
        editors=tuple(editors),
        credit=credit,
        venue=venue_of(entry),
        venue_tag=tag,
        venue_tag_rule=rule,
        status=status_of(entry),
        year=year_of(entry),
        month=month_of(entry),
        group_year=group_year(entry, tag),
        volume=field_text(entry, "volume"),
        number=field_text(entry, "number") or field_text(entry, "issue"),
        pages=field_text(entry, "pages")
        .replace("-", "\N{EN DASH}")
        .replace("\N{EN DASH}\N{EN DASH}", "\N{EN DASH}"),
        publisher=field_text(entry, "publisher"),
        location=field_text(entry, "location") or field_text(entry, "address"),
        institution=field_text(entry, "school") or field_text(entry, "institution"),
        thesis_kind=thesis_kind(entry) if kind == "thesis" else "",
        report_type=report_type(entry) if kind == "report" else "",
        report_number=field_text(entry, "number") if kind == "report" else "",
        doi=doi_of(entry),
        arxiv=arxiv_of(entry),
        url=url,
        pdf=pdf,
        pdf_is_local=pdf_is_local,
        links=tuple(links),
        remark=latex_rich_text(remark_source),
        remark_text=latex_plain_text(remark_source),
        abstract=abstract_of(entry),
        award=field_text(entry, "award"),
        selected=field_text(entry, "selected").lower() in ("true", "yes", "1"),
        is_preprint=is_preprint(entry),
        versions=versions,
    )


def addresses_in(entry: Entry) -> list[tuple[str, str]]:
    """Every web address the entry writes, with the field it is in: to check each is safe."""
    found = []
    for name in (*URL_FIELDS, "pdf"):
        if value := entry.fields.get(name, "").strip():
            found.append((name, value))
    found += [("links", url) for _, url in parse_links(entry.fields.get("links", ""))]
    for name in ("remark", "title", "note", "howpublished", "abstract"):
        if (value := entry.fields.get(name)) and ("\\url" in value or "\\href" in value):
            found += [(name, address) for address in parse_latex(value).addresses]
    return found


def bibtex_source(entry: Entry) -> str:
    """The entry as visitors copy it: every standard BibTeX and biblatex field it has, none of
    the homepage's own, authors without marks written into their names."""
    from .names import split_marks

    lines = [f"@{entry.original_type}{{{entry.key},"]
    for role in ("author", "editor"):
        if persons := entry.persons.get(role):
            names = " and ".join(str(split_marks(person)[0]) for person in persons)
            lines.append(f"  {role} = {{{names}}},")
    present = {name.lower(): name for name in entry.fields}
    lines += [
        f"  {name} = {{{entry.fields[present[name]]}}},"
        for name in STANDARD_FIELDS
        if name in present and name not in HOMEPAGE_FIELDS
    ]
    return "\n".join([*lines, "}"])
