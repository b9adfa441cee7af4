"""Sphinx's search index with each word's stem kept between builds (the same index, less work).

Sphinx indexes every page it writes, stemming each distinct word of it (Snowball for English),
in every build: the publication list of thousands of entries holds tens of thousands of words,
and rewriting it after one entry's edit spent seconds stemming the words it stemmed the build
before. A stem depends on the word and the stemmer alone, so the search language Sphinx uses
is registered again (``app.add_search_language``, its public way) as a subclass that keeps
each stem, in a file beside the environment pickle, read when the first word is stemmed.
"""

from __future__ import annotations

import pickle
from importlib import import_module
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.search import SearchLanguage, languages

from .fileutil import read_pickle, write_atomically

STEMS_FILE = "scholarsite-search-stems.pickle"
#: What a stem also depends on: the stemmer and the language classes that call it.
STEMMERS = (("sphinx", version("sphinx")), ("snowballstemmer", version("snowballstemmer")))


class StemStore:
    """Each word's stem, by language: as saved by the last build (read on first use), grown."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self._stems: dict[str, dict[str, str]] | None = None
        self.grown = False
        #: The files that hold every stem in memory (read or written since it last grew).
        self.current: set[Path] = set()

    def stems(self, lang: str) -> dict[str, str]:
        if self._stems is None:
            self._stems = {}
            try:
                if self.path is not None:
                    stemmers, saved = read_pickle(self.path)
                    if stemmers == STEMMERS and isinstance(saved, dict):
                        self._stems = saved
                        self.current.add(self.path)
            except Exception:  # none yet, or damaged: every word is stemmed afresh
                pass
        return self._stems.setdefault(lang, {})

    def save(self) -> None:
        """Write every stem to :attr:`path`, unless it holds them already."""
        if self.grown:
            self.current.clear()
            self.grown = False
        if self.path is not None and self._stems is not None and self.path not in self.current:
            data = pickle.dumps((STEMMERS, self._stems), pickle.HIGHEST_PROTOCOL)
            write_atomically(self.path, data)
            self.current.add(self.path)


#: One store for the process: a word's stem is the same whichever site or build asks.
STORE = StemStore()


def stems_kept(base: type[SearchLanguage]) -> type[SearchLanguage]:
    """*base*, with every stem it makes kept in :data:`STORE`."""

    class StemsKept(base):  # type: ignore[valid-type,misc]
        keeps_stems = True

        def stem(self, word: str) -> str:
            stems = STORE.stems(self.lang)
            stem = stems.get(word)
            if stem is None:
                stem = stems[word] = super().stem(word)
                STORE.grown = True
            return stem

    StemsKept.__name__ = StemsKept.__qualname__ = base.__name__
    StemsKept.__module__ = base.__module__
    return StemsKept


def keep_stems(app: Sphinx) -> None:
    """At the start of an HTML build: the search language keeps its stems in the doctrees."""
    if app.builder.format != "html":
        return
    lang = app.config.html_search_language or app.config.language or "en"
    found: Any = languages.get(lang) or languages.get(lang.partition("_")[0])
    if found is None:  # Sphinx falls back to English without registering it: left as it is
        return
    if isinstance(found, str):
        module, name = found.rsplit(".", 1)
        found = getattr(import_module(module), name)
    if not getattr(found, "keeps_stems", False):
        app.add_search_language(stems_kept(found))
    STORE.path = Path(app.doctreedir, STEMS_FILE)


def save_stems(app: Sphinx, exception: Exception | None) -> None:
    """At the end of a build: keep the stems it made."""
    if exception is None and app.builder.format == "html":
        STORE.path = Path(app.doctreedir, STEMS_FILE)
        STORE.save()
