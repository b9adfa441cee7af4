"""A page per refs.bib entry and the Publications index, rendered through the theme, not read.

Neither is a Sphinx document: Sphinx's ``html-collect-pages`` hands each page's context to the
theme's page.html (as ablog does for its archive pages), and only the pages whose inputs changed
since the last build are rendered again. The index keeps its place in the navigation through
:class:`TocTreeWithPaperIndex`.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import docname_join, logging
from sphinx.util.nodes import explicit_title_re

from . import ENV_VERSION, config
from .fileutil import BackgroundWriter
from .hiding import HidingTocTree, is_hidden
from .page_frame import (
    PROBE_NAME,
    TEMPLATE,
    PageFrame,
    probe_pagename,
    render_frame,
    writes_utf8,
)
from .paper_page_html import (
    INDEX_TITLE,
    LINK_PROBLEMS,
    PAGE_DOCTREE,
    index_docname,
    index_page,
    page_address,
    page_context,
    paper_docname,
    paper_page,
    venue_text,
)
from .publication import Publication
from .publications import first_list_doc
from .refs import page_name_for
from .state import state
from .upstream import get_tags

logger = logging.getLogger(__name__)

#: The mark the previous version wrote into the sources it generated in docs/publications/.
GENERATED_MARK = "% Generated from refs.bib by scholarsite.paper_pages: edits here are overwritten."
#: The stamp of the rendered pages' inputs, beside the environment pickle.
STAMP = "scholarsite-paper-pages.json"
#: The event each paper page's context goes through when the page is put into the frame:
#: the ``html-page-context`` handlers that make its own head tags are connected to it too.
PAGE_HEAD_EVENT = "scholarsite-paper-page-head"
_SOURCE_SUFFIXES = (".md", ".rst")

__all__ = ["index_docname", "paper_docname", "venue_text"]


def page_name(key: str) -> str:
    """The file name a paper page has always had: the key, lower case, safe in a URL (a key
    whose name is empty or shared with another key's gets ``Refs.page_names``' instead)."""
    return page_name_for(key)


def pages_shown(app: Sphinx) -> bool:
    """Whether this build writes a page per entry (on, and the folder not hidden)."""
    folder = app.config.scholarsite_paper_dir
    return bool(app.config.scholarsite_paper_pages) and not is_hidden(app.config, f"{folder}/x")


def index_shown(app: Sphinx) -> bool:
    """Whether this build writes the Publications index (not hidden, and not a document)."""
    return not is_hidden(app.config, index_docname(app)) and (
        index_docname(app) not in app.env.found_docs
    )


def publication_of_page(app: Sphinx, pagename: str) -> Publication | None:
    """The record a paper page shows; None for any other page or when paper pages are off."""
    folder, _, name = pagename.partition("/")
    if folder != app.config.scholarsite_paper_dir or not app.config.scholarsite_paper_pages:
        return None
    if name == PROBE_NAME:  # the frame's digest must not load the records
        return None
    build = state(app.env).build
    if build.publications_by_page is None:
        build.publications_by_page = {pub.page_name: pub for pub in build.publications.values()}
    return build.publications_by_page.get(name)


def link_title_to_paper_page(app: Sphinx, key: str, node: nodes.Element, docname: str) -> None:
    """Make an entry's title on the list a link to the paper's own page."""
    if not pages_shown(app):
        return
    title = next(node.findall(nodes.strong))
    uri = app.builder.get_relative_uri(docname, paper_docname(app, key))
    title.replace_self(nodes.reference("", "", title.deepcopy(), refuri=uri, internal=True))


# -- The Publications index in the navigation -------------------------------------------


class TocTreeWithPaperIndex(HidingTocTree):
    """The toctree, where the Publications index, which is no document, is listed like one."""

    #: What the index's toctree line is while Sphinx's toctree reads the others (a URL: kept).
    stand_in = "scholarsite-paper-index://"

    def run(self) -> list[nodes.Node]:
        index = f"{self.config.scholarsite_paper_dir}/index"
        if index in self.env.found_docs or is_hidden(self.config, index):
            return super().run()
        for position, line in enumerate(self.content.data):
            entry, title = line.strip(), ""
            if match := explicit_title_re.match(entry):
                title, entry = match.group(1), match.group(2)
            for suffix in _SOURCE_SUFFIXES:
                entry = entry.removesuffix(suffix)
            if entry and "://" not in entry and docname_join(self.env.docname, entry) == index:
                stand_in = f"{title} <{self.stand_in}>" if title else self.stand_in
                self.content.data[position] = stand_in
        result = super().run()
        for node in result:
            for toctree in node.findall(addnodes.toctree):
                self.list_index(toctree, index)
        return result

    def list_index(self, toctree: addnodes.toctree, index: str) -> None:
        """Put the index where its stand-in is, among the entries and the included pages."""
        entries = toctree["entries"]
        for position, (title, ref) in enumerate(entries):
            if ref != self.stand_in:
                continue
            entries[position] = (title or None, index)
            documents_before = sum(
                1 for _, other in entries[:position] if other in toctree["includefiles"]
            )
            toctree["includefiles"].insert(documents_before, index)


def register_index_in_navigation(app: Sphinx, env: BuildEnvironment) -> None:
    """Give the index what Sphinx's navigation reads of a document: its title and its toc.

    It has no sections in the navigation (their headings are not the site's pages).
    """
    docname = index_docname(app)
    if docname in env.found_docs:
        return
    title = nodes.title(INDEX_TITLE, INDEX_TITLE)
    env.titles[docname] = env.longtitles[docname] = title
    reference = nodes.reference(
        "", "", nodes.Text(INDEX_TITLE), internal=True, refuri=docname, anchorname=""
    )
    item = nodes.list_item("", addnodes.compact_paragraph("", "", reference))
    env.tocs[docname] = nodes.bullet_list("", item)
    env.metadata[docname] = {}


# -- An old folder of generated sources --------------------------------------------------


def remove_generated_sources(app: Sphinx) -> None:
    """Delete what the previous version generated in docs/publications/ (the files carrying
    its mark); the folder goes too when nothing else is in it. The owner's own files stay."""
    folder = Path(app.srcdir, app.config.scholarsite_paper_dir)
    if not folder.is_dir():
        return
    removed = 0
    for path in folder.glob("*.md"):
        if GENERATED_MARK in path.read_text(encoding="utf-8", errors="replace"):
            path.unlink()
            removed += 1
    if removed:
        logger.info(f"scholarsite: removed {removed} page sources an older version generated")
        if not any(folder.iterdir()):
            folder.rmdir()


# -- Rendering only what changed ---------------------------------------------------------


def digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def frame_digest(app: Sphinx) -> str:
    """What every paper page shows besides its entry: theme, assets, navigation, profile.

    The frame (scholarsite.page_frame) is rendered through every handler a page goes through,
    and its text is the digest; the build keeps it to render the pages in.
    """
    frame = render_frame(app, page_context(app, probe_pagename(app), "", None))
    state(app.env).build.page_frame = frame
    return frame.digest


def build_digest(app: Sphinx) -> str:
    """What any of the pages may show that no entry says: settings, code, frame, the list's
    page, the index's neighbours, the titles of the pages that cite entries."""
    env = app.env
    domain = state(env)
    citing = sorted({doc for docs in domain.cited_on.values() for doc in docs})
    related = getattr(app.builder, "relations", {}).get(index_docname(app)) or []
    neighbours = [doc for doc in related if doc]
    titles = {doc: env.titles[doc].astext() for doc in [*citing, *neighbours] if doc in env.titles}
    return digest(
        ENV_VERSION,
        config.settings_digest(app.config),
        frame_digest(app),
        list(first_list_doc(env)),
        related,
        titles,
        pages_shown(app),
    )


def entry_inputs(app: Sphinx, pub: Publication) -> str:
    """What one paper page shows: its entry, the versions it lists, where it is cited, its PDF."""
    domain = state(app.env)
    build = domain.build
    lead = build.lead_of(pub.key) or pub.key
    shown = build.publications.get(lead, pub)
    keys = [pub.key, lead, *shown.versions, *pub.versions]
    return digest(
        [domain.entry_digests.get(key, "") for key in keys],
        domain.cited_on.get(pub.key, ()),
        pub.pdf in build.files,
    )


def read_stamp(app: Sphinx) -> dict[str, Any]:
    try:
        stamp = json.loads(Path(app.doctreedir, STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """Sphinx's html-collect-pages: each paper page and the index whose inputs changed.

    A no-op build decides from the stamp, the frame and what changed in refs.bib, files/ and the
    citations, without loading the records or rendering any page.
    """
    if app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    build = state(app.env).build
    folder = Path(app.outdir, app.config.scholarsite_paper_dir)
    stamp = read_stamp(app)
    before: dict[str, str] = stamp.get("pages", {})
    context = build_digest(app)
    present = {name for name in os.listdir(folder)} if folder.is_dir() else set()
    unchanged = (
        stamp.get("context") == context
        and stamp.get("refs") == build.refs_digest
        and not build.changed_keys
        and not build.files_changed
        and not build.backlinks_changed
        and present >= {f"{name}.html" for name in before}
    )
    if unchanged:
        build.paper_pages = list(before)
        return
    pages: dict[str, str] = {}
    shown = pages_shown(app)
    publications = build.publications if shown else {}
    names = {pub.page_name: pub for pub in publications.values()}
    if index_shown(app):
        names["index"] = None  # type: ignore[assignment]
    build.page_targets = {
        page_address(app.builder.get_target_uri(doc)) for doc in app.env.all_docs
    } | {
        page_address(app.builder.get_target_uri(f"{app.config.scholarsite_paper_dir}/{name}"))
        for name in names
    }
    frame = build.page_frame
    if frame is None or not frame.usable or not writes_utf8(app):
        frame = None
    frame_checked = False
    with BackgroundWriter() as writer:
        for name, pub in names.items():
            shows = build.refs_digest if pub is None else entry_inputs(app, pub)
            inputs = digest(context, shows)
            if before.get(name) == inputs and f"{name}.html" in present:
                pages[name] = inputs
                continue
            page = index_page(app) if pub is None else paper_page(app, pub)
            pagename = f"{app.config.scholarsite_paper_dir}/{name}"
            pages[name] = "" if page[LINK_PROBLEMS] else inputs
            if pub is None or frame is None:
                yield pagename, page, TEMPLATE
                continue
            html = framed_page(app, frame, pagename, page)
            if not frame_checked:
                frame_checked = True
                if html != rendered_page(app, pagename, page):
                    logger.verbose(
                        f"scholarsite: the theme's page for {pagename} is not the frame's: "
                        "every paper page is rendered through the theme"
                    )
                    frame = None
                continue
            output = Path(app.builder.get_outfilename(pagename))  # type: ignore[attr-defined]
            writer.write(output, html.encode("utf-8", errors="xmlcharrefreplace"))
    remove_stale_pages(app, folder, set(pages))
    build.paper_pages = list(pages)
    stamp = {"context": context, "refs": build.refs_digest, "pages": pages}
    path = Path(app.doctreedir, STAMP)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stamp, sort_keys=True), encoding="utf-8")


class PageContext(dict[str, Any]):
    """A paper page's context, written in Sphinx's debug message of an event by its page's
    name: Sphinx writes out every argument of every event it emits, the page's body too."""

    def __repr__(self) -> str:
        return f"<page context of {self.get('pagename')!r}>"


def framed_page(app: Sphinx, frame: PageFrame, pagename: str, page: dict[str, Any]) -> str:
    """The page's HTML: its title, body and head tags (made by the handlers connected to
    PAGE_HEAD_EVENT, as for a page rendered through the theme) put into the frame."""
    context = PageContext(page, pagename=pagename)
    app.emit(PAGE_HEAD_EVENT, pagename, TEMPLATE, context, None)
    name = posixpath.basename(pagename)
    return frame.page(name, context["title"], context["body"], context["metatags"])


def rendered_page(app: Sphinx, pagename: str, page: dict[str, Any]) -> str:
    """The page rendered through the theme (every handler) into its file, and its HTML."""
    app.builder.handle_page(pagename, page, TEMPLATE)  # type: ignore[attr-defined]
    output = Path(app.builder.get_outfilename(pagename))  # type: ignore[attr-defined]
    return output.read_text(encoding="utf-8")


def remove_stale_pages(app: Sphinx, folder: Path, wanted: set[str]) -> None:
    """Delete the page of an entry no longer in refs.bib (any page of the folder that is
    neither wanted nor a document's), as a clean build would not write it."""
    if not folder.is_dir():
        return
    documents = {app.builder.get_target_uri(doc) for doc in app.env.all_docs}
    prefix = app.config.scholarsite_paper_dir
    for path in folder.glob("*.html"):
        name = path.name.removesuffix(".html")
        if name not in wanted and f"{prefix}/{path.name}" not in documents:
            path.unlink()


def add_page_head_tags(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """sphinxext-opengraph's tags for a rendered page, which it skips for want of a doctree:
    made by its own function from the page's document (before the Highwire tags)."""
    document = context.pop(PAGE_DOCTREE, None)
    context.pop(LINK_PROBLEMS, None)
    if document is None or doctree is not None or "sphinxext.opengraph" not in app.extensions:
        return
    context["metatags"] += get_tags(
        context,
        document,
        srcdir=app.srcdir,
        outdir=app.outdir,
        config=app.config,
        builder=app.builder,
        env=app.env,
    )


# -- Keeping incremental builds exact ----------------------------------------------


def remove_pages_of_removed_docs(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Remove the page of a removed document, and its folder once empty.

    Sphinx leaves them in the output folder, where an incremental build would keep publishing
    them; a clean build has no such page (the projects hidden, say) and no such folder.
    """
    if app.builder.format != "html":
        return []
    outdir = Path(app.outdir)
    for docname in sorted(removed):
        page = Path(app.builder.get_outfilename(docname))  # type: ignore[attr-defined]
        page.unlink(missing_ok=True)
        folder = page.parent
        while folder != outdir and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return []


# -- One navigation tree for every paper page -----------------------------------------------
#
# Furo puts the whole site's navigation on every page, and Sphinx renders it afresh for each
# (the largest part of a paper page's cost). A page in no toctree, as a paper page is, has
# nothing in that tree marked current: its navigation differs from another such page's only in
# the folder its links are relative to. It is rendered once per folder.


def share_orphan_toctree(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    env = app.env
    in_toctrees = set().union(*env.toctree_includes.values())
    rendered_page = PAGE_DOCTREE in context and pagename != index_docname(app)
    if not rendered_page and (
        pagename not in env.all_docs  # a generated page (search, 404) may bring its own toctree
        or pagename == app.config.root_doc
        or pagename in in_toctrees
    ):
        return
    if "toctree" not in context:
        return
    render, folder = context["toctree"], posixpath.dirname(pagename)
    rendered = state(env).build.orphan_toctrees

    def toctree(**kwargs: Any) -> str:
        key = (folder, tuple(sorted(kwargs.items())))
        if key not in rendered:
            rendered[key] = render(**kwargs)
        return rendered[key]

    context["toctree"] = toctree


def share_asset_tags(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The same CSS and script tags for every rendered page of a folder, made once.

    Sphinx makes each tag afresh for each page, reading the asset to put its checksum in the
    address: the same bytes for every paper page of a build, read thousands of times.
    """
    if PAGE_DOCTREE not in context or "css_tag" not in context or "js_tag" not in context:
        return
    folder = posixpath.dirname(pagename)
    tags = state(app.env).build.asset_tags

    def shared(kind: str, make: Any) -> Any:
        def tag(asset: Any) -> str:
            attributes = getattr(asset, "attributes", {})
            name = str(getattr(asset, "filename", asset))
            key = (folder, kind, name, tuple(sorted(attributes.items())))
            if key not in tags:
                tags[key] = make(asset)
            return tags[key]

        return tag

    context["css_tag"] = shared("css", context["css_tag"])
    context["js_tag"] = shared("js", context["js_tag"])


def sitemap_pages(app: Sphinx) -> list[str]:
    """The addresses, under the site's, of the pages this build rendered or kept."""
    folder = app.config.scholarsite_paper_dir
    return [
        app.builder.get_target_uri(f"{folder}/{name}") for name in state(app.env).build.paper_pages
    ]
