"""The publication list: every entry grouped by year, each with its links, BibTeX and backlinks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinxcontrib.bibtex.directives import BibliographyDirective

from .bibliography import bibfile_paths
from .entry_html import described_text, entry_html, html_cache
from .formatting_cache import CachedBibtexDomain
from .names import MARK_MEANINGS
from .publication import LINK_FIELDS, Publication, bibtex_source
from .refs import entry_digest
from .state import state
from .upstream import (
    DOCUTILS_BACKEND,
    BibliographyKey,
    Citation,
    bibliography_node,
    cite_domain,
    node_text_transform,
)

#: Emitted for each entry rendered on the list: (app, key, list item, docname); not for an
#: entry whose HTML is reused (scholarsite.entry_html), which already shows what it did.
ENTRY_RENDERED = "scholarsite-entry-rendered"


# -- Nodes and directives ------------------------------------------------------


class details(nodes.General, nodes.Element):
    """A disclosure widget: ``<details><summary>...</summary>...</details>``."""


def visit_details(self: Any, node: details) -> None:
    self.body.append(self.starttag(node, "details"))
    self.body.append(f"<summary>{self.encode(node['summary'])}</summary>")


def depart_details(self: Any, node: details) -> None:
    self.body.append("</details>")


class publication_list(nodes.General, nodes.Element):
    """Where the full publication list goes."""


class cited_publications(nodes.General, nodes.Element):
    """Where a page's short list of the publications it cites goes."""


class AnchorCiteId(str):
    """``bibtex_cite_id`` as the list's directive hands it to sphinxcontrib-bibtex: formatted
    for a key, it gives that key's anchor (``Refs.anchors``: unique, non-empty and stable for any
    key, a DOI, an ADS bibcode or ``余雄庆2020``), so that citations point where the list is."""

    anchors: dict[str, str]

    def __new__(cls, template: str, anchors: dict[str, str]) -> AnchorCiteId:
        cite_id = super().__new__(cls, template)
        cite_id.anchors = anchors
        return cite_id

    def format(self, *args: Any, **kwargs: Any) -> str:
        key = kwargs.get("key")
        if isinstance(key, str) and key in self.anchors:
            return self.anchors[key]
        return str(self).format(*args, **kwargs)


class PublicationsDirective(BibliographyDirective):
    """Every entry of refs.bib, grouped by year, newest first."""

    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        self.options = {"all": True}
        state(self.env).list_docs.add(self.env.docname)
        wrapper = publication_list()
        # sphinxcontrib-bibtex has no hook for a citation's id; it formats this setting (see
        # upstream.py), for this directive only.
        config = self.env.config
        template = config.bibtex_cite_id
        anchors = {
            key: anchor
            for refs in state(self.env).build.checked
            for key, anchor in refs.anchors.items()
        }
        config.bibtex_cite_id = AnchorCiteId(template, anchors)
        try:
            wrapper.extend(super().run())
        finally:
            config.bibtex_cite_id = template
        return [wrapper]


class CitedPublicationsDirective(SphinxDirective):
    """A short list of what this page cites, each linking to its entry on the full list."""

    def run(self) -> list[nodes.Node]:
        return [cited_publications(docname=self.env.docname)]


# -- Keeping incremental builds exact ------------------------------------------


def keys_that_differ(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Keys added, removed, or whose value changed from *old* to *new*."""
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def citing_docs(env: BuildEnvironment) -> dict[str, tuple[str, ...]]:
    """For every cited key, the documents that cite it, in a stable order."""
    cited_on: dict[str, set[str]] = {}
    for ref in cite_domain(env).citation_refs:
        for target in ref.targets:
            cited_on.setdefault(target.key, set()).add(ref.docname)
    return {key: tuple(sorted(docs)) for key, docs in sorted(cited_on.items())}


def docs_to_reread(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Rewrite what shows an entry of refs.bib that changed, or a PDF that came or went; read
    the full lists' pages again when the keys or their anchors changed.

    A page is read into the same document whatever the entries say, but for a full list's,
    whose citations are made for every key with its anchor as id: only those force a read.
    """
    domain = state(env)
    build = domain.build
    before = domain.entry_digests
    digests = before
    keys_moved = False
    if build.refs_digest != domain.refs_digest:  # refs.bib was edited
        # What a page shows of an entry also depends on the others: its versions, the entry
        # that shows it, and its anchor and page name (unique among all keys).
        publications = build.publications
        known = record_digests(env)
        digests = {
            key: (known.get(key) or entry_digest(entry))
            + repr((publications[key].anchor, publications[key].page_name))
            + repr((publications[key].versions, build.lead_of(key)))
            for key, entry in build.entries.items()
        }
        domain.refs_digest = build.refs_digest
        keys = [
            (sorted(refs.entries), sorted(refs.crossref_targets), sorted(refs.anchors.items()))
            for refs in build.checked
        ]
        keys_digest = hashlib.blake2b(repr(keys).encode()).hexdigest()
        keys_moved = keys_digest != domain.keys_digest
        domain.keys_digest = keys_digest
    build.changed_keys = keys_that_differ(before, digests)
    build.files_changed = build.files != domain.files
    domain.entry_digests, domain.files = digests, build.files
    if not build.changed_keys and not build.files_changed:
        return []
    showing = set(domain.list_docs)
    for key in build.changed_keys:
        showing.update(domain.cited_on.get(key, ()))
    build.showing_changes = showing & env.found_docs
    return sorted(domain.list_docs & env.found_docs) if keys_moved else []


def forget_bib_dependency(app: Sphinx, doctree: nodes.document) -> None:
    """A full list's page reads the same whatever the entries of refs.bib say: its dependency
    on the bib files (noted by sphinxcontrib-bibtex's directive, and by a download link to one)
    is dropped, so that an entry's edit rewrites the page rather than reading it again
    (:func:`docs_to_reread` reads it again when the keys or their anchors change). Kept when a
    node of the page came from a bib file (``literalinclude``, ``include``)."""
    env = app.env
    docname = env.docname
    if docname not in state(env).list_docs or docname not in env.dependencies:
        return
    bibfiles = {str(path) for path in bibfile_paths(app)}
    for node in doctree.findall(nodes.Element):
        source = node.get("source")
        if source and str(Path(source).resolve()) in bibfiles:
            return
    env.dependencies[docname] = {
        dependency
        for dependency in env.dependencies[docname]
        if str((Path(env.srcdir) / dependency).resolve()) not in bibfiles
    }


def docs_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Rewrite the pages showing a changed entry or file (:func:`docs_to_reread`), and those
    whose "Cited on" links changed with this build's citations."""
    domain = state(env)
    cited_on = citing_docs(env)
    titles = {doc: title_of(env, doc) for docs in cited_on.values() for doc in docs}
    changed = keys_that_differ(domain.cited_on, cited_on)
    # A citing page's new title changes the "Cited on" lines that name it.
    before = domain.cited_on_titles
    changed |= {
        key for key, docs in cited_on.items() if any(before.get(d) != titles[d] for d in docs)
    }
    domain.build.backlinks_changed = changed
    domain.cited_on, domain.cited_on_titles = cited_on, titles
    rewritten = set(domain.build.showing_changes)
    if domain.build.backlinks_changed:
        rewritten |= domain.list_docs
    return sorted(rewritten)


def title_of(env: BuildEnvironment, docname: str) -> str:
    """*docname*'s title as a "Cited on" line shows it."""
    return env.titles[docname].astext() if docname in env.titles else docname


# -- Rendering -----------------------------------------------------------------


def entry_links(pub: Publication, app: Sphinx, fromdocname: str) -> list[tuple[str, str]]:
    """The (label, address) pairs an entry links to, each only when the record has it.

    The PDF is the site's own copy in files/, else the PDF address the entry gives, else the
    arXiv PDF; never the publisher's landing page, which the DOI link already is.
    """
    links: list[tuple[str, str]] = []
    if pub.pdf and pub.pdf_is_local and pub.pdf in state(app.env).build.files:
        links.append(("PDF", relative_uri(app, fromdocname, f"files/{pub.pdf}")))
    elif pub.pdf and not pub.pdf_is_local:
        links.append(("PDF", pub.pdf))
    elif pub.arxiv:
        links.append(("PDF", pub.arxiv_pdf))
    field_labels = set(LINK_FIELDS.values())
    links += [(link.label, link.url) for link in pub.links if link.label == "Code"]
    links += [(link.label, link.url) for link in pub.links if link.label not in field_labels]
    if pub.doi:
        links.append(("DOI", pub.doi_url))
    elif pub.url and not (pub.arxiv and "arxiv.org/" in pub.url):
        links.append(("Publisher", pub.url))
    if pub.arxiv:
        links.append(("arXiv", pub.arxiv_url))
    links += [
        (link.label, link.url)
        for link in pub.links
        if link.label in field_labels and link.label != "Code"
    ]
    return links


def relative_uri(app: Sphinx, fromdocname: str, path: str) -> str:
    """*path* in the output folder, relative to the page of *fromdocname*."""
    depth = app.builder.get_target_uri(fromdocname).count("/")
    return "../" * depth + path


def bibtex_of(app: Sphinx, key: str) -> str:
    """*key*'s entry as visitors copy it, made once per build for the list and its page."""
    build = state(app.env).build
    if key not in build.bibtex_sources:
        build.bibtex_sources[key] = bibtex_source(build.entries[key])
    return build.bibtex_sources[key]


def bibtex_box(source: str, summary: str = "BibTeX") -> details:
    box = details(summary=summary, classes=["publication-bibtex"])
    box += nodes.literal_block(source, source, language="bibtex")
    return box


def links_row(pub: Publication, app: Sphinx, fromdocname: str) -> nodes.paragraph:
    row = nodes.paragraph(classes=["publication-links"])
    for label, uri in entry_links(pub, app, fromdocname):
        row += nodes.reference(label, label, refuri=uri, classes=["publication-link"])
    return row


def tag_node(pub: Publication) -> nodes.inline:
    """``[MLSys'26 (to appear)]``: the venue tag, and the status in italics."""
    tag = nodes.inline("", "", classes=["venue-tag"])
    tag += nodes.Text(f"[{pub.venue_tag or pub.kind}")
    if pub.status:
        tag += nodes.Text(" (")
        tag += nodes.emphasis("", pub.status)
        tag += nodes.Text(")")
    tag += nodes.Text("] ")
    return tag


def legend(pub: Publication) -> list[nodes.Node]:
    """What each mark on this entry's authors means (``* Equal contribution``)."""
    meanings = [f"{mark} {MARK_MEANINGS[mark]}" for mark in pub.marks if mark in MARK_MEANINGS]
    if not meanings:
        return []
    return [nodes.paragraph("", f"({'; '.join(meanings)})", classes=["publication-legend"])]


def award_line(pub: Publication) -> list[nodes.Node]:
    """The entry's award (al-folio's ``award``), on a line of its own; nothing without one."""
    if not pub.award:
        return []
    return [nodes.paragraph("", "", nodes.strong("", pub.award), classes=["publication-award"])]


def version_uri(app: Sphinx, fromdocname: str, pub: Publication) -> str:
    """Where another version of a paper is shown: its paper page, else its own address."""
    if app.config.scholarsite_paper_pages:
        docname = f"{app.config.scholarsite_paper_dir}/{pub.page_name}"
        return app.builder.get_relative_uri(fromdocname, docname)
    return pub.doi_url or pub.arxiv_url or pub.url


def versions_row(pub: Publication, app: Sphinx, fromdocname: str) -> list[nodes.Node]:
    """ "Versions" links to the other versions of this paper; nothing when it has none."""
    publications = state(app.env).build.publications
    others = [publications[key] for key in pub.versions if key in publications]
    if not others:
        return []
    internal = bool(app.config.scholarsite_paper_pages)
    links = [
        (other.venue_tag or other.title_text, version_uri(app, fromdocname, other), internal)
        for other in others
    ]
    return [captioned_links("Versions", "publication-versions", links)]


def cited_on_line(key: str, app: Sphinx, fromdocname: str) -> list[nodes.Node]:
    """ "Cited on" links to every page that cites *key*; nothing when none does."""
    env = app.env
    docnames = state(env).cited_on.get(key, ())
    if not docnames:
        return []
    links = [
        (title_of(env, docname), app.builder.get_relative_uri(fromdocname, docname), True)
        for docname in docnames
    ]
    return [captioned_links("Cited on", "publication-cited-on", links)]


def captioned_links(
    caption: str, css_class: str, links: list[tuple[str, str, bool]]
) -> nodes.paragraph:
    """``Caption: a, b, c``: each (label, address, internal) a link, separated by commas."""
    line = nodes.paragraph(classes=[css_class])
    line += nodes.Text(f"{caption}: ")
    for index, (label, uri, internal) in enumerate(links):
        if index:
            line += nodes.Text(", ")
        line += nodes.reference("", label, refuri=uri, internal=internal)
    return line


def year_order(pub: Publication) -> int:
    """Newest year first, the Undated group last."""
    return -pub.group_year if pub.group_year is not None else 1


def year_heading(pub: Publication) -> str:
    """The heading of the year the entry is listed under."""
    return str(pub.group_year) if pub.group_year is not None else "Undated"


def year_section(year: str, *body: nodes.Node) -> nodes.section:
    """A year's section of a list, headed by *year*, anchored at ``year-YEAR``."""
    section = nodes.section(ids=[f"year-{year.lower()}"])
    section += nodes.title(year, year)
    section.extend(body)
    return section


def render_publication_lists(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Group each rendered list by year and add each entry's links and BibTeX.

    Only listed entries are shown; another version of one is shown with it, and its id moves
    to that entry, so that citing it lands there.
    """
    wrappers = list(doctree.findall(publication_list))
    if not wrappers:  # runs on every page: do no O(N) work where there is no list
        return
    citations = {citation.citation_id: citation for citation in cite_domain(app.env).citations}
    for wrapper in wrappers:
        shown, moved_ids = shown_entries(app.env, list(wrapper.findall(nodes.citation)), citations)
        wrapper.replace_self(grouped_by_year(app, docname, shown, moved_ids, citations))


def shown_entries(
    env: BuildEnvironment, citation_nodes: list[nodes.Element], citations: dict[str, Citation]
) -> tuple[list[nodes.Element], dict[str, list[str]]]:
    """The citation nodes of listed entries, in the list's order (newest year first, then the
    owner's order), each with its key; and the ids of the others, by the entry that shows them.
    """
    build = state(env).build
    publications = build.publications
    order = {key: index for index, key in enumerate(build.listed)}
    shown: list[nodes.Element] = []
    moved_ids: dict[str, list[str]] = {}
    for node in citation_nodes:
        node["key"] = key = citations[node["ids"][0]].key
        if key in order:
            shown.append(node)
        elif lead := build.lead_of(key):
            moved_ids.setdefault(lead, []).extend(node["ids"])
    shown.sort(key=lambda node: (year_order(publications[node["key"]]), order[node["key"]]))
    return shown, moved_ids


def grouped_by_year(
    app: Sphinx,
    docname: str,
    citations: list[nodes.Element],
    moved_ids: dict[str, list[str]],
    formatted: dict[str, Citation] | None = None,
) -> list[nodes.Node]:
    """A section per year (Undated last), each a list of the entries, anchored at their keys.

    Each entry is rendered once and its HTML reused while what it shows stays the same
    (:mod:`scholarsite.entry_html`; *formatted*: sphinxcontrib-bibtex's citations by id).
    """
    build = state(app.env).build
    publications = build.publications
    cache = html_cache(app.env) if formatted is not None else None
    digests = record_digests(app.env)
    result: list[nodes.Node] = []
    years: dict[str, nodes.bullet_list] = {}
    entries: list[entry_html] = []
    described, budget = 0, described_text(app)
    for node in citations:
        key = node["key"]
        pub = publications[key]
        year = year_heading(pub)
        if year not in years:
            years[year] = nodes.bullet_list(classes=["publication-entries"])
            section = year_section(year, years[year])
            result.append(section)
        extra_ids = moved_ids.get(key, [])
        if cache is None or formatted is None:
            years[year] += list_item(app, docname, node, pub, extra_ids)
            continue
        citation = formatted[node["ids"][0]]
        key = node.get(ENTRY_KEY) or cache.key(
            docname, entry_inputs(app.env, docname, node, pub, extra_ids, citation, digests)
        )
        render = partial(list_item, app, docname, node, pub, extra_ids)
        entries.append(cache.node(docname, key, render, outlined=described < budget))
        adopt(years[year], entries[-1])
        described += entries[-1].get("described", 0)
    if cache is not None and entries:
        cache.add_list(docname, section, entries)  # the words go in the last year's section
    return result


def adopt(parent: nodes.Element, child: nodes.Element) -> None:
    """*child* appended to *parent*, which is in no document yet: ``append`` would look the
    document up for each of a list's thousands of entries."""
    parent.children.append(child)
    child.parent = parent


def record_digests(env: BuildEnvironment) -> dict[str, str]:
    """Each entry's digest (crossref filled in), by key."""
    return {
        key: digest for refs in state(env).build.checked for key, digest in refs.digests.items()
    }


#: The attribute of a list citation that holds its entry's key in the entry HTML cache.
ENTRY_KEY = "scholarsite_entry_key"


class ListCitations(SphinxPostTransform):
    """The publication list's citations, made only for the entries that will be rendered.

    sphinxcontrib-bibtex's BibliographyTransform (priority 5) gives each citation of a
    bibliography its formatted text, which the later post-transforms then walk. On the list,
    an entry whose HTML is kept (:mod:`scholarsite.entry_html`) needs only its citation's ids:
    this makes the list's citations first, as BibliographyTransform would, the formatted text
    only where an entry is rendered (see ``upstream.py``).
    """

    default_priority = 4
    formats = ("html",)

    def run(self, **kwargs: Any) -> None:
        wrappers = list(self.document.findall(publication_list))
        cache = html_cache(self.env)
        if not wrappers or cache is None:
            return
        domain = cite_domain(self.env)
        citations = {citation.citation_id: citation for citation in domain.citations}
        digests = record_digests(self.env)
        publications = state(self.env).build.publications
        page = self.env.docname  # the page written, where the list may be included from docname
        for wrapper in wrappers:
            for bibnode in list(wrapper.findall(bibliography_node)):
                docname = bibnode["docname"]
                bib_key = BibliographyKey(docname=docname, id_=bibnode["ids"][0])
                bibliography = domain.bibliographies[bib_key]
                made = []
                for citation in domain.citations:
                    if citation.bibliography_key == bib_key:
                        node = bibliography.citation_nodes[citation.key]
                        node["docname"] = docname
                        made.append(node)
                shown, moved_ids = shown_entries(self.env, made, citations)
                for node in shown:
                    citation = citations[node["ids"][0]]
                    pub, extra_ids = publications[node["key"]], moved_ids.get(node["key"], [])
                    inputs = entry_inputs(self.env, page, node, pub, extra_ids, citation, digests)
                    node[ENTRY_KEY] = key = cache.key(page, inputs)  # for the rendering
                    if not cache.has(page, key):
                        formatted_citation(node, citation)
                container = nodes.container()
                for node in made:
                    adopt(container, node)
                bibnode.replace_self(container if made else nodes.target())


def formatted_citation(node: nodes.Element, citation: Citation) -> None:
    """*node* as BibliographyTransform makes a citation of a ``citation`` list (label,
    formatted text, ``\\url`` made a link); backrefs aside, which the list does not show."""
    node += nodes.label("", citation.formatted_entry.label, support_smartquotes=False)
    node += DOCUTILS_BACKEND.paragraph(citation.formatted_entry)
    node_text_transform(node)


def entry_inputs(
    env: BuildEnvironment,
    docname: str,
    citation: nodes.Element,
    pub: Publication,
    extra_ids: list[str],
    formatted: Citation,
    digests: dict[str, str],
) -> tuple[object, ...]:
    """Everything :func:`list_item` reads to render *pub* on *docname*, as plain data: the
    entry's digest (its record and BibTeX follow from it, the owner's names and its anchor,
    page name and versions), each version's, its formatted text and ids, whether its local PDF
    is present, the pages citing it and their titles. The page, the builder, settings and code
    are the cache's part of the key."""
    build = state(env).build
    versions = tuple(
        (key, digests.get(key), build.publications[key].page_name)
        for key in pub.versions
        if key in build.publications
    )
    cited_on = tuple((doc, title_of(env, doc)) for doc in state(env).cited_on.get(pub.key, ()))
    return (
        pub.key,
        digests.get(pub.key),
        pub.anchor,
        pub.page_name,
        versions,
        formatted_text_key(env, formatted),
        formatted.formatted_entry.label,
        tuple(citation["ids"]),
        tuple(extra_ids),
        bool(pub.pdf and pub.pdf_is_local and pub.pdf in build.files),
        cited_on,
    )


def formatted_text_key(env: BuildEnvironment, citation: Citation) -> object:
    """What a citation's formatted text is made from, as the formatting cache keys it; the
    text itself where that is not known (an entry with a crossref)."""
    domain = cite_domain(env)
    if isinstance(domain, CachedBibtexDomain):
        key = domain.format_key(citation.formatted_entry)
        if key is not None:
            return ("formatted from", key)
    return repr(citation.formatted_entry.text)


def list_item(
    app: Sphinx,
    docname: str,
    citation: nodes.Element,
    pub: Publication,
    extra_ids: list[str] = (),  # type: ignore[assignment]
) -> nodes.list_item:
    """The entry as a list item (docutils' citation markup has a deprecated ARIA role)."""
    key = citation["key"]
    text = next(citation.findall(nodes.paragraph))
    text.insert(0, tag_node(pub))
    # The entry's own anchor first (Refs.anchors: unique and stable for any key), then the id
    # sphinxcontrib-bibtex's citations point to, where it differs.
    ids = list(dict.fromkeys([pub.anchor, *citation["ids"], *extra_ids]))
    item = nodes.list_item("", text, ids=ids, classes=["citation"])
    app.emit(ENTRY_RENDERED, key, item, docname)
    item.extend(legend(pub))
    item.extend(award_line(pub))
    item.extend(versions_row(pub, app, docname))
    item += links_row(pub, app, docname)
    item += bibtex_box(bibtex_of(app, key))
    item.extend(cited_on_line(key, app, docname))
    return item


def render_cited_publications(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill each page's short list with the entries the page cites, linked to the full list."""
    markers = list(doctree.findall(cited_publications))
    if not markers:  # runs on every page: do no O(N) work where there is no list
        return
    domain = cite_domain(app.env)
    build = state(app.env).build
    by_key = {citation.key: citation for citation in domain.citations}
    for marker in markers:
        keys = dict.fromkeys(
            build.lead_of(target.key) or target.key
            for ref in domain.citation_refs
            if ref.docname == docname
            for target in ref.targets
        )
        items = nodes.bullet_list(classes=["cited-publications"])
        for key in keys:
            citation = by_key.get(key)
            pub = build.publications.get(key)
            if citation is None or pub is None:
                continue
            uri = app.builder.get_relative_uri(docname, citation.bibliography_key.docname)
            item = nodes.paragraph()
            item += tag_node(pub)
            item += nodes.reference(
                "", pub.title_text, refuri=f"{uri}#{citation.citation_id}", internal=True
            )
            items += nodes.list_item("", item)
        marker.replace_self(items)


def first_list_doc(env: BuildEnvironment) -> Iterable[str]:
    """The document holding the full list, if any (the first, when several do)."""
    return sorted(state(env).list_docs)[:1]
