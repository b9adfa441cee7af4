"""Each paper page's head tags: the Highwire Press tags Google Scholar indexes, and JSON-LD."""

from __future__ import annotations

import html
from typing import Any

from sphinx.application import Sphinx

from .latex import latex_plain_text
from .names import Author
from .paper_pages import publication_of_page
from .publication import Publication
from .search_engines import json_ld
from .state import state


def scholar_name(author: Author) -> str:
    """``Family, Given`` as Google Scholar's inclusion guidelines write authors."""
    family, given = author.family, author.given
    return latex_plain_text(f"{family}, {given}" if given else family)


def pdf_url(app: Sphinx, pub: Publication) -> str:
    """The site's own copy of the PDF (needs ``html_baseurl``), else the PDF address the entry
    gives, else the arXiv PDF; "" when there is none."""
    if pub.pdf_is_local:
        if pub.pdf in state(app.env).build.files and app.config.html_baseurl:
            return f"{app.config.html_baseurl.rstrip('/')}/files/{pub.pdf}"
    elif pub.pdf:
        return pub.pdf
    return pub.arxiv_pdf


def highwire_tags(app: Sphinx, pub: Publication) -> list[tuple[str, str]]:
    """Google Scholar's tags, from the record: marks stripped, never "others" as an author."""
    tags = [("citation_title", pub.title_text)]
    tags += [("citation_author", scholar_name(author)) for author in pub.authors]
    tags.append(("citation_publication_date", pub.publication_date))
    if pub.kind == "thesis":
        tags.append(("citation_dissertation_institution", pub.institution))
    elif pub.kind == "report":
        tags.append(("citation_technical_report_institution", pub.institution))
        tags.append(("citation_technical_report_number", pub.report_number))
    elif pub.kind == "article":
        tags.append(("citation_journal_title", pub.venue))
    elif pub.kind in ("inproceedings", "proceedings"):
        tags.append(("citation_conference_title", pub.venue))
    elif pub.kind == "incollection":
        tags.append(("citation_inbook_title", pub.venue))
    tags.append(("citation_publisher", pub.publisher))
    tags.append(("citation_volume", pub.volume))
    if pub.kind != "report":
        tags.append(("citation_issue", pub.number))
    first, _, last = pub.pages.partition("\N{EN DASH}")
    tags += [("citation_firstpage", first), ("citation_lastpage", last)]
    tags.append(("citation_doi", pub.doi))
    tags.append(("citation_pdf_url", pdf_url(app, pub)))
    return [(name, value.strip()) for name, value in tags if value.strip()]


def scholarly_article(pub: Publication, url: str) -> dict[str, Any]:
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Thesis" if pub.kind == "thesis" else "ScholarlyArticle",
        "headline": pub.title_text,
        "name": pub.title_text,
        "author": [{"@type": "Person", "name": author.name} for author in pub.authors],
        "url": url,
    }
    if pub.year is not None:
        article["datePublished"] = f"{pub.year}-{pub.month:02d}" if pub.month else str(pub.year)
    if pub.venue:
        kind = "Periodical" if pub.kind == "article" else "Book"
        article["isPartOf"] = {"@type": kind, "name": pub.venue}
    if pub.doi:
        article["sameAs"] = pub.doi_url
    if pub.abstract:
        article["abstract"] = pub.abstract
    return article


def add_head_tags(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    pub = publication_of_page(app, pagename)
    if pub is None:
        return
    meta = "".join(
        f'<meta name="{name}" content="{html.escape(value, quote=True)}">\n'
        for name, value in highwire_tags(app, pub)
    )
    url = f"{app.config.html_baseurl.rstrip('/')}/{app.builder.get_target_uri(pagename)}"
    context["metatags"] = context.get("metatags", "") + meta + json_ld(scholarly_article(pub, url))
