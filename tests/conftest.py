"""Build copies of the site in temporary folders and hand tests what a visitor would see."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
STRICT = ["-W", "--keep-going", "-n"]


@dataclass
class Site:
    """A copy of the site's sources (docs/, refs.bib, files/) and where it builds to."""

    root: Path

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def refs(self) -> Path:
        return self.root / "refs.bib"

    def build(self, *options: str, builder: str = "html") -> subprocess.CompletedProcess[str]:
        command = [
            sys.executable,
            "-m",
            "sphinx",
            *STRICT,
            *options,
            "-b",
            builder,
            "-d",
            str(self.root / "doctrees"),
            str(self.root / "docs"),
            str(self.out),
        ]
        return subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)

    def build_ok(self, *options: str) -> subprocess.CompletedProcess[str]:
        result = self.build(*options)
        assert result.returncode == 0, result.stderr
        assert "WARNING" not in result.stderr, result.stderr
        return result

    def page(self, name: str = "index.html") -> BeautifulSoup:
        return BeautifulSoup((self.out / name).read_text(encoding="utf-8"), "html.parser")


def copy_site(destination: Path) -> Site:
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "docs", destination / "docs", ignore=shutil.ignore_patterns("_build"))
    shutil.copytree(REPO / "files", destination / "files")
    shutil.copy(REPO / "refs.bib", destination / "refs.bib")
    return Site(destination)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A fresh copy of the site that a test may change."""
    return copy_site(tmp_path / "site")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The real site, built once for the whole session. Do not change it."""
    built = copy_site(tmp_path_factory.mktemp("built") / "site")
    built.build_ok()
    return built


@pytest.fixture(scope="session")
def homepage(built_site: Site) -> BeautifulSoup:
    return built_site.page("index.html")
