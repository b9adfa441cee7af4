"""Per-entry caches saved as a file and a log of what changed since (scholarsite.blob_store)."""

from __future__ import annotations

from pathlib import Path

from scholarsite.blob_store import LOG_SHARE, BlobStore

HEADER = ("code", 1)


def values(count: int, text: str = "entry") -> dict[object, bytes]:
    return {("doc", index): f"{text} {index} ".encode() * 20 for index in range(count)}


def test_a_small_change_is_logged_and_read_back_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    first = values(100)
    BlobStore(path, HEADER).save(first)
    written = path.read_bytes()

    store = BlobStore(path, HEADER)
    loaded = store.load()
    assert loaded == first
    changed = {**loaded, ("doc", 3): b"edited", ("doc", 100): b"new"}
    del changed[("doc", 7)]
    store.save(changed)
    assert path.read_bytes() == written  # the file stands; the change is in the log
    assert store.log_path.stat().st_size < len(written) * LOG_SHARE

    assert BlobStore(path, HEADER).load() == changed
    # the next small change replaces the log, still made against the file as written
    again = BlobStore(path, HEADER)
    latest = {**again.load(), ("doc", 5): b"edited too"}
    again.save(latest)
    assert path.read_bytes() == written
    assert BlobStore(path, HEADER).load() == latest


def logged(path: Path, count: int) -> BlobStore:
    """A store of *count* values written whole, then one value changed (logged)."""
    BlobStore(path, HEADER).save(values(count))
    store = BlobStore(path, HEADER)
    store.load()
    store.save({**values(count), ("doc", 1): b"small"})
    assert store.log_path.is_file()
    return store


def test_a_large_change_writes_the_file_whole_and_drops_the_log(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    logged(path, 100)
    replaced = values(100, "rewritten")
    store = BlobStore(path, HEADER)
    store.load()
    store.save(replaced)
    assert not store.log_path.exists()
    assert BlobStore(path, HEADER).load() == replaced


def test_another_header_a_foreign_log_or_damage_give_no_wrong_values(tmp_path: Path) -> None:
    path = tmp_path / "cache.pickle"
    store = logged(path, 50)
    log = store.log_path.read_bytes()

    assert BlobStore(path, ("other code", 1)).load() == {}
    # the file written whole again by another build: the old log is not its own
    BlobStore(path, HEADER).save(values(50, "fresh"))
    store.log_path.write_bytes(log)
    assert BlobStore(path, HEADER).load() == values(50, "fresh")
    store.log_path.write_bytes(b"not a pickle")
    assert BlobStore(path, HEADER).load() == values(50, "fresh")
    path.write_bytes(b"not a pickle")
    assert BlobStore(path, HEADER).load() == {}
