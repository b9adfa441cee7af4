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
from typing import TYPE_CHECKING, Any, ClassVar

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


#: Where an object keeps its attributes pickled apart until first use.
_APART = "_scholarsite_pickled_apart"


class AttributesPickledApart:
    """An object pickled with some of its attributes apart (:attr:`apart`; None: all of them),
    which an unpickled one unpickles on first use of any attribute it lacks.

    A build that reuses thousands of kept values reads few of their objects: an entry's parse
    keeps its persons apart, a record its rich fields. Pickled again before that first use, the
    object keeps the bytes it was unpickled with.
    """

    apart: ClassVar[tuple[str, ...] | None] = None

    def __reduce__(self) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        pickled = state.pop(_APART, None)
        if pickled is None:
            names = list(state) if self.apart is None else self.apart
            apart = {name: state.pop(name) for name in names}
            pickled = pickle.dumps(apart, pickle.HIGHEST_PROTOCOL)
        return (with_attributes_apart, (type(self), state, pickled))

    if not TYPE_CHECKING:  # to mypy, an object has its own attributes only

        def __getattr__(self, name: str) -> Any:
            # Only an attribute not set yet gets here: one pickled apart, until unpickled.
            pickled = self.__dict__.pop(_APART, None)
            if pickled is None:
                raise AttributeError(name)
            self.__dict__.update(pickle.loads(pickled))
            return getattr(self, name)


def with_attributes_apart(kind: type, state: dict[str, Any], pickled: bytes) -> Any:
    """An object of *kind* with the attributes *state* and those *pickled* (a dict), the latter
    unpickled on first use."""
    made: Any = object.__new__(kind)
    made.__dict__.update(state)
    made.__dict__[_APART] = pickled
    return made


def still_pickled_apart(value: object) -> bool:
    """Whether *value* keeps attributes pickled apart, not used since it was unpickled."""
    return _APART in vars(value)


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
