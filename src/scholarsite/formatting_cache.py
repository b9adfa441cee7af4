"""sphinxcontrib-bibtex's domain, formatting only the entries that changed since the last build.

sphinxcontrib-bibtex formats every entry of every bibliography at env-updated, in every build, a
no-op one included, and twice when tooltips are on. This domain keeps what it formatted, keyed by
everything a formatted entry depends on, and skips env-updated altogether when nothing it reads
has changed since the build that saved the environment. Its bulky data lives outside the
environment pickle (:mod:`scholarsite.cite_storage`).
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pybtex.plugin
from pybtex.database import BibliographyData
from pybtex.richtext import Tag
from pybtex.style import FormattedEntry
from pybtex.style.template import FieldIsMissing
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from . import ENV_VERSION
from .bibliography import bibliography_from_refs
from .cite_storage import StoredBibliography, StoredCiteData, empty_parts, remove_old_files
from .fileutil import code_digest
from .refs import CachedRefs, Refs, entry_digest
from .state import state
from .style import HomepageStyle
from .upstream import (
    BibData,
    BibtexDomain,
    Citation,
    FilterVisitor,
    cite_domain,
    cite_domain_warnings_dropped_when_suppressed,
)

if TYPE_CHECKING:
    from pybtex.database import Entry
    from pybtex.style.formatting import BaseStyle
    from sphinxcontrib.bibtex.directives import BibliographyKey

logger = logging.getLogger(__name__)


def cacheable_digest(entry: Entry) -> str | None:
    """A digest of everything of *entry* a style can read; None for a crossref'ed entry."""
    if "crossref" in entry.fields:  # its formatting also depends on the parent entry
        return None
    return entry_digest(entry)


def style_fingerprint(style_class: type) -> str:
    """What a style's output depends on besides the entry and the owner's names.

    The code of every class of the style, the names of its label, name and sorting styles,
    the versions of pybtex and sphinxcontrib-bibtex, and this package's code (a change to which
    starts a fresh environment anyway).
    """
    parts: list[Any] = [version("pybtex"), version("sphinxcontrib-bibtex"), ENV_VERSION]
    for attribute in ("default_label_style", "default_name_style", "default_sorting_style"):
        parts.append((attribute, getattr(style_class, attribute, None)))
    files = set()
    for klass in style_class.__mro__:
        module = sys.modules.get(klass.__module__)
        try:
            files.add(Path(inspect.getsourcefile(module) or "") if module else Path())
        except TypeError:  # a built-in module
            continue
        parts.append((klass.__module__, klass.__qualname__))
    sources = [path for path in sorted(files) if path.is_file()]
    parts.append(code_digest(sources))
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def same_citation(before: Citation | None, now: Citation | None) -> bool:
    """Whether a citation reads as it did: same entry, list and id, its formatted entry and
    tooltip the very objects the last build formatted (reused from the cache)."""
    return (
        before is not None
        and now is not None
        and (before.key, before.bibliography_key) == (now.key, now.bibliography_key)
        and before.formatted_entry is now.formatted_entry
        and before.tooltip_entry is now.tooltip_entry
    )


class CachedBibtexDomain(BibtexDomain):
    """sphinxcontrib-bibtex's domain, formatting only what changed since the last build."""

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        #: Documents were read or purged in this build: citations must be computed again.
        self.documents_changed = False
        self.formatted_before: dict[Any, FormattedEntry] = {}
        self.labels_before: dict[Any, Any] = {}
        self.formatted_now: dict[Any, FormattedEntry] = {}
        self.labels_now: dict[Any, Any] = {}
        self.counts = [0, 0]  # formatted, reused
        #: The formatted entries the keys were found for, and each one's key by its id.
        self.keys_found: tuple[dict[Any, FormattedEntry], dict[int, Any]] | None = None
        #: The citations of the pages read again this build, as the last build made them.
        self.cleared_citations: list[Citation] = []

    @property
    def stored(self) -> StoredCiteData:
        stored = self.data.get("scholarsite_stored")
        if not isinstance(stored, StoredCiteData):
            stored = self.data["scholarsite_stored"] = StoredCiteData(
                Path(self.env.doctreedir), values=empty_parts()
            )
        return stored

    @property
    def bibdata(self) -> BibData:
        bibdata: BibData = self.data["bibdata"]
        if not isinstance(bibdata.data, StoredBibliography):  # just parsed: store the entries
            self.stored.set("entries", bibdata.data)
            bibdata = self.data["bibdata"] = bibdata._replace(data=StoredBibliography(self.stored))
        return bibdata

    @property
    def citations(self) -> list[Citation]:
        formatting = self.stored.get("formatting")
        if "citations" in self.data:  # set by sphinxcontrib-bibtex: store it
            formatting["citations"] = self.data.pop("citations")
        return cast(list[Citation], formatting["citations"])

    @property
    def formatted(self) -> dict[str, Any]:
        """What earlier builds formatted, kept to format only what changed."""
        return cast(dict[str, Any], self.stored.get("formatting")["formatted"])

    def clear_doc(self, docname: str) -> None:
        self.cleared_citations += [
            citation for citation in self.citations if citation.bibliography_key.docname == docname
        ]
        super().clear_doc(docname)
        self.documents_changed = True

    def attach_stored(self) -> None:
        """At the start of a build: find the stored data, or start afresh when it is gone."""
        self.stored.attach(
            Path(self.env.doctreedir),
            entries_from_refs=lambda: bibliography_from_refs(state(self.env).build),
            current_entries=lambda: self.bibdata.data.entries,
        )
        if not self.stored.readable():
            gone = ", ".join(sorted(self.stored.files()))
            logger.info(f"scholarsite: {gone} is gone; formatting afresh")
            del self.data["scholarsite_stored"]
            self.data["bibdata"] = BibData(encoding="", bibfiles={}, data=BibliographyData())
            self.documents_changed = True

    def env_updated(self) -> Iterable[str]:
        state, previous = self.bibliography_state(), self.data.get("scholarsite_state")
        if previous == state and not self.documents_changed:
            logger.verbose("scholarsite: bibliography unchanged, formatted entries reused")
            return []  # the citations restored from the pickle are what we would compute
        formatted = self.formatted
        before = {c.citation_id: c for c in [*self.cleared_citations, *self.citations]}
        self.cleared_citations = []
        self.formatted_before = formatted.get("entries", {})
        self.labels_before = formatted.get("labels", {})
        self.formatted_now, self.labels_now, self.counts = {}, {}, [0, 0]
        try:
            with cite_domain_warnings_dropped_when_suppressed(self.env.config.suppress_warnings):
                result = set(super().env_updated())
        finally:
            formatted["entries"], formatted["labels"] = self.formatted_now, self.labels_now
            self.formatted_before, self.labels_before = {}, {}
        self.data["scholarsite_state"] = state
        done, reused = self.counts
        logger.verbose(
            f"scholarsite: formatted {done} entr{'y' if done == 1 else 'ies'}, "
            f"reused {reused} from the last build"
        )
        if previous not in (None, state):
            # refs.bib, a style or the owner's names changed: rewrite the pages that show a
            # citation that now reads otherwise (which also saves the environment)
            result |= self.docs_showing_changed_citations(before)
        return sorted(result)

    def docs_showing_changed_citations(self, before: dict[str, Citation]) -> set[str]:
        """The pages showing a citation that is new, gone or formatted afresh since *before*.

        A citation formatted from the cache holds the very entry the last build formatted (the
        same object, unpickled with the citations), so an unchanged one is told apart without
        comparing texts; any other is taken as changed. With a key prefix (a reference's key
        is then not its citation's), every page showing a citation.
        """
        if any(bibliography.keyprefix for bibliography in self.bibliographies.values()):
            docs = {key.docname for key in self.bibliographies}
            return docs | {ref.docname for ref in self.citation_refs}
        now = {citation.citation_id: citation for citation in self.citations}
        changed = [
            citation
            for citation_id in before.keys() | now.keys()
            if not same_citation(before.get(citation_id), now.get(citation_id))
            for citation in (before.get(citation_id), now.get(citation_id))
            if citation is not None
        ]
        keys = {citation.key for citation in changed}
        docs = {citation.bibliography_key.docname for citation in changed}
        docs |= {
            ref.docname
            for ref in self.citation_refs
            if any(target.key in keys for target in ref.targets)
        }
        return docs

    def bibliography_state(self) -> tuple[Any, ...]:
        """Everything env_updated reads that no document read or purged would show."""
        config = self.env.config
        styles = sorted({bibliography.style for bibliography in self.bibliographies.values()})
        if config.bibtex_tooltips and config.bibtex_tooltips_style:
            styles.append(config.bibtex_tooltips_style)
        fingerprints = []
        for name in styles:
            try:
                style = pybtex.plugin.find_plugin("pybtex.style.formatting", name)
                fingerprints.append(style_fingerprint(style))
            except Exception:  # find_plugin reports it when the style is used
                fingerprints.append(repr(name))
        bibdata = self.bibdata
        return (
            bibdata.encoding,
            tuple((str(path), bibfile.mtime) for path, bibfile in bibdata.bibfiles.items()),
            sum(len(bibfile.keys) for bibfile in bibdata.bibfiles.values()),
            bool(config.bibtex_tooltips),
            config.bibtex_tooltips_style,
            tuple(config.scholarsite_owner_names),
            tuple(fingerprints),
        )

    def known_digests(self) -> dict[str, tuple[Entry, str]]:
        """The digests refs.bib's check computed, with their entries: the same entries as
        here when sphinxcontrib-bibtex was handed them (bibliography.py). A file unchanged
        since the last build counts once its entries are read (as they are when handed over),
        not before: it is not read for this alone."""
        checked = [
            refs.refs if isinstance(refs, CachedRefs) else refs
            for refs in state(self.env).build.refs
            if isinstance(refs, Refs) or refs.read
        ]
        return {
            key: (entry, refs.digests[key])
            for refs in checked
            for key, entry in refs.entries.items()
            if "crossref" not in entry.fields  # see cacheable_digest
        }

    def make_style(self, style_class: type) -> BaseStyle:
        """An instance of *style_class*; the homepage style gets the owner's names from conf.py
        and the records the build made of the entries with them."""
        if issubclass(style_class, HomepageStyle):
            build = state(self.env).build
            return style_class(
                owner_names=self.env.config.scholarsite_owner_names,
                records=(build.entries, build.publications),
            )
        return style_class()

    def get_filtered_entries(
        self, bibliography_key: BibliographyKey
    ) -> Iterable[tuple[str, Entry]]:
        # The same as sphinxcontrib-bibtex's, with the documents citing each key collected in
        # one pass over the citation references instead of one pass per entry.
        cited: dict[str, set[str]] = defaultdict(set)
        for citation_ref in self.citation_refs:
            for target in citation_ref.targets:
                cited[target.key].add(citation_ref.docname)
        bibliography = self.bibliographies[bibliography_key]
        for entry in self.get_entries(bibliography.bibfiles):
            key = bibliography.keyprefix + entry.key
            cited_docnames = cited.get(key, set())
            visitor = FilterVisitor(
                entry=entry, docname=bibliography_key.docname, cited_docnames=cited_docnames
            )
            try:
                success = visitor.visit(bibliography.filter_)
            except ValueError as err:
                logger.warning(
                    f"syntax error in :filter: expression; {err}",
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="filter_syntax_error",
                )
                success = bool(cited_docnames)
            if success or entry.key in bibliography.keys:
                yield key, entry

    def get_formatted_entries(
        self,
        bibliography_key: BibliographyKey,
        docnames: list[str],
        tooltips: bool,
        tooltips_style: str,
    ) -> Iterable[tuple[Entry, FormattedEntry, FormattedEntry | None]]:
        # The same as sphinxcontrib-bibtex's, each entry formatted at most once per style (the
        # tooltip shares the entry's when it uses the same style) and only when no earlier build
        # formatted it the same way.
        bibliography = self.bibliographies[bibliography_key]
        entries = dict(self.get_sorted_entries(bibliography_key, docnames))
        style_class = pybtex.plugin.find_plugin("pybtex.style.formatting", bibliography.style)
        tooltip_class = (
            pybtex.plugin.find_plugin("pybtex.style.formatting", tooltips_style)
            if tooltips and tooltips_style
            else None
        )
        owners = tuple(self.env.config.scholarsite_owner_names)
        style_print = (style_fingerprint(style_class), owners)
        tooltip_print = (style_fingerprint(tooltip_class), owners) if tooltip_class else None
        known = self.known_digests()
        digests = [
            known[entry.key][1]
            if entry.key in known and known[entry.key][0] is entry
            else cacheable_digest(entry)
            for entry in entries.values()
        ]
        styles: dict[str, BaseStyle] = {}

        def style(kind: str) -> BaseStyle:
            if kind not in styles:
                klass = style_class if kind == "main" else tooltip_class
                assert klass is not None  # a tooltip style is asked for only when there is one
                styles[kind] = self.make_style(klass)
            return styles[kind]

        # sorting and labels: of the whole list at once, as labels may depend on each other
        values = list(entries.values())
        labels_key = (style_print, tuple(digests)) if None not in digests else None
        order_labels = self.labels_before.get(labels_key) if labels_key else None
        if order_labels is None:
            sorted_entries = list(style("main").sort(values))
            index_of = {id(entry): index for index, entry in enumerate(values)}
            order = [index_of[id(entry)] for entry in sorted_entries]
            order_labels = (order, list(style("main").format_labels(sorted_entries)))
        if labels_key:
            self.labels_now[labels_key] = order_labels
        order, labels = order_labels
        for index, label in zip(order, labels, strict=False):
            entry, digest = values[index], digests[index]
            label = bibliography.labelprefix + label
            try:
                formatted = self.format("main", style, style_print, label, entry, digest)
                tooltip = None
                if tooltips:
                    tooltip = (
                        self.format("tooltip", style, tooltip_print, label, entry, digest)
                        if tooltip_class
                        else formatted
                    )
            except FieldIsMissing as exc:
                logger.warning(
                    str(exc),
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="missing_field",
                )
                yield entry, FormattedEntry(entry.key, Tag("b", str(exc)), label), None
            else:
                yield entry, formatted, tooltip

    def format(
        self,
        kind: str,
        style: Callable[[str], BaseStyle],
        fingerprint: Any,
        label: str,
        entry: Entry,
        digest: str | None,
    ) -> FormattedEntry:
        key = (fingerprint, label, digest) if digest else None
        formatted = self.formatted_before.get(key) if key else None
        if formatted is None:
            formatted = style(kind).format_entry(label, entry)
            self.counts[0] += 1
        else:
            self.counts[1] += 1
        if key:
            self.formatted_now[key] = formatted
        return formatted

    def format_key(self, formatted: FormattedEntry) -> Any:
        """What *formatted* was formatted from, as the cache keys it (the style, the owner's
        names, its label and its entry's digest): the same key, the same text. None for an
        entry the cache does not hold (one with a crossref)."""
        entries: dict[Any, FormattedEntry] = self.formatted.get("entries", {})
        if self.keys_found is None or self.keys_found[0] is not entries:
            self.keys_found = (entries, {id(value): key for key, value in entries.items()})
        key = self.keys_found[1].get(id(formatted))
        return key if key is not None and entries.get(key) is formatted else None


def start_build(app: Sphinx) -> None:
    """Find the stored cite data (before sphinxcontrib-bibtex reads refs.bib)."""
    domain = cite_domain(app.env)
    if isinstance(domain, CachedBibtexDomain):
        domain.attach_stored()


def note_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Documents are read in this build: citations must be computed again."""
    domain = cite_domain(env)
    if docnames and isinstance(domain, CachedBibtexDomain):
        domain.documents_changed = True


def finish_build(app: Sphinx, exception: Exception | None) -> None:
    domain = cite_domain(app.env)
    if exception is None and isinstance(domain, CachedBibtexDomain):
        remove_old_files(Path(app.doctreedir), domain.stored.files())
