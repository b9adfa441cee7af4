"""Build output that tells what happened: upstream's misleading info messages filtered out."""

from __future__ import annotations

import logging
import re
from typing import Any

from sphinx.application import Sphinx

from . import __version__

#: sphinxcontrib-bibtex's cache check, in the pieces it logs; this site hands it refs.bib already
#: parsed (its own cache), so it says "up to date" on a first build too.
BIBTEX_CACHE_CHECK = {"checking bibtex cache... ", "up to date", "out of date"}
#: Settings that extensions themselves set when a build starts (sphinx-copybutton and
#: sphinx-design add their static folders, Furo its dark code style): Sphinx compares them with
#: conf.py's values before that, and reports a change on every rebuild, though none was made.
SET_AT_START_UP = frozenset({"html_static_path", "pygments_dark_style"})
_CHANGED_OPTIONS = re.compile(r"'([^']+)'")


class UpstreamNoise(logging.Filter):
    """Drop the info messages of other extensions that mislead a reader or tell him nothing.

    - myst-parser logs its whole configuration (50 settings) on every build;
    - sphinxcontrib-bibtex's "checking bibtex cache... up to date" (see BIBTEX_CACHE_CHECK);
    - Sphinx's "Writing evaluated template result to <path>" for each of its own static
      templates, on every build, naming the work folder;
    - Sphinx's "The configuration has changed" on every rebuild, when the only settings that
      differ are those of SET_AT_START_UP.

    Warnings and errors always pass, whatever they say.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        if getattr(record, "subtype", None) == "template_evaluation":
            return False
        message = str(record.msg)
        if message.startswith("The configuration has changed"):
            changed = set(_CHANGED_OPTIONS.findall(record.getMessage()))
            return not changed <= SET_AT_START_UP
        if record.name == "sphinx.myst_parser.sphinx_ext.main" and "MdParserConfig" in str(
            record.args
        ):
            return False
        return not (
            record.name == "sphinx.sphinxcontrib.bibtex.bibfile" and message in BIBTEX_CACHE_CHECK
        )


class PublishedFolder(logging.Filter):
    """Sphinx's last line, in a build that `make html` publishes: that folder, not its work folder.

    It also names the address the site was built for.
    """

    def __init__(self, epilog: str, line: str) -> None:
        super().__init__()
        self.epilog = epilog
        self.line = line

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and record.msg == self.epilog:
            record.msg, record.args = self.line, ()
        return True


def add_filter(log_filter: logging.Filter) -> None:
    """Add a filter to the handlers Sphinx set up for this application's messages."""
    for handler in logging.getLogger("sphinx").handlers:
        if not any(type(existing) is type(log_filter) for existing in handler.filters):
            handler.addFilter(log_filter)


def name_published_folder(app: Sphinx) -> None:
    published = app.config.scholarsite_published_dir
    if published and app.builder.format == "html" and app.builder.epilog:
        suffix = getattr(app.builder, "out_suffix", ".html")
        index = f"{published.rstrip('/')}/{app.config.root_doc}{suffix}"
        address = f" for {app.config.html_baseurl}" if app.config.html_baseurl else ""
        line = f"The site{address} is in {published}: open {index}"
        add_filter(PublishedFolder(app.builder.epilog, line))


def setup(app: Sphinx) -> dict[str, Any]:
    # Set by the Makefile, which builds in a work folder and publishes a copy of it.
    app.add_config_value(
        "scholarsite_published_dir", "", "", str, description="The folder make html publishes."
    )
    add_filter(UpstreamNoise())
    app.connect("builder-inited", name_published_folder)
    return {
        "version": __version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
