"""A page per refs.bib entry, with the Highwire Press tags Google Scholar indexes."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from pybtex.database import Entry, Person
from pybtex_docutils import Backend
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from . import ENV_VERSION, __version__
from .publications import (
    bibliography,
    bibtex_source,
    cited_on_line,
    links_row,
    local_pdfs,
)
from .site_metadata import json_ld
from .style import EQUAL_CONTRIBUTION_MARK, HomepageStyle, latex_to_text, person_text

GENERATED_MARK = "% Generated from refs.bib by scholarsite.paper_pages: edits here are overwritten."
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


class paper_details(nodes.General, nodes.Element):
    """Where a paper page's authors, venue, links, BibTeX and backlinks go."""


class paper_index(nodes.General, nodes.Element):
    """Where the list of every paper page goes."""


def page_name(key: str) -> str:
    """The file name of a paper page: the key, lower case, safe in a URL."""
    return re.sub(r"[^a-z0-9_-]+", "-", key.lower())


def paper_docname(app: Sphinx, key: str) -> str:
    return f"{app.config.scholarsite_paper_dir}/{page_name(key)}"


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


def write_if_changed(path: Path, text: str) -> None:
    """Write only a changed page, so that Sphinx re-reads only what changed."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def entries_by_page(app: Sphinx) -> dict[str, Entry]:
    """The entry each paper page shows, by page name (none when paper pages are off)."""
    if not hasattr(app, "scholarsite_entries_by_page"):
        entries = bibliography(app) if app.config.scholarsite_paper_pages else {}
        app.scholarsite_entries_by_page = {page_name(key): entry for key, entry in entries.items()}  # type: ignore[attr-defined]
    return app.scholarsite_entries_by_page  # type: ignore[attr-defined]


def generate_sources(app: Sphinx) -> None:
    """Write the Publications index and one page per entry; remove pages whose entry is gone."""
    folder = Path(app.srcdir, app.config.scholarsite_paper_dir)
    folder.mkdir(exist_ok=True)
    header = f"---\norphan: true\n---\n\n{GENERATED_MARK}\n"
    write_if_changed(folder / "index.md", f"{header}# Publications\n\n```{{paper-index}}\n```\n")
    # refs.bib and this code unchanged since the pages were written: leave them, unparsed.
    stamp = Path(app.doctreedir, "scholarsite-paper-pages.json")
    state = [app.scholarsite_refs_digest, ENV_VERSION, app.config.scholarsite_paper_pages]  # type: ignore[attr-defined]
    try:
        stamped_state, wanted = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stamped_state, wanted = None, []
    if stamped_state != state or not all((folder / name).is_file() for name in wanted):
        by_page = entries_by_page(app)
        for name, entry in by_page.items():
            title = markdown_text(latex_to_text(entry.fields["title"]))
            source = f"{header}# {title}\n\n```{{paper}} {entry.key}\n```\n"
            write_if_changed(folder / f"{name}.md", source)
        wanted = ["index.md", *(f"{name}.md" for name in by_page)]
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(json.dumps([state, wanted]), encoding="utf-8")
    wanted = set(wanted)
    for path in folder.glob("*.md"):
        if path.name not in wanted and path.read_text(encoding="utf-8").count(GENERATED_MARK):
            path.unlink()


# -- Rendering -------------------------------------------------------------------


def venue_text(entry: Entry) -> str:
    """Venue, volume, number, pages and year as one line, from whichever fields exist."""
    fields = entry.fields
    parts = [latex_to_text(fields.get("booktitle") or fields.get("journal") or "")]
    if "volume" in fields:
        parts.append(
            f"vol. {fields['volume']}" + (f", no. {fields['number']}" if "number" in fields else "")
        )
    if "pages" in fields:
        pages = fields["pages"].replace("--", "\N{EN DASH}")
        parts.append(f"pp. {pages}")
    if "publisher" in fields:
        parts.append(latex_to_text(fields["publisher"]))
    parts.append(fields["year"])
    return ", ".join(part for part in parts if part) + "."


class PaperPagesTransform(SphinxPostTransform):
    """Fill each paper page and the Publications index from refs.bib."""

    default_priority = 6

    def run(self, **kwargs: Any) -> None:
        entries = bibliography(self.app)
        for marker in list(self.document.findall(paper_details)):
            marker.replace_self(self.paper(entries[marker["key"]]))
        for marker in list(self.document.findall(paper_index)):
            marker.replace_self(self.index(entries))

    def paper(self, entry: Entry) -> list[nodes.Node]:
        docname = self.env.docname
        style = HomepageStyle()
        authors = nodes.paragraph(classes=["paper-authors"])
        authors.extend(style.format_authors(entry).render(Backend()))
        result: list[nodes.Node] = [authors]
        venue = nodes.paragraph(classes=["paper-venue"])
        venue += nodes.strong("", latex_to_text(entry.fields["venuetag"]))
        venue += nodes.Text(" " + venue_text(entry))
        result.append(venue)
        if "author+an" in entry.fields:
            legend = f"{EQUAL_CONTRIBUTION_MARK} Equal contribution."
            result.append(nodes.paragraph("", legend, classes=["publication-legend"]))
        if remark := entry.fields.get("remark"):
            result.append(nodes.paragraph("", "", nodes.emphasis("", latex_to_text(remark))))
        row = links_row(entry, self.app, docname)
        list_uri = self.list_uri(entry.key)
        if list_uri:
            row += nodes.reference(
                "", "In the list", refuri=list_uri, internal=True, classes=["publication-link"]
            )
        result.append(row)
        if abstract := entry.fields.get("abstract"):
            result.append(self.section("Abstract", nodes.paragraph("", latex_to_text(abstract))))
        source = bibtex_source(entry)
        result.append(
            self.section("BibTeX", nodes.literal_block(source, source, language="bibtex"))
        )
        result.extend(cited_on_line(entry.key, self.app, docname))
        return result

    def section(self, title: str, *body: nodes.Node) -> nodes.section:
        section = nodes.section(ids=[title.lower()])
        section += nodes.title(title, title)
        section.extend(body)
        return section

    def list_uri(self, key: str) -> str | None:
        """Where *key*'s entry is on the full publication list."""
        for docname in sorted(self.env.scholarsite_list_docs):
            uri = self.app.builder.get_relative_uri(self.env.docname, docname)
            return f"{uri}#{nodes.make_id(key)}"
        return None

    def index(self, entries: Any) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        order = {key: position for position, key in enumerate(entries)}
        by_year = sorted(entries, key=lambda key: (-int(entries[key].fields["year"]), order[key]))
        lists: dict[str, nodes.bullet_list] = {}
        for key in by_year:
            entry = entries[key]
            year = entry.fields["year"]
            if year not in lists:
                section = self.section(year, lists.setdefault(year, nodes.bullet_list()))
                section["ids"] = [f"year-{year}"]
                result.append(section)
            if self.app.config.scholarsite_paper_pages:
                uri = self.app.builder.get_relative_uri(
                    self.env.docname, paper_docname(self.app, key)
                )
            else:
                uri = self.list_uri(key) or ""
            item = nodes.paragraph()
            item += nodes.strong("", f"[{latex_to_text(entry.fields['venuetag'])}] ")
            item += nodes.reference(
                "", latex_to_text(entry.fields["title"]), refuri=uri, internal=True
            )
            lists[year] += nodes.list_item("", item)
        return result


def link_title_to_paper_page(app: Sphinx, key: str, node: nodes.Element, docname: str) -> None:
    """Make an entry's title on the list a link to the paper's own page."""
    if not app.config.scholarsite_paper_pages:
        return
    title = next(node.findall(nodes.strong))
    uri = app.builder.get_relative_uri(docname, paper_docname(app, key))
    title.replace_self(nodes.reference("", "", title.deepcopy(), refuri=uri, internal=True))


# -- Head tags for Google Scholar and schema.org ---------------------------------


def scholar_name(person: Person) -> str:
    """``Family, Given`` as Google Scholar's inclusion guidelines write authors."""
    given = " ".join(person.first_names + person.middle_names)
    family = " ".join(person.prelast_names + person.last_names)
    return latex_to_text(f"{family}, {given}" if given else family)


def highwire_tags(app: Sphinx, entry: Entry) -> list[tuple[str, str]]:
    fields = entry.fields
    tags = [("citation_title", latex_to_text(fields["title"]))]
    tags += [("citation_author", scholar_name(person)) for person in entry.persons["author"]]
    tags.append(("citation_publication_date", fields["year"]))
    if entry.type == "article":
        tags.append(("citation_journal_title", latex_to_text(fields.get("journal", ""))))
    else:
        tags.append(("citation_conference_title", latex_to_text(fields.get("booktitle", ""))))
    tags.append(("citation_publisher", latex_to_text(fields.get("publisher", ""))))
    tags.append(("citation_volume", fields.get("volume", "")))
    tags.append(("citation_issue", fields.get("number", "")))
    first, _, last = fields.get("pages", "").partition("--")
    tags += [("citation_firstpage", first), ("citation_lastpage", last)]
    tags.append(("citation_doi", fields.get("doi", "")))
    tags.append(("citation_isbn", fields.get("isbn", "")))
    pdf = fields.get("pdf")
    if pdf and pdf in app.scholarsite_files and app.config.html_baseurl:  # type: ignore[attr-defined]
        tags.append(("citation_pdf_url", f"{app.config.html_baseurl.rstrip('/')}/files/{pdf}"))
    return [(name, value.strip()) for name, value in tags if value.strip()]


def scholarly_article(app: Sphinx, entry: Entry, url: str) -> dict[str, Any]:
    fields = entry.fields
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": latex_to_text(fields["title"]),
        "name": latex_to_text(fields["title"]),
        "author": [{"@type": "Person", "name": person_text(p)} for p in entry.persons["author"]],
        "datePublished": fields["year"],
        "url": url,
    }
    venue = fields.get("journal") or fields.get("booktitle")
    if venue:
        kind = "Periodical" if entry.type == "article" else "Book"
        article["isPartOf"] = {"@type": kind, "name": latex_to_text(venue)}
    if "doi" in fields:
        article["sameAs"] = f"https://doi.org/{fields['doi']}"
    if "abstract" in fields:
        article["abstract"] = latex_to_text(fields["abstract"])
    return article


def add_head_tags(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    folder, _, name = pagename.partition("/")
    if folder != app.config.scholarsite_paper_dir or not app.config.scholarsite_paper_pages:
        return
    entry = entries_by_page(app).get(name)
    if entry is None:
        return
    meta = "".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}">\n'
        for name, value in highwire_tags(app, entry)
    )
    url = f"{app.config.html_baseurl.rstrip('/')}/{app.builder.get_target_uri(pagename)}"
    context["metatags"] = (
        context.get("metatags", "") + meta + json_ld(scholarly_article(app, entry, url))
    )


# -- Keeping incremental builds exact ----------------------------------------------


def docs_to_reread(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """A paper page shows its entry and its PDF: re-read it when either changed."""
    keys = set(app.scholarsite_changed_keys)  # type: ignore[attr-defined]
    if app.scholarsite_files_changed:  # type: ignore[attr-defined]
        keys |= set(local_pdfs(app))
    docnames = {paper_docname(app, key) for key in keys}
    if keys:
        docnames.add(f"{app.config.scholarsite_paper_dir}/index")
    return sorted(docnames & env.found_docs)


def docs_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """A paper page shows its "Cited on" links: rewrite it when they changed."""
    keys = app.scholarsite_backlinks_changed  # type: ignore[attr-defined]
    return sorted({paper_docname(app, key) for key in keys} & env.found_docs)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("scholarsite.publications")
    app.add_config_value("scholarsite_paper_pages", True, "env", bool)
    app.add_config_value("scholarsite_paper_dir", "publications", "env", str)
    app.add_node(paper_details)
    app.add_node(paper_index)
    app.add_directive("paper", PaperDirective)
    app.add_directive("paper-index", PaperIndexDirective)
    app.add_post_transform(PaperPagesTransform)
    app.connect("builder-inited", generate_sources)
    app.connect("scholarsite-entry-rendered", link_title_to_paper_page)
    app.connect("html-page-context", add_head_tags)
    app.connect("env-get-outdated", docs_to_reread, priority=600)
    app.connect("env-updated", docs_to_rewrite, priority=600)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
