"""Files written by a process of their own: the paper pages, as scholarsite.fileutil sends them.

Run as a script (``python -I -S page_writer.py``), it reads from its standard input, until it
ends, records of a header (the path's and the data's length in bytes), the path and the data,
and writes each file. A file it cannot write is named on its standard error, the others are
still written, and it exits with status 1. It imports nothing but the standard library, so that
it starts in milliseconds.
"""

from __future__ import annotations

import os
import struct
import sys
from typing import BinaryIO

#: A record's header: the path's length and the data's length, in bytes.
HEADER = struct.Struct("<II")
CUT_SHORT = b"scholarsite.page_writer: the last record was cut short\n"


def write_file(path: str | os.PathLike[str], data: bytes) -> None:
    """*data* into *path*, by the system calls alone."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    finally:
        os.close(descriptor)


def record(path: str | os.PathLike[str], data: bytes) -> bytes:
    """What the writer reads for one file."""
    name = os.fsencode(path)
    return HEADER.pack(len(name), len(data)) + name + data


def write_records(stream: BinaryIO, errors: BinaryIO) -> int:
    """Write every file *stream* holds; name on *errors* each one that could not be written.
    The exit status: 0, or 1 when a file was not written, 2 when the stream was cut short."""
    status = 0
    while header := stream.read(HEADER.size):
        if len(header) != HEADER.size:
            errors.write(CUT_SHORT)
            return 2
        path_size, data_size = HEADER.unpack(header)
        path, data = stream.read(path_size), stream.read(data_size)
        if len(path) != path_size or len(data) != data_size:
            errors.write(CUT_SHORT)
            return 2
        try:
            write_file(os.fsdecode(path), data)
        except OSError as error:
            errors.write(f"{os.fsdecode(path)}: {error}\n".encode(errors="replace"))
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(write_records(sys.stdin.buffer, sys.stderr.buffer))
