"""Files written by a thread of their own: every one written, the first error raised."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scholarsite.fileutil import BackgroundWriter


def test_a_background_writer_writes_every_file_before_its_block_ends(tmp_path: Path) -> None:
    interval = sys.getswitchinterval()
    pages = {tmp_path / "a" / f"page-{number}.html": f"<p>{number}</p>" for number in range(200)}
    with BackgroundWriter() as writer:
        for path, text in pages.items():
            writer.write(path, text.encode("utf-8"))
    assert {path: path.read_text("utf-8") for path in tmp_path.glob("a/*.html")} == pages
    assert sys.getswitchinterval() == interval


def test_a_file_that_cannot_be_written_is_an_error_at_the_blocks_end(tmp_path: Path) -> None:
    (tmp_path / "taken.html").mkdir()  # a folder where the page goes
    interval = sys.getswitchinterval()
    with pytest.raises(IsADirectoryError), BackgroundWriter() as writer:
        writer.write(tmp_path / "before.html", b"1")
        writer.write(tmp_path / "taken.html", b"2")
        writer.write(tmp_path / "after.html", b"3")
    assert (tmp_path / "before.html").read_bytes() == b"1"
    assert (tmp_path / "after.html").read_bytes() == b"3"
    assert sys.getswitchinterval() == interval
