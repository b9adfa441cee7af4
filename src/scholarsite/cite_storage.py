"""The cite domain's bulky data kept in a file of its own, beside the environment pickle.

Sphinx unpickles the whole environment on every build, a no-op one too. With 4,000 entries the
cite domain's parsed entries, formatted citations and formatting cache are most of it, yet only
a build that reads or writes a page with citations uses them. They are pickled into a file named
for their content, written when the environment is pickled and read back when first used.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from pybtex.database import BibliographyData
from sphinx.errors import SphinxError
from sphinx.util import logging

from .fileutil import read_pickle, write_atomically

logger = logging.getLogger(__name__)

PREFIX = "scholarsite-cite-"


class StoredCiteData:
    """Values pickled into a file of their own in *folder*, and read back on first use.

    The folder (the doctree folder) is never pickled: whoever unpickles the environment sets it.
    """

    def __init__(
        self, folder: Path, name: str | None = None, values: dict[str, Any] | None = None
    ) -> None:
        self.folder, self.name, self.values = folder, name, values

    def __reduce__(self) -> tuple[Any, ...]:
        if self.values is not None:  # in memory, maybe changed: store what it is now
            data = pickle.dumps(self.values, pickle.HIGHEST_PROTOCOL)
            self.name = f"{PREFIX}{hashlib.blake2b(data, digest_size=16).hexdigest()}.pickle"
            path = self.folder / self.name
            if not path.exists():  # named for its content: an existing file holds the same
                write_atomically(path, data)
        return (_unpickled, (self.name,))

    def readable(self) -> bool:
        return self.values is not None or (self.folder / str(self.name)).is_file()

    def load(self) -> dict[str, Any]:
        if self.values is None:
            path = self.folder / str(self.name)
            try:
                self.values = read_pickle(path)
                logger.verbose(f"scholarsite: stored cite data read from {path.name}")
            except Exception as error:
                raise SphinxError(f"cannot read {path} ({error}); run `make clean`") from error
        assert self.values is not None
        return self.values


def _unpickled(name: str | None) -> StoredCiteData:
    return StoredCiteData(Path(), name)


def remove_old_files(folder: Path, current: str | None) -> None:
    """Remove the stored cite data of earlier builds: only the pickled environment's is used."""
    if current:
        for path in folder.glob(f"{PREFIX}*"):
            if path.name != current:
                path.unlink(missing_ok=True)


class StoredBibliography(BibliographyData):
    """pybtex's BibliographyData, pickled as a reference to the stored cite data."""

    def __init__(self, stored: StoredCiteData) -> None:  # pybtex's attributes come on first use
        self.__dict__["_stored"] = stored

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self.__dict__.update(vars(self.__dict__["_stored"].load()["entries"]))
        return object.__getattribute__(self, name)

    def __reduce__(self) -> tuple[Any, ...]:
        return (StoredBibliography, (self.__dict__["_stored"],))
