"""A small site for the tests: the real site's extensions and settings, made-up content."""

project = "Ada Lovelace"
author = "Ada Lovelace"
copyright = "2026, Ada Lovelace"

extensions = [
    "myst_parser",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_reredirects",
    "sphinxext.opengraph",
    "notfound.extension",
    "scholarsite",
]
exclude_patterns = ["_build"]
root_doc = "index"
language = "en"
nitpicky = True
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

bibtex_bibfiles = ["../refs.bib"]
bibtex_default_style = "homepage"
bibtex_cite_id = "{key}"
bibtex_reference_style = "label"
suppress_warnings = ["bibtex.duplicate_label"]

scholarsite_owner_names = ["Ada Lovelace", "Lovelace, Ada"]
scholarsite_files_dir = "../files"
scholarsite_require_files = False
scholarsite_profile_name = "Ada Lovelace"
scholarsite_profile_tagline = "Analyst of engines"
scholarsite_profile_photo = ""
scholarsite_profile_email = "ada@example.org"
scholarsite_profile_github = "ada"
scholarsite_profile_scholar = "https://scholar.google.com/citations?user=ADA"
scholarsite_profile_linkedin = "ada-lovelace"
scholarsite_paper_pages = True
scholarsite_paper_dir = "publications"
scholarsite_person_alternate_name = "Augusta Ada King"
scholarsite_person_job_title = "Analyst"
scholarsite_person_affiliation = "Analytical Engine Society"
scholarsite_sitemap_excludes = ["search.html", "404.html"]

ogp_site_url = "https://ada.example.org/en/latest/"
ogp_site_name = "Ada Lovelace"
ogp_social_cards = {"enable": False}
notfound_urls_prefix = "/en/latest/"
redirects = {"about": "index.html"}

html_theme = "furo"
html_baseurl = "https://ada.example.org/en/latest/"
html_title = "Ada Lovelace"
html_sidebars = {
    "**": [
        "sidebar/profile.html",
        "sidebar/search.html",
        "sidebar/scroll-start.html",
        "sidebar/navigation.html",
        "sidebar/scroll-end.html",
    ]
}
html_static_path: list[str] = []
html_use_index = False
html_show_sourcelink = False
html_copy_source = False
