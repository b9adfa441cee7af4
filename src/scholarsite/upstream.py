"""Every internal of another package the site relies on, named in one place, and why.

Each has no public equivalent. Each is bounded in pyproject.toml, and
``tests/test_upstream.py`` runs :func:`upstream_changes`, which names the upstream change when
one of them moves: then read the note here, adapt the code that uses it, and move the bound.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import furo

# pybtex's and sphinxcontrib-bibtex's registries of plugins registered at runtime, which their
# find_plugin reads before scanning every installed package's metadata: plugins.py fills them
# from one scan, where their register_plugin would scan once per call.
import pybtex.plugin
import sphinxcontrib.bibtex.plugin

# Sphinx's HTML builder writes a document's page in write_doc: it sets the builder's
# per-page attributes, walks the doctree with its translator, takes the translator's fragment
# and meta[2:], and gets the page's context from get_doc_context. paper_page_html.page_context
# does the same for the paper pages and the Publications index, which are no documents
# (rendered through html-collect-pages), so that their markup is a document's.
from sphinx.builders.html import StandaloneHTMLBuilder

# Sphinx's toctree directive keeps a URL entry in place; paper_pages.TocTreeWithPaperIndex
# lists the index through one, then names the index instead, and Sphinx's navigation reads
# the index's env.tocs, env.titles and env.metadata (paper_pages.register_index_in_navigation).
from sphinx.directives.other import TocTree
from sphinx.environment.adapters import toctree as toctree_adapter

# Sphinx's highlighter asks get_formatter for a new Pygments formatter per code block, and its
# writer calls highlight_block for each: highlighting.highlight_once wraps both on the builder's
# highlighter (one formatter per set of options, each block highlighted once).
from sphinx.highlighting import PygmentsBridge

# Sphinx's filter for ``suppress_warnings``: entry_html.WarningCounter counts a build's warnings
# as Sphinx reports them (a suppressed one is not a warning), and keeps no entry HTML from a
# build that had any. Sphinx has no public way to ask how many warnings a build logged.
from sphinx.util.logging import SphinxLoggerAdapter, WarningSuppressor, is_suppressed_warning

# sphinxcontrib-bibtex's domain warns through its module's ``logger``; its env_updated warns of
# every label two entries share (``bibtex.duplicate_label``), and the site's labels are venue
# tags, which most entries share: thousands of warnings a build, each made into a log record
# before Sphinx's filter drops it as suppressed. formatting_cache.CachedBibtexDomain swaps in
# ``SuppressedDropped`` while env_updated runs, which drops them first (see CHECKED_SOURCES).
from sphinxcontrib.bibtex import domain as bibtex_domain_module

# sphinxcontrib-bibtex's bibliography data, as its domain keeps it (``BibtexDomain.bibdata``):
# bibliography.reuse_parsed_bibliography hands it the entries the site already parsed and
# checked, so that refs.bib is parsed once per build, not twice.
from sphinxcontrib.bibtex.bibfile import BibData, BibFile, get_mtime, is_bibdata_outdated

# sphinxcontrib-bibtex's bibliography directive makes each citation's id by formatting the
# ``bibtex_cite_id`` setting (``.format(bibliography_count=..., key=...)``) and passing the result
# through docutils' make_id: publications.PublicationsDirective hands it a string whose format()
# gives each key's anchor from Refs.anchors (unique and non-empty for any key, which make_id of
# the key is not). It has no hook for ids.
from sphinxcontrib.bibtex.directives import BibliographyDirective, BibliographyKey

# sphinxcontrib-bibtex's domain: formatting_cache.CachedBibtexDomain overrides env_updated (to
# skip formatting when nothing it reads changed) and get_formatted_entries (to reuse what an
# earlier build formatted; a 4,000-entry no-op build takes seconds instead of half a minute),
# with a copy of get_filtered_entries' filter loop (_FilterVisitor) that collects the citing
# documents in one pass; it keeps its data["bibdata"] and data["citations"] outside the
# environment pickle. The domain has no hook for any of this.
from sphinxcontrib.bibtex.domain import BibtexDomain, Citation, _FilterVisitor

# sphinxcontrib-bibtex's BibliographyTransform fills each bibliography node with citations: the
# citation nodes its directive made (``BibliographyValue.citation_nodes``), each with a label
# and its formatted text (its docutils backend, then ``node_text_transform``).
# publications.ListCitations does the same for the publication list first, the formatted text
# only for the entries whose HTML is not kept (entry_html): the others' would be made, walked
# by every later post-transform, and dropped. The transform has no hook for that.
from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node
from sphinxcontrib.bibtex.transforms import BibliographyTransform, node_text_transform

# sphinxext-opengraph's get_tags makes a page's og: tags from its doctree; it skips a page
# without one, so paper_pages.add_page_head_tags calls it with the rendered page's document.
from sphinxext.opengraph import get_tags

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

__all__ = [
    "DOCUTILS_BACKEND",
    "REFERENCING_GROUP",
    "BibData",
    "BibFile",
    "BibliographyKey",
    "BibtexDomain",
    "Citation",
    "FilterVisitor",
    "WarningSuppressor",
    "bibliography_node",
    "cite_domain",
    "cite_domain_warnings_dropped_when_suppressed",
    "get_mtime",
    "get_tags",
    "is_bibdata_outdated",
    "node_text_transform",
    "pybtex_runtime_plugins",
    "referencing_runtime_plugins",
    "upstream_changes",
]

FilterVisitor = _FilterVisitor


class SuppressedDropped:
    """A Sphinx logger that drops a warning ``suppress_warnings`` suppresses before it makes
    a record of it: what reaches Sphinx is what Sphinx would show."""

    def __init__(self, logger: Any, suppress_warnings: Sequence[str]) -> None:
        self.logger, self.suppress_warnings = logger, tuple(suppress_warnings)

    def warning(self, message: object, *args: Any, **kwargs: Any) -> None:
        kind, subtype = kwargs.get("type"), kwargs.get("subtype", "")
        if kind is not None and is_suppressed_warning(kind, subtype, self.suppress_warnings):
            return
        self.logger.warning(message, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.logger, name)


@contextmanager
def cite_domain_warnings_dropped_when_suppressed(
    suppress_warnings: Sequence[str],
) -> Iterator[None]:
    """While it runs: sphinxcontrib-bibtex's domain logs through :class:`SuppressedDropped`."""
    logger = bibtex_domain_module.logger
    bibtex_domain_module.logger = cast(Any, SuppressedDropped(logger, suppress_warnings))
    try:
        yield
    finally:
        bibtex_domain_module.logger = logger


DOCUTILS_BACKEND = BibliographyTransform.backend

#: Furo's two <aside> landmarks as its page.html writes them: templates/page.html adds an
#: aria-label to each (screen readers, and axe's landmark-unique rule, need them told apart),
#: matching this markup, since no template block or setting reaches the <aside> elements.
FURO_ASIDES = ('<aside class="sidebar-drawer">', '<aside class="toc-drawer')

#: The upstream code the formatting cache copies or wraps, as a digest of its source per
#: release it was checked against: a new release that changes any of it fails the test.
CHECKED_SOURCES = {
    "sphinxcontrib-bibtex": {
        "2.7.0": {
            "BibtexDomain.env_updated": "f71b3b9a5852c467",
            "BibtexDomain.get_filtered_entries": "5b27babd1b10f650",
            "BibtexDomain.get_formatted_entries": "f7b36ed108766771",
            "BibtexDomain.get_sorted_entries": "72ad72c2045cd59e",
            "BibtexDomain.get_entries": "0d8cc6c393444e0b",
            "BibliographyTransform.run": "83ed247aad22cbe1",
        },
    },
}


def pybtex_runtime_plugins() -> dict[str, dict[str, type]]:
    """pybtex's registry of plugins registered at runtime, by group and name."""
    return cast(dict[str, dict[str, type]], pybtex.plugin._RUNTIME_PLUGINS)


#: sphinxcontrib-bibtex's plugin group of referencing styles.
REFERENCING_GROUP = "sphinxcontrib.bibtex.style.referencing"


def referencing_runtime_plugins() -> dict[str, type]:
    """sphinxcontrib-bibtex's registry of referencing styles registered at runtime, by name."""
    return sphinxcontrib.bibtex.plugin._runtime_plugins[REFERENCING_GROUP]


def cite_domain(env: BuildEnvironment) -> BibtexDomain:
    """sphinxcontrib-bibtex's domain in *env*."""
    return cast(BibtexDomain, env.get_domain("cite"))


def source_digest(function: Callable[..., Any]) -> str:
    return hashlib.blake2b(inspect.getsource(function).encode(), digest_size=8).hexdigest()


def upstream_changes() -> list[str]:
    """What moved upstream since the code here was written; empty when nothing did."""
    changes = []
    if BibData._fields != ("encoding", "bibfiles", "data") or BibFile._fields != (
        "mtime",
        "keys",
    ):
        changes.append(
            "sphinxcontrib-bibtex changed BibData/BibFile (sphinxcontrib.bibtex.bibfile): "
            "adapt bibliography.reuse_parsed_bibliography"
        )
    if not {"bibdata", "citations"} <= set(BibtexDomain.initial_data):
        changes.append(
            "sphinxcontrib-bibtex's domain no longer keeps data['bibdata'] and "
            "data['citations']: adapt formatting_cache.CachedBibtexDomain"
        )
    try:
        FilterVisitor(entry=None, docname="", cited_docnames=set())
    except TypeError as error:
        changes.append(f"sphinxcontrib-bibtex changed _FilterVisitor ({error})")
    installed = version("sphinxcontrib-bibtex")
    checked = CHECKED_SOURCES["sphinxcontrib-bibtex"]
    if installed not in checked:
        changes.append(
            f"sphinxcontrib-bibtex {installed} is not a release the formatting cache was "
            f"checked against ({', '.join(checked)}): compare BibtexDomain's env_updated, "
            "get_filtered_entries and get_formatted_entries with formatting_cache.py, then add "
            "the release's digests to upstream.CHECKED_SOURCES"
        )
    else:
        owners = {"BibtexDomain": BibtexDomain, "BibliographyTransform": BibliographyTransform}
        for name, digest in checked[installed].items():
            owner, _, attribute = name.partition(".")
            method = getattr(owners[owner], attribute, None)
            if method is None or source_digest(method) != digest:
                changes.append(
                    f"sphinxcontrib-bibtex {installed} changed {name}: "
                    "formatting_cache.py or publications.ListCitations copies or wraps it; "
                    "compare and adapt"
                )
    if "bibtex_cite_id.format(" not in inspect.getsource(BibliographyDirective.run):
        changes.append(
            "sphinxcontrib-bibtex's BibliographyDirective.run no longer formats bibtex_cite_id: "
            "publications.AnchorCiteId gives the list's anchors through it; adapt"
        )
    if not isinstance(getattr(bibtex_domain_module, "logger", None), SphinxLoggerAdapter):
        changes.append(
            "sphinxcontrib-bibtex's domain module no longer logs through a module-level Sphinx "
            "logger: adapt upstream.cite_domain_warnings_dropped_when_suppressed"
        )
    if not issubclass(WarningSuppressor, logging.Filter) or list(
        inspect.signature(WarningSuppressor).parameters
    ) != ["app"]:
        changes.append(
            "Sphinx changed sphinx.util.logging.WarningSuppressor (a logging.Filter made with "
            "the app): adapt entry_html.WarningCounter"
        )
    changes.extend(plugin_registry_changes())
    furo_page = Path(furo.__file__ or "").parent / "theme" / "furo" / "page.html"
    markup = furo_page.read_text(encoding="utf-8") if furo_page.is_file() else ""
    for aside in FURO_ASIDES:
        if markup.count(aside) != 1:
            changes.append(
                f"Furo {version('furo')} changed its page.html ({aside!r} is not there once): "
                "templates/page.html names the sidebars' landmarks by that markup"
            )
    return changes + page_rendering_changes()


def plugin_registry_changes() -> list[str]:
    """Whether the runtime registries are still what each package's find_plugin reads first."""
    changes = []

    class Probe:
        pass

    probes = (
        (
            "pybtex",
            pybtex_runtime_plugins().setdefault("pybtex.style.sorting", {}),
            lambda name: pybtex.plugin.find_plugin("pybtex.style.sorting", name),
        ),
        (
            "sphinxcontrib-bibtex",
            referencing_runtime_plugins(),
            lambda name: sphinxcontrib.bibtex.plugin.find_plugin(REFERENCING_GROUP, name),
        ),
    )
    for package, registry, find_plugin in probes:
        registry["scholarsite-probe"] = Probe
        try:
            found = find_plugin("scholarsite-probe")
        except Exception:  # whatever it raises, the registry moved
            found = None
        finally:
            del registry["scholarsite-probe"]
        if found is not Probe:
            changes.append(
                f"{package}'s find_plugin no longer reads its runtime registry first: "
                "adapt plugins.py and upstream's registry functions"
            )
    return changes


#: The keys of a document page's context (get_doc_context), which page_context gives too.
DOC_CONTEXT_KEYS = (
    "parents", "prev", "next", "title", "meta", "body", "metatags", "rellinks", "sourcename",
    "toc", "display_toc", "page_source_suffix",
)  # fmt: skip
#: What the site's code relies on in each upstream function, as its source says.
PAGE_RENDERING_SOURCES: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "Sphinx's StandaloneHTMLBuilder.write_doc": (
        StandaloneHTMLBuilder.write_doc,
        (
            "self.secnumbers =",
            "self.fignumbers =",
            "self.imgpath =",
            "self.dlpath =",
            "self.current_docname = docname",
            "''.join(visitor.fragment)",
            "''.join(visitor.meta[2:])",
            "self.get_doc_context(docname, body, clean_meta)",
            "ctx['has_maths_elements']",
        ),
    ),
    "Sphinx's StandaloneHTMLBuilder.get_doc_context": (
        StandaloneHTMLBuilder.get_doc_context,
        tuple(f"'{key}':" for key in DOC_CONTEXT_KEYS),
    ),
    "Sphinx's PygmentsBridge.highlight_block": (
        PygmentsBridge.highlight_block,
        ("formatter = self.get_formatter(**kwargs)",),
    ),
    "Sphinx's TocTree.parse_content": (
        TocTree.parse_content,
        ("if url_match or ref == 'self':", "toctree['entries'].append((title, ref))"),
    ),
    "Sphinx's toctree adapter _toctree_entry": (
        toctree_adapter._toctree_entry,
        ("env.metadata[ref]", "env.tocs[ref]"),
    ),
}


def page_rendering_changes() -> list[str]:
    changes = []
    for name, (function, needles) in PAGE_RENDERING_SOURCES.items():
        source = inspect.getsource(function)
        missing = [needle for needle in needles if needle not in source]
        if missing:
            changes.append(
                f"{name} changed (no {', '.join(missing)}): the code that relies on it "
                "(paper_page_html.page_context, paper_pages.TocTreeWithPaperIndex, "
                "highlighting.highlight_once) does what it did; adapt it"
            )
    parameters = list(inspect.signature(PygmentsBridge.highlight_block).parameters)
    if parameters != ["self", "source", "lang", "opts", "force", "location", "kwargs"]:
        changes.append(
            f"Sphinx's PygmentsBridge.highlight_block takes {parameters}: adapt "
            "highlighting.remembered_blocks"
        )
    parameters = list(inspect.signature(get_tags).parameters)
    if parameters != ["context", "doctree", "srcdir", "outdir", "config", "builder", "env"]:
        changes.append(
            f"sphinxext-opengraph's get_tags takes {parameters}: adapt "
            "paper_pages.add_page_head_tags"
        )
    return changes
