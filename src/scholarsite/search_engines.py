"""What search engines read: the owner as a schema.org Person, robots.txt and sitemap.xml."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sphinx.application import Sphinx

from .fileutil import write_if_changed
from .paper_pages import sitemap_pages
from .profile import profile_of

SITEMAP_NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def json_ld(data: dict[str, Any]) -> str:
    """A JSON-LD script element whose text can never close the element early."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/ld+json">{text}</script>\n'


def person(app: Sphinx) -> dict[str, Any]:
    """The site's owner, from conf.py: the name, the profile's links, the current position."""
    config = app.config
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": config.author,
        "url": config.html_baseurl,
    }
    if config.scholarsite_person_alternate_name:
        data["alternateName"] = config.scholarsite_person_alternate_name
    if config.scholarsite_person_job_title:
        data["jobTitle"] = config.scholarsite_person_job_title
    if config.scholarsite_person_affiliation:
        organization = {"@type": "Organization", "name": config.scholarsite_person_affiliation}
        data["affiliation"] = data["worksFor"] = organization
    links = profile_of(app).links
    data["sameAs"] = [link.url for link in links if link.url.startswith("https://")]
    return data


def add_person(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if pagename == app.config.root_doc:
        context["metatags"] = context.get("metatags", "") + json_ld(person(app))


def homepage_at_site_root(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The homepage's address is the site's, not .../index.html: its canonical link and og:url.

    Runs before sphinxext-opengraph (500), which takes a page's og: fields as overrides.
    """
    root = app.config.html_baseurl
    if pagename == app.config.root_doc and root:
        context["pageurl"] = root
        context["meta"] = {**(context.get("meta") or {}), "og:url": root}


#: A character reference cut short at the end of a shortened description: "&#x..." (its ";" and
#: the rest lost), which makes the page invalid HTML.
_CUT_REFERENCE = re.compile(r"&(?:#[xX]?[0-9a-fA-F]*|[A-Za-z][A-Za-z0-9]*)\.\.\.\"")


def whole_character_references(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Mend the descriptions sphinxext-opengraph shortens after escaping them.

    It cuts the escaped text at a fixed length, so an apostrophe (``&#x27;``) or an ampersand
    near the cut leaves half a character reference. Runs after it (500): the reference is dropped
    and the "..." kept.
    """
    if "metatags" in context:
        context["metatags"] = _CUT_REFERENCE.sub('..."', context["metatags"])


def write_robots_txt(app: Sphinx, exception: Exception | None) -> None:
    """Let every crawler in, and tell it where the sitemap is."""
    if exception is None and app.builder.format == "html" and app.config.html_baseurl:
        sitemap = f"{app.config.html_baseurl.rstrip('/')}/sitemap.xml"
        text = f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n"
        Path(app.outdir, "robots.txt").write_text(text, encoding="utf-8")


def sitemap_links(app: Sphinx) -> list[str]:
    """The address of every page of the site, sorted, but those scholarsite_sitemap_excludes names.

    Every page the environment knows and every paper page, whichever this build wrote, so that
    an incremental build lists what a clean one does; the redirects' pages are not among them.
    """
    base = app.config.html_baseurl.rstrip("/") + "/"
    homepage = app.config.root_doc
    # The homepage is at the site root, as its canonical link says.
    pages = {
        "" if docname == homepage else app.builder.get_target_uri(docname)
        for docname in app.env.found_docs
    }
    pages |= set(sitemap_pages(app))
    excludes = app.config.scholarsite_sitemap_excludes
    kept = (page for page in pages if not any(fnmatch.fnmatch(page, p) for p in excludes))
    return [base + page for page in sorted(kept)]


def write_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """sitemap.xml: every page of the site, at its address under html_baseurl.

    Written as ElementTree writes it, as text (thousands of paper pages: an element tree per
    build would cost more than the rest of a no-op build), and only when it changed.
    """
    if exception is not None or app.builder.format != "html" or not app.config.html_baseurl:
        return
    urls = "".join(f"<url><loc>{escape(link)}</loc></url>" for link in sitemap_links(app))
    text = (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<urlset xmlns="{SITEMAP_NAMESPACE}">{urls}</urlset>'
    )
    write_if_changed(Path(app.outdir, "sitemap.xml"), text)
