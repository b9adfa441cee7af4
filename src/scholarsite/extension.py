"""The site's Sphinx extension: every feature module, wired to Sphinx in one place.

What each module does (read the one whose name fits the change you want to make):

- config: every conf.py setting, declared and checked at start
- state: what the environment keeps between builds, and what one build knows
- bibliography: refs.bib and files/ at the start of a build
- publications: the publication list and the "cited publications" lists
- paper_pages: a page per entry and the Publications index, rendered through the theme
- page_frame: the theme's page rendered once for every paper page
- scholar_tags: a paper page's head tags for Google Scholar
- profile: the sidebar's avatar, name, tagline and contact links
- search_engines: the owner's JSON-LD, robots.txt, sitemap.xml
- hiding: pages and sections the owner hides
- authoring: diagnostics for mistakes in the owner's pages
- links: no unsafe link, external links noopener
- quiet: build output without upstream's misleading info messages
- formatting_cache, cite_storage, plugins, entry_html, search_stems, highlighting,
  compiled_templates, collector: build speed (same output, less work)
- upstream: the internals of other packages the code relies on, and why
- refs, style: reading refs.bib, and the pybtex styles (no Sphinx in them)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from . import (
    ENV_VERSION,
    __version__,
    authoring,
    bibliography,
    collector,
    compiled_templates,
    config,
    entry_html,
    formatting_cache,
    hiding,
    highlighting,
    links,
    paper_page_html,
    paper_pages,
    plugins,
    profile,
    publications,
    scholar_tags,
    search_engines,
    search_stems,
)
from .state import ScholarsiteDomain
from .upstream import BibtexDomain

STATIC_DIR = Path(__file__).parent / "static"


def add_static_dir(app: Sphinx) -> None:
    """Serve the package's CSS (added at builder-inited, so the configuration stays as written)."""
    if str(STATIC_DIR) not in app.config.html_static_path:
        # A new list: a default one is shared by every application in the process.
        app.config.html_static_path = [*app.config.html_static_path, str(STATIC_DIR)]


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    config.declare(app)
    app.setup_extension("scholarsite.quiet")  # its own setting and filter; usable alone
    plugins.register_pybtex_plugins()

    # State, and sphinxcontrib-bibtex's domain with a formatting cache.
    app.add_domain(ScholarsiteDomain)
    app.add_domain(formatting_cache.CachedBibtexDomain, override=True)

    # Start of a build: settings, then refs.bib and files/, before sphinxcontrib-bibtex reads
    # refs.bib (builder-inited, 500) and before anything is read.
    app.connect("config-inited", collector.thaw_earlier_builds, priority=0)
    app.connect("config-inited", config.check_settings, priority=100)
    app.connect("config-inited", plugins.register_referencing_styles)
    app.connect("config-inited", config.default_redirect_template)
    app.connect("config-inited", profile.prepare_profile)
    app.connect("config-inited", hiding.hide_pages)
    app.connect("builder-inited", add_static_dir)
    app.connect("builder-inited", highlighting.highlight_once)
    app.connect("builder-inited", compiled_templates.keep_compiled_templates)
    app.connect("builder-inited", formatting_cache.start_build, priority=400)
    app.connect("builder-inited", bibliography.load_bibliography, priority=410)
    app.connect("builder-inited", bibliography.check_local_files, priority=420)
    app.connect("builder-inited", bibliography.reuse_parsed_bibliography, priority=450)
    app.connect("builder-inited", paper_pages.remove_generated_sources)
    app.connect("builder-inited", entry_html.start_build)
    app.connect("builder-inited", search_stems.keep_stems)
    app.connect("builder-inited", collector.freeze_what_is_alive, priority=900)

    # Reading: what an incremental build must read again, and diagnostics.
    app.connect("env-get-outdated", publications.docs_to_reread)
    app.connect("env-get-outdated", paper_pages.remove_pages_of_removed_docs)
    app.connect("env-before-read-docs", formatting_cache.note_reading)
    # after Sphinx's collectors (500), which note a download's dependency
    app.connect("doctree-read", publications.forget_bib_dependency, priority=900)
    app.connect("source-read", authoring.check_front_matter)
    app.add_transform(authoring.TextSyntaxCheck)
    app.add_directive("toctree", paper_pages.TocTreeWithPaperIndex, override=True)
    app.add_transform(hiding.HiddenSections)
    app.add_post_transform(hiding.HiddenPageLinks)
    app.connect("env-check-consistency", hiding.report_pages_in_no_toctree)
    app.add_role("cite", authoring.CheckedCiteRole(), override=True)
    for name in BibtexDomain.roles:
        app.add_role_to_domain("cite", name, authoring.CheckedCiteRole(), override=True)

    # Directives and their nodes.
    app.add_node(
        publications.details, html=(publications.visit_details, publications.depart_details)
    )
    app.add_node(publications.publication_list)
    app.add_node(
        entry_html.entry_html, html=(entry_html.visit_entry_html, entry_html.depart_entry_html)
    )
    app.add_node(entry_html.search_words, html=(entry_html.skip_node, None))
    app.add_node(paper_page_html.index_list, html=(paper_page_html.visit_index_list, None))
    app.add_node(publications.cited_publications)
    app.add_directive("publications", publications.PublicationsDirective)
    app.add_directive("cited-publications", publications.CitedPublicationsDirective)

    # After reading: what must be written again.
    app.connect("env-updated", publications.docs_to_rewrite)
    app.connect("env-updated", collector.freeze_what_is_alive, priority=900)
    app.connect("env-updated", paper_pages.register_index_in_navigation)

    # Writing: fill the lists and pages once references are resolved; links made safe last.
    app.add_event(publications.ENTRY_RENDERED)
    app.connect(publications.ENTRY_RENDERED, paper_pages.link_title_to_paper_page)
    app.add_post_transform(publications.ListCitations)
    app.connect("doctree-resolved", publications.render_publication_lists)
    app.connect("doctree-resolved", publications.render_cited_publications)
    app.connect("doctree-resolved", links.make_links_safe, priority=900)
    app.connect("doctree-resolved", entry_html.index_words_once, priority=950)
    app.connect("html-page-context", entry_html.put_kept_entries_in_body, priority=1)
    # before the handlers that replace toctree() (sphinx-notfound-page, 400) or call it (Furo, 500)
    app.connect("html-page-context", paper_pages.share_orphan_toctree, priority=300)
    app.connect("html-page-context", paper_pages.share_asset_tags, priority=300)
    app.connect("html-page-context", profile.add_profile_to_context, priority=450)
    app.connect("html-page-context", search_engines.add_person)
    app.connect("html-page-context", search_engines.homepage_at_site_root, priority=400)
    # A paper page's own head tags, whether it is rendered through the theme or put into the
    # frame the theme rendered once (paper_pages.framed_page).
    app.add_event(paper_pages.PAGE_HEAD_EVENT)
    for event in ("html-page-context", paper_pages.PAGE_HEAD_EVENT):
        app.connect(event, paper_pages.add_page_head_tags)  # after opengraph's
        app.connect(event, scholar_tags.add_head_tags)
        app.connect(event, search_engines.whole_character_references, priority=510)
    app.connect("html-collect-pages", paper_pages.collect_pages)
    app.add_css_file("scholarsite.css")
    app.add_css_file("profile.css")
    app.add_css_file("print.css", media="print")

    # End of a build: what is served besides the pages.
    app.connect("build-finished", bibliography.copy_local_files)
    app.connect("build-finished", profile.copy_avatar)
    app.connect("build-finished", search_engines.write_robots_txt)
    app.connect("build-finished", search_engines.write_sitemap)
    app.connect("build-finished", formatting_cache.finish_build)
    app.connect("build-finished", entry_html.save_cache)
    app.connect("build-finished", search_stems.save_stems)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
