"""Lighthouse on the built homepage, mobile and desktop: the four scores, bytes and requests.

Usage: python scripts/audit.py [build/html]   (what `make audit` runs)

The site is served from 127.0.0.1 with gzip, as Read the Docs serves it, and audited by the
Lighthouse pinned in scripts/lighthouse/package.json with the Chromium at /usr/bin/chromium.
The full reports go to test-output/lighthouse/. Exits 1 when a figure misses its target.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
LIGHTHOUSE = REPO / "scripts" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
REPORTS = REPO / "test-output" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: The old homepage's total transfer size, in bytes; the new one must stay under 15% of it.
OLD_PAGE_BYTES = 1_801_159
MAX_BYTES = int(OLD_PAGE_BYTES * 0.15)
#: The lowest score each category may have, per form factor.
MIN_SCORES = {
    "mobile": {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100},
    "desktop": {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 100},
}
COMPRESSIBLE = (".html", ".css", ".js", ".svg", ".json", ".txt", ".xml", ".bib")


class GzipHandler(SimpleHTTPRequestHandler):
    """A static host that gzips text files, as Read the Docs does; quiet."""

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.suffix in COMPRESSIBLE and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=9)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return _Body(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Body:
    """The file-like object send_head returns, over bytes already in memory."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def lighthouse(url: str, form_factor: str) -> dict[str, Any]:
    """Run Lighthouse once; the parsed JSON report (also kept in test-output/lighthouse/)."""
    report = REPORTS / f"homepage-{form_factor}.json"
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if form_factor == "desktop":
        command.append("--preset=desktop")
    environment = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(command, check=True, env=environment)
    return json.loads(report.read_text(encoding="utf-8"))


def figures(report: dict[str, Any]) -> dict[str, int]:
    scores = {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}
    audits = report["audits"]
    return {
        **scores,
        "bytes": int(audits["total-byte-weight"]["numericValue"]),
        "requests": len(audits["network-requests"]["details"]["items"]),
    }


def failed_audits(report: dict[str, Any], category: str) -> list[str]:
    """The audits that cost a category points, to say what to fix."""
    refs = report["categories"][category]["auditRefs"]
    return [
        f"{ref['id']}: {report['audits'][ref['id']]['title']}"
        for ref in refs
        if ref.get("weight") and (report["audits"][ref["id"]].get("score") or 0) < 1
    ]


def main() -> int:
    site = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "build" / "html").resolve()
    if not (site / "index.html").is_file():
        print(f"{site}/index.html does not exist: run `make html` first", file=sys.stderr)
        return 2
    if not LIGHTHOUSE.exists():
        print("Lighthouse is not installed: `make audit` installs it", file=sys.stderr)
        return 2
    REPORTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    print(f"{'':8} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'seo':>5} {'bytes':>9} {'requests':>9}")
    with serve(site) as url:
        for form_factor, minimum in MIN_SCORES.items():
            report = lighthouse(url + "index.html", form_factor)
            got = figures(report)
            print(
                f"{form_factor:8} {got['performance']:5} {got['accessibility']:5} "
                f"{got['best-practices']:5} {got['seo']:5} {got['bytes']:9,} {got['requests']:9}"
            )
            for category, lowest in minimum.items():
                if got[category] < lowest:
                    problems.append(f"{form_factor} {category} {got[category]} < {lowest}")
                    problems += [f"  {audit}" for audit in failed_audits(report, category)]
            if got["bytes"] > MAX_BYTES:
                problems.append(f"{form_factor}: {got['bytes']:,} bytes > {MAX_BYTES:,}")
    print(f"Target: under {MAX_BYTES:,} bytes (15% of the old page's {OLD_PAGE_BYTES:,}).")
    print(f"Reports: {REPORTS.relative_to(REPO)}/")
    for problem in problems:
        print(f"MISSED {problem}" if not problem.startswith(" ") else problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
