"""refs.bib read entry by entry: what an earlier read found for each unchanged entry, reused.

Three tables, each keyed by exactly what its result depends on, none by a line number:

- ``parsed``: pybtex's parse of one entry's text, keyed by that text and a digest of every
  ``@string`` and ``@preamble`` read before it (the macros it may use); its persons pickled
  apart and unpickled on first use (:class:`PersonsKept`);
- ``facts``: an entry's own checks (problems and notes without their line), its DOI, title
  fingerprint and family names, keyed by the entry's digest (crossref already filled in);
- ``records``: an entry's :class:`~scholarsite.publication.Publication`, keyed by the entry's
  digest, the owner's names, its anchor, page name and versions.

A read starts from the tables an earlier read saved and keeps only what it used, so a saved
cache holds the current file's entries and nothing older. Each result is saved pickled on its
own and unpickled when used: a save after one entry's edit pickles that entry's results, not
every entry's, and writes them alone (:mod:`scholarsite.blob_store`). No Sphinx in it.
"""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pybtex.utils import OrderedCaseInsensitiveDict

from .blob_store import AttributesPickledApart, BlobStore, unpickled, with_attributes_apart

if TYPE_CHECKING:
    from pybtex.database import Entry

    from .publication import Publication

#: What a cached result also depends on: the parser's version and this package's reading code;
#: and how the file holds it.
_PARSER = ("pybtex", version("pybtex"), "a pickle per result, an entry's persons' state apart")


@dataclass(frozen=True)
class EntryFacts:
    """What checking one entry found, with no line number: the caller knows where it is.

    ``findings`` keeps the order the checks report in: ``("problem", "", message)``,
    ``("note", code, message)``, and ``("doi", "", "")`` where the file-wide duplicate-DOI
    check goes.
    """

    findings: tuple[tuple[str, str, str], ...]
    doi: str
    title_fingerprint: str
    families: frozenset[str]


class PersonsKept(AttributesPickledApart, OrderedCaseInsensitiveDict):
    """An entry's persons as an earlier read kept them, unpickled on first use.

    A build that reuses an entry's parse reuses its checks, record and formatting too, and reads
    none of its persons: an edit of one entry of thousands would unpickle every other entry's
    Person objects for nothing.
    """


def pickled_parse(entry: Entry, digest: str) -> bytes:
    """An entry's parse as the cache keeps it: its persons pickled apart (:class:`PersonsKept`)."""
    kept = copy.copy(entry)
    persons = pickle.dumps(vars(entry.persons), pickle.HIGHEST_PROTOCOL)
    kept.persons = with_attributes_apart(PersonsKept, {}, persons)
    return pickle.dumps((kept, digest), pickle.HIGHEST_PROTOCOL)


@dataclass
class RefsCache:
    """The three tables: each result pickled, as read from the last save (by table and key);
    each result used by this read, and its pickle where it came from one."""

    code: bytes = b""
    before: dict[Any, bytes] = field(default_factory=dict)
    now: dict[str, dict[Any, Any]] = field(
        default_factory=lambda: {"parsed": {}, "facts": {}, "records": {}}
    )
    pickled: dict[Any, bytes] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=lambda: {"parsed": 0, "facts": 0, "records": 0})
    store: BlobStore | None = None

    def _get(self, table: str, key: Any) -> Any:
        value = self.now[table].get(key)
        if value is None:
            data = self.before.get((table, key))
            value = unpickled(data)
            if value is None or data is None:
                return None
            self.now[table][key], self.pickled[(table, key)] = value, data
            self.reused[table] += 1
        return value

    def parsed(self, macros: bytes, chunk: str) -> tuple[Entry, str] | None:
        """The entry parsed from *chunk* after the macros whose digest is *macros*, and its
        digest; None when no earlier read parsed it."""
        result: tuple[Entry, str] | None = self._get("parsed", (macros, chunk))
        return result

    def store_parsed(self, macros: bytes, chunk: str, entry: Entry, digest: str) -> None:
        self.now["parsed"][(macros, chunk)] = (entry, digest)

    def facts(self, digest: str) -> EntryFacts | None:
        result: EntryFacts | None = self._get("facts", digest)
        return result

    def store_facts(self, digest: str, facts: EntryFacts) -> None:
        self.now["facts"][digest] = facts

    def record(self, key: tuple[Any, ...]) -> Publication | None:
        result: Publication | None = self._get("records", key)
        return result

    def store_record(self, key: tuple[Any, ...], record: Publication) -> None:
        self.now["records"][key] = record

    def save(self, path: Path) -> None:
        """Keep what this read used (and nothing else) for the next one."""
        store = self.store or BlobStore(path, (_PARSER, self.code))
        store.save(
            {
                (table, key): self.pickled.get((table, key))
                or (
                    pickled_parse(*value)
                    if table == "parsed"
                    else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
                )
                for table, results in self.now.items()
                for key, value in results.items()
            }
        )


def load_cache(path: Path, code: bytes) -> RefsCache:
    """The tables saved at *path* by the same reading code, or empty ones."""
    store = BlobStore(path, (_PARSER, code))
    return RefsCache(code=code, before=store.load(), store=store)
