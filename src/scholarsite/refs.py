"""Read refs.bib and check every entry, reporting problems by file, line and key."""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pybtex.database import BibliographyData, Entry
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexSyntaxError
from pybtex.utils import OrderedCaseInsensitiveDict

from .fileutil import code_digest, write_atomically
from .style import latex_to_text, name_parts

ENTRY_TYPES = frozenset(
    [
        "article",
        "book",
        "booklet",
        "conference",
        "inbook",
        "incollection",
        "inproceedings",
        "manual",
        "mastersthesis",
        "misc",
        "online",
        "phdthesis",
        "proceedings",
        "report",
        "techreport",
        "thesis",
        "unpublished",
    ]
)
REQUIRED_FIELDS = {
    "title": "the paper's exact title",
    "year": "the year of publication, e.g. year = {2024}",
    "venuetag": "the tag shown before the title, e.g. venuetag = {OSDI'24}",
}
#: Fields holding a web address; each must be http(s).
URL_FIELDS = ("url", "code", "slides", "video", "project")
#: The homepage's own fields: shown on the site, left out of the BibTeX visitors copy.
HOMEPAGE_FIELDS = frozenset({"venuetag", "remark", "pdf", "author+an", "abstract", *URL_FIELDS[1:]})

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]*)", re.MULTILINE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PLAIN_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the bibliography file, with where it is and how to fix it."""

    path: Path
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass
class Refs:
    """The parsed bibliography: entries in the owner's order and the line each starts on."""

    path: Path
    entries: OrderedCaseInsensitiveDict = field(default_factory=OrderedCaseInsensitiveDict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, line, key, message))

    @property
    def pdfs(self) -> dict[str, str]:
        """The local PDF each entry names, by key."""
        return {
            key: entry.fields["pdf"] for key, entry in self.entries.items() if "pdf" in entry.fields
        }


def entry_digest(entry: Entry) -> str:
    """A digest of everything of *entry*: key, type, fields and each person's name parts."""
    persons = [(role, [name_parts(p) for p in people]) for role, people in entry.persons.items()]
    data = repr((entry.key, entry.type, entry.original_type, list(entry.fields.items()), persons))
    return hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def normalize_doi(doi: str) -> str:
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi.strip(), flags=re.I).lower()


def load_refs(path: Path) -> Refs:
    """Parse *path* entry by entry so that every problem is tied to its line and key."""
    refs = Refs(path)
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
    seen_keys: dict[str, int] = {}
    for index, (offset, line, entry_type, key) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        if entry_type in {"comment", "preamble", "string"}:
            _parse_chunk(refs, parser, text[offset:end], line, key="")
            continue
        if entry_type not in ENTRY_TYPES:
            refs.problem(
                line,
                key,
                f"unknown entry type @{entry_type}; use one of "
                "@inproceedings, @article, @misc, ... (standard BibTeX types)",
            )
            continue
        if not key:
            refs.problem(line, "", f"@{entry_type} entry has no key; write @{entry_type}{{key,")
            continue
        if key.lower() in seen_keys:
            refs.problem(
                line,
                key,
                f"duplicate key (first used on line {seen_keys[key.lower()]});"
                " rename one of the two entries",
            )
            continue
        seen_keys[key.lower()] = line
        entry = _parse_chunk(refs, parser, text[offset:end], line, key)
        if entry is not None:
            refs.entries[key] = entry
            refs.lines[key] = line
    if not starts and not refs.problems:
        refs.problem(0, "", "no entries; add at least one @inproceedings{...} or @article{...}")
    _check_entries(refs)
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


def _check_entries(refs: Refs) -> None:
    dois: dict[str, str] = {}
    titles: dict[str, str] = {}
    for key, entry in refs.entries.items():
        line = refs.lines[key]
        for name, what in REQUIRED_FIELDS.items():
            if not entry.fields.get(name, "").strip():
                refs.problem(line, key, f'missing field "{name}": add {what}')
        if not entry.persons.get("author"):
            refs.problem(line, key, 'missing field "author": add author = {Given Family and ...}')
        for person in entry.persons.get("author", []):
            if not person.last_names:
                refs.problem(
                    line,
                    key,
                    f'author "{person}" has no family name; '
                    'write each author as "Given Family" or "Family, Given"',
                )
        year = entry.fields.get("year", "").strip()
        if year and not re.fullmatch(r"\d{4}", year):
            refs.problem(line, key, f'year "{year}" is not a four-digit year')
        if doi := entry.fields.get("doi"):
            if not _DOI.match(normalize_doi(doi)):
                refs.problem(
                    line,
                    key,
                    f'malformed DOI "{doi}"; write the bare DOI, '
                    "e.g. doi = {10.1145/3503222.3507723}",
                )
            elif (first := dois.setdefault(normalize_doi(doi), key)) != key:
                refs.problem(line, key, f'same DOI as "{first}"; remove the duplicate entry')
        if title := entry.fields.get("title"):
            fingerprint = " ".join(re.sub(r"\W+", " ", latex_to_text(title).casefold()).split())
            if (first := titles.setdefault(fingerprint, key)) != key:
                refs.problem(line, key, f'same title as "{first}"; remove the duplicate entry')
        if (pdf := entry.fields.get("pdf")) is not None and not _PLAIN_FILE_NAME.match(pdf):
            refs.problem(
                line,
                key,
                f'pdf "{pdf}" is not a plain file name; put the file in '
                "files/ and write only its name, e.g. pdf = {paper.pdf}",
            )
        for name in URL_FIELDS:
            if (url := entry.fields.get(name)) is not None and not _HTTP_URL.match(url.strip()):
                refs.problem(
                    line,
                    key,
                    f'{name} "{url}" is not an http(s) address; '
                    "write the full address, starting with https://",
                )


_CODE_DIGEST = code_digest(Path(__file__).parent / name for name in ("refs.py", "style.py"))


class CachedRefs:
    """A refs.bib checked by an earlier build: its PDF names now, its entries on first use.

    A build where refs.bib did not change (a no-op one) never needs the parsed entries, which
    take 0.4 s to unpickle at 4,000 entries.
    """

    problems: tuple[Problem, ...] = ()

    def __init__(self, path: Path, pdfs: dict[str, str], entries_file: Path, digest: str):
        self.path, self.pdfs, self.entries_file, self.digest = path, pdfs, entries_file, digest

    @cached_property
    def entries(self) -> OrderedCaseInsensitiveDict:
        try:
            with self.entries_file.open("rb") as file:
                digest, entries = pickle.load(file)
            if digest == self.digest:
                return entries
        except Exception:  # removed or damaged since: read refs.bib again
            pass
        return load_refs(self.path).entries


def load_refs_cached(path: Path, cache_dir: Path) -> Refs | CachedRefs:
    """``load_refs(path)``, reused from the last build while the file's bytes are the same.

    Only a file without problems is cached, so every problem is reported on every build.
    """
    try:
        digest = hashlib.sha256(path.read_bytes() + _CODE_DIGEST).hexdigest()
    except OSError:
        return load_refs(path)
    cache = cache_dir / "scholarsite-refs.pickle"
    entries_file = cache_dir / "scholarsite-refs-entries.pickle"
    try:
        with cache.open("rb") as file:
            cached_digest, cached_path, pdfs = pickle.load(file)
        if cached_digest == digest and cached_path == path:
            return CachedRefs(path, pdfs, entries_file, digest)
    except Exception:  # no cache yet, or one from another version: read the file
        pass
    refs = load_refs(path)
    if not refs.problems:
        cache_dir.mkdir(parents=True, exist_ok=True)
        for target, record in (
            (entries_file, (digest, refs.entries)),
            (cache, (digest, path, refs.pdfs)),
        ):
            write_atomically(target, pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
    return refs
