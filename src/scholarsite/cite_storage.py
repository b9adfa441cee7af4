"""The cite domain's bulky data kept in files of their own, beside the environment pickle.

Sphinx unpickles the whole environment on every build, a no-op one too. With 4,000 entries the
cite domain's parsed entries, formatted citations and formatting cache are most of it, yet only
a build that reads or writes a page with citations uses them. They are pickled into files named
for their content, written when the environment is pickled and read back when first used, each
part on its own:

- ``entries``, the parsed entries: none when they are refs.bib's as the site read it
  (:class:`RefsBibliography`), which a later build reads again from its own cache;
- ``formatting``, the citations and the formatted entries they share, each citation with its
  entry's key rather than the entry, found again in the entries when read back.

A part that is never read in a build is never pickled again: its file stands.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pybtex.database import BibliographyData, Entry
from sphinx.errors import SphinxError
from sphinx.util import logging

from .fileutil import read_pickle, write_atomically
from .upstream import Citation

logger = logging.getLogger(__name__)

PREFIX = "scholarsite-cite-"
PARTS = ("entries", "formatting")
#: The name of an ``entries`` part that is refs.bib's entries as the site read them.
FROM_REFS = "refs.bib"


def empty_parts() -> dict[str, Any]:
    """Each part as a build that has stored nothing yet starts it."""
    return {"entries": BibliographyData(), "formatting": {"citations": [], "formatted": {}}}


class RefsBibliography(BibliographyData):
    """refs.bib's entries as the site read and checked them (bibliography.py): stored as a
    reference to the site's own cache of them."""


class StoredCiteData:
    """Parts pickled into files of their own in *folder*, each read back on first use.

    The folder (the doctree folder) and where the entries come from are never pickled: whoever
    unpickles the environment sets them (:meth:`attach`).
    """

    def __init__(
        self,
        folder: Path,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
    ) -> None:
        self.folder, self.names, self.values = folder, dict(names or {}), dict(values or {})
        #: refs.bib's entries as the site reads them; the entries a citation's key names.
        self.entries_from_refs: Callable[[], BibliographyData] = BibliographyData
        self.current_entries: Callable[[], Any] = dict

    def attach(
        self,
        folder: Path,
        entries_from_refs: Callable[[], BibliographyData],
        current_entries: Callable[[], Any],
    ) -> None:
        self.folder = folder
        self.entries_from_refs, self.current_entries = entries_from_refs, current_entries

    def __reduce__(self) -> tuple[Any, ...]:
        for part, value in self.values.items():  # in memory, maybe changed: store what it is now
            if part == "entries" and isinstance(value, RefsBibliography):
                self.names[part] = FROM_REFS
                continue
            data = pickle.dumps(packed(part, value), pickle.HIGHEST_PROTOCOL)
            digest = hashlib.blake2b(data, digest_size=16).hexdigest()
            self.names[part] = name = f"{PREFIX}{part}-{digest}.pickle"
            path = self.folder / name
            if not path.exists():  # named for its content: an existing file holds the same
                write_atomically(path, data)
        return (_unpickled, (self.names,))

    def files(self) -> set[str]:
        """The files holding the parts."""
        return {name for name in self.names.values() if name != FROM_REFS}

    def readable(self) -> bool:
        return all(
            part in self.values
            or self.names.get(part) == FROM_REFS
            or (self.folder / self.names.get(part, "-")).is_file()
            for part in PARTS
        )

    def get(self, part: str) -> Any:
        """The part's value, read on first use."""
        if part not in self.values:
            name = self.names.get(part)
            if name == FROM_REFS:
                self.values[part] = self.entries_from_refs()
            elif name is None:  # a new part
                self.values[part] = empty_parts()[part]
            else:
                path = self.folder / name
                try:
                    self.values[part] = unpacked(part, read_pickle(path), self.current_entries)
                    logger.verbose(f"scholarsite: stored cite data read from {path.name}")
                except Exception as error:
                    raise SphinxError(f"cannot read {path} ({error}); run `make clean`") from error
        return self.values[part]

    def set(self, part: str, value: Any) -> None:
        """The part's new value (what was stored is not read)."""
        self.values[part] = value


def packed(part: str, value: Any) -> Any:
    """A part as pickled: each citation with its entry's key in place of the entry."""
    if part != "formatting" or "citations" not in value:
        return value
    citations = [
        (*citation[:3], None if citation.entry is None else citation.entry.key, *citation[4:])
        for citation in value["citations"]
    ]
    return {**value, "citations": citations}


def unpacked(part: str, value: Any, current_entries: Callable[[], Any]) -> Any:
    """A part as pickled, each citation with its entry found again by key in the current
    entries (None for a key no longer there: a citation only a recomputation of them all
    would show)."""
    if part != "formatting" or "citations" not in value:
        return value
    entries = current_entries()
    citations = []
    for citation_id, bibliography_key, key, entry_key, *formatted in value["citations"]:
        entry: Entry | None = entries.get(entry_key) if entry_key is not None else None
        citations.append(Citation(citation_id, bibliography_key, key, entry, *formatted))
    value["citations"] = citations
    return value


def _unpickled(names: dict[str, str]) -> StoredCiteData:
    return StoredCiteData(Path(), names)


def remove_old_files(folder: Path, current: set[str]) -> None:
    """Remove the stored cite data of earlier builds: only the pickled environment's is used."""
    if current:
        for path in folder.glob(f"{PREFIX}*"):
            if path.name not in current:
                path.unlink(missing_ok=True)


class StoredBibliography(BibliographyData):
    """pybtex's BibliographyData, pickled as a reference to the stored cite data."""

    def __init__(self, stored: StoredCiteData) -> None:  # pybtex's attributes come on first use
        self.__dict__["_stored"] = stored

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self.__dict__.update(vars(self.__dict__["_stored"].get("entries")))
        return object.__getattribute__(self, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (StoredBibliography, (self.__dict__["_stored"],))
