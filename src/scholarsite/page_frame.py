"""The theme's page.html rendered once per build for every paper page, each page's parts put in.

Every paper page is the same page.html around its own title, body and head tags: same folder,
same navigation (nothing in it is current: no toctree lists a paper page), same sidebar and
assets. One probe page of the folder is rendered through every ``html-page-context`` handler
with a marker for each of those parts, and each paper page is that text with its parts put in
(the title as the theme's ``title|striptags|e`` writes it). A build checks its first page
against a rendering of its own, and renders every page through the theme when they differ.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from sphinx.application import Sphinx

#: A page of the paper folder that shows no entry: rendered with the markers, it is the frame.
PROBE_NAME = "scholarsite-frame"
#: What stands for a page's own parts in the probe's context (never in a theme's own text).
TITLE_MARK = "\ue000scholarsite-title\ue000"
BODY_MARK = "\ue000scholarsite-body\ue000"
METATAGS_MARK = "\ue000scholarsite-metatags\ue000"
TEMPLATE = "page.html"
MARKS = re.compile(
    "(" + "|".join(map(re.escape, (PROBE_NAME, TITLE_MARK, BODY_MARK, METATAGS_MARK))) + ")"
)


@dataclass(frozen=True)
class PageFrame:
    """The probe page's HTML, cut at its markers."""

    text: str

    @property
    def digest(self) -> str:
        """What every paper page of the build shows besides its own parts."""
        return hashlib.blake2b(self.text.encode("utf-8"), digest_size=12).hexdigest()

    @property
    def usable(self) -> bool:
        """Each part's marker once, the title's in the page's ``<title>`` alone."""
        return all(self.text.count(mark) == 1 for mark in (TITLE_MARK, BODY_MARK, METATAGS_MARK))

    @cached_property
    def pieces(self) -> list[str]:
        """The text cut at every marker and the probe's name: text and markers in turn."""
        return MARKS.split(self.text)

    def page(self, name: str, title_html: str, body: str, metatags: str) -> str:
        """The HTML of the page *name* of the folder with these parts."""
        title = str(escape(Markup(title_html).striptags()))
        parts = {PROBE_NAME: name, TITLE_MARK: title, METATAGS_MARK: metatags, BODY_MARK: body}
        pieces = self.pieces
        return "".join(
            piece if position % 2 == 0 else parts[piece] for position, piece in enumerate(pieces)
        )


def probe_pagename(app: Sphinx) -> str:
    """The probe's page name: a page of the paper folder that shows no entry."""
    return f"{app.config.scholarsite_paper_dir}/{PROBE_NAME}"


def render_frame(app: Sphinx, context: dict[str, Any]) -> PageFrame:
    """The probe page rendered, with *context* (the probe's page context) and the markers,
    through the builder, into the doctree folder, and read back."""
    probe = Path(app.doctreedir, f"{PROBE_NAME}.html")
    context = {**context, "title": TITLE_MARK, "body": BODY_MARK, "metatags": METATAGS_MARK}
    app.builder.handle_page(  # type: ignore[attr-defined]
        probe_pagename(app), context, TEMPLATE, outfilename=probe
    )
    text = probe.read_text(encoding="utf-8")
    probe.unlink()
    return PageFrame(text)


def writes_utf8(app: Sphinx) -> bool:
    """Whether pages are written as UTF-8 (the frame is text; other encodings: Sphinx writes)."""
    encoding = str(app.config.html_output_encoding).lower().replace("-", "").replace("_", "")
    return encoding == "utf8"
