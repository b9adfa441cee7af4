"""Files written by a process of their own: every one written, each failure named at the end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from scholarsite.fileutil import FILES_BEFORE_A_WRITER, BackgroundWriter
from scholarsite.page_writer import record, write_records

#: Enough files that most go to the writer process.
MANY = FILES_BEFORE_A_WRITER + 200


def test_a_background_writer_writes_every_file_before_its_block_ends(tmp_path: Path) -> None:
    pages = {tmp_path / "a" / f"page-{n}.html": f"<p>{n} é</p>" * n for n in range(MANY)}
    with BackgroundWriter() as writer:
        for path, text in pages.items():
            writer.write(path, text.encode("utf-8"))
        assert writer.process is not None  # the later files went to the writer process
    assert {path: path.read_text("utf-8") for path in tmp_path.glob("a/*.html")} == pages


@pytest.mark.parametrize("position", [0, MANY - 1])
def test_files_that_cannot_be_written_are_named_when_the_block_ends(
    tmp_path: Path, position: int
) -> None:
    """One file in the way (a folder where a page goes), written here or by the process: the
    others are all written, and the error names it."""
    paths = [tmp_path / f"page-{n}.html" for n in range(MANY)]
    paths[position].mkdir()
    with pytest.raises(OSError, match=f"page-{position}.html") as raised, BackgroundWriter() as w:
        for path in paths:
            w.write(path, b"text")
    assert "files not written" in str(raised.value)
    written = [path for path in paths if path.is_file() and path.read_bytes() == b"text"]
    assert len(written) == MANY - 1


def test_a_record_cut_short_is_reported() -> None:
    errors = io.BytesIO()
    whole = record("x.html", b"data")
    assert write_records(io.BytesIO(whole[:-1]), errors) == 2
    assert b"cut short" in errors.getvalue()
