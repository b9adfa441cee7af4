"""Fixtures: fixture sites built in process, and the real site built once per run."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers.site import REPO, Site, copy_site, fixture_site

pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A fresh copy of the fixture site tests/roots/site, for a test to change and build."""
    return fixture_site("site", tmp_path / "site")


@pytest.fixture(scope="session")
def built_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The real site, built once for the whole run, as Read the Docs builds it. Do not change it.

    conf.py makes the build as strict as ``make html``'s (``nitpicky = True``); a warning fails it.
    The test processes (pytest-xdist's workers) share the one build: the first builds it.
    """
    shared = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):  # a worker: its folder's parent is the run's
        shared = shared.parent
    built = Site(shared / "real-site", out=shared / "real-site" / "_build" / "html")
    with (shared / "real-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "real-site.built").exists():
            built = copy_site(REPO, shared / "real-site")
            result = built.build_as_read_the_docs()
            assert result.returncode == 0, result.stderr
            assert "WARNING" not in result.stderr, result.stderr
            (shared / "real-site.built").touch()
    return built


@pytest.fixture(scope="session")
def homepage(built_site: Site) -> BeautifulSoup:
    return built_site.page("index.html")
