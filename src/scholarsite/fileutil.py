"""Writing files the way every part of the extension needs: whole or not at all, only on change;
and reading back what was pickled."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType
from typing import Any

from .collector import making_long_lived_data


def write_if_changed(path: Path, data: str | bytes) -> bool:
    """Write *data* unless *path* already holds it; say whether it wrote.

    An unchanged file keeps its modification time, so Sphinx neither reads nor copies it again.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.read_bytes() == raw:
        return False
    path.write_bytes(raw)
    return True


def write_atomically(path: Path, data: bytes) -> None:
    """Write *data* to *path* whole: a reader sees the old file or the new one, never half."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    partial.replace(path)


#: How long the thread holding Python's lock keeps it from the writer (5 ms by default): the
#: writer takes the lock back after each system call, and would wait that long every time.
SWITCH_INTERVAL = 0.0002


class BackgroundWriter:
    """Files written by a thread of their own while the caller makes the next one.

    Creating a file is the kernel's work, done without Python's global lock: on a machine with
    a second core it costs the caller nothing. Leaving the ``with`` block waits for every file
    and raises the first error met, so no file is left unwritten unnoticed.
    """

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scholarsite-writer")
        self.pending: list[Future[int]] = []
        self.folders: set[Path] = set()

    def write(self, path: Path, data: bytes) -> None:
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        self.pending.append(self.executor.submit(write_file, path, data))

    def __enter__(self) -> BackgroundWriter:
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.executor.shutdown(wait=True)
        sys.setswitchinterval(self.switch_interval)
        if kind is None:
            for written in self.pending:
                written.result()


def write_file(path: Path, data: bytes) -> int:
    """*data* into *path*, by the system calls alone: a writer thread takes Python's lock back
    after each call, so the fewer steps between them the better."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)
    return len(data)


def code_digest(paths: Iterable[Path], size: int = 16) -> bytes:
    """A digest of the bytes of *paths*, in the order given: changes whenever their code does."""
    digest = hashlib.blake2b(digest_size=size)
    for path in paths:
        digest.update(path.read_bytes())
    return digest.digest()


def read_pickle(path: Path) -> Any:
    """What *path* holds, unpickled as data kept to the build's end (no collection while it
    is made, frozen after: scholarsite.collector).

    Unpickling thousands of entries makes millions of objects, and the collector would scan
    them again and again while they are made (three to five times the time of the load itself).
    """
    with making_long_lived_data(), path.open("rb") as file:
        return pickle.load(file)
