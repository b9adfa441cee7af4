"""The cyclic garbage collector kept off the data a build holds from start to end.

A site of thousands of entries keeps about a million objects alive for a whole build: the
parsed and checked entries, their records, the kept HTML and formatting caches. Each full
collection walks all of them, which took a third of a 4,000-entry site's rebuild after one
entry's edit. Once such data is loaded or made, it is frozen (``gc.freeze``: left out of every
collection). It stays frozen when the build ends: ``sphinx-build`` then exits, and the
collection Python runs on its way out would walk it all again (seconds, for thousands of
entries). A process that builds again hands it back to the collector when the next build
starts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


@contextmanager
def making_long_lived_data() -> Iterator[None]:
    """While data the build keeps to its end is loaded or made: no collection, which would
    walk the new objects again and again while they are made; then they are frozen."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def freeze_what_is_alive(*_: Any) -> None:
    """Leave every object alive now out of later collections, until the next build starts."""
    gc.freeze()


def thaw_earlier_builds(app: Sphinx, config: Config) -> None:
    """At the start of a build: what an earlier build in this process froze is collected as
    usual again."""
    gc.unfreeze()
