"""The site's pybtex styles, and the plugins a build looks up, registered at runtime from one scan.

pybtex and sphinxcontrib-bibtex look a plugin name up in their runtime registries first and
otherwise scan the metadata of every installed package (about 10 ms a scan), on every
``Text.render_as``, style instantiation and label, and sphinxcontrib-bibtex for its referencing
styles at every build's start. Their public ``register_plugin`` scans too, once per call. So
every name a build looks up is read from one scan of the installed entry points and put into
the registries (upstream.py names them); each lookup is then a dict access.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points

from sphinx.application import Sphinx
from sphinx.config import Config

from . import upstream
from .style import HomepageStyle, VenueTagLabelStyle

#: The site's own styles, under the names conf.py and the style use.
SITE_STYLES = {
    ("pybtex.style.formatting", "homepage"): HomepageStyle,
    ("pybtex.style.labels", "venuetag"): VenueTagLabelStyle,
}
#: What a build looks up in pybtex, by group: reading refs.bib, the plain-text backend
#: (``latex_to_text``), the default name style and the one sphinxcontrib-bibtex's labels use,
#: and the homepage style's sorting.
PYBTEX_LOOKUPS = {
    "pybtex.database.input": ("bibtex",),
    "pybtex.backends": ("plaintext",),
    "pybtex.style.names": ("plain", "last"),
    "pybtex.style.sorting": ("none",),
}


@cache  # the installed packages do not change while a process runs
def installed_entry_points() -> dict[tuple[str, str], EntryPoint]:
    """The installed entry points of the groups above, by (group, name), from one scan.

    Among entry points of the same name the first found wins, as in the plugins' lookups.
    """
    everything = entry_points()
    found: dict[tuple[str, str], EntryPoint] = {}
    for group in [*PYBTEX_LOOKUPS, upstream.REFERENCING_GROUP]:
        for entry_point in everything.select(group=group):
            found.setdefault((group, entry_point.name), entry_point)
    return found


@cache  # the registries live as long as the process: once is enough, whatever the build
def register_pybtex_plugins() -> None:
    """The site's styles, and :data:`PYBTEX_LOOKUPS`' plugins that are installed."""
    registry = upstream.pybtex_runtime_plugins()
    for (group, name), style in SITE_STYLES.items():
        registry.setdefault(group, {})[name] = style
    installed = installed_entry_points()
    for group, names in PYBTEX_LOOKUPS.items():
        for name in names:
            if (entry_point := installed.get((group, name))) is not None:
                registry.setdefault(group, {})[name] = entry_point.load()


def register_referencing_styles(app: Sphinx, config: Config) -> None:
    """The referencing styles this build's settings name (sphinxcontrib-bibtex's, at runtime)."""
    for name in {config.bibtex_reference_style, config.bibtex_foot_reference_style}:
        register_referencing_style(name)


@cache
def register_referencing_style(name: str) -> None:
    entry_point = installed_entry_points().get((upstream.REFERENCING_GROUP, name))
    registry = upstream.referencing_runtime_plugins()
    if entry_point is not None and name not in registry:
        # A style a package registered at runtime itself stays its own.
        registry[name] = entry_point.load()
