"""The publication list's entries as HTML: each rendered once, then reused while its inputs hold.

An entry of the list is a docutils subtree that Sphinx post-transforms, indexes for search and
writes, Pygments highlighting its BibTeX box, on every build that writes the list; with
thousands of entries that is most of an entry edit's cost. Here each entry is put in the
doctree as an :class:`entry_html` node. The first time, the node holds the entry's subtree,
which Sphinx processes as before (links made safe, the HTML writer, Pygments), and its
visitor keeps the HTML the writer made, with an outline of the subtree for the doctree's later
readers (the search index, the page's description). Later, while the entry's key is the same,
the node holds that HTML and that outline instead (the outline only for a list's first
entries, as many as the page's description can read: :func:`described_text`). The writer
puts a short mark where kept HTML goes, and the first ``html-page-context`` handler puts the
HTML in its place (:meth:`EntryHTMLCache.place`).

Sphinx's search reads each entry once more, and its index of a page depends only on which
distinct words the page holds: so each entry is marked ``no-search`` and the list gets one
:class:`search_words` node holding the distinct words of its entries (kept with the HTML),
which the writers skip. The index is the same; it is made from tens of thousands of words
rather than hundreds of thousands.

The key is a digest of everything the HTML is made from: the caller's inputs for the entry
(its record, versions, backlinks, local PDF, ids, formatted text), the page it sits on
(relative addresses differ per page), the builder, the settings Sphinx rebuilds pages for,
the versions of the packages that render it and this package's code and data. The kept HTML lives in
a file of its own beside the environment pickle, read on first use, each entry pickled on its
own (unpickled when used; a save pickles only the entries rendered); it is saved at the end
of a build that logged no warning, so a warning an entry gives is given again next time.
(Pages written in parallel processes, ``-j N``, keep nothing: their entries are rendered
again next time, with the same result.)
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging as sphinx_logging

from . import ENV_VERSION, config
from .blob_store import BlobStore, unpickled
from .refs import CODE_DIGEST
from .state import state
from .upstream import WarningSuppressor

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = sphinx_logging.getLogger(__name__)

CACHE_FILE = "scholarsite-entry-html.pickle"
#: The layout of what the cache keeps for an entry: :data:`KeptEntry`, pickled.
CACHE_LAYOUT = 4
#: The packages whose output an entry's HTML is: a new release may write other markup.
RENDERERS = ("sphinx", "docutils", "pygments", "pybtex", "pybtex-docutils", "sphinxcontrib-bibtex")


class entry_html(nodes.General, nodes.Element):
    """One entry of the publication list: its children rendered (and the HTML kept), or the
    HTML kept from before (``html``), with the outline of what it was rendered from as its
    children (:func:`outline`: what search and the page's description read)."""


class search_words(nodes.Invisible, nodes.Element):
    """The distinct words of a list's entries, for Sphinx's search, which indexes a page by its
    distinct words: the entries themselves are ``no-search``. Writers skip it; so does
    sphinxext-opengraph's description, as it skips every invisible node."""


def skip_node(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def visit_entry_html(self: Any, node: entry_html) -> None:
    html = node.get("html")
    if html is not None:
        cache = state(self.builder.env).build.entry_html
        self.body.append(html if cache is None else cache.place(html))
        raise nodes.SkipNode
    node["body_start"] = len(self.body)


def depart_entry_html(self: Any, node: entry_html) -> None:
    cache = state(self.builder.env).build.entry_html
    kept_outline = outline_of(node)
    if cache is not None and kept_outline is not None:
        cache.store(
            node["docname"],
            node["cache_key"],
            "".join(self.body[node["body_start"] :]),
            kept_outline,
            node.get("words"),
        )


#: Nodes whose kind the doctree's later readers act on (sphinxext-opengraph's description
#: separates list items, skips literal blocks, raw HTML and comments; Sphinx's search skips
#: comments and reads raw HTML): kept in an entry's outline, with their classes and format.
_STRUCTURAL = (
    nodes.Part,
    nodes.Sequential,
    nodes.Invisible,
    nodes.Admonition,
    nodes.literal_block,
    nodes.raw,
)

Outline = list[Any]  # str (text) or (class name, classes, format, Outline)
#: An entry's HTML, its outline pickled (unpickled only where a page's description may read
#: it) and its distinct words joined by spaces (None: not known), as kept: one string, not
#: dozens, each to unpickle for every entry of the list.
KeptEntry = tuple[str, bytes, str | None]


def outline(node: nodes.Node, verbatim: bool = False) -> Outline | None:
    """What readers of the doctree after the writer's (search, page description) see of
    *node*'s children: their text, in the structure those readers act on, other elements
    left out; None when they would read more (a title, keywords, an element not docutils')."""
    parts: Outline = []
    for child in node.children:
        if isinstance(child, nodes.Text):
            parts.append(child.astext())
            continue
        if isinstance(child, (nodes.title, nodes.meta)) or not isinstance(child, nodes.Element):
            return None
        inner = outline(child, verbatim or isinstance(child, nodes.literal_block))
        if inner is None:
            return None
        if (
            verbatim
            or not inner
            or isinstance(child, _STRUCTURAL)
            or "no-search" in child["classes"]
        ):
            if type(child).__module__ != nodes.__name__:
                return None
            kind = type(child).__name__
            parts.append((kind, tuple(child["classes"]), child.get("format"), inner))
        else:
            parts.extend(inner)
    return parts


def outline_of(node: entry_html) -> Outline | None:
    """:func:`outline` of a rendered entry, made once (kept on the node): its subtree is final
    once references are resolved, and the search index and the writer both read it."""
    if "outline" not in node.attributes:
        node["outline"] = outline(node)
    result: Outline | None = node["outline"]
    return result


def from_outline(parts: Outline, parent: nodes.Element) -> list[nodes.Node]:
    """Docutils nodes that read as the nodes *parts* was made from, children of *parent*.

    Made by hand rather than with ``append``, which looks up the document for each child:
    thousands of entries make hundreds of thousands of nodes.
    """
    result: list[nodes.Node] = []
    for part in parts:
        child: nodes.Node
        if isinstance(part, str):
            child = nodes.Text(part)
        else:
            kind, classes, format_, inner = part
            element: nodes.Element = getattr(nodes, kind)()
            element["classes"] = list(classes)
            if format_ is not None:
                element["format"] = format_
            element.children = from_outline(inner, element)
            child = element
        child.parent = parent
        result.append(child)
    return result


#: How Sphinx's search reads raw HTML: its text without styles, scripts and tags.
_RAW_HTML_SKIPPED = (
    re.compile(r"<style.*?</style>", re.IGNORECASE | re.DOTALL),
    re.compile(r"<script.*?</script>", re.IGNORECASE | re.DOTALL),
    re.compile(r"<[^<]+?>"),
)


def text_of(parts: Outline) -> str:
    return "".join(part if isinstance(part, str) else text_of(part[3]) for part in parts)


def add_words(parts: Outline, split: Callable[[str], list[str]], words: set[str]) -> None:
    """Add to *words* the words Sphinx's search finds in the nodes *parts* outlines: the text,
    save comments and ``no-search`` elements; of raw nodes, only HTML's, its tags stripped."""
    for part in parts:
        if isinstance(part, str):
            words.update(split(part))
            continue
        kind, classes, format_, inner = part
        if kind == "comment" or "no-search" in classes:
            continue
        if kind == "raw":
            if "html" in (format_ or "").split():
                text = text_of(inner)
                for skipped in _RAW_HTML_SKIPPED:
                    text = skipped.sub("", text)
                words.update(split(text))
            continue
        add_words(inner, split, words)


def index_words_once(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Once a page's references are resolved: each list of entries the page shows indexed by
    its distinct words (see the module's docstring)."""
    cache = html_cache(app.env)
    lists = cache.lists.pop(docname, []) if cache is not None else []
    indexer = getattr(app.builder, "indexer", None)
    if not lists or indexer is None:
        return
    split = indexer.lang.split
    for last_section, entries in lists:
        words: set[str] = set()
        indexed = []
        for node in entries:
            if node.get("words") is None:
                kept_outline = outline_of(node)
                if kept_outline is None:  # Sphinx's search reads this one itself
                    continue
                found: set[str] = set()
                add_words(kept_outline, split, found)
                node["words"] = tuple(sorted(found))
            words.update(node["words"])
            indexed.append(node)
        distinct = sorted(words)
        text = " ".join(distinct)
        if split(text) != distinct:  # a language whose words are not split by spaces
            continue
        for node in indexed:
            node["classes"].append("no-search")
        last_section += search_words("", nodes.Text(text))


def described_text(app: Sphinx) -> int:
    """How much text of a list's first entries a page's description could read, twice over: the
    description reads the page's text up to its length (sphinxext-opengraph's setting), so the
    later entries need no outline (search reads their words, :class:`search_words`)."""
    return 2 * int(getattr(app.config, "ogp_description_length", 200))


def visible_length(text: str) -> int:
    """*text*'s length without whitespace: at most what a description reads of it (it may
    collapse spaces; its escapes and separators only make it longer)."""
    return sum(len(word) for word in text.split())


#: Nodes a page's description does not read (sphinxext-opengraph skips them).
_NOT_DESCRIBED = (nodes.Admonition, nodes.Invisible, nodes.raw, nodes.literal_block)


def described_length(parts: Outline) -> int:
    """The visible length of the text a page's description reads of an outline."""
    length = 0
    for part in parts:
        if isinstance(part, str):
            length += visible_length(part)
        elif not issubclass(getattr(nodes, part[0]), _NOT_DESCRIBED):
            length += described_length(part[3])
    return length


class WarningCounter(logging.Handler):
    """Counts the warnings (and errors) a build logs, those ``suppress_warnings`` hides aside."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(logging.WARNING)
        self.addFilter(WarningSuppressor(app))
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class EntryHTMLCache:
    """Kept HTML and outlines by page and entry key, each entry pickled on its own: as saved
    (read on first use, each entry unpickled when used), and as used in this build (a save
    after one entry's edit pickles that entry alone)."""

    def __init__(self, path: Path, fingerprint: str, warnings: WarningCounter) -> None:
        self.saved, self.warnings = BlobStore(path, fingerprint), warnings
        self.fingerprint = fingerprint
        self._before: dict[Any, bytes] | None = None
        self.now: dict[str, dict[str, bytes]] = {}
        self.counts = [0, 0]  # rendered, reused
        #: Kept HTML the writer placed in a page's body, by number, until the page's context
        #: is made (:meth:`place`); and how a place is marked in this build.
        self.placed: dict[int, str] = {}
        self.mark = f"\ue000scholarsite-entry-{os.urandom(6).hex()}-"
        #: Each page's lists made this build, to index once resolved: (where the words go,
        #: the entries).
        self.lists: dict[str, list[tuple[nodes.Element, list[entry_html]]]] = {}

    @property
    def before(self) -> dict[Any, bytes]:
        """Each entry's pickle as saved, by page and key."""
        if self._before is None:
            self._before = self.saved.load()
        return self._before

    def key(self, docname: str, inputs: Any) -> str:
        """The key of an entry on *docname* made from *inputs* (plain data, stable repr)."""
        data = repr((self.fingerprint, docname, inputs)).encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, digest_size=20).hexdigest()

    def has(self, docname: str, key: str) -> bool:
        """Whether an entry's HTML is kept for *key* on *docname*."""
        return (docname, key) in self.before

    def kept(self, docname: str, key: str) -> KeptEntry | None:
        data = self.before.get((docname, key))
        kept: KeptEntry | None = unpickled(data)
        if kept is not None and data is not None:
            self.now.setdefault(docname, {})[key] = data
        return kept

    def node(
        self, docname: str, key: str, render: Callable[[], nodes.Node], outlined: bool = True
    ) -> entry_html:
        """The entry's node: its kept HTML (with its outline as children when *outlined*), or
        the subtree ``render()`` gives, to be kept."""
        kept = self.kept(docname, key)
        if kept is not None:
            html, pickled_outline, words = kept
            self.counts[1] += 1
            listed_words = None if words is None else words.split(" ") if words else []
            node = entry_html(html=html, words=listed_words)
            if outlined:
                kept_outline = pickle.loads(pickled_outline)
                node.children = from_outline(kept_outline, node)
                node["described"] = described_length(kept_outline)
            return node
        self.counts[0] += 1
        node = entry_html("", render(), docname=docname, cache_key=key)
        if outlined:
            made = outline_of(node)
            node["described"] = 0 if made is None else described_length(made)
        return node

    def place(self, html: str) -> str:
        """Where the writer puts an entry's kept HTML in a page's body: a short mark, the HTML
        put in its place when the page's context is made (:func:`put_kept_entries_in_body`).

        Sphinx writes out every argument of ``html-page-context`` for a debug message, the
        page's body too, which a list of thousands of entries makes megabytes long.
        """
        number = len(self.placed)
        self.placed[number] = html
        return f"{self.mark}{number}\ue001"

    def put_in(self, body: str) -> str:
        """*body* with the HTML placed in it, each entry's in its place."""
        if self.mark not in body:
            return body
        pieces = body.split(self.mark)
        for index in range(1, len(pieces)):
            number, _, rest = pieces[index].partition("\ue001")
            pieces[index] = self.placed.pop(int(number)) + rest
        return "".join(pieces)

    def add_list(
        self, docname: str, last_section: nodes.Element, entries: list[entry_html]
    ) -> None:
        """A list of *entries* on *docname*, indexed for search by :func:`index_words_once`."""
        self.lists.setdefault(docname, []).append((last_section, entries))

    def store(
        self, docname: str, key: str, html: str, kept: Outline, words: tuple[str, ...] | None
    ) -> None:
        joined = None if words is None or any(" " in word for word in words) else " ".join(words)
        entry: KeptEntry = (html, pickle.dumps(kept, pickle.HIGHEST_PROTOCOL), joined)
        self.now.setdefault(docname, {})[key] = pickle.dumps(entry, pickle.HIGHEST_PROTOCOL)

    def save(self, docnames: set[str]) -> None:
        """Keep this build's entries, and those of pages it did not write (while they exist)."""
        if not self.now:
            return  # no list written: what is saved stands
        kept = {
            (doc, key): data
            for (doc, key), data in self.before.items()
            if doc in docnames and doc not in self.now
        }
        for doc, entries in self.now.items():
            kept.update(((doc, key), data) for key, data in entries.items())
        if kept != self.before:
            self.saved.save(kept)


def put_kept_entries_in_body(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The kept entries' HTML in the page's body, where the writer placed them: first of the
    ``html-page-context`` handlers, so that every other one, and the theme, sees the whole body."""
    cache = html_cache(app.env)
    if cache is not None and isinstance(context.get("body"), str):
        context["body"] = cache.put_in(context["body"])


def start_build(app: Sphinx) -> None:
    """At the start of an HTML build: this build's cache, and its count of warnings."""
    if app.builder.format != "html":
        return
    warnings = WarningCounter(app)
    logging.getLogger("sphinx").addHandler(warnings)
    versions = [(name, version(name)) for name in RENDERERS]
    code = (ENV_VERSION, CODE_DIGEST, CACHE_LAYOUT)  # the code, the data its records read
    translator = app.builder.get_translator_class()  # another extension may set its own
    writer = (app.builder.name, f"{translator.__module__}.{translator.__qualname__}")
    fingerprint = repr((code, versions, writer, config.settings_digest(app.config)))
    path = Path(app.doctreedir, CACHE_FILE)
    state(app.env).build.entry_html = EntryHTMLCache(path, fingerprint, warnings)


def html_cache(env: BuildEnvironment) -> EntryHTMLCache | None:
    """This build's cache of entry HTML; None for a builder that does not write HTML."""
    return state(env).build.entry_html


def save_cache(app: Sphinx, exception: Exception | None) -> None:
    """At the end of a build: keep the HTML of the entries it wrote, unless it logged a
    warning (an entry that gave one is rendered, and gives it, again next time)."""
    cache = state(app.env).build.entry_html
    if cache is None:
        return
    logging.getLogger("sphinx").removeHandler(cache.warnings)
    if exception is None and cache.warnings.count == 0:
        logger.verbose(
            f"scholarsite: list entries rendered {cache.counts[0]}, reused {cache.counts[1]}"
        )
        cache.save(set(app.env.found_docs))
