"""The search index's stems kept between builds are the stems Sphinx makes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sphinx.search.en import SearchEnglish

from scholarsite import search_stems

REFS = Path(__file__).resolve().parents[1] / "refs.bib"


def test_kept_stems_are_sphinx_stems_and_survive_a_new_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = search_stems.StemStore()
    store.path = tmp_path / search_stems.STEMS_FILE
    monkeypatch.setattr(search_stems, "STORE", store)
    words = sorted(set(re.findall(r"\w+", REFS.read_text(encoding="utf-8"))))
    assert len(words) > 100
    kept, plain = search_stems.stems_kept(SearchEnglish)({}), SearchEnglish({})
    assert kept.lang == plain.lang and type(kept).__name__ == "SearchEnglish"
    assert [kept.stem(word) for word in words] == [plain.stem(word) for word in words]
    assert store.grown
    store.save()

    reread = search_stems.StemStore()
    reread.path = store.path
    monkeypatch.setattr(search_stems, "STORE", reread)
    assert [kept.stem(word) for word in words] == [plain.stem(word) for word in words]
    assert not reread.grown  # every stem came from the file
    assert len(reread.stems("en")) == len(words)
