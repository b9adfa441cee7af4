"""The publication list: every entry grouped by year, each with its links, BibTeX and backlinks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from docutils import nodes
from pybtex.database import Entry
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinxcontrib.bibtex.directives import BibliographyDirective

from .refs import HOMEPAGE_FIELDS, entry_digest
from .state import state
from .style import EQUAL_CONTRIBUTION_MARK, latex_to_text
from .upstream import cite_domain

#: The fields of the BibTeX entry a visitor copies: the standard ones, in this order.
BIBTEX_FIELDS = (
    "title", "booktitle", "journal", "series", "volume", "number", "pages", "year", "month",
    "publisher", "address", "organization", "school", "institution", "edition", "note",
    "isbn", "issn", "doi", "url", "eprint", "eprinttype", "archiveprefix",
)  # fmt: skip
#: Emitted for each entry rendered on the list: (app, key, list item, docname).
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


class PublicationsDirective(BibliographyDirective):
    """Every entry of refs.bib, grouped by year, newest first."""

    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        self.options = {"all": True}
        state(self.env).list_docs.add(self.env.docname)
        wrapper = publication_list()
        wrapper.extend(super().run())
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
    """Re-read what shows an entry of refs.bib that changed, or a PDF that came or went."""
    domain = state(env)
    build = domain.build
    before = domain.entry_digests
    digests = before
    if build.refs_digest != domain.refs_digest:  # refs.bib was edited
        digests = {key: entry_digest(entry) for key, entry in build.entries.items()}
        domain.refs_digest = build.refs_digest
    build.changed_keys = keys_that_differ(before, digests)
    build.files_changed = build.files != domain.files
    domain.entry_digests, domain.files = digests, build.files
    if not build.changed_keys and not build.files_changed:
        return []
    outdated = set(domain.list_docs)
    for key in build.changed_keys:
        outdated.update(domain.cited_on.get(key, ()))
    return sorted(outdated & env.found_docs)


def docs_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Rewrite the pages whose "Cited on" links changed with this build's citations."""
    domain = state(env)
    cited_on = citing_docs(env)
    domain.build.backlinks_changed = keys_that_differ(domain.cited_on, cited_on)
    domain.cited_on = cited_on
    return sorted(domain.list_docs) if domain.build.backlinks_changed else []


# -- Rendering -----------------------------------------------------------------


def entry_links(entry: Entry, app: Sphinx, fromdocname: str) -> list[tuple[str, str]]:
    """The (label, address) pairs an entry links to, each only when the data has it."""
    fields = entry.fields
    doi_url = f"https://doi.org/{fields['doi']}" if "doi" in fields else None
    eprint_type = fields.get("eprinttype", fields.get("archiveprefix", "")).lower()
    arxiv_id = fields["eprint"] if "eprint" in fields and eprint_type == "arxiv" else None
    arxiv_pdf = f"https://arxiv.org/pdf/{arxiv_id}" if arxiv_id else None
    links = []
    if pdf := fields.get("pdf"):
        if pdf in state(app.env).build.files:
            links.append(("PDF", relative_uri(app, fromdocname, f"files/{pdf}")))
        elif remote_copy := doi_url or fields.get("url") or arxiv_pdf:
            links.append(("PDF", remote_copy))
    if "code" in fields:
        links.append(("Code", fields["code"]))
    if doi_url:
        links.append(("DOI", doi_url))
    elif "url" in fields:
        links.append(("Publisher", fields["url"]))
    if arxiv_id:
        links.append(("arXiv", f"https://arxiv.org/abs/{arxiv_id}"))
    links += [
        (label, fields[name])
        for label, name in (("Slides", "slides"), ("Video", "video"), ("Project", "project"))
        if name in fields
    ]
    return links


def relative_uri(app: Sphinx, fromdocname: str, path: str) -> str:
    """*path* in the output folder, relative to the page of *fromdocname*."""
    depth = app.builder.get_target_uri(fromdocname).count("/")
    return "../" * depth + path


def bibtex_source(entry: Entry) -> str:
    """The entry as clean BibTeX: standard fields only, none of the homepage's own."""
    lines = [f"@{entry.original_type}{{{entry.key},"]
    for role in ("author", "editor"):
        if persons := entry.persons.get(role):
            lines.append(f"  {role} = {{{' and '.join(str(person) for person in persons)}}},")
    lines += [
        f"  {name} = {{{entry.fields[name]}}},"
        for name in BIBTEX_FIELDS
        if name in entry.fields and name not in HOMEPAGE_FIELDS
    ]
    return "\n".join([*lines, "}"])


def bibtex_box(entry: Entry, summary: str = "BibTeX") -> details:
    box = details(summary=summary, classes=["publication-bibtex"])
    source = bibtex_source(entry)
    box += nodes.literal_block(source, source, language="bibtex")
    return box


def links_row(entry: Entry, app: Sphinx, fromdocname: str) -> nodes.paragraph:
    row = nodes.paragraph(classes=["publication-links"])
    for label, uri in entry_links(entry, app, fromdocname):
        row += nodes.reference(label, label, refuri=uri, classes=["publication-link"])
    return row


def cited_on_line(key: str, app: Sphinx, fromdocname: str) -> list[nodes.Node]:
    """ "Cited on" links to every page that cites *key*; nothing when none does."""
    env = app.env
    docnames = state(env).cited_on.get(key, ())
    if not docnames:
        return []
    line = nodes.paragraph(classes=["publication-cited-on"])
    line += nodes.Text("Cited on: ")
    for index, docname in enumerate(docnames):
        if index:
            line += nodes.Text(", ")
        title = env.titles[docname].astext() if docname in env.titles else docname
        uri = app.builder.get_relative_uri(fromdocname, docname)
        line += nodes.reference("", title, refuri=uri, internal=True)
    return [line]


def render_publication_lists(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Group each rendered list by year and add each entry's links and BibTeX."""
    wrappers = list(doctree.findall(publication_list))
    if not wrappers:  # runs on every page: do no O(N) work where there is no list
        return
    domain = cite_domain(app.env)
    entries = domain.bibdata.data.entries
    order = {key: index for index, key in enumerate(entries)}
    key_of = {citation.citation_id: citation.key for citation in domain.citations}
    for wrapper in wrappers:
        citations = list(wrapper.findall(nodes.citation))
        for node in citations:
            node["key"] = key_of[node["ids"][0]]
        citations.sort(
            key=lambda node: (-int(entries[node["key"]].fields["year"]), order[node["key"]])
        )
        wrapper.replace_self(grouped_by_year(app, docname, citations, entries))


def grouped_by_year(
    app: Sphinx, docname: str, citations: list[nodes.citation], entries: Any
) -> list[nodes.Node]:
    """A section per year, each a list whose items are the entries, anchored at their keys."""
    result: list[nodes.Node] = []
    if any("author+an" in entries[node["key"]].fields for node in citations):
        legend = f"{EQUAL_CONTRIBUTION_MARK} Equal contribution."
        result.append(nodes.paragraph("", legend, classes=["publication-legend"]))
    years: dict[str, nodes.bullet_list] = {}
    for node in citations:
        key = node["key"]
        entry = entries[key]
        year = entry.fields["year"]
        if year not in years:
            section = nodes.section(ids=[f"year-{year}"])
            section += nodes.title(year, year)
            section += years.setdefault(year, nodes.bullet_list(classes=["publication-entries"]))
            result.append(section)
        years[year] += list_item(app, docname, node, entry)
    return result


def list_item(app: Sphinx, docname: str, citation: nodes.Element, entry: Entry) -> nodes.list_item:
    """The entry as a list item (docutils' citation markup has a deprecated ARIA role)."""
    key = citation["key"]
    label = next(citation.findall(nodes.label)).astext()
    text = next(citation.findall(nodes.paragraph))
    text.insert(0, nodes.inline("", f"[{label}] ", classes=["venue-tag"]))
    item = nodes.list_item("", text, ids=citation["ids"], classes=["citation"])
    app.emit(ENTRY_RENDERED, key, item, docname)
    item += links_row(entry, app, docname)
    item += bibtex_box(entry)
    item.extend(cited_on_line(key, app, docname))
    return item


def render_cited_publications(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill each page's short list with the entries the page cites, linked to the full list."""
    markers = list(doctree.findall(cited_publications))
    if not markers:  # runs on every page: do no O(N) work where there is no list
        return
    domain = cite_domain(app.env)
    by_key = {citation.key: citation for citation in domain.citations}
    for marker in markers:
        keys = dict.fromkeys(
            target.key
            for ref in domain.citation_refs
            if ref.docname == docname
            for target in ref.targets
        )
        items = nodes.bullet_list(classes=["cited-publications"])
        for key in keys:
            if (citation := by_key.get(key)) is None:
                continue
            entry = citation.entry
            uri = app.builder.get_relative_uri(docname, citation.bibliography_key.docname)
            tag = f"[{latex_to_text(entry.fields['venuetag'])}] "
            item = nodes.paragraph()
            item += nodes.inline("", tag, classes=["venue-tag"])
            item += nodes.reference(
                "",
                latex_to_text(entry.fields["title"]),
                refuri=f"{uri}#{citation.citation_id}",
                internal=True,
            )
            items += nodes.list_item("", item)
        marker.replace_self(items)


def first_list_doc(env: BuildEnvironment) -> Iterable[str]:
    """The document holding the full list, if any (the first, when several do)."""
    return sorted(state(env).list_docs)[:1]
