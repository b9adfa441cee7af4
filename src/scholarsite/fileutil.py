"""Writing files the way every part of the extension needs: whole or not at all, only on change;
and reading back what was pickled."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from . import page_writer
from .collector import making_long_lived_data
from .page_writer import record, write_file


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


#: How many files are written in this process before the writer process starts (starting it
#: costs about as much as writing them).
FILES_BEFORE_A_WRITER = 32


#: How much the caller may send ahead of the writer process (Linux's default pipe holds 64 kB,
#: two or three pages: the caller would wait for each page to be written).
PIPE_SIZE = 1 << 20


def widen_pipe(descriptor: int) -> None:
    """Let the pipe hold PIPE_SIZE bytes, where the system allows (Linux)."""
    set_pipe_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl else None
    if set_pipe_size is not None:
        with contextlib.suppress(OSError):  # above the system's limit: the default size
            fcntl.fcntl(descriptor, set_pipe_size, PIPE_SIZE)


class BackgroundWriter:
    """Files written by a process of its own (:mod:`scholarsite.page_writer`) while the caller
    makes the next one.

    Creating a file is the kernel's work: on a machine with a second core, a second process
    does it meanwhile, without sharing Python's lock with the caller (a thread would wait for
    the lock after each system call). The first files are written here, as a build that
    writes a few does not need the process. Leaving the ``with`` block waits for every file
    and raises :class:`OSError` naming each one not written, so none is lost unnoticed.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.folders: set[Path] = set()
        self.written_here = 0
        self.can_start = True
        self.errors: list[str] = []

    def write(self, path: Path, data: bytes) -> None:
        if path.parent not in self.folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(path.parent)
        writer = self.writer() if self.written_here >= FILES_BEFORE_A_WRITER else None
        if writer is None:
            self.written_here += 1
            try:
                write_file(path, data)
            except OSError as error:
                self.errors.append(f"{path}: {error}")
            return
        view = memoryview(record(path, data))
        while view:  # a pipe may take part of it when a signal comes
            view = view[writer.write(view) or 0 :]

    def writer(self) -> IO[bytes] | None:
        """The writer process's input, started on first use; None where no process can start
        (the files are then written here)."""
        if self.process is None and self.can_start and sys.executable:
            try:
                self.process = subprocess.Popen(
                    [sys.executable, "-I", "-S", page_writer.__file__],
                    stdin=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    bufsize=0,
                )
            except OSError:
                self.can_start = False
                return None
            assert self.process.stdin is not None
            widen_pipe(self.process.stdin.fileno())
        return self.process.stdin if self.process is not None else None

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process is not None:
            if kind is not None:
                self.process.kill()
            _, errors = self.process.communicate()
            if self.process.returncode != 0:
                self.errors.append(errors.decode(errors="replace").strip())
        if kind is None and self.errors:
            raise OSError("scholarsite: files not written:\n" + "\n".join(self.errors))


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
