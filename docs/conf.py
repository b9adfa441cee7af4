"""Sphinx configuration for Zhen Zheng's homepage."""

import os
from urllib.parse import urlsplit

# -- The site's address ------------------------------------------------------
# Where the site is published, ending in "/". Every absolute address the site writes starts
# with it: canonical links, Open Graph, sitemap.xml, robots.txt, Google Scholar's
# citation_pdf_url, the JSON-LD and the 404 page's links. On Read the Docs the address of the
# version being built takes its place (READTHEDOCS_CANONICAL_URL: its domain, language and
# version), so another version, a translation, a custom domain or a fork gets its own.
site_address = "https://zhen-zheng.readthedocs.io/en/latest/"

# -- Project information -----------------------------------------------------
project = "Zhen Zheng"
author = "Zhen Zheng"
copyright = "2016-2026, Zhen Zheng"

# -- General configuration ---------------------------------------------------
extensions = [
    "myst_parser",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_reredirects",
    "sphinxext.opengraph",
    "notfound.extension",
    "scholarsite",  # the homepage: publications, paper pages, profile, sitemap (src/scholarsite)
]
exclude_patterns = ["_build"]
root_doc = "index"
language = "en"
nitpicky = True

# -- Options for MyST --------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Options for bibliographies ----------------------------------------------
bibtex_bibfiles = ["../refs.bib"]
bibtex_default_style = "homepage"
bibtex_cite_id = "{key}"  # every entry's anchor is its BibTeX key, the same in every build
bibtex_reference_style = "label"
# Labels are the owner's venue tags, and two papers may share one (PPoPP'21); entries are
# told apart by their anchors, which are the keys.
suppress_warnings = ["bibtex.duplicate_label"]

# -- Options for the homepage's publications ---------------------------------
scholarsite_owner_names = ["Zhen Zheng", "Zheng, Zhen", "Z. Zheng"]
scholarsite_files_dir = "../files"
# True: a PDF named in refs.bib but absent from files/ stops the build.
scholarsite_require_files = False

# -- Options for the author profile -----------------------------------------
# Shown at the top of the sidebar on every page.
scholarsite_profile_name = "Zhen Zheng (郑祯)"
scholarsite_profile_tagline = "ML System Research Engineer"
scholarsite_profile_photo = "profile.jpg"  # an image in docs/; empty: a monogram of the name
scholarsite_profile_email = "zhengzhen.z@qq.com"
scholarsite_profile_github = "JamesTheZ"
scholarsite_profile_scholar = "https://scholar.google.com/citations?hl=en&user=8eMsZ84AAAAJ"
scholarsite_profile_linkedin = "zheng-zhen-8a050262"

# -- Options for hidden pages ------------------------------------------------
# Pages (projects/mononn) or folders (projects) of docs/ that are not built: they leave the
# navigation, the sitemap and the search, and the build reports any link still pointing at one.
scholarsite_hidden_pages: list[str] = []

# -- Options for paper pages -------------------------------------------------
# One page per refs.bib entry, and the Publications index, at publications/ in the site.
scholarsite_paper_pages = True
scholarsite_paper_dir = "publications"

# -- Options for search engines ----------------------------------------------
scholarsite_person_alternate_name = "郑祯"
scholarsite_person_job_title = "Principal Research Engineer"
scholarsite_person_affiliation = "Microsoft"
scholarsite_sitemap_excludes = ["search.html", "404.html"]  # sitemap.xml lists every other page
ogp_site_name = "Zhen Zheng"
ogp_social_cards = {"enable": False}  # cards need matplotlib and fonts at build time
ogp_custom_meta_tags = ['<meta name="twitter:card" content="summary">']

# -- Options for absolute addresses -------------------------------------------
# All from one address (see the top of this file), so that they always agree.
published_address = os.environ.get("READTHEDOCS_CANONICAL_URL") or site_address
published_address = published_address.rstrip("/") + "/"
html_baseurl = published_address
ogp_site_url = published_address
# Read the Docs serves the 404 page for any missing address, at any depth, so its links are
# absolute paths: the published address's path (/en/latest/).
notfound_urls_prefix = urlsplit(published_address).path

# -- Options for redirects ---------------------------------------------------
# The old site's addresses for the homepage.
redirects = {
    "about/index": "../index.html",
    "about": "index.html",
}

# -- Options for HTML output -------------------------------------------------
html_theme = "furo"
html_title = "Zhen Zheng"
html_sidebars = {
    "**": [
        "sidebar/profile.html",  # the author profile, in place of Furo's sidebar/brand.html
        "sidebar/search.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/scroll-end.html",
    ]
}
html_static_path: list[str] = []
html_use_index = False  # no index entries on this site: no empty genindex page
html_show_sourcelink = False
html_copy_source = False
