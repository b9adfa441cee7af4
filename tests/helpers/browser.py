"""A local web server for the built site, and a real browser that may talk to nothing else."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOST = "127.0.0.1"
#: Every request to a host other than 127.0.0.1 goes to a proxy on a closed port and fails.
#: (Playwright's request routing would do the same, but it turns the browser's cache off and
#: passes every request through Python.)
CLOSED_PROXY = {"server": f"http://{LOCAL_HOST}:9", "bypass": LOCAL_HOST}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed: pip install -e '.[test]'"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM}: apt-get install chromium"
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site's files under a path prefix, like a static host; quiet."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "no such file")
        return super().translate_path("/" + path.removeprefix(self.prefix))

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(
    directory: Path, prefix: str = "/", handler_base: type[SiteHandler] = SiteHandler
) -> Iterator[str]:
    """Serve a folder at prefix on a free port of 127.0.0.1; yields the site's address.

    Read the Docs serves the site at /en/latest/, and the 404 page's links are absolute
    paths under that prefix: served anywhere else, they would miss.
    """
    handler_class = type("PrefixedSiteHandler", (handler_base,), {"prefix": prefix})
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_port}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class PageLog:
    """What a page asked for, and what went wrong: console errors, failed and foreign requests."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def clear(self) -> None:
        for entries in (
            self.requests,
            self.console_errors,
            self.failed_requests,
            self.foreign_requests,
        ):
            entries.clear()


def watch(page: Any, log: PageLog) -> None:
    """Record into log what the page requests, and whatever goes wrong, from now on."""
    page.on("request", lambda request: log.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            log.console_errors.append(f"{message.text} ({message.location.get('url')})")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: log.console_errors.append(str(error)))
    page.on(
        "requestfailed",
        lambda request: log.failed_requests.append(f"{request.url}: {request.failure}"),
    )
    page.on(
        "response",
        lambda response: (
            log.failed_requests.append(f"{response.url}: HTTP {response.status}")
            if response.status >= 400
            else None
        ),
    )


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, unable to reach any host but 127.0.0.1."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, proxy=CLOSED_PROXY
    )


def keep_local(context: Any, log: PageLog) -> None:
    """Record every request to a host other than 127.0.0.1 (launch_chromium's proxy fails it)."""

    def record(request: Any) -> None:
        if urlsplit(request.url).hostname != LOCAL_HOST:
            log.foreign_requests.append(request.url)

    context.on("request", record)
