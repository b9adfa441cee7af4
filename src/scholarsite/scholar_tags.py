"""Each paper page's head tags: the Highwire Press tags Google Scholar indexes, and JSON-LD."""

from __future__ import annotations

import html
from typing import Any

from pybtex.database import Entry, Person
from sphinx.application import Sphinx

from .paper_pages import entry_of_page
from .search_engines import json_ld
from .state import state
from .style import latex_to_text, person_text


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
    if pdf and pdf in state(app.env).build.files and app.config.html_baseurl:
        tags.append(("citation_pdf_url", f"{app.config.html_baseurl.rstrip('/')}/files/{pdf}"))
    return [(name, value.strip()) for name, value in tags if value.strip()]


def scholarly_article(entry: Entry, url: str) -> dict[str, Any]:
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
    entry = entry_of_page(app, pagename)
    if entry is None:
        return
    meta = "".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}">\n'
        for name, value in highwire_tags(app, entry)
    )
    url = f"{app.config.html_baseurl.rstrip('/')}/{app.builder.get_target_uri(pagename)}"
    context["metatags"] = (
        context.get("metatags", "") + meta + json_ld(scholarly_article(entry, url))
    )
