"""A paper page's and the Publications index's HTML, rendered from the records, not read by Sphinx.

Each page is a small docutils document made from a :class:`~scholarsite.publication.Publication`
(the same nodes the list is made of), written by the builder's own HTML translator, so that the
markup, the Pygments-highlighted BibTeX and the ids are those of a document, without the cost of
one. The theme's page.html then renders it through Sphinx's ``html-collect-pages``.
"""

from __future__ import annotations

import copy
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from pybtex_docutils import Backend
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import new_document
from sphinx.util.osutil import relative_uri

from . import links
from .entry_html import described_text, visible_length
from .page_frame import probe_pagename
from .publication import Publication
from .publications import (
    award_line,
    bibtex_of,
    cited_on_line,
    first_list_doc,
    legend,
    links_row,
    tag_node,
    versions_row,
    year_heading,
    year_order,
    year_section,
)
from .refs import page_name_for
from .simple_html import encoded, paragraph_html
from .state import state
from .style import record_author_nodes

logger = logging.getLogger(__name__)

#: The Publications index's title, as its page and the navigation show it.
INDEX_TITLE = "Publications"
#: Where a rendered page's document waits in its context for the head tags made from it.
PAGE_DOCTREE = "scholarsite_page_doctree"
#: How many of a rendered page's links go to no page (reported; the page is rendered again).
LINK_PROBLEMS = "scholarsite_link_problems"
#: The headings of a paper page's sections.
ABSTRACT = "Abstract"
BIBTEX = "BibTeX"


def paper_docname(app: Sphinx, key: str) -> str:
    """The page name (a docname, though no document) of *key*'s paper page."""
    publications = state(app.env).build.publications
    name = publications[key].page_name if key in publications else page_name_for(key)
    return f"{app.config.scholarsite_paper_dir}/{name}"


def index_docname(app: Sphinx) -> str:
    return f"{app.config.scholarsite_paper_dir}/index"


# -- The pages' content ------------------------------------------------------------


def venue_text(pub: Publication) -> str:
    """Venue (a thesis's kind and school, a report's type, institution and number), volume,
    number, pages, publisher and date (month and year) as one line, from what the record has."""
    parts: list[str] = []
    if pub.thesis_kind:
        parts.append(pub.thesis_kind)
    if pub.report_type:
        parts.append(f"{pub.report_type} {pub.report_number}".strip())
    if pub.venue and pub.venue != pub.institution:
        parts.append(pub.venue)
    if pub.institution and (pub.thesis_kind or pub.report_type):
        parts.append(pub.institution)
    if pub.volume:
        parts.append(f"vol. {pub.volume}" + (f", no. {pub.number}" if pub.number else ""))
    if pub.pages:
        parts.append(f"pp. {pub.pages}")
    if pub.publisher:
        parts.append(pub.publisher)
    parts.append(pub.date_text)
    text = ", ".join(part for part in parts if part)
    return f"{text}." if text else ""


def paper(app: Sphinx, docname: str, pub: Publication) -> list[nodes.Node]:
    """Authors, venue, legend, award, remark, links, versions, abstract, BibTeX, "Cited on"."""
    authors = nodes.paragraph(classes=["paper-authors"])
    authors.extend(record_author_nodes(pub))
    result: list[nodes.Node] = [authors]
    venue = nodes.paragraph(classes=["paper-venue"])
    tag = tag_node(pub)
    venue += nodes.strong("", "", *tag.children)
    venue += nodes.Text(venue_text(pub))
    result.append(venue)
    result.extend(legend(pub))
    result.extend(award_line(pub))
    if pub.remark_text:
        remark = nodes.paragraph()
        remark += nodes.emphasis("", "", *pub.remark.render(Backend()))
        result.append(remark)
    build = state(app.env).build
    lead = build.lead_of(pub.key) or pub.key
    row = links_row(pub, app, docname)
    if list_uri := list_uri_of(app, docname, lead):
        row += nodes.reference(
            "", "In the list", refuri=list_uri, internal=True, classes=["publication-link"]
        )
    result.append(row)
    if lead != pub.key and lead in build.publications:
        result.extend(versions_row(build.publications[lead], app, docname))
    else:
        result.extend(versions_row(pub, app, docname))
    if pub.abstract:
        result.append(section(ABSTRACT, nodes.paragraph("", pub.abstract)))
    source = bibtex_of(app, pub.key)
    result.append(section(BIBTEX, highlighted_bibtex(app, source)))
    result.extend(cited_on_line(pub.key, app, docname))
    return result


def highlighted_bibtex(app: Sphinx, source: str) -> nodes.Element:
    """The BibTeX as the HTML writer shows a ``bibtex`` literal block, by the writer's own
    highlighter (which highlights the list's copy of it once for both)."""
    highlighter = getattr(app.builder, "highlighter", None)
    if highlighter is None:
        return nodes.literal_block(source, source, language="bibtex")
    options = app.config.highlight_options.get("bibtex", {})
    highlighted = highlighter.highlight_block(source, "bibtex", opts=options, linenos=False)
    html = f'<div class="highlight-bibtex notranslate">{highlighted}</div>\n'
    return nodes.raw(source, html, format="html")


def section(title: str, *body: nodes.Node) -> nodes.section:
    result = nodes.section(ids=[title.lower()])
    result += nodes.title(title, title)
    result.extend(body)
    return result


def list_uri_of(app: Sphinx, docname: str, key: str, list_page: str | None = None) -> str | None:
    """Where *key*'s entry is on the full publication list, from *docname*'s page (whose
    address of the list's page is *list_page*, when the caller has it already)."""
    pub = state(app.env).build.publications.get(key)
    anchor = pub.anchor if pub is not None else nodes.make_id(key)
    if list_page is None:
        list_page = list_page_uri(app, docname)
    return f"{list_page}#{anchor}" if list_page is not None else None


def list_page_uri(app: Sphinx, docname: str) -> str | None:
    """The full publication list's page, from *docname*'s page; None when no page has it."""
    for list_doc in first_list_doc(app.env):
        return app.builder.get_relative_uri(docname, list_doc)
    return None


def index_entries(app: Sphinx, docname: str) -> list[tuple[str, Publication, str]]:
    """Every listed paper, newest year first, Undated last: its year, record and link."""
    build = state(app.env).build
    publications = build.publications
    listed = [key for key in build.listed if key in publications]
    order = {key: position for position, key in enumerate(listed)}
    by_year = sorted(listed, key=lambda key: (year_order(publications[key]), order[key]))
    entries = []
    list_page = list_page_uri(app, docname)
    for key in by_year:
        pub = publications[key]
        year = year_heading(pub)
        if app.config.scholarsite_paper_pages:
            uri = app.builder.get_relative_uri(docname, paper_docname(app, key))
        else:
            uri = list_uri_of(app, docname, key, list_page) or ""
        entries.append((year, pub, uri))
    return entries


def index(app: Sphinx, page: nodes.section, entries: list[tuple[str, Publication, str]]) -> None:
    """*entries* under their year headings into *page*, as docutils nodes.

    Each node is attached to the document before its children are added: docutils looks up
    the document of every node a child is added to, which is slow for a detached tree.
    """
    lists: dict[str, nodes.bullet_list] = {}
    for year, pub, uri in entries:
        if year not in lists:
            page += year_section(year, lists.setdefault(year, nodes.bullet_list()))
        list_item = nodes.list_item()
        lists[year] += list_item
        item = nodes.paragraph()
        list_item += item
        tag = nodes.strong()
        item += tag
        tag.extend(tag_node(pub).children)
        item += nodes.reference("", pub.title_text, refuri=uri, internal=True)


class index_list(nodes.General, nodes.Element):
    """One year's entries of the Publications index, written as the HTML translator writes the
    bullet list :func:`index` makes of them (``html``; tests/test_paper_pages.py compares)."""


def visit_index_list(self: Any, node: index_list) -> None:
    self.body.append(node["html"])
    raise nodes.SkipNode


def index_item_html(pub: Publication, uri: str) -> str:
    status = f" (<em>{encoded(pub.status)}</em>)" if pub.status else ""
    return (
        f"<li><p><strong>{encoded(f'[{pub.venue_tag or pub.kind}')}{status}] </strong>"
        f'<a class="reference internal" href="{encoded(uri)}">{encoded(pub.title_text)}</a>'
        "</p></li>\n"
    )


def described_entries(
    app: Sphinx, entries: list[tuple[str, Publication, str]]
) -> list[tuple[str, Publication, str]]:
    """The first of *entries*, as many as a page description can show (sphinxext-opengraph's
    reads the page's text up to its length): the rest could not change it."""
    length = described_text(app) + len(INDEX_TITLE)
    shown = 0
    for count, (year, pub, _) in enumerate(entries, 1):
        shown += visible_length(f"{year} {pub.venue_tag or pub.kind} {pub.status} {pub.title_text}")
        if shown > length:
            return entries[:count]
    return entries


# -- From nodes to a page --------------------------------------------------------------


def document_of(app: Sphinx, title: str, body: Sequence[nodes.Node] = ()) -> nodes.document:
    """A document of one section: *title* as its heading, with the id docutils gives it."""
    document = new_document("<scholarsite>", page_settings(app))
    page = nodes.section()
    page += nodes.title(title, title)
    page["names"].append(nodes.fully_normalize_name(title))
    document += page
    document.note_implicit_target(page, page)
    page.extend(body)
    return document


def page_settings(app: Sphinx) -> Any:
    """The builder's docutils settings, without the stylesheets of a standalone page's head,
    which the HTML translator would look for on disk for every page (Sphinx writes the body)."""
    build = state(app.env).build
    if build.page_settings is None:
        settings = copy.copy(app.builder.docsettings)  # type: ignore[attr-defined]
        settings.stylesheet_path = settings.stylesheet = ""
        build.page_settings = settings
    return build.page_settings


def title_html(title: str) -> str:
    """The title as HTML text, escaped as Sphinx's HTML writer escapes a document's title."""
    return encoded(title)


def translated(app: Sphinx, pagename: str, document: nodes.document) -> tuple[str, str]:
    """The body and meta tags the builder's translator writes of *document* as *pagename*."""
    builder: Any = app.builder
    builder.secnumbers = builder.fignumbers = {}
    builder.imgpath = relative_uri(builder.get_target_uri(pagename), "_images")
    builder.dlpath = relative_uri(builder.get_target_uri(pagename), "_downloads")
    builder.current_docname = pagename
    translator = builder.create_translator(document, builder)
    document.walkabout(translator)
    return "".join(translator.fragment), "".join(translator.meta[2:])


def page_context(
    app: Sphinx,
    pagename: str,
    title: str,
    document: nodes.document | None,
    written: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The template context Sphinx gives a document's page, for one that is not a document.

    Body and meta tags come from the builder's translator, as for a document (or are *written*
    already); the title, the neighbours in the navigation (the index has some; a paper page,
    in no toctree, none).
    """
    builder: Any = app.builder
    body = metatags = ""
    if written is not None:
        body, metatags = written
    elif document is not None:
        body, metatags = translated(app, pagename, document)
    context: dict[str, Any] = {
        "parents": [],
        "prev": None,
        "next": None,
        "title": title_html(title),
        "meta": {},
        "body": body,
        "metatags": metatags,
        "rellinks": builder.globalcontext["rellinks"][:],
        "sourcename": "",
        "toc": "",
        "display_toc": False,
        "page_source_suffix": "",
        "has_maths_elements": False,
        PAGE_DOCTREE: document,
    }
    related = builder.relations.get(pagename)
    titles = app.env.titles
    for position, name, code, label in ((2, "next", "N", "next"), (1, "prev", "P", "previous")):
        if related and related[position] in titles:
            neighbour = related[position]
            link = builder.get_relative_uri(pagename, neighbour)
            text = builder.render_partial(titles[neighbour])["title"]
            context[name] = {"link": link, "title": text}
            context["rellinks"].append((neighbour, text, code, label))
    return context


def paper_page(app: Sphinx, pub: Publication) -> dict[str, Any]:
    pagename = paper_docname(app, pub.key)
    title = " ".join(pub.title_text.split())
    document = document_of(app, title, paper(app, pagename, pub))
    links.make_links_safe(app, document, pagename)
    problems = check_internal_links(app, pagename, document, f"refs.bib entry {pub.key}")
    context = page_context(app, pagename, title, document, paper_body(app, pagename, document))
    context[LINK_PROBLEMS] = problems
    return context


# -- A paper page's body without a translator --------------------------------------------


@dataclass
class BodyFrame:
    """The translator's body of a probe paper page, cut where a page's own parts go: its
    heading (the probe's title and id), its Abstract and BibTeX sections, and its end.

    A page's lines between them are written by :mod:`scholarsite.simple_html`. The first page
    of each build is written both ways too, and the frame is used only while they agree.
    """

    heading: str
    probe_id: str
    abstract: tuple[str, str]
    bibtex: tuple[str, str]
    end: str
    #: The translator's meta tags of a page without meta tags of its own.
    metatags: str
    checked: bool = False

    def body(self, document: nodes.document) -> str | None:
        """*document*'s body (a page made by :func:`document_of` of paragraphs and sections
        as :func:`paper` makes them); None when it holds anything else."""
        page = document[0]
        if not isinstance(page, nodes.section) or not page["ids"]:
            return None
        title = page[0]
        if not isinstance(title, nodes.title):
            return None
        heading = self.heading.replace(self.probe_id, page["ids"][0])
        out = [heading.replace(PROBE_TITLE, encoded(title.astext()))]
        for child in page.children[1:]:
            if isinstance(child, nodes.section):
                part = self.section(child)
            else:
                part = paragraph_html(child)
            if part is None:
                return None
            out.append(part)
        out.append(self.end)
        return "".join(out)

    def section(self, section: nodes.section) -> str | None:
        """The Abstract (a paragraph of text) or the BibTeX (highlighted HTML) section."""
        if len(section) != 2 or not isinstance(section[0], nodes.title):
            return None
        heading, content = section[0].astext(), section[1]
        if section["classes"] or section["ids"] != [heading.lower()]:
            return None
        if not isinstance(content, nodes.Element) or content["classes"] or content["ids"]:
            return None
        text_only = all(isinstance(child, nodes.Text) for child in content.children)
        if heading == ABSTRACT and type(content) is nodes.paragraph and text_only:
            before, after = self.abstract
            return f"{before}{encoded(content.astext())}{after}"
        if heading == BIBTEX and type(content) is nodes.raw and content.get("format") == "html":
            before, after = self.bibtex
            return f"{before}{content.astext()}{after}"
        return None


#: A heading the probe page has, unlike any a page's id could hold (capitals, spaces).
PROBE_TITLE = "Scholarsite Probe Title"
#: Where a page's parts go in the probe (never in a translator's own text).
_LINES, _ABSTRACT, _BEFORE_BIBTEX, _BIBTEX, _TAIL = (
    f"\ue000scholarsite-{part}\ue000" for part in ("lines", "abstract", "pre", "bibtex", "tail")
)
_BODY_MARKS = re.compile("\ue000scholarsite-[a-z]+\ue000")


def body_frame(app: Sphinx) -> BodyFrame | None:
    """The probe page's body, written by the translator and cut at its marks; None when the
    translator does not write the marks once each in the probe's order."""
    body = [
        nodes.raw("", _LINES, format="html"),
        section(ABSTRACT, nodes.paragraph("", _ABSTRACT)),
        nodes.raw("", _BEFORE_BIBTEX, format="html"),
        section(BIBTEX, nodes.raw("", _BIBTEX, format="html")),
        nodes.raw("", _TAIL, format="html"),
    ]
    document = document_of(app, PROBE_TITLE, body)
    probe = document[0]
    assert isinstance(probe, nodes.section)
    probe_id = probe["ids"][0]
    text, metatags = translated(app, probe_pagename(app), document)
    if _BODY_MARKS.findall(text) != [_LINES, _ABSTRACT, _BEFORE_BIBTEX, _BIBTEX, _TAIL]:
        return None
    heading, abstract_start, abstract_end, bibtex_start, bibtex_end, end = _BODY_MARKS.split(text)
    if heading.count(PROBE_TITLE) != 1 or probe_id in PROBE_TITLE:
        return None
    abstract, bibtex = (abstract_start, abstract_end), (bibtex_start, bibtex_end)
    return BodyFrame(heading, probe_id, abstract, bibtex, end, metatags)


def paper_body(app: Sphinx, pagename: str, document: nodes.document) -> tuple[str, str] | None:
    """The body and meta tags of a paper page, from the build's body frame; None when the
    page needs the translator. The build's first page is written by both and compared."""
    build = state(app.env).build
    if build.body_frame is None:
        build.body_frame = body_frame(app) or False
    frame = build.body_frame
    if frame is False:
        return None
    body = frame.body(document)
    if body is None:
        return None
    if not frame.checked:
        frame.checked = True
        written = translated(app, pagename, document)
        if written != (body, frame.metatags):
            logger.verbose(
                f"scholarsite: the translator's body for {pagename} is not the frame's: "
                "every paper page is written by the translator"
            )
            build.body_frame = False
        return written
    return body, frame.metatags


def index_page(app: Sphinx) -> dict[str, Any]:
    """The Publications index: its year headings written by the translator, each year's list
    as HTML made from the records; its document, for the head tags, holds the first entries."""
    pagename = index_docname(app)
    entries = index_entries(app, pagename)
    document = document_of(app, INDEX_TITLE)
    page = document[0]
    assert isinstance(page, nodes.section)
    years: dict[str, tuple[index_list, list[str]]] = {}
    for year, pub, uri in entries:
        if year not in years:
            years[year] = (index_list(), [])
            page += year_section(year, years[year][0])
        years[year][1].append(index_item_html(pub, uri))
    for year_list, items in years.values():
        year_list["html"] = f'<ul class="simple">\n{"".join(items)}</ul>\n'
    links = [(uri, pub.title_text) for _, pub, uri in entries]
    problems = check_links(app, pagename, links, "the Publications index")
    context = page_context(app, pagename, INDEX_TITLE, document)
    described = document_of(app, INDEX_TITLE)
    assert isinstance(described[0], nodes.section)
    index(app, described[0], described_entries(app, entries))
    context[PAGE_DOCTREE] = described
    context[LINK_PROBLEMS] = problems
    return context


# -- Links as strict as -n ----------------------------------------------------------


def page_address(uri: str) -> str:
    """A page's address in the output folder, as a link to it reads once resolved: the same
    for ``projects/x/`` and ``projects/x`` (the dirhtml builder's), ``.`` for the site root."""
    return posixpath.normpath(uri)


def check_internal_links(app: Sphinx, pagename: str, document: nodes.document, what: str) -> int:
    """Report each link from the page to a page this build does not write; count them."""
    internal = [
        (node["refuri"], node) for node in document.findall(nodes.reference) if node.get("internal")
    ]
    return check_links(app, pagename, internal, what)


def check_links(
    app: Sphinx, pagename: str, internal: Sequence[tuple[str, str | nodes.Node]], what: str
) -> int:
    """Report each of the page's internal links (address, and its text or node) to a page this
    build does not write; count them."""
    targets = state(app.env).build.page_targets
    here = posixpath.dirname(app.builder.get_target_uri(pagename))
    problems = 0
    addresses: dict[str, str] = {}  # the index's thousands of links go to a few pages
    for uri, label in internal:
        path = uri.partition("#")[0]
        if path not in addresses:
            addresses[path] = page_address(posixpath.join(here, path)) if path else ""
        target = addresses[path]
        if not target or target in targets:
            continue
        problems += 1
        text = label if isinstance(label, str) else label.astext()
        logger.warning(
            f"{what}: its page {app.builder.get_target_uri(pagename)} links "
            f"({text!r}) to {target}, which this build does not write (a hidden, "
            "removed or misnamed page): show that page again, or remove what links to it",
            type="scholarsite",
            subtype="paper-link",
        )
    return problems
