"""Fixtures: fixture sites built in process, and the real site built once per run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from helpers.real_site_build import RESULT
from helpers.real_site_build import main as build_real_site
from helpers.site import Site, fixture_site

pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """A fresh copy of the fixture site tests/roots/site, for a test to change and build."""
    return fixture_site("site", tmp_path / "site")


#: Where the controller of a run with test processes builds the real site (workerinput key).
REAL_SITE = "scholarsite_real_site"
_BUILD = pytest.StashKey[tuple[subprocess.Popen[bytes], Path]]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist's controller, setting up a test process: the real site's build starts
    (once, for them all) while the processes start, and each is told where it is."""
    config = node.config
    if _BUILD not in config.stash:
        folder = Path(tempfile.mkdtemp(prefix="scholarsite-real-site-"))
        command = [sys.executable, str(Path(__file__).parent / "helpers" / "real_site_build.py")]
        config.stash[_BUILD] = (subprocess.Popen([*command, str(folder)]), folder)
    node.workerinput[REAL_SITE] = str(config.stash[_BUILD][1])


def pytest_unconfigure(config: pytest.Config) -> None:
    if _BUILD in config.stash:
        process, folder = config.stash[_BUILD]
        process.kill()  # over already, unless no test needed the site
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def real_site_built_in(folder: Path) -> Site:
    """The real site real_site_build.py built in *folder*, once its build is over (it may
    still be running, in the controller): a failure or a warning fails the tests using it."""
    result_file = folder / RESULT
    deadline = time.monotonic() + 600
    while not result_file.exists():
        assert time.monotonic() < deadline, "the real site's build did not end in 10 minutes"
        time.sleep(0.05)
    result = json.loads(result_file.read_text())
    assert result["returncode"] == 0, result["stderr"]
    assert "WARNING" not in result["stderr"], result["stderr"]
    site = folder / "real-site"
    return Site(site, out=site / "_build" / "html")


@pytest.fixture(scope="session")
def built_site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The real site, built once for the whole run, as Read the Docs builds it. Do not change it.

    conf.py makes the build as strict as ``make html``'s (``nitpicky = True``); a warning fails it.
    With test processes (pytest-xdist's workers), the controller builds it while they start.
    """
    workerinput = getattr(request.config, "workerinput", {})
    if REAL_SITE in workerinput:
        return real_site_built_in(Path(workerinput[REAL_SITE]))
    folder = tmp_path_factory.mktemp("real-site-build")
    build_real_site(folder)
    return real_site_built_in(folder)


@pytest.fixture(scope="session")
def homepage(built_site: Site) -> BeautifulSoup:
    return built_site.page("index.html")
