"""Read refs.bib as pasted and check it: genuine breakage is a Problem, the rest a Note."""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from docutils.nodes import make_id
from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexSyntaxError
from pybtex.utils import OrderedCaseInsensitiveDict

from .collector import making_long_lived_data
from .fileutil import code_digest, read_pickle, write_atomically
from .latex import fold, latex_plain_text
from .names import OwnerNames, is_others, name_parts
from .publication import (
    CONTAINER_TYPES,
    HOMEPAGE_FIELDS,
    KINDS,
    URL_FIELDS,
    Publication,
    addresses_in,
    build_publication,
    doi_of,
    is_http_url,
    is_preprint,
    is_unsafe_url,
    normalize_doi,
    venue_tag,
    year_of,
)
from .refs_cache import EntryFacts, RefsCache, load_cache

__all__ = [
    "CODE_DIGEST",
    "HOMEPAGE_FIELDS",
    "RENDERER_NEEDS",
    "URL_FIELDS",
    "CachedRefs",
    "Note",
    "Problem",
    "Refs",
    "anchor_for",
    "entry_digest",
    "load_refs",
    "load_refs_cached",
    "normalize_doi",
    "page_name_for",
]

#: Notes that a build still has to treat as problems: none, since the site renders every entry
#: from its Publication record (kept as the default of ``load_refs``'s ``strict``).
RENDERER_NEEDS: frozenset[str] = frozenset()

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)
_PLAIN_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@dataclass(frozen=True)
class Problem:
    """Genuine breakage in the bibliography file, with where it is and how to fix it."""

    path: Path
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass(frozen=True)
class Note(Problem):
    """A data-quality note (same shape as a Problem): reported, never fails the build."""

    code: str = ""


@dataclass
class Refs:
    """The parsed bibliography: entries in the owner's order, what each key is, every problem."""

    path: Path
    #: Every publication (listed entries and their other versions), crossrefs filled in.
    entries: OrderedCaseInsensitiveDict = field(default_factory=OrderedCaseInsensitiveDict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    #: Entries that only fill in others through ``crossref`` (DBLP's @proceedings): not listed.
    crossref_targets: OrderedCaseInsensitiveDict = field(default_factory=OrderedCaseInsensitiveDict)
    #: biblatex @set/@xdata entries: containers of other entries, not listed.
    containers: OrderedCaseInsensitiveDict = field(default_factory=OrderedCaseInsensitiveDict)
    #: Each entry that is another version of a listed one, and the key of the listed one.
    version_of: dict[str, str] = field(default_factory=dict)
    #: Each crossref target, and the first entry (in the owner's order) that it fills in.
    first_filled: dict[str, str] = field(default_factory=dict)
    owner_names: tuple[str, ...] = ()
    #: Each entry's digest (:func:`entry_digest`, crossref filled in), by key.
    digests: dict[str, str] = field(default_factory=dict)

    def problem(self, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, key, message))

    def note(self, line: int, key: str, code: str, message: str) -> None:
        self.notes.append(Note(self.path, line, key, message, code))

    @property
    def pdfs(self) -> dict[str, str]:
        """The local PDF each entry names, by key (a ``pdf`` address is not local)."""
        return {
            key: entry.fields["pdf"].strip()
            for key, entry in self.entries.items()
            if _PLAIN_FILE_NAME.match(entry.fields.get("pdf", "").strip())
        }

    @property
    def listed(self) -> list[str]:
        """Keys shown in the list, in the owner's order (other versions show under these)."""
        return [key for key in self.entries if key not in self.version_of]

    def versions(self, key: str) -> tuple[str, ...]:
        """The other versions shown with the listed entry *key*."""
        return tuple(other for other, lead in self.version_of.items() if lead == key)

    def role(self, key: str) -> str:
        """What *key* is: ``listed``, ``version of KEY``, ``crossref target`` or ``container``."""
        if key in self.version_of:
            return f"version of {self.version_of[key]}"
        if key in self.entries:
            return "listed"
        if key in self.crossref_targets:
            return "crossref target"
        if key in self.containers:
            return "container"
        return "unknown"

    @cached_property
    def anchors(self) -> dict[str, str]:
        return anchors_for([*self.entries, *self.crossref_targets, *self.containers])

    @cached_property
    def page_names(self) -> dict[str, str]:
        return page_names_for([*self.entries, *self.crossref_targets, *self.containers])

    @cached_property
    def publications(self) -> dict[str, Publication]:
        """The record of every publication, by key."""
        return self.build_publications(RefsCache())

    def build_publications(self, cache: RefsCache) -> dict[str, Publication]:
        """The record of every publication, each reused from *cache* when nothing it is made
        from changed (the entry, the owner's names, its anchor, page name and versions)."""
        owner = OwnerNames(self.owner_names)
        records = {}
        for key, entry in self.entries.items():
            anchor, page_name = self.anchors[key], self.page_names[key]
            versions = self.versions(key)
            digest = self.digests.get(key) or entry_digest(entry)
            record_key = (digest, self.owner_names, anchor, page_name, versions)
            record = cache.record(record_key)
            if record is None:
                record = build_publication(
                    entry, owner=owner, anchor=anchor, page_name=page_name, versions=versions
                )
                cache.store_record(record_key, record)
            records[key] = record
        return records


def entry_digest(entry: Entry) -> str:
    """A digest of everything of *entry*: key, type, fields and each person's name parts."""
    persons = [(role, [name_parts(p) for p in people]) for role, people in entry.persons.items()]
    data = repr((entry.key, entry.type, entry.original_type, list(entry.fields.items()), persons))
    return hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _content_digest(entry: Entry) -> str:
    """What an entry says, blind to its key's case and to white space: to merge exact repeats."""
    persons = [(role, [str(p) for p in people]) for role, people in entry.persons.items()]
    fields = sorted((name.lower(), " ".join(value.split())) for name, value in entry.fields.items())
    return repr((entry.type.lower(), fields, persons))


# -- Anchors and page names ------------------------------------------------------


def _short_hash(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=3).hexdigest()


def anchor_for(key: str) -> str:
    """The id the list has always given *key*'s entry: ``docutils.nodes.make_id(key)``."""
    return make_id(key)


def anchors_for(keys: Iterable[str]) -> dict[str, str]:
    """A unique, non-empty, stable id for every key.

    A key keeps the id the list has always given it (``make_id(key)``: ``zheng2022astitch``,
    ``dblp-conf-asplos-zhengywlzyld22``) unless that id is empty (``余雄庆2020``) or shared with
    another key (``2026A&A...710L..32M`` and ``2025A&A...710L..32M`` both lose their year); those
    keys get ``ref-``, what make_id keeps of ``ref-KEY``, and a hash of the key.
    """
    return _unique(keys, anchor_for, lambda key: make_id(f"ref-{key}-{_short_hash(key)}"))


def page_name_for(key: str) -> str:
    """The name paper pages have always had: the key in lower case, other characters as ``-``."""
    return re.sub(r"[^a-z0-9_-]+", "-", key.lower())


def page_names_for(keys: Iterable[str]) -> dict[str, str]:
    """A unique, non-empty, stable paper-page name for every key: the name it has always had,
    unless that is empty, shared with another key or short of letters the key has outside ASCII
    (``昂温1988`` would be ``-1988``); then what it keeps of the key and a hash of the key."""

    def hashed(key: str) -> str:
        return f"{page_name_for(key).strip('-') or 'paper'}-{_short_hash(key)}"

    return _unique(keys, lambda key: page_name_for(key) if key.isascii() else hashed(key), hashed)


def _unique(
    keys: Iterable[str], name: Callable[[str], str], hashed: Callable[[str], str]
) -> dict[str, str]:
    names = {key: name(key) for key in keys}
    for key in names:
        if not names[key].strip("-"):
            names[key] = hashed(key)
    seen: dict[str, list[str]] = {}
    for key, value in names.items():
        seen.setdefault(value, []).append(key)
    for same in seen.values():
        if len(same) > 1:
            for key in same:
                names[key] = hashed(key)
    return names


# -- Reading -------------------------------------------------------------------------


def load_refs(
    path: Path,
    *,
    owner_names: Iterable[str] = (),
    strict: Iterable[str] = RENDERER_NEEDS,
    cache: RefsCache | None = None,
) -> Refs:
    """Parse *path* entry by entry, so that every problem and note is tied to its line and key.

    Notes whose code is in *strict* are reported as problems (see RENDERER_NEEDS). With a
    *cache*, an entry whose text (and the macros before it) an earlier read parsed is not parsed
    again, nor checked again when its digest is the same: the result is the same either way.
    """
    cache = RefsCache() if cache is None else cache
    refs = Refs(path, owner_names=tuple(owner_names))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        refs.problem(0, "", "file not found; create it, or fix bibtex_bibfiles in docs/conf.py")
        return refs
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        refs.problem(line, "", "not UTF-8 text; save the file with UTF-8 encoding")
        return refs

    starts = []
    line, counted = 1, 0  # line numbers counted on from the previous entry, not from the top
    for match in _ENTRY_START.finditer(text):
        line += text.count("\n", counted, match.start())
        counted = match.start()
        starts.append((match.start(), line, match[1].lower(), match[2]))
    parser = Parser()  # one parser for the whole file, so @string macros carry over
    parsed: OrderedCaseInsensitiveDict = OrderedCaseInsensitiveDict()
    first_lines: dict[str, int] = {}
    raw_digests: dict[str, str] = {}
    macros = b""  # a digest of every @string and @preamble so far: what an entry may use
    for index, (offset, line, entry_type, key) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        chunk = text[offset:end]
        if entry_type in {"comment", "preamble", "string"}:
            _parse_chunk(refs, parser, chunk, line, key="")
            if entry_type != "comment":
                macros = hashlib.blake2b(macros + chunk.encode("utf-8", "surrogatepass")).digest()
            continue
        if not key:
            refs.problem(line, "", f"@{entry_type} entry has no key; write @{entry_type}{{key,")
            continue
        reused = cache.parsed(macros, chunk)
        if reused is not None:
            entry, raw_digest = reused
        else:
            entry = _parse_chunk(refs, parser, chunk, line, key)
            if entry is None:
                continue
            raw_digest = entry_digest(entry)
            cache.store_parsed(macros, chunk, entry, raw_digest)
        if key in parsed:
            if _content_digest(entry) == _content_digest(parsed[key]):
                continue  # the same entry pasted twice (DBLP repeats its @proceedings)
            refs.problem(
                line,
                key,
                f"duplicate key (first used on line {first_lines[key.lower()]}); "
                "rename one of the two entries",
            )
            continue
        parsed[key] = entry
        raw_digests[key] = raw_digest
        refs.lines[key] = first_lines[key.lower()] = line
        if entry_type not in KINDS and entry_type not in CONTAINER_TYPES:
            refs.note(
                line,
                key,
                "unknown-type",
                f"unknown entry type @{entry_type}; shown as @misc would be",
            )
    if not starts and not refs.problems:
        refs.problem(0, "", "no entries; add at least one @inproceedings{...} or @article{...}")
    _sort_entries(refs, parsed)
    refs.digests = {
        key: raw_digests[key] if entry is parsed[key] else entry_digest(entry)
        for key, entry in refs.entries.items()
    }
    facts = _check_entries(refs, cache)
    _group_versions(refs, facts)
    strict = frozenset(strict)
    for note in [note for note in refs.notes if note.code in strict]:
        refs.notes.remove(note)
        refs.problems.append(Problem(note.path, note.line, note.key, note.message))
    return refs


def _parse_chunk(refs: Refs, parser: Parser, chunk: str, line: int, key: str) -> Entry | None:
    parser.data = BibliographyData()
    try:
        data = parser.parse_string(chunk)
    except PybtexSyntaxError as error:
        if "premature end of file" in str(error.args[0]):
            # pybtex read on to the next entry or the end of the file: a brace is never closed.
            last = line + chunk.rstrip().count("\n")
            refs.problem(
                line,
                key,
                f"BibTeX syntax error: a {{ opened in this entry (lines {line}-{last}) is never "
                "closed; check the braces of its fields, and end the entry with }",
            )
            return None
        where = line + (error.lineno or 1) - 1
        refs.problem(
            where,
            key,
            f"BibTeX syntax error: {error.args[0]}; check the braces and "
            "commas of this entry (every field is name = {value}, and the entry ends with })",
        )
        return None
    except Exception as error:  # pybtex raises plain PybtexError for bad names
        refs.problem(line, key, f"{error}; fix this entry's fields")
        return None
    if key and key not in data.entries:
        refs.problem(line, key, "entry could not be read; check its braces")
        return None
    return data.entries[key] if key else None


def _sort_entries(refs: Refs, parsed: OrderedCaseInsensitiveDict) -> None:
    """Fill each entry from its ``crossref`` target; targets and containers are not listed."""
    targets = {
        entry.fields["crossref"].strip().lower()
        for entry in parsed.values()
        if entry.fields.get("crossref", "").strip()
    }
    for key, entry in parsed.items():
        if entry.type.lower() in CONTAINER_TYPES:
            refs.containers[key] = entry
        elif key.lower() in targets:
            refs.crossref_targets[key] = entry
    for key, entry in parsed.items():
        if key in refs.crossref_targets or key in refs.containers:
            continue
        reference = entry.fields.get("crossref", "").strip()
        if reference:
            if reference in parsed:
                refs.first_filled.setdefault(parsed[reference].key, key)
                entry = _inherit(entry, parsed[reference])
            else:
                refs.note(
                    refs.lines[key], key, "crossref-missing",
                    f'crossref "{reference}" is not in the file; its fields are not filled in',
                )  # fmt: skip
        refs.entries[key] = entry


def _inherit(entry: Entry, parent: Entry) -> Entry:
    """*entry* with the fields it lacks taken from *parent* (BibTeX's and biblatex's crossref)."""
    fields = {name: value for name, value in entry.fields.items() if name.lower() != "crossref"}
    present = {name.lower() for name in fields}
    for name, value in parent.fields.items():
        lower = name.lower()
        if lower == "title":
            lower, name = (
                "booktitle",
                "booktitle",
            )  # a @proceedings's title is its papers' booktitle
        if lower == "subtitle":
            lower, name = "booksubtitle", "booksubtitle"
        if (
            lower not in present
            and lower not in ("crossref", "ids", "key")
            and lower not in HOMEPAGE_FIELDS
        ):
            fields[name] = value
            present.add(lower)
    persons = {role: list(people) for role, people in entry.persons.items()}
    for role, people in parent.persons.items():
        if role == "editor" and role not in persons:
            persons[role] = list(people)
    child = Entry(entry.type, fields=fields, persons=persons)
    child.key = entry.key
    child.original_type = entry.original_type
    return child


def _check_entries(refs: Refs, cache: RefsCache) -> dict[str, EntryFacts]:
    """Check every entry (each one's own checks reused from *cache* when its digest is the
    same), then the file-wide one: one DOI on two entries. Return each entry's facts."""
    dois: dict[str, str] = {}
    all_facts = {}
    for key, entry in refs.entries.items():
        line, digest = refs.lines[key], refs.digests[key]
        facts = cache.facts(digest)
        if facts is None:
            facts = _entry_facts(entry)
            cache.store_facts(digest, facts)
        all_facts[key] = facts
        for kind, code, message in facts.findings:
            if kind == "problem":
                refs.problem(line, key, message)
            elif kind == "note":
                refs.note(line, key, code, message)
            elif (first := dois.setdefault(facts.doi.casefold(), key)) != key:
                refs.problem(line, key, f'same DOI as "{first}"; remove the duplicate entry')
    return all_facts


def _entry_facts(entry: Entry) -> EntryFacts:
    """One entry's own checks, in the order they are reported, and what versions need of it."""
    findings: list[tuple[str, str, str]] = []

    def problem(message: str) -> None:
        findings.append(("problem", "", message))

    def note(code: str, message: str) -> None:
        findings.append(("note", code, message))

    fields = entry.fields
    doi = ""
    if not latex_plain_text(fields.get("title", "")).strip():
        problem('missing field "title": add the paper\'s exact title')
    year = fields.get("year", "").strip()
    if not year and year_of(entry) is None:
        note(
            "missing-year",
            'missing field "year": add the year of publication, e.g. year = {2024} '
            "(until then the entry is listed under Undated)",
        )  # fmt: skip
    elif year and not re.fullmatch(r"\{?\d{4}\}?", year):
        note("bad-year", f'year "{year}" is not a four-digit year')
    if not fields.get("venuetag", "").strip():
        derived, _ = venue_tag(entry)
        note(
            "missing-venuetag",
            'missing field "venuetag": add the tag shown before the title, e.g. '
            "venuetag = {OSDI'24}" + (f" (derived until then: {derived})" if derived else ""),
        )  # fmt: skip
    people = [person for person in entry.persons.get("author", []) if not is_others(person)]
    if not people:
        note(
            "missing-author",
            'missing field "author": add author = {Given Family and ...}'
            + (" (the editors or organisation are shown until then)" if _credit(entry) else ""),
        )  # fmt: skip
    for person in people:
        if not person.last_names:
            note(
                "author-without-family",
                f'author "{person}" has no family name; '
                'write each author as "Given Family" or "Family, Given"',
            )  # fmt: skip
    if raw_doi := fields.get("doi", "").strip():
        doi = doi_of(entry)
        if not doi:
            note(
                "odd-doi",
                f'malformed DOI "{raw_doi}"; write the bare DOI, '
                "e.g. doi = {10.1145/3503222.3507723} (it is not linked until then)",
            )  # fmt: skip
        else:
            findings.append(("doi", "", ""))  # the file-wide check: one DOI, one entry
    pdf = fields.get("pdf", "").strip()
    if pdf and not is_http_url(pdf) and not _PLAIN_FILE_NAME.match(pdf):
        problem(
            f'pdf "{pdf}" is not a plain file name; put the file in files/ and write only '
            "its name, e.g. pdf = {paper.pdf}, or write the PDF's https:// address",
        )  # fmt: skip
    for name, address in addresses_in(entry):
        if name == "pdf":
            continue
        if is_unsafe_url(address):
            problem(
                f'{name} "{address}" is not an http(s) address; '
                "write the full address, starting with https://",
            )  # fmt: skip
        elif not is_http_url(address) and name in (*URL_FIELDS, "links"):
            note(
                "not-a-web-address",
                f'{name} "{address}" is not a web address starting with https://; '
                "it is not linked",
            )  # fmt: skip
    if "<" in fields.get("abstract", "") and re.search(r"</?[a-zA-Z][^>]*>", fields["abstract"]):
        note("html-in-abstract", "the abstract holds HTML tags; shown as text")
    return EntryFacts(tuple(findings), doi, title_fingerprint(entry), frozenset(_families(entry)))


def _credit(entry: Entry) -> bool:
    return bool(
        entry.persons.get("editor")
        or any(
            entry.fields.get(name)
            for name in ("organization", "institution", "howpublished", "publisher")
        )
    )


# -- Versions ------------------------------------------------------------------------


def title_fingerprint(entry: Entry) -> str:
    """A title blind to case, accents, braces, LaTeX and punctuation."""
    return re.sub(r"[\W_]+", "", fold(latex_plain_text(entry.fields.get("title", ""))))


def _families(entry: Entry) -> set[str]:
    return {
        fold(" ".join(latex_plain_text(part) for part in person.last_names))
        for person in entry.persons.get("author", [])
        if not is_others(person)
    }


def _group_versions(refs: Refs, facts: dict[str, EntryFacts]) -> None:
    """Versions of one paper show as one entry. The rule: the same title once normalised (case,
    accents, LaTeX and punctuation aside) and at least one family name in common (or no authors
    on one side). The published version leads (the first in the file that is not a preprint),
    the others show as its versions. ``separate = {true}`` keeps an entry on its own."""
    groups: dict[str, list[str]] = {}
    for key, entry in refs.entries.items():
        if entry.fields.get("separate", "").strip().lower() in ("true", "yes", "1"):
            continue
        if fingerprint := facts[key].title_fingerprint:
            groups.setdefault(fingerprint, []).append(key)
    for keys in groups.values():
        while len(keys) > 1:
            lead = next((key for key in keys if not is_preprint(refs.entries[key])), keys[0])
            families = facts[lead].families
            same = [
                key
                for key in keys
                if key != lead
                and (not families or not facts[key].families or families & facts[key].families)
            ]
            for key in same:
                refs.version_of[key] = lead
            keys = [key for key in keys if key != lead and key not in same]


# -- Cache -------------------------------------------------------------------------------

_PACKAGE = Path(__file__).parent
#: The code and data a record is made with: what a cached read is valid for.
CODE_DIGEST = code_digest(
    _PACKAGE / name
    for name in (
        "refs.py",
        "style.py",
        "latex.py",
        "names.py",
        "publication.py",
        "blob_store.py",  # how a record keeps its rich fields pickled
        "data/journal_macros.toml",
        "data/venues.toml",
    )
)


class CachedRefs:
    """A refs.bib checked by an earlier build: its PDF names and notes now, the rest on first use.

    A build where refs.bib did not change (a no-op one) never needs the parsed entries, which
    take 0.4 s to unpickle at 4,000 entries. Everything else a Refs has (``entries``,
    ``publications``, ``anchors``, ``page_names``, ``role``, ``listed``, ...) is read again
    from the file, each entry's parse, checks and record taken from the per-entry cache.
    """

    problems: tuple[Problem, ...] = ()

    def __init__(
        self,
        path: Path,
        pdfs: dict[str, str],
        entry_cache_file: Path,
        notes: tuple[Note, ...] = (),
        owner_names: tuple[str, ...] = (),
    ):
        self.path, self.pdfs, self.entry_cache_file = path, pdfs, entry_cache_file
        self.notes, self.owner_names = notes, owner_names

    @property
    def read(self) -> bool:
        """Whether the file has been read again (:attr:`refs`) in this build."""
        return "refs" in self.__dict__

    @cached_property
    def refs(self) -> Refs:
        with making_long_lived_data():
            entry_cache = load_cache(self.entry_cache_file, CODE_DIGEST)
            refs = load_refs(self.path, owner_names=self.owner_names, cache=entry_cache)
            refs.publications = refs.build_publications(entry_cache)
        return refs

    @property
    def entries(self) -> OrderedCaseInsensitiveDict:
        return self.refs.entries

    def __getattr__(self, name: str) -> object:
        if name.startswith("_") or name == "refs":
            raise AttributeError(name)
        return getattr(self.refs, name)


def load_refs_cached(
    path: Path, cache_dir: Path, owner_names: Iterable[str] = ()
) -> Refs | CachedRefs:
    """``load_refs(path)``, reused from the last build while the file's bytes are the same.

    When they are not, only the entries whose text changed are parsed and checked again, and
    only the records of entries that changed are made again (:mod:`scholarsite.refs_cache`).
    Only a file without problems is cached, so every problem is reported on every build.
    """
    owner_names = tuple(owner_names)
    try:
        key = path.read_bytes() + repr(owner_names).encode() + CODE_DIGEST
        digest = hashlib.sha256(key).hexdigest()
    except OSError:
        return load_refs(path, owner_names=owner_names)
    cache = cache_dir / "scholarsite-refs.pickle"
    entry_cache_file = cache_dir / "scholarsite-refs-by-entry.pickle"
    try:
        cached_digest, cached_path, pdfs, notes = read_pickle(cache)
        if cached_digest == digest and cached_path == path:
            return CachedRefs(path, pdfs, entry_cache_file, notes, owner_names)
    except Exception:  # no cache yet, or one from another version: read the file
        pass
    entry_cache = load_cache(entry_cache_file, CODE_DIGEST)
    refs = load_refs(path, owner_names=owner_names, cache=entry_cache)
    if not refs.problems:
        # Made now, so that they are saved with the entries and reused entry by entry.
        refs.publications = refs.build_publications(entry_cache)
        cache_dir.mkdir(parents=True, exist_ok=True)
        entry_cache.save(entry_cache_file)
        record = (digest, path, refs.pdfs, tuple(refs.notes))
        write_atomically(cache, pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
    return refs
