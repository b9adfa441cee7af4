"""Sphinx extensions that turn Markdown pages and refs.bib into an academic homepage."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .fileutil import code_digest

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "1.0.0"

#: Changes whenever the code of this package does. The extension returns it as its
#: ``env_version``, so Sphinx starts afresh after an upgrade or an edit of the code instead of
#: keeping pages written by the old code (Sphinx tracks sources and config, not extensions).
ENV_VERSION = int.from_bytes(code_digest(sorted(Path(__file__).parent.glob("*.py")), size=6))


def setup(app: Sphinx) -> dict[str, Any]:
    """``extensions = ["scholarsite"]`` in conf.py: see :mod:`scholarsite.extension`."""
    from .extension import setup as setup_extension  # Sphinx only when used as an extension

    return setup_extension(app)
