"""Build speed that stays flat as refs.bib grows, with incremental builds equal to clean ones."""

from __future__ import annotations

import hashlib
import inspect
import os
import pickle
import posixpath
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from importlib.metadata import EntryPoint, distributions, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

import pybtex.plugin
from pybtex.database import BibliographyData
from pybtex.richtext import Tag
from pybtex.style import FormattedEntry
from pybtex.style.template import FieldIsMissing
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import SphinxError
from sphinx.util import logging
from sphinxcontrib.bibtex import plugin as bibtex_plugin
from sphinxcontrib.bibtex.bibfile import BibData, BibFile, get_mtime, is_bibdata_outdated
from sphinxcontrib.bibtex.domain import BibtexDomain, Citation, _FilterVisitor

from . import ENV_VERSION, __version__, refs
from .publications import bibliography

if TYPE_CHECKING:
    from pybtex.database import Entry
    from pybtex.style.formatting import BaseStyle
    from sphinxcontrib.bibtex.directives import BibliographyKey

logger = logging.getLogger(__name__)


# -- pybtex plugins ----------------------------------------------------------------------------
#
# pybtex's find_plugin() looks a name up among the plugins registered at runtime first and
# otherwise scans the metadata of every installed distribution (importlib entry points): about
# 10 ms on this venv, paid on every Text.render_as("text"), every style instantiation and every
# citation sphinxcontrib-bibtex resolves; sphinxcontrib-bibtex's own find_plugin() does the same
# for its referencing styles. One scan at start-up, registering what it finds, makes every later
# lookup a dict access.

REFERENCING = "sphinxcontrib.bibtex.style.referencing"


def register_pybtex_plugins() -> int:
    """Register every installed pybtex plugin (and referencing style) at runtime.

    Return how many were added. Plugins already registered at runtime (our style, by the
    publications extension) win, and among entry points the first found wins, as in
    find_plugin. An alias is also registered under its plain group when no plugin has that
    name, which find_plugin would otherwise look up with a scan before it tries the aliases; it
    resolves to the same class either way.
    """
    registries = {REFERENCING: bibtex_plugin._runtime_plugins}
    found: dict[str, dict[str, EntryPoint]] = defaultdict(dict)
    seen: set[str] = set()
    for distribution in distributions():  # in the order entry_points() reads them
        name = (
            getattr(distribution, "_normalized_name", None)
            or re.sub(r"[-_.]+", "_", distribution.metadata["Name"] or "").lower()
        )
        if name in seen:
            continue
        seen.add(name)
        for entry_point in distribution.entry_points:
            if entry_point.group.startswith("pybtex.") or entry_point.group == REFERENCING:
                found[entry_point.group].setdefault(entry_point.name, entry_point)
    added = 0
    for group in sorted(found, key=lambda name: name.endswith(".aliases")):
        runtime = registries.get(group, getattr(pybtex.plugin, "_RUNTIME_PLUGINS", None))
        if not isinstance(runtime, dict):  # a pybtex without runtime plugins: no speed-up
            continue
        for name, entry_point in found[group].items():
            targets = [group]
            if group.endswith(".aliases") and name not in found.get(group[: -len(".aliases")], {}):
                targets.append(group[: -len(".aliases")])
            for target in targets:
                plugins = runtime.get(target)
                if not isinstance(plugins, _LazyPlugins):
                    plugins = runtime[target] = _LazyPlugins(plugins or {})
                if name not in plugins:
                    plugins[name] = entry_point
                    added += 1
    return added


class _LazyPlugins(dict):
    """A group of runtime plugins whose entry points are loaded when first looked up."""

    def __getitem__(self, name: str) -> Any:
        value = super().__getitem__(name)
        if isinstance(value, EntryPoint):
            value = self[name] = value.load()
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default  # noqa: SIM401 (loads the plugin)


# -- Formatting every entry once ---------------------------------------------------------------
#
# sphinxcontrib-bibtex formats every entry of every bibliography at env-updated, in every build,
# a no-op one included, and formats each twice when tooltips are on (the second time with the
# same style, for the tooltip). The domain below keeps what it formatted in the environment,
# keyed by everything a formatted entry depends on, and skips env-updated altogether when
# nothing it reads has changed since the build that saved the environment.


def entry_digest(entry: Entry) -> str | None:
    """A digest of everything of *entry* a style can read; None for a crossref'ed entry."""
    if "crossref" in entry.fields:  # its formatting also depends on the parent entry
        return None
    return refs.entry_digest(entry)


_PLAIN_TYPES = (str, int, float, bool, tuple, frozenset, type(None))
_source_digests: dict[str, str] = {}


def _source_digest(module_name: str) -> str:
    if module_name not in _source_digests:
        module = sys.modules.get(module_name)
        try:
            source = Path(inspect.getsourcefile(module) or "").read_bytes() if module else b""
        except (OSError, TypeError):
            source = b""
        _source_digests[module_name] = hashlib.blake2b(source, digest_size=16).hexdigest()
    return _source_digests[module_name]


def style_fingerprint(style_class: type) -> str:
    """What a style's output depends on besides the entry: its code and its settings.

    The code of every class of the style (and of its label, name and sorting styles), the
    plain-valued class attributes (``HomepageStyle.owner_names``, set from conf.py), and the
    versions of pybtex and sphinxcontrib-bibtex.
    """
    parts: list[Any] = [version("pybtex"), version("sphinxcontrib-bibtex"), __version__]
    classes = list(style_class.__mro__)
    for attribute in _STYLE_GROUPS:
        name = getattr(style_class, attribute, None)
        if isinstance(name, str):
            try:
                classes += list(pybtex.plugin.find_plugin(_STYLE_GROUPS[attribute], name).__mro__)
            except Exception:  # find_plugin reports it when the style is used
                parts.append((attribute, name))
    for klass in classes:
        if klass.__module__ == "builtins":
            continue
        attributes = sorted(
            (name, repr(value))
            for name, value in vars(klass).items()
            if not name.startswith("__") and isinstance(value, _PLAIN_TYPES)
        )
        parts.append((klass.__module__, klass.__qualname__, _source_digest(klass.__module__)))
        parts.append(attributes)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


_STYLE_GROUPS = {
    "default_label_style": "pybtex.style.labels",
    "default_name_style": "pybtex.style.names",
    "default_sorting_style": "pybtex.style.sorting",
}


# -- Keeping the bulky data out of the environment pickle ---------------------------------------
#
# Sphinx unpickles the whole environment on every build, a no-op one too. With 4,000 entries
# the cite domain's parsed entries, formatted citations and formatting cache are 90% of it and
# take a second to unpickle, yet only a build that reads or writes a page with citations uses
# them. The domain keeps them in a file of its own beside the environment pickle, written when
# the environment is pickled and read back when first used.


class StoredCiteData:
    """The cite domain's bulky data, pickled into a file of its own and read on first use."""

    folder: ClassVar[Path] = Path()  # the doctree folder, set at builder-inited
    prefix = "scholarsite-cite-"

    def __init__(self, name: str | None = None, values: dict[str, Any] | None = None) -> None:
        self.name, self.values = name, values

    def __reduce__(self) -> tuple[type, tuple[str | None]]:
        if self.values is not None:  # in memory, maybe changed: store what it is now
            data = pickle.dumps(self.values, pickle.HIGHEST_PROTOCOL)
            self.name = f"{self.prefix}{hashlib.blake2b(data, digest_size=16).hexdigest()}.pickle"
            path = self.folder / self.name
            if not path.exists():  # named for its content: an existing file holds the same
                partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
                partial.write_bytes(data)
                partial.replace(path)
        return (StoredCiteData, (self.name,))

    def readable(self) -> bool:
        return self.values is not None or (self.folder / str(self.name)).is_file()

    def load(self) -> dict[str, Any]:
        if self.values is None:
            path = self.folder / str(self.name)
            try:
                with path.open("rb") as file:
                    self.values = pickle.load(file)
                logger.verbose(f"scholarsite.speed: stored cite data read from {path.name}")
            except Exception as error:
                raise SphinxError(f"cannot read {path} ({error}); run `make clean`") from error
        return self.values


class StoredBibliography(BibliographyData):
    """pybtex's BibliographyData, pickled as a reference to the stored cite data."""

    def __init__(self, stored: StoredCiteData) -> None:  # pybtex's attributes come on first use
        self.__dict__["_stored"] = stored

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self.__dict__.update(vars(self.__dict__["_stored"].load()["entries"]))
        return object.__getattribute__(self, name)

    def __reduce__(self) -> tuple[type, tuple[StoredCiteData]]:
        return (StoredBibliography, (self.__dict__["_stored"],))


class FastBibtexDomain(BibtexDomain):
    """sphinxcontrib-bibtex's domain, formatting only what changed since the last build."""

    @property
    def stored(self) -> StoredCiteData:
        stored = self.data.get("scholarsite_stored")
        if not isinstance(stored, StoredCiteData):
            values = {"entries": BibliographyData(), "citations": [], "speed": {}}
            stored = self.data["scholarsite_stored"] = StoredCiteData(values=values)
        return stored

    @property
    def bibdata(self) -> BibData:
        bibdata: BibData = self.data["bibdata"]
        if not isinstance(bibdata.data, StoredBibliography):  # just parsed: store the entries
            self.stored.load()["entries"] = bibdata.data
            bibdata = self.data["bibdata"] = bibdata._replace(data=StoredBibliography(self.stored))
        return bibdata

    @property
    def citations(self) -> list[Citation]:
        values = self.stored.load()
        if "citations" in self.data:  # set by sphinxcontrib-bibtex: store it
            values["citations"] = self.data.pop("citations")
        return values["citations"]

    @property
    def speed_data(self) -> dict[str, Any]:
        """What this domain keeps between builds to format only what changed."""
        return self.stored.load()["speed"]

    def recover_stored(self) -> None:
        """Start the bulky data afresh when its file is gone (refs.bib is parsed again)."""
        if not self.stored.readable():
            logger.info(f"scholarsite.speed: {self.stored.name} is gone; formatting afresh")
            del self.data["scholarsite_stored"]
            self.data["bibdata"] = BibData(encoding="", bibfiles={}, data=BibliographyData())
            self.env.scholarsite_speed_changed = True

    def env_updated(self) -> Iterable[str]:
        state, previous = self.bibliography_state(), self.data.get("scholarsite_state")
        if previous == state and not self.env.scholarsite_speed_changed:
            self.env.scholarsite_speed_skipped = True
            logger.verbose("scholarsite.speed: bibliography unchanged, formatted entries reused")
            return []  # the citations restored from the pickle are what we would compute
        self.env.scholarsite_speed_skipped = False
        speed = self.speed_data
        self._formatted_before = speed.get("formatted", {})
        self._labels_before = speed.get("labels", {})
        self._formatted_now: dict[Any, FormattedEntry] = {}
        self._labels_now: dict[Any, Any] = {}
        self._counts = [0, 0]  # formatted, reused
        try:
            result = super().env_updated()
        finally:
            speed["formatted"], speed["labels"] = self._formatted_now, self._labels_now
            del self._formatted_before, self._labels_before, self._formatted_now, self._labels_now
        self.data["scholarsite_state"] = state
        formatted, reused = self._counts
        logger.verbose(
            f"scholarsite.speed: formatted {formatted} entr{'y' if formatted == 1 else 'ies'}, "
            f"reused {reused} from the last build"
        )
        if previous not in (None, state):
            # refs.bib, a style's code or its settings changed: rewrite the pages that show
            # formatted entries, which also saves the environment with the new state
            result = {key.docname for key in self.bibliographies}
            result |= {ref.docname for ref in self.citation_refs}
        return sorted(result)

    def bibliography_state(self) -> tuple[Any, ...]:
        """Everything env_updated reads that no document read or purged would show."""
        config = self.env.config
        styles = sorted({bibliography.style for bibliography in self.bibliographies.values()})
        if config.bibtex_tooltips and config.bibtex_tooltips_style:
            styles.append(config.bibtex_tooltips_style)
        fingerprints = []
        for name in styles:
            try:
                fingerprints.append(
                    style_fingerprint(pybtex.plugin.find_plugin("pybtex.style.formatting", name))
                )
            except Exception:
                fingerprints.append(repr(name))
        bibdata = self.bibdata
        return (
            bibdata.encoding,
            tuple((str(path), bibfile.mtime) for path, bibfile in bibdata.bibfiles.items()),
            sum(len(bibfile.keys) for bibfile in bibdata.bibfiles.values()),
            bool(config.bibtex_tooltips),
            config.bibtex_tooltips_style,
            tuple(fingerprints),
        )

    def get_filtered_entries(
        self, bibliography_key: BibliographyKey
    ) -> Iterable[tuple[str, Entry]]:
        # The same as sphinxcontrib-bibtex's, with the documents citing each key collected in
        # one pass over the citation references instead of one pass per entry.
        cited: dict[str, set[str]] = defaultdict(set)
        for citation_ref in self.citation_refs:
            for target in citation_ref.targets:
                cited[target.key].add(citation_ref.docname)
        return self._filtered_entries(bibliography_key, cited)

    def _filtered_entries(
        self, bibliography_key: BibliographyKey, cited: dict[str, set[str]]
    ) -> Iterable[tuple[str, Entry]]:
        bibliography = self.bibliographies[bibliography_key]
        for entry in self.get_entries(bibliography.bibfiles):
            key = bibliography.keyprefix + entry.key
            cited_docnames = cited.get(key, set())
            visitor = _FilterVisitor(
                entry=entry, docname=bibliography_key.docname, cited_docnames=cited_docnames
            )
            try:
                success = visitor.visit(bibliography.filter_)
            except ValueError as err:
                logger.warning(
                    f"syntax error in :filter: expression; {err}",
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="filter_syntax_error",
                )
                success = bool(cited_docnames)
            if success or entry.key in bibliography.keys:
                yield key, entry

    def get_formatted_entries(
        self,
        bibliography_key: BibliographyKey,
        docnames: list[str],
        tooltips: bool,
        tooltips_style: str,
    ) -> Iterable[tuple[Entry, FormattedEntry, FormattedEntry | None]]:
        # The same as sphinxcontrib-bibtex's, each entry formatted at most once per style (the
        # tooltip shares the entry's when it uses the same style) and only when no earlier build
        # formatted it the same way.
        bibliography = self.bibliographies[bibliography_key]
        entries = dict(self.get_sorted_entries(bibliography_key, docnames))
        style_class = pybtex.plugin.find_plugin("pybtex.style.formatting", bibliography.style)
        tooltip_class = (
            pybtex.plugin.find_plugin("pybtex.style.formatting", tooltips_style)
            if tooltips and tooltips_style
            else None
        )
        style_print = style_fingerprint(style_class)
        tooltip_print = style_fingerprint(tooltip_class) if tooltip_class else None
        digests = [entry_digest(entry) for entry in entries.values()]
        styles: dict[str, BaseStyle] = {}

        def style(kind: str) -> BaseStyle:
            if kind not in styles:
                klass = style_class if kind == "main" else tooltip_class
                styles[kind] = cast("BaseStyle", klass())  # type: ignore[misc]
            return styles[kind]

        # sorting and labels: of the whole list at once, as labels may depend on each other
        values = list(entries.values())
        labels_key = (style_print, tuple(digests)) if None not in digests else None
        order_labels = self._labels_before.get(labels_key) if labels_key else None
        if order_labels is None:
            sorted_entries = list(style("main").sort(values))
            index_of = {id(entry): index for index, entry in enumerate(values)}
            order = [index_of[id(entry)] for entry in sorted_entries]
            order_labels = (order, list(style("main").format_labels(sorted_entries)))
        if labels_key:
            self._labels_now[labels_key] = order_labels
        order, labels = order_labels
        for index, label in zip(order, labels, strict=False):
            entry, digest = values[index], digests[index]
            label = bibliography.labelprefix + label
            try:
                formatted = self._format("main", style, style_print, label, entry, digest)
                tooltip = None
                if tooltips:
                    tooltip = (
                        self._format("tooltip", style, tooltip_print, label, entry, digest)
                        if tooltip_class
                        else formatted
                    )
            except FieldIsMissing as exc:
                logger.warning(
                    str(exc),
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="missing_field",
                )
                yield entry, FormattedEntry(entry.key, Tag("b", str(exc)), label), None
            else:
                yield entry, formatted, tooltip

    def _format(
        self, kind: str, style: Any, fingerprint: Any, label: str, entry: Entry, digest: Any
    ) -> FormattedEntry:
        key = (fingerprint, label, digest) if digest else None
        formatted = self._formatted_before.get(key) if key else None
        if formatted is None:
            formatted = style(kind).format_entry(label, entry)
            self._counts[0] += 1
        else:
            self._counts[1] += 1
        if key:
            self._formatted_now[key] = formatted
        return formatted


def note_reading(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Documents are read (or purged) in this build: citations must be computed again."""
    if docnames:
        env.scholarsite_speed_changed = True


def note_purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    env.scholarsite_speed_changed = True


def reset_changes(app: Sphinx) -> None:
    app.env.scholarsite_speed_changed = False
    app.env.scholarsite_speed_skipped = False
    StoredCiteData.folder = Path(app.doctreedir)
    _orphan_toctrees.clear()
    cast(FastBibtexDomain, app.env.get_domain("cite")).recover_stored()


def remove_old_stored(app: Sphinx, exception: Exception | None) -> None:
    """Remove the stored cite data of earlier builds: only the pickled environment's is used."""
    current = cast(FastBibtexDomain, app.env.get_domain("cite")).stored.name
    if exception is None and current:
        for path in Path(app.doctreedir).glob(f"{StoredCiteData.prefix}*"):
            if path.name != current:
                path.unlink(missing_ok=True)


# -- Parsing refs.bib once -------------------------------------------------------------------
#
# The publications extension parses and checks refs.bib at config-inited; sphinxcontrib-bibtex
# then parses the same file again at builder-inited whenever its mtime changed. When there is one
# bib file and it has not changed since it was checked, hand sphinxcontrib-bibtex the entries
# already parsed (the same pybtex Parser, entry for entry) and the mtime from before the check.


def _bibfile_paths(app: Sphinx) -> list[Path]:
    return [(Path(app.confdir) / name).resolve() for name in app.config.bibtex_bibfiles or []]


def note_bibfile_times(app: Sphinx, config: Any) -> None:
    """Before refs.bib is read: its mtime, so that a later change is never mistaken for this."""
    app.scholarsite_bibfile_mtimes = {  # type: ignore[attr-defined]
        path: get_mtime(path) for path in _bibfile_paths(app)
    }


def reuse_parsed_bibliography(app: Sphinx) -> None:
    """Hand sphinxcontrib-bibtex the entries the publications extension parsed, when it can."""
    mtimes: dict[Path, float] = getattr(app, "scholarsite_bibfile_mtimes", {})
    paths = _bibfile_paths(app)
    encoding = app.config.bibtex_encoding
    if (
        not hasattr(app, "scholarsite_refs")  # the publications extension checks refs.bib
        or len(paths) != 1
        or list(mtimes) != paths
        or encoding.lower().replace("_", "-") != "utf-8-sig"  # what refs.py decodes
        or get_mtime(paths[0])
        != mtimes[paths[0]]  # changed since: let sphinxcontrib-bibtex read it
    ):
        return
    domain = cast(BibtexDomain, app.env.get_domain("cite"))
    if not is_bibdata_outdated(domain.bibdata, paths, encoding):
        return
    data = BibliographyData()
    for key, entry in bibliography(app).items():
        data.add_entry(key, entry)
    domain.data["bibdata"] = BibData(
        encoding=encoding,
        bibfiles={paths[0]: BibFile(mtime=mtimes[paths[0]], keys=dict.fromkeys(data.entries))},
        data=data,
    )
    logger.verbose(f"scholarsite.speed: {len(data.entries)} entries of {paths[0].name} reused")


# -- Pages of removed documents -----------------------------------------------------------------
#
# Sphinx leaves the page of a removed document in the output folder, so an incremental build
# would keep publishing a paper whose entry left refs.bib. A clean build has no such page.


def remove_pages_of_removed_docs(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    outfilename = getattr(app.builder, "get_outfilename", None)
    for docname in sorted(removed) if outfilename else ():
        Path(outfilename(docname)).unlink(missing_ok=True)
    return []


# -- One navigation tree for every paper page -----------------------------------------------------
#
# Furo puts the whole site's navigation on every page, and Sphinx renders it afresh for each
# (toctree(): about 3 ms a page, the largest part of a paper page's cost). A page in no toctree,
# as a paper page is, has nothing in that tree marked current: its navigation differs from another
# such page's only in the folder its links are relative to. Render it once per folder.

_orphan_toctrees: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}


def share_orphan_toctree(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    env = app.env
    in_toctrees = set().union(*env.toctree_includes.values())
    if (
        pagename not in env.all_docs  # a generated page (search, 404) may bring its own toctree
        or pagename == app.config.root_doc
        or pagename in in_toctrees
        or "toctree" not in context
    ):
        return
    render, folder = context["toctree"], posixpath.dirname(pagename)

    def toctree(**kwargs: Any) -> str:
        key = (folder, tuple(sorted(kwargs.items())))
        if key not in _orphan_toctrees:
            _orphan_toctrees[key] = render(**kwargs)
        return _orphan_toctrees[key]

    context["toctree"] = toctree


# -- setup --------------------------------------------------------------------------------------


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    register_pybtex_plugins()
    app.add_domain(FastBibtexDomain, override=True)
    app.connect("builder-inited", reset_changes, priority=400)  # before refs.bib is read
    app.connect("build-finished", remove_old_stored)
    app.connect("env-get-outdated", remove_pages_of_removed_docs)
    # before the handlers that replace toctree() (sphinx-notfound-page, 400) or call it (Furo, 500)
    app.connect("html-page-context", share_orphan_toctree, priority=300)
    app.connect("config-inited", note_bibfile_times, priority=450)  # refs.bib is read at 500
    app.connect("builder-inited", reuse_parsed_bibliography, priority=450)  # bibtex reads at 500
    app.connect("env-before-read-docs", note_reading)
    app.connect("env-purge-doc", note_purge)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
