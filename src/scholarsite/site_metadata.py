"""Metadata for search engines: the owner as a schema.org Person, robots.txt, a whole sitemap."""

from __future__ import annotations

import json
import queue
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx_sitemap import add_html_link

from . import ENV_VERSION, __version__


def json_ld(data: dict[str, Any]) -> str:
    """A JSON-LD script element whose text can never close the element early."""
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")
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
    profile = getattr(app, "scholarsite_profile", None)
    if profile is not None:
        data["sameAs"] = [link.url for link in profile.links if link.url.startswith("https://")]
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


def write_robots_txt(app: Sphinx, exception: Exception | None) -> None:
    """Let every crawler in, and tell it where the sitemap is."""
    if exception is None and app.builder.format == "html" and app.config.html_baseurl:
        sitemap = f"{app.config.html_baseurl.rstrip('/')}/sitemap.xml"
        text = f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n"
        Path(app.outdir, "robots.txt").write_text(text, encoding="utf-8")


def serial_sitemap_queue(app: Sphinx) -> None:
    """An in-process queue for sphinx-sitemap when pages are written in this process only.

    Its multiprocessing queue costs a round trip to a manager process per page (0.5 ms).
    """
    if hasattr(app, "sitemap_links") and app.parallel <= 1:
        app.sitemap_links = queue.Queue()  # type: ignore[attr-defined]


def complete_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """List every page in sitemap.xml, in one order, whichever pages this build wrote.

    sphinx-sitemap lists the pages written by the build at hand, so after an incremental build
    sitemap.xml would hold only the pages that changed. Runs just before it writes the file.
    """
    links = getattr(app, "sitemap_links", None)
    if exception is not None or links is None or app.builder.format != "html" or links.empty():
        return  # nothing written: sphinx-sitemap leaves the last build's whole sitemap.xml
    for docname in app.env.found_docs:
        add_html_link(app, docname, "page.html", {}, None)  # the pages this build did not write
    found = {}
    while True:
        try:
            link, last_updated = links.get_nowait()
        except queue.Empty:
            break
        found[link] = last_updated
    homepage = app.builder.get_target_uri(app.config.root_doc)
    for link in sorted(found):
        links.put(("" if link == homepage else link, found[link]))  # the homepage: the site root


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("scholarsite_person_alternate_name", "", "html", str)
    app.add_config_value("scholarsite_person_job_title", "", "html", str)
    app.add_config_value("scholarsite_person_affiliation", "", "html", str)
    app.connect("html-page-context", add_person)
    app.connect("html-page-context", homepage_at_site_root, priority=400)
    app.connect("build-finished", write_robots_txt)
    app.connect("builder-inited", serial_sitemap_queue, priority=600)  # sphinx-sitemap's at 500
    app.connect("build-finished", complete_sitemap, priority=450)  # sphinx-sitemap writes at 500
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
