"""A page per refs.bib entry, generated at every build, and the Publications index of them all."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from pybtex_docutils import Backend
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

from . import ENV_VERSION
from .fileutil import write_if_changed
from .publication import Publication, bibtex_source
from .publications import (
    award_line,
    cited_on_line,
    first_list_doc,
    legend,
    links_row,
    tag_node,
    versions_row,
    year_order,
)
from .refs import page_name_for
from .state import state
from .style import HomepageStyle

GENERATED_MARK = "% Generated from refs.bib by scholarsite.paper_pages: edits here are overwritten."
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


class paper_details(nodes.General, nodes.Element):
    """Where a paper page's authors, venue, links, BibTeX and backlinks go."""


class paper_index(nodes.General, nodes.Element):
    """Where the list of every paper page goes."""


def page_name(key: str) -> str:
    """The file name a paper page has always had: the key, lower case, safe in a URL (a key
    whose name is empty or shared with another key's gets :func:`page_name_of`'s instead)."""
    return page_name_for(key)


def page_name_of(app: Sphinx, key: str) -> str:
    """The file name of *key*'s paper page: unique, stable, safe in a URL (``Refs.page_names``)."""
    publications = state(app.env).build.publications
    return publications[key].page_name if key in publications else page_name_for(key)


def paper_docname(app: Sphinx, key: str) -> str:
    return f"{app.config.scholarsite_paper_dir}/{page_name_of(app, key)}"


def publication_of_page(app: Sphinx, pagename: str) -> Publication | None:
    """The record a paper page shows; None for any other page or when paper pages are off."""
    folder, _, name = pagename.partition("/")
    if folder != app.config.scholarsite_paper_dir or not app.config.scholarsite_paper_pages:
        return None
    build = state(app.env).build
    if build.publications_by_page is None:
        build.publications_by_page = {pub.page_name: pub for pub in build.publications.values()}
    return build.publications_by_page.get(name)


class PaperDirective(SphinxDirective):
    """The details of the paper whose key is the argument."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        return [paper_details(key=self.arguments[0])]


class PaperIndexDirective(SphinxDirective):
    """Every paper, newest year first, each linking to its page."""

    def run(self) -> list[nodes.Node]:
        return [paper_index()]


# -- Generating the pages' sources ---------------------------------------------


def markdown_text(text: str) -> str:
    """*text* escaped so that MyST reads it as plain text, never as markup."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def generate_sources(app: Sphinx) -> None:
    """Write the Publications index and one page per entry; remove pages whose entry is gone."""
    build = state(app.env).build
    folder = Path(app.srcdir, app.config.scholarsite_paper_dir)
    folder.mkdir(exist_ok=True)
    header = f"---\norphan: true\n---\n\n{GENERATED_MARK}\n"
    write_if_changed(folder / "index.md", f"{header}# Publications\n\n```{{paper-index}}\n```\n")
    # refs.bib and this code unchanged since the pages were written: leave them, unparsed.
    stamp = Path(app.doctreedir, "scholarsite-paper-pages.json")
    stamped = [build.refs_digest, ENV_VERSION, app.config.scholarsite_paper_pages]
    try:
        stamped_before, wanted = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamped_before, wanted = None, []
    if stamped_before != stamped or not all((folder / name).is_file() for name in wanted):
        publications = build.publications if app.config.scholarsite_paper_pages else {}
        names = []
        for pub in publications.values():
            title = markdown_text(pub.title_text)
            source = f"{header}# {title}\n\n```{{paper}} {pub.key}\n```\n"
            write_if_changed(folder / f"{pub.page_name}.md", source)
            names.append(f"{pub.page_name}.md")
        wanted = ["index.md", *names]
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps([stamped, wanted]), encoding="utf-8")
    for path in folder.glob("*.md"):
        if path.name not in wanted and path.read_text(encoding="utf-8").count(GENERATED_MARK):
            path.unlink()


# -- Rendering -------------------------------------------------------------------


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


def render_paper_pages(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Fill each paper page and the Publications index from refs.bib."""
    details = list(doctree.findall(paper_details))
    indexes = list(doctree.findall(paper_index))
    if not details and not indexes:
        return
    publications = state(app.env).build.publications
    for marker in details:
        marker.replace_self(paper(app, docname, publications[marker["key"]]))
    for index_marker in indexes:
        index_marker.replace_self(index(app, docname))


def paper(app: Sphinx, docname: str, pub: Publication) -> list[nodes.Node]:
    style = HomepageStyle(owner_names=app.config.scholarsite_owner_names)
    authors = nodes.paragraph(classes=["paper-authors"])
    authors.extend(style.format_record_authors(pub).render(Backend()))
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
        result.append(section("Abstract", nodes.paragraph("", pub.abstract)))
    source = bibtex_source(build.entries[pub.key])
    result.append(section("BibTeX", nodes.literal_block(source, source, language="bibtex")))
    result.extend(cited_on_line(pub.key, app, docname))
    return result


def section(title: str, *body: nodes.Node) -> nodes.section:
    result = nodes.section(ids=[title.lower()])
    result += nodes.title(title, title)
    result.extend(body)
    return result


def list_uri_of(app: Sphinx, docname: str, key: str) -> str | None:
    """Where *key*'s entry is on the full publication list, from *docname*'s page."""
    pub = state(app.env).build.publications.get(key)
    anchor = pub.anchor if pub is not None else nodes.make_id(key)
    for list_doc in first_list_doc(app.env):
        return f"{app.builder.get_relative_uri(docname, list_doc)}#{anchor}"
    return None


def index(app: Sphinx, docname: str) -> list[nodes.Node]:
    """Every listed paper under its year heading, newest first, Undated last."""
    build = state(app.env).build
    publications = build.publications
    listed = [key for key in build.listed if key in publications]
    order = {key: position for position, key in enumerate(listed)}
    by_year = sorted(listed, key=lambda key: (year_order(publications[key]), order[key]))
    result: list[nodes.Node] = []
    lists: dict[str, nodes.bullet_list] = {}
    for key in by_year:
        pub = publications[key]
        year = str(pub.group_year) if pub.group_year is not None else "Undated"
        if year not in lists:
            year_section = section(year, lists.setdefault(year, nodes.bullet_list()))
            year_section["ids"] = [f"year-{year.lower()}"]
            result.append(year_section)
        if app.config.scholarsite_paper_pages:
            uri = app.builder.get_relative_uri(docname, paper_docname(app, key))
        else:
            uri = list_uri_of(app, docname, key) or ""
        item = nodes.paragraph()
        item += nodes.strong("", "", *tag_node(pub).children)
        item += nodes.reference("", pub.title_text, refuri=uri, internal=True)
        lists[year] += nodes.list_item("", item)
    return result


def link_title_to_paper_page(app: Sphinx, key: str, node: nodes.Element, docname: str) -> None:
    """Make an entry's title on the list a link to the paper's own page."""
    if not app.config.scholarsite_paper_pages:
        return
    title = next(node.findall(nodes.strong))
    uri = app.builder.get_relative_uri(docname, paper_docname(app, key))
    title.replace_self(nodes.reference("", "", title.deepcopy(), refuri=uri, internal=True))


# -- Keeping incremental builds exact ----------------------------------------------


def docs_to_reread(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """A paper page shows its entry and its PDF: re-read it when either changed."""
    build = state(env).build
    keys = set(build.changed_keys)
    if build.files_changed:
        keys |= set(build.local_pdfs)
    docnames = {paper_docname(app, key) for key in keys}
    if keys:
        docnames.add(f"{app.config.scholarsite_paper_dir}/index")
    return sorted(docnames & env.found_docs)


def docs_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """A paper page shows its "Cited on" links: rewrite it when they changed."""
    keys = state(env).build.backlinks_changed
    return sorted({paper_docname(app, key) for key in keys} & env.found_docs)


def remove_pages_of_removed_docs(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Remove the page of a removed document (a paper whose entry left refs.bib).

    Sphinx leaves it in the output folder, where an incremental build would keep publishing
    it; a clean build has no such page.
    """
    if app.builder.format == "html":
        for docname in sorted(removed):
            Path(app.outdir, app.builder.get_target_uri(docname)).unlink(missing_ok=True)
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
    if (
        pagename not in env.all_docs  # a generated page (search, 404) may bring its own toctree
        or pagename == app.config.root_doc
        or pagename in in_toctrees
        or "toctree" not in context
    ):
        return
    render, folder = context["toctree"], posixpath.dirname(pagename)
    rendered = state(env).build.orphan_toctrees

    def toctree(**kwargs: Any) -> str:
        key = (folder, tuple(sorted(kwargs.items())))
        if key not in rendered:
            rendered[key] = render(**kwargs)
        return rendered[key]

    context["toctree"] = toctree
