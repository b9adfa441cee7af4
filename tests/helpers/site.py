"""Copies of a site (the real one or a fixture under tests/roots/) and their builds.

In process (Sphinx's own testing application, ``make_app``) for the machinery; as a subprocess
only where the command line is what is tested (exit status, messages on the terminal).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from bs4.filter import SoupStrainer
from sphinx.testing.util import SphinxTestApp
from sphinx.util.docutils import docutils_namespace

#: Sphinx's own template loader, with the compiled templates shared (helpers/templates.py).
TEMPLATE_BRIDGE = "helpers.templates.SharedTemplateLoader"

REPO = Path(__file__).resolve().parents[2]
ROOTS = REPO / "tests" / "roots"
STRICT = ["-W", "--keep-going", "-n"]
#: What Read the Docs runs (with .readthedocs.yaml's fail_on_warning), from the project root.
READ_THE_DOCS = [
    "-T", "-W", "--keep-going", "-b", "html", "-d", "_build/doctrees", "-D", "language=en",
    "docs", "_build/html",
]  # fmt: skip


@dataclass
class Site:
    """A copy of a site's sources (docs/, refs.bib, files/) in a folder of its own."""

    root: Path
    #: Where the last build wrote, and what it said.
    out: Path = Path()
    warnings: str = ""
    status: str = ""

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def refs(self) -> Path:
        return self.root / "refs.bib"

    @property
    def files(self) -> Path:
        return self.root / "files"

    def page(self, name: str = "index.html", only: tuple[str, ...] = ()) -> BeautifulSoup:
        """The built page *name*, parsed; with *only*, just those elements (much faster)."""
        text = (self.out / name).read_text(encoding="utf-8")
        return BeautifulSoup(text, "html.parser", parse_only=SoupStrainer(only) if only else None)

    def append(self, name: str, text: str) -> None:
        path = self.root / name
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    # -- in process ---------------------------------------------------------------------

    def build_in_process(
        self,
        make_app: Callable[..., Any],
        *,
        out: str = "out",
        builder: str = "html",
        **overrides: Any,
    ) -> Any:
        """Build in this process with Sphinx's testing application; return the application.

        The ``dummy`` builder reads and resolves every page as ``html`` does, writing nothing.

        Warnings and errors are in ``self.warnings``; a build that stops (``SystemExit``)
        raises it, with what it said kept.
        """
        status, warning = StringIO(), StringIO()
        self.out = self.root / out / builder
        # A build stopped by SystemExit while Sphinx starts up is never cleaned up by the
        # testing application: restore docutils' registries here, for the next test's sake.
        namespace = docutils_namespace()
        try:
            with namespace:
                app = make_app(
                    builder,
                    srcdir=self.docs,
                    builddir=self.root / out,
                    confoverrides={"template_bridge": TEMPLATE_BRIDGE, **overrides},
                    status=status,
                    warning=warning,
                    verbosity=1,
                )
                app.build()
        finally:
            self.status, self.warnings = status.getvalue(), warning.getvalue()
        return app

    def build_ok_in_process(self, make_app: Callable[..., Any], **kwargs: Any) -> Any:
        app = self.build_in_process(make_app, **kwargs)
        assert self.warnings == "", self.warnings
        return app

    def build_ok_for_many_tests(self, **overrides: Any) -> None:
        """In process, for a fixture wider than one test (Sphinx's make_app serves one test)."""
        app = self.build_in_process(SphinxTestApp, **overrides)
        app.cleanup()
        assert self.warnings == "", self.warnings

    # -- as a subprocess ------------------------------------------------------------------

    def build(self, *options: str, out: str = "out") -> subprocess.CompletedProcess[str]:
        """``sphinx-build`` strictly, as the Makefile runs it."""
        self.out = self.root / out / "html"
        command = [
            sys.executable, "-m", "sphinx", *STRICT, *options, "-b", "html",
            "-d", str(self.root / out / "doctrees"), str(self.docs), str(self.out),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)
        self.status, self.warnings = result.stdout, result.stderr
        return result

    def build_as_read_the_docs(self) -> subprocess.CompletedProcess[str]:
        """Build with Read the Docs' command line; the site is then in ``_build/html``."""
        self.out = self.root / "_build" / "html"
        command = [sys.executable, "-m", "sphinx", *READ_THE_DOCS]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)
        self.status, self.warnings = result.stdout, result.stderr
        return result


def copy_site(source: Path, destination: Path) -> Site:
    """A copy of the site whose docs/, refs.bib and files/ are in *source*."""
    destination.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("_build", "publications")
    shutil.copytree(source / "docs", destination / "docs", ignore=ignore)
    if (source / "files").is_dir():
        shutil.copytree(source / "files", destination / "files")
    else:
        (destination / "files").mkdir()
    shutil.copy(source / "refs.bib", destination / "refs.bib")
    return Site(destination)


def fixture_site(name: str, destination: Path) -> Site:
    """A copy of the fixture site tests/roots/NAME."""
    return copy_site(ROOTS / name, destination)
