"""The site's pybtex plugins, and the plugins a build looks up often, registered at runtime.

pybtex looks a plugin name up among the plugins registered at runtime first, and otherwise
scans the metadata of every installed package (about 15 ms), on every ``Text.render_as``, style
instantiation and label. A build that formats entries looks the same few names up hundreds of
times: registering them with pybtex's public ``register_plugin`` makes each lookup a dict access.
``register_plugin`` itself scans once per name, so only names looked up repeatedly are
registered, and only in a build that reads or formats something (a no-op build looks none up).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import EntryPoint, distributions

import pybtex.plugin

from .style import HomepageStyle, VenueTagLabelStyle

#: The names a formatting build looks up again and again, by group: pybtex's plain-text backend
#: (``latex_to_text``), the default name style and the one sphinxcontrib-bibtex's labels use, and
#: the homepage style's sorting.
REPEATED_LOOKUPS = {
    "pybtex.backends": ("plaintext",),
    "pybtex.style.names": ("plain", "last"),
    "pybtex.style.sorting": ("none",),
}


def register_homepage_style() -> None:
    """The site's formatting and label styles, under the names conf.py and the style use."""
    pybtex.plugin.register_plugin("pybtex.style.formatting", "homepage", HomepageStyle, force=True)
    pybtex.plugin.register_plugin("pybtex.style.labels", "venuetag", VenueTagLabelStyle, force=True)


def installed_plugins(groups: set[str]) -> dict[tuple[str, str], EntryPoint]:
    """The installed entry points of *groups*, by (group, name), read in one scan.

    Among entry points of the same name the first found wins, as in ``find_plugin``.
    """
    found: dict[tuple[str, str], EntryPoint] = {}
    seen: set[str] = set()
    for distribution in distributions():  # in the order entry_points() reads them
        name = re.sub(r"[-_.]+", "_", distribution.metadata["Name"] or "").lower()
        if name in seen:
            continue
        seen.add(name)
        for entry_point in distribution.entry_points:
            if entry_point.group in groups:
                found.setdefault((entry_point.group, entry_point.name), entry_point)
    return found


@cache  # pybtex's registry lives as long as the process: once is enough, whatever the build
def register_repeated_lookups() -> int:
    """Register the plugins of :data:`REPEATED_LOOKUPS` that are installed; return how many."""
    installed = installed_plugins(set(REPEATED_LOOKUPS))
    registered = 0
    for group, names in REPEATED_LOOKUPS.items():
        for name in names:
            if (entry_point := installed.get((group, name))) is not None:
                pybtex.plugin.register_plugin(group, name, entry_point.load(), force=True)
                registered += 1
    return registered
