"""Fixtures: fixture sites built in process, and the real site built once per run."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers.site import REPO, Site, copy_site, fixture_site

pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A fresh copy of the fixture site tests/roots/site, for a test to change and build."""
    return fixture_site("site", tmp_path / "site")


@pytest.fixture
def real_site(tmp_path: Path) -> Site:
    """A fresh copy of the real site, for the few tests of its command line."""
    return copy_site(REPO, tmp_path / "real")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The real site, built once for the whole run (as sphinx-build runs). Do not change it."""
    built = copy_site(REPO, tmp_path_factory.mktemp("built") / "site")
    built.build_ok()
    return built


@pytest.fixture(scope="session")
def homepage(built_site: Site) -> BeautifulSoup:
    return built_site.page("index.html")
