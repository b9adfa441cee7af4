"""Build output: upstream's misleading info messages are filtered out, warnings never are.

Each check also builds without scholarsite.quiet, so that when an upstream release rewords or
drops a message the test says so, rather than passing on a filter that matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from sphinx.testing.util import SphinxTestApp

BASE = "https://example.org/en/latest/"
#: What each upstream says that the filter drops, as it appears in the build's output.
NOISE = {
    "myst-parser's configuration dump": "MdParserConfig(",
    "sphinxcontrib-bibtex's cache check": "checking bibtex cache...",
    "Sphinx's evaluated static templates": "Writing evaluated template result",
}
BIB = """@article{doe2024,
  author = {Jane Doe},
  title = {A Title},
  journal = {A Journal},
  year = {2024},
}
"""


@dataclass
class Output:
    status: str
    warnings: str


def build(root: Path, *, quiet: bool, **overrides: object) -> Output:
    """Build a small site (MyST, a bibliography) in root."""
    source = root / "source"
    if not source.exists():
        source.mkdir(parents=True)
        (source / "conf.py").write_text("", encoding="utf-8")
        (source / "refs.bib").write_text(BIB, encoding="utf-8")
        (source / "index.md").write_text(
            "# Home\n\n{cite:p}`doe2024`\n\n```{bibliography}\n```\n", encoding="utf-8"
        )
    extensions = ["myst_parser", "sphinxcontrib.bibtex"]
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
            "html_use_index": False,
            "html_theme": "basic",  # the testing app's default theme also differs on a rebuild
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


def test_a_rebuild_does_not_report_settings_extensions_set_themselves(tmp_path: Path) -> None:
    """sphinx-copybutton adds its static folder when a build starts: no change of conf.py."""
    extensions = ["myst_parser", "sphinxcontrib.bibtex", "sphinx_copybutton"]
    build(tmp_path / "loud", quiet=False, extensions=extensions)
    loud = build(tmp_path / "loud", quiet=False, extensions=extensions)
    assert "The configuration has changed" in loud.status, "Sphinx reworded: update quiet.py"
    quiet_extensions = [*extensions, "scholarsite.quiet"]
    build(tmp_path / "quiet", quiet=False, extensions=quiet_extensions)
    quiet = build(tmp_path / "quiet", quiet=False, extensions=quiet_extensions)
    assert "The configuration has changed" not in quiet.status
    # A setting the owner did change is still reported.
    changed = build(tmp_path / "quiet", quiet=False, extensions=quiet_extensions, nitpicky=True)
    reported = [line for line in changed.status.splitlines() if "configuration has changed" in line]
    assert len(reported) == 1 and "'nitpicky'" in reported[0], changed.status


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
