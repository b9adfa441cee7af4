"""Build output: upstream's misleading info messages are filtered out, warnings never are.

Each check also builds without scholarsite.quiet, so that when an upstream release rewords or
drops a message the test says so, rather than passing on a filter that matches nothing.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
import sphinx_sitemap
from sphinx.testing.util import SphinxTestApp

BASE = "https://example.org/en/latest/"
#: What each upstream says that the filter drops, as it appears in the build's output.
NOISE = {
    "myst-parser's configuration dump": "MdParserConfig(",
    "sphinxcontrib-bibtex's cache check": "checking bibtex cache...",
    "sphinx-sitemap's report naming the output folder": "sphinx-sitemap:",
    "Sphinx's evaluated static templates": "Writing evaluated template result",
}
BIB = """@article{doe2024,
  author = {Jane Doe},
  title = {A Title},
  journal = {A Journal},
  year = {2024},
}
"""


class InProcessManager:
    """Stands in for multiprocessing.Manager in sphinx-sitemap: its queue, without a process."""

    def Queue(self) -> queue.Queue[object]:  # multiprocessing.Manager's name
        return queue.Queue()


@pytest.fixture(autouse=True)
def sitemap_without_a_manager_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """sphinx-sitemap forks a multiprocessing manager in every build. Forked from a pytest process
    in which Playwright's threads run, such a process can deadlock, and the run then hangs at
    exit (seen with Python 3.13); these builds write their pages in this process anyway."""
    monkeypatch.setattr(sphinx_sitemap, "Manager", InProcessManager)


@dataclass
class Output:
    status: str
    warnings: str


def build(root: Path, *, quiet: bool, **overrides: object) -> Output:
    """Build a small site (MyST, a bibliography, a sitemap) in root, twice when asked."""
    source = root / "source"
    if not source.exists():
        source.mkdir(parents=True)
        (source / "conf.py").write_text("", encoding="utf-8")
        (source / "refs.bib").write_text(BIB, encoding="utf-8")
        (source / "index.md").write_text(
            "# Home\n\n{cite:p}`doe2024`\n\n```{bibliography}\n```\n", encoding="utf-8"
        )
    extensions = ["myst_parser", "sphinxcontrib.bibtex", "sphinx_sitemap"]
    status, warnings = StringIO(), StringIO()
    app = SphinxTestApp(
        "html",
        srcdir=source,
        builddir=root / "build",
        status=status,
        warning=warnings,
        confoverrides={
            "extensions": [*extensions, *(["scholarsite.quiet"] if quiet else [])],
            "bibtex_bibfiles": ["refs.bib"],
            "html_baseurl": BASE,
            # As on the site: the pages a no-op rebuild writes anyway are not in the sitemap.
            "html_use_index": False,
            "sitemap_excludes": ["search.html"],
            **overrides,
        },
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return Output(status.getvalue(), warnings.getvalue())


@pytest.mark.parametrize("noise", NOISE)
def test_upstream_noise_is_filtered(tmp_path: Path, noise: str) -> None:
    text = NOISE[noise]
    loud = build(tmp_path / "loud", quiet=False)
    assert text in loud.status, f"{noise} no longer says {text!r}: update scholarsite.quiet"
    quiet = build(tmp_path / "quiet", quiet=True)
    assert text not in quiet.status
    assert "build succeeded" in quiet.status
    assert "parsing bibtex file" in quiet.status  # what bibtex really did still shows


def test_a_no_op_rebuild_does_not_say_no_pages_were_generated(tmp_path: Path) -> None:
    build(tmp_path, quiet=False)
    loud = build(tmp_path, quiet=False)
    assert "No pages generated" in loud.status, "sphinx-sitemap reworded: update scholarsite.quiet"
    quiet = build(tmp_path, quiet=True)
    assert "No pages generated" not in quiet.status
    assert "build succeeded" in quiet.status


def test_warnings_always_pass(tmp_path: Path) -> None:
    build(tmp_path, quiet=True)
    (tmp_path / "source" / "index.md").write_text(
        "# Home\n\n{cite:p}`nobody2024`\n\n```{bibliography}\n```\n", encoding="utf-8"
    )
    quiet = build(tmp_path, quiet=True)
    assert "nobody2024" in quiet.warnings
    assert quiet.warnings.count("WARNING") == 1, quiet.warnings


def test_the_last_line_names_the_published_folder_and_address(tmp_path: Path) -> None:
    output = build(tmp_path, quiet=True, scholarsite_published_dir="build/html")
    last = output.status.strip().splitlines()[-1]
    assert last == f"The site for {BASE} is in build/html: open build/html/index.html"
    assert str(tmp_path / "build") not in last
