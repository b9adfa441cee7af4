"""Sphinx extensions that turn Markdown pages and refs.bib into an academic homepage."""

import hashlib
from pathlib import Path

__version__ = "1.0.0"

#: Changes whenever the code of this package does. Every extension returns it as its
#: ``env_version``, so Sphinx starts afresh after an upgrade or an edit of the code instead of
#: keeping pages written by the old code (Sphinx tracks sources and config, not extensions).
ENV_VERSION = int.from_bytes(
    hashlib.blake2b(
        b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py"))),
        digest_size=6,
    ).digest()
)
