"""The extension's one state: what an environment keeps between builds, and what one build knows.

Kept as the data of a domain of its own, as sphinxcontrib-bibtex keeps its state: Sphinx pickles
it with the environment, purges it per document (:meth:`ScholarsiteDomain.clear_doc`) and merges
it after a parallel read (:meth:`ScholarsiteDomain.merge_domaindata`). What only one build needs
(refs.bib as checked at its start, the files present, what changed) is :class:`BuildState`, an
attribute of the domain object, which Sphinx makes afresh for every application and never pickles:
two builds, even two applications in one process, never see each other's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from pybtex.utils import OrderedCaseInsensitiveDict
from sphinx.domains import Domain
from sphinx.util import logging

from .publication import Publication
from .refs import CachedRefs, Refs

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

    from .entry_html import EntryHTMLCache
    from .page_frame import PageFrame
    from .paper_page_html import BodyFrame
    from .profile import Profile

logger = logging.getLogger(__name__)


@dataclass
class BuildState:
    """What one build learns at its start and its parts share; never pickled."""

    #: refs.bib (each file of bibtex_bibfiles), checked, and a digest of the files' bytes.
    refs: list[Refs | CachedRefs] = field(default_factory=list)
    refs_digest: str = ""
    #: Each bibliography file's mtime from before it was checked.
    bibfile_mtimes: dict[Path, float] = field(default_factory=dict)
    #: The names of the files in the files folder.
    files: frozenset[str] = frozenset()
    #: Keys whose entry changed, whether files came or went, and keys whose "Cited on" changed.
    changed_keys: set[str] = field(default_factory=set)
    files_changed: bool = False
    backlinks_changed: set[str] = field(default_factory=set)
    #: The pages showing a changed entry or file, written again without being read again.
    showing_changes: set[str] = field(default_factory=set)
    #: The record each paper page shows, by page name, made on first use.
    publications_by_page: dict[str, Publication] | None = None
    #: The sidebar profile, made from conf.py on first use.
    profile: Profile | None = None
    #: The navigation rendered for paper pages, by folder and arguments.
    orphan_toctrees: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = field(
        default_factory=dict
    )
    #: The <link> and <script> tags of the rendered pages' assets, by folder and asset.
    asset_tags: dict[tuple[str, str, str, tuple[tuple[str, Any], ...]], str] = field(
        default_factory=dict
    )
    #: The theme's page for paper pages, rendered once (page_frame).
    page_frame: PageFrame | None = None
    #: The paper pages (and index) this build rendered or kept, by name in their folder.
    paper_pages: list[str] = field(default_factory=list)
    #: Every page this build writes, by its address in the output folder.
    page_targets: set[str] = field(default_factory=set)
    #: The publication list's entries as HTML, kept between builds (HTML builders only).
    entry_html: EntryHTMLCache | None = None
    #: Each entry's BibTeX as shown (the list and its paper page show the same), by key.
    bibtex_sources: dict[str, str] = field(default_factory=dict)
    #: The docutils settings of the pages rendered from records (paper_page_html).
    page_settings: Any = None
    #: A paper page's body around its own parts, written once (False: pages are translated).
    body_frame: BodyFrame | Literal[False] | None = None
    _entries: OrderedCaseInsensitiveDict | None = None
    _publications: dict[str, Publication] | None = None

    @property
    def entries(self) -> OrderedCaseInsensitiveDict:
        """Every entry of refs.bib by key, in the owner's order (parsed on first use)."""
        if self._entries is None:
            self._entries = OrderedCaseInsensitiveDict()
            for refs in self.refs:
                self._entries.update(refs.entries)
            logger.verbose(f"scholarsite: {len(self._entries)} parsed entries of refs.bib in use")
        return self._entries

    @property
    def checked(self) -> list[Refs]:
        """Each bibliography file as checked (parsed entries, records, versions)."""
        return [refs.refs if isinstance(refs, CachedRefs) else refs for refs in self.refs]

    @property
    def publications(self) -> dict[str, Publication]:
        """The record of every publication (listed entries and their versions), by key."""
        if self._publications is None:
            self._publications = {}
            for refs in self.checked:
                self._publications.update(refs.publications)
        return self._publications

    @property
    def listed(self) -> list[str]:
        """Keys shown in the list, in the owner's order (their other versions show with them)."""
        return [key for refs in self.checked for key in refs.listed]

    def lead_of(self, key: str) -> str:
        """The listed key whose entry shows *key*: itself when listed, the listed version of a
        version, the first entry a crossref target fills in; "" for any other key."""
        for refs in self.checked:
            key = refs.first_filled.get(key, key)
            if key in refs.version_of:
                return str(refs.version_of[key])
            if key in refs.entries:
                return str(refs.entries[key].key)
        return ""

    @property
    def local_pdfs(self) -> dict[str, str]:
        """The local PDF each entry of refs.bib names, by key."""
        return {key: pdf for refs in self.refs for key, pdf in refs.pdfs.items()}


class ScholarsiteDomain(Domain):
    """The homepage's state in the environment (it declares no roles or directives)."""

    name = "scholarsite"
    label = "Homepage"
    initial_data: ClassVar[dict[str, Any]] = {  # Sphinx deep-copies it
        "list_docs": set(),
        "cited_on": {},
        "cited_on_titles": {},
        "entry_digests": {},
        "refs_digest": None,
        "keys_digest": None,
        "files": frozenset(),
    }

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        self.build = BuildState()

    @property
    def list_docs(self) -> set[str]:
        """The documents holding a full publication list."""
        return cast(set[str], self.data["list_docs"])

    @property
    def cited_on(self) -> dict[str, tuple[str, ...]]:
        """For every cited key, the documents that cite it, as the pages show it."""
        return cast(dict[str, tuple[str, ...]], self.data["cited_on"])

    @cited_on.setter
    def cited_on(self, value: dict[str, tuple[str, ...]]) -> None:
        self.data["cited_on"] = value

    @property
    def cited_on_titles(self) -> dict[str, str]:
        """The title of every citing document, as the "Cited on" lines show it."""
        return cast(dict[str, str], self.data["cited_on_titles"])

    @cited_on_titles.setter
    def cited_on_titles(self, value: dict[str, str]) -> None:
        self.data["cited_on_titles"] = value

    @property
    def entry_digests(self) -> dict[str, str]:
        """A digest of every entry of refs.bib, by key, as the pages show them."""
        return cast(dict[str, str], self.data["entry_digests"])

    @entry_digests.setter
    def entry_digests(self, value: dict[str, str]) -> None:
        self.data["entry_digests"] = value

    @property
    def refs_digest(self) -> str | None:
        """The digest of refs.bib's bytes when :attr:`entry_digests` was computed."""
        return cast("str | None", self.data["refs_digest"])

    @refs_digest.setter
    def refs_digest(self, value: str) -> None:
        self.data["refs_digest"] = value

    @property
    def keys_digest(self) -> str | None:
        """A digest of refs.bib's keys and their anchors: what a full list's page, as read, is
        made from (its citations' ids), as the pages were last read."""
        return cast("str | None", self.data["keys_digest"])

    @keys_digest.setter
    def keys_digest(self, value: str) -> None:
        self.data["keys_digest"] = value

    @property
    def files(self) -> frozenset[str]:
        """The files folder's contents as the pages show them."""
        return cast(frozenset[str], self.data["files"])

    @files.setter
    def files(self, value: frozenset[str]) -> None:
        self.data["files"] = value

    def clear_doc(self, docname: str) -> None:
        self.list_docs.discard(docname)

    def merge_domaindata(self, docnames: Iterable[str], otherdata: dict[str, Any]) -> None:
        wanted = set(docnames)
        self.list_docs.update(doc for doc in otherdata["list_docs"] if doc in wanted)


def state(env: BuildEnvironment) -> ScholarsiteDomain:
    """The extension's state in *env*."""
    return cast(ScholarsiteDomain, env.get_domain(ScholarsiteDomain.name))
