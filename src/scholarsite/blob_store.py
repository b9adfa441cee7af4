"""Pickled values by key, kept in a file and a log of what changed since it was written.

The per-entry caches hold thousands of pickled values (one per entry of refs.bib). Writing the
whole file again after one entry's edit wrote tens of megabytes for a few kilobytes of change.
A save writes the changes since the file was last written whole (what is new or different, and
what is gone) to a log beside it; once the log would grow past a quarter of the file, the
file is written whole again and the log removed. A log that does not belong to its file (a
file written since by another build) is ignored: its values are made again.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from .fileutil import read_pickle, write_atomically

#: How large the log may grow, as a share of the file's size, before the file is written whole.
LOG_SHARE = 0.25


def unpickled(data: bytes | None) -> Any:
    """The value *data* holds; None when there is none or it is damaged (made afresh)."""
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except Exception:
        return None


class BlobStore:
    """Values pickled on their own (``bytes``) by key, in *path* and its log ``path.log``.

    *header* says what the values were made by (code, versions): values saved under another
    header are not read.
    """

    def __init__(self, path: Path, header: Any) -> None:
        self.path, self.header = path, header
        self.log_path = path.with_name(f"{path.name}.log")
        #: The values in the file as written whole, its identity and size.
        self.base: dict[Any, bytes] = {}
        self.base_id = ""
        self.base_size = 0
        #: The log as read: what changed since the file was written, and what is gone.
        self.log: tuple[dict[Any, bytes], list[Any]] = ({}, [])

    def load(self) -> dict[Any, bytes]:
        """Every value saved, by key (none when nothing was saved under this header)."""
        try:
            header, base_id, base = read_pickle(self.path)
        except Exception:  # none yet, or damaged
            return {}
        if header != self.header or not isinstance(base, dict):
            return {}
        self.base, self.base_id = base, base_id
        self.base_size = sum(len(value) for value in base.values())
        values = dict(base)
        try:
            log_base_id, changed, removed = read_pickle(self.log_path)
        except Exception:  # no log, or a damaged one: the file alone
            return values
        if log_base_id == base_id:
            self.log = (changed, removed)
            values.update(changed)
            for key in removed:
                values.pop(key, None)
        return values

    def save(self, values: dict[Any, bytes]) -> None:
        """Keep *values* (and nothing else) for the next load."""
        changed = {key: value for key, value in values.items() if self.base.get(key) != value}
        removed = [key for key in self.base if key not in values]
        if self.base_id and sum(len(value) for value in changed.values()) <= LOG_SHARE * max(
            self.base_size, 1
        ):
            if (changed, removed) != self.log:
                self.log = (changed, removed)
                log = (self.base_id, changed, removed)
                write_atomically(self.log_path, pickle.dumps(log, pickle.HIGHEST_PROTOCOL))
            return
        self.base, self.base_id = dict(values), os.urandom(8).hex()
        self.base_size = sum(len(value) for value in values.values())
        self.log = ({}, [])
        data = (self.header, self.base_id, self.base)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, pickle.dumps(data, pickle.HIGHEST_PROTOCOL))
        self.log_path.unlink(missing_ok=True)
