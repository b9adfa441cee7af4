"""Hidden pages: not built, out of the navigation, sitemap and search; half-done hides explained."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sphinx.testing.util import SphinxTestApp

CONF = """
extensions = ["myst_parser", "scholarsite"]
project = "Hiding"
html_baseurl = "https://example.org/"
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "homepage"
scholarsite_paper_pages = False
"""
REFS = """@misc{ada1843notes,
  author = {Ada Lovelace},
  title = {Notes},
  year = {1843},
  venuetag = {Notes'43},
}
"""
HOME = """# Home

Read [about the first project](projects/first.md).

```{toctree}
projects/index
```
"""
PROJECTS = """# Projects

```{toctree}
first
second
```
"""


def make_site(root: Path, home: str = HOME) -> Path:
    src = root / "src"
    (src / "projects").mkdir(parents=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "refs.bib").write_text(REFS, encoding="utf-8")
    (src / "index.md").write_text(home, encoding="utf-8")
    (src / "projects" / "index.md").write_text(PROJECTS, encoding="utf-8")
    for name in ("first", "second"):
        text = f"# The {name} project\n\nWordsOnlyIn{name.capitalize()}Project.\n"
        (src / "projects" / f"{name}.md").write_text(text, encoding="utf-8")
    return src


def build(src: Path, hidden: list[str], builder: str = "html") -> tuple[Path, str]:
    """Build *src* in this process; the output folder and every warning."""
    warnings = StringIO()
    app = SphinxTestApp(
        builder,
        srcdir=src,
        builddir=src.parent / "build",
        confoverrides={"scholarsite_hidden_pages": hidden, "nitpicky": True},
        status=StringIO(),
        warning=warnings,
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return Path(app.outdir), warnings.getvalue()


def test_a_hidden_folder_is_not_built_linked_listed_or_searchable(tmp_path: Path) -> None:
    src = make_site(
        tmp_path, HOME.replace("Read [about the first project](projects/first.md).", "")
    )
    out, warnings = build(src, ["projects"])
    assert warnings == ""
    assert not (out / "projects").exists()
    home = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    links = [a["href"] for a in home.find_all("a", href=True)]
    assert links and not [href for href in links if "projects" in href]
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    # the homepage is listed at the site's root, like its canonical link
    assert "<loc>https://example.org/</loc>" in sitemap and "projects" not in sitemap
    search = (out / "searchindex.js").read_text(encoding="utf-8")
    assert "home" in search.lower()
    assert "wordsonlyinfirstproject" not in search.lower()


@pytest.mark.parametrize("builder", ["html", "dirhtml"])
def test_a_folder_hidden_after_a_build_leaves_nothing_behind(tmp_path: Path, builder: str) -> None:
    """Hidden in an incremental build, as an owner hides his projects: the folder's pages and
    the folder itself are gone, as a clean build would never have made them."""
    src = make_site(
        tmp_path, HOME.replace("Read [about the first project](projects/first.md).", "")
    )
    out, warnings = build(src, [], builder)
    assert warnings == ""
    pages = sorted(path.relative_to(out) for path in (out / "projects").rglob("*.html"))
    assert len(pages) == 3, pages
    out, warnings = build(src, ["projects"], builder)
    assert warnings == ""
    assert not (out / "projects").exists()
    assert (out / "index.html").is_file()


def test_hiding_one_page_keeps_its_siblings(tmp_path: Path) -> None:
    src = make_site(tmp_path, HOME.replace("projects/first.md", "projects/second.md"))
    out, warnings = build(src, ["projects/first"])
    assert warnings == ""
    assert not (out / "projects" / "first.html").exists()
    assert (out / "projects" / "second.html").is_file()
    projects = (out / "projects" / "index.html").read_text(encoding="utf-8")
    assert "second.html" in projects and "first.html" not in projects


def test_a_link_to_a_hidden_page_is_reported_where_it_is(tmp_path: Path) -> None:
    src = make_site(tmp_path)
    out, warnings = build(src, ["projects"])
    reported = [line for line in warnings.splitlines() if "WARNING" in line]
    assert len(reported) == 1, warnings
    assert "index.md:3" in reported[0]
    assert "'projects/first'" in reported[0] and "scholarsite_hidden_pages" in reported[0]
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "about the first project" in home  # the link's text stays, as text


@pytest.mark.parametrize(
    ("toctree", "hidden", "expected"),
    [
        ("", [], 'add "projects" to scholarsite_hidden_pages'),
        ("projects/index\n", ["project"], "neither a page nor a folder"),
    ],
    ids=["toctree-entry-removed-but-not-hidden", "hidden-name-misspelt"],
)
def test_a_half_done_hide_says_what_to_do(
    tmp_path: Path, toctree: str, hidden: list[str], expected: str
) -> None:
    home = HOME.replace("Read [about the first project](projects/first.md).", "")
    _, warnings = build(make_site(tmp_path, home.replace("projects/index\n", toctree)), hidden)
    reported = [line for line in warnings.splitlines() if "WARNING" in line]
    assert len(reported) == 1, warnings
    assert expected in reported[0]
    assert "isn't included in any toctree" not in warnings


def test_a_section_between_html_comment_marks_is_left_out(tmp_path: Path) -> None:
    home = HOME.replace(
        "Read [about the first project](projects/first.md).",
        "Shown.\n\n<!--\n## Old news\n\nHiddenWords and [a link](projects/first.md).\n-->\n",
    )
    out, warnings = build(make_site(tmp_path, home), [])
    assert warnings == ""
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Shown." in page
    assert "HiddenWords" not in page and "Old news" not in page
