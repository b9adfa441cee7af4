"""The publication list: refs.bib checked, grouped by year, each entry with its links and BibTeX."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, NoReturn, cast

from docutils import nodes
from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.utils import OrderedCaseInsensitiveDict
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinxcontrib.bibtex.directives import BibliographyDirective
from sphinxcontrib.bibtex.domain import BibtexDomain

from . import ENV_VERSION, __version__
from .refs import HOMEPAGE_FIELDS, CachedRefs, Refs, entry_digest, load_refs_cached
from .style import EQUAL_CONTRIBUTION_MARK, HomepageStyle, VenueTagLabelStyle, latex_to_text

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
#: The fields of the BibTeX entry a visitor copies: the standard ones, in this order.
BIBTEX_FIELDS = (
    "title", "booktitle", "journal", "series", "volume", "number", "pages", "year", "month",
    "publisher", "address", "organization", "school", "institution", "edition", "note",
    "isbn", "issn", "doi", "url", "eprint", "eprinttype", "archiveprefix",
)  # fmt: skip


def fail(problems: list[str]) -> NoReturn:
    """Report each problem as an error and stop the build before anything is written.

    Sphinx prints a traceback report for any exception an extension raises, so the build
    ends with a plain exit status instead: the messages above already say what to fix.
    """
    for problem in problems:
        logger.error(problem)
    logger.error(f"Build stopped: {len(problems)} problem(s) to fix.")
    raise SystemExit(2)


# -- Nodes and directives ------------------------------------------------------


class details(nodes.General, nodes.Element):
    """A disclosure widget: ``<details><summary>...</summary>...</details>``."""


def visit_details(self: Any, node: details) -> None:
    self.body.append(self.starttag(node, "details"))
    self.body.append(f"<summary>{self.encode(node['summary'])}</summary>")


def depart_details(self: Any, node: details) -> None:
    self.body.append("</details>")


class publication_list(nodes.General, nodes.Element):
    """Where the full publication list goes."""


class cited_publications(nodes.General, nodes.Element):
    """Where a page's short list of the publications it cites goes."""


class PublicationsDirective(BibliographyDirective):
    """Every entry of refs.bib, grouped by year, newest first."""

    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        self.options = {"all": True}
        self.env.scholarsite_list_docs.add(self.env.docname)
        wrapper = publication_list()
        wrapper.extend(super().run())
        return [wrapper]


class CitedPublicationsDirective(SphinxDirective):
    """A short list of what this page cites, each linking to its entry on the full list."""

    def run(self) -> list[nodes.Node]:
        return [cited_publications(docname=self.env.docname)]


# -- Reading refs.bib and files/ -----------------------------------------------


def load_bibliography(app: Sphinx, config: Config) -> None:
    """Check refs.bib before anything is read, and stop the build on any problem."""
    HomepageStyle.owner_names = tuple(config.scholarsite_owner_names)
    checked: list[Refs | CachedRefs] = []
    problems = []
    digest = hashlib.sha256()
    for name in config.bibtex_bibfiles or []:
        path = Path(os.path.relpath(Path(app.confdir, name).resolve()))
        refs = load_refs_cached(path, Path(app.doctreedir))
        problems += [str(problem) for problem in refs.problems]
        checked.append(refs)
        digest.update(path.read_bytes() if path.is_file() else b"")
    if problems:
        fail(problems)
    app.scholarsite_refs = checked  # type: ignore[attr-defined]
    app.scholarsite_refs_digest = digest.hexdigest()  # type: ignore[attr-defined]


def bibliography(app: Sphinx) -> OrderedCaseInsensitiveDict:
    """Every entry of refs.bib by key, in the owner's order (parsed on first use)."""
    if not hasattr(app, "scholarsite_entries"):
        entries: OrderedCaseInsensitiveDict = OrderedCaseInsensitiveDict()
        for refs in app.scholarsite_refs:  # type: ignore[attr-defined]
            entries.update(refs.entries)
        app.scholarsite_entries = entries  # type: ignore[attr-defined]
        logger.verbose(f"scholarsite: {len(entries)} parsed entries of refs.bib in use")
    return app.scholarsite_entries  # type: ignore[attr-defined]


def local_pdfs(app: Sphinx) -> dict[str, str]:
    """The local PDF each entry of refs.bib names, by key."""
    return {key: pdf for refs in app.scholarsite_refs for key, pdf in refs.pdfs.items()}  # type: ignore[attr-defined]


def check_local_files(app: Sphinx) -> None:
    """Note which local PDFs named in refs.bib are present, and say which are missing."""
    files_dir = Path(app.confdir, app.config.scholarsite_files_dir).resolve()
    present = set()
    if files_dir.is_dir():
        present = {path.name for path in files_dir.iterdir() if path.is_file()}
    app.scholarsite_files = present  # type: ignore[attr-defined]
    missing = sorted(f"{pdf} ({key})" for key, pdf in local_pdfs(app).items() if pdf not in present)
    if missing and app.config.scholarsite_require_files:
        fail([f"{files_dir}: missing {name}; add it, or remove its pdf field" for name in missing])
    if missing:
        logger.info(
            f"{len(missing)} PDF(s) not in {files_dir.name}/, linked to the "
            f"publisher's copy instead: {', '.join(missing)}"
        )


def copy_local_files(app: Sphinx, exception: Exception | None) -> None:
    """Serve everything in files/ at /files/NAME, and nothing that has left files/."""
    files_dir = Path(app.confdir, app.config.scholarsite_files_dir)
    if exception is None and app.builder.format == "html":
        target = Path(app.outdir, "files")
        present = app.scholarsite_files  # type: ignore[attr-defined]
        for path in target.iterdir() if target.is_dir() else ():
            if path.name not in present:  # an incremental build's output folder keeps files
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        if present:
            target.mkdir(exist_ok=True)
        for name in sorted(present):
            shutil.copyfile(files_dir / name, target / name)


# -- Keeping incremental builds exact ------------------------------------------


def keys_that_differ(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Keys added, removed, or whose value changed from *old* to *new*."""
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def init_env_data(app: Sphinx) -> None:
    for name, default in (("scholarsite_list_docs", set), ("scholarsite_cited_on", dict)):
        if not hasattr(app.env, name):
            setattr(app.env, name, default())


def purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    env.scholarsite_list_docs.discard(docname)


def merge_list_docs(
    app: Sphinx, env: BuildEnvironment, docnames: Iterable[str], other: BuildEnvironment
) -> None:
    env.scholarsite_list_docs |= other.scholarsite_list_docs


def citing_docs(env: BuildEnvironment) -> dict[str, tuple[str, ...]]:
    """For every cited key, the documents that cite it, in a stable order."""
    cited_on: dict[str, set[str]] = {}
    domain = cast(BibtexDomain, env.get_domain("cite"))
    for ref in domain.citation_refs:
        for target in ref.targets:
            cited_on.setdefault(target.key, set()).add(ref.docname)
    return {key: tuple(sorted(docs)) for key, docs in sorted(cited_on.items())}


def docs_to_reread(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Re-read what shows an entry of refs.bib that changed, or a PDF that came or went."""
    old_fingerprints = getattr(env, "scholarsite_fingerprints", {})
    fingerprints = old_fingerprints
    refs_digest = app.scholarsite_refs_digest  # type: ignore[attr-defined]
    if refs_digest != getattr(env, "scholarsite_refs_digest", None):  # refs.bib was edited
        entries = bibliography(app)
        fingerprints = {key: entry_digest(entry) for key, entry in entries.items()}
        env.scholarsite_refs_digest = refs_digest  # type: ignore[attr-defined]
    changed_keys = keys_that_differ(old_fingerprints, fingerprints)
    files = frozenset(app.scholarsite_files)  # type: ignore[attr-defined]
    files_changed = files != getattr(env, "scholarsite_files", frozenset())
    env.scholarsite_fingerprints = fingerprints  # type: ignore[attr-defined]
    env.scholarsite_files = files  # type: ignore[attr-defined]
    app.scholarsite_changed_keys = changed_keys  # type: ignore[attr-defined]
    app.scholarsite_files_changed = files_changed  # type: ignore[attr-defined]
    if not changed_keys and not files_changed:
        return []
    outdated = set(env.scholarsite_list_docs)
    for key in changed_keys:
        outdated.update(env.scholarsite_cited_on.get(key, ()))
    return sorted(outdated & env.found_docs)


def docs_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Rewrite the pages whose "Cited on" links changed with this build's citations."""
    cited_on = citing_docs(env)
    old = env.scholarsite_cited_on
    env.scholarsite_cited_on = cited_on
    changed_keys = keys_that_differ(old, cited_on)
    app.scholarsite_backlinks_changed = changed_keys  # type: ignore[attr-defined]
    return sorted(env.scholarsite_list_docs) if changed_keys else []


# -- Rendering -----------------------------------------------------------------


def entry_links(entry: Entry, app: Sphinx, fromdocname: str) -> list[tuple[str, str]]:
    """The (label, address) pairs an entry links to, each only when the data has it."""
    fields = entry.fields
    doi_url = f"https://doi.org/{fields['doi']}" if "doi" in fields else None
    eprint_type = fields.get("eprinttype", fields.get("archiveprefix", "")).lower()
    arxiv_id = fields["eprint"] if "eprint" in fields and eprint_type == "arxiv" else None
    arxiv_pdf = f"https://arxiv.org/pdf/{arxiv_id}" if arxiv_id else None
    links = []
    if pdf := fields.get("pdf"):
        if pdf in app.scholarsite_files:  # type: ignore[attr-defined]
            links.append(("PDF", relative_uri(app, fromdocname, f"files/{pdf}")))
        elif remote_copy := doi_url or fields.get("url") or arxiv_pdf:
            links.append(("PDF", remote_copy))
    if "code" in fields:
        links.append(("Code", fields["code"]))
    if doi_url:
        links.append(("DOI", doi_url))
    elif "url" in fields:
        links.append(("Publisher", fields["url"]))
    if arxiv_id:
        links.append(("arXiv", f"https://arxiv.org/abs/{arxiv_id}"))
    links += [
        (label, fields[name])
        for label, name in (("Slides", "slides"), ("Video", "video"), ("Project", "project"))
        if name in fields
    ]
    return links


def relative_uri(app: Sphinx, fromdocname: str, path: str) -> str:
    """*path* in the output folder, relative to the page of *fromdocname*."""
    depth = app.builder.get_target_uri(fromdocname).count("/")
    return "../" * depth + path


def bibtex_source(entry: Entry) -> str:
    """The entry as clean BibTeX: standard fields only, none of the homepage's own."""
    lines = [f"@{entry.original_type}{{{entry.key},"]
    for role in ("author", "editor"):
        if persons := entry.persons.get(role):
            lines.append(f"  {role} = {{{' and '.join(str(person) for person in persons)}}},")
    lines += [
        f"  {name} = {{{entry.fields[name]}}},"
        for name in BIBTEX_FIELDS
        if name in entry.fields and name not in HOMEPAGE_FIELDS
    ]
    return "\n".join([*lines, "}"])


def bibtex_box(entry: Entry, summary: str = "BibTeX") -> details:
    box = details(summary=summary, classes=["publication-bibtex"])
    source = bibtex_source(entry)
    box += nodes.literal_block(source, source, language="bibtex")
    return box


def links_row(entry: Entry, app: Sphinx, fromdocname: str) -> nodes.paragraph:
    row = nodes.paragraph(classes=["publication-links"])
    for label, uri in entry_links(entry, app, fromdocname):
        row += nodes.reference(label, label, refuri=uri, classes=["publication-link"])
    return row


def cited_on_line(key: str, app: Sphinx, fromdocname: str) -> list[nodes.Node]:
    """ "Cited on" links to every page that cites *key*; nothing when none does."""
    env = app.env
    docnames = env.scholarsite_cited_on.get(key, ())
    if not docnames:
        return []
    line = nodes.paragraph(classes=["publication-cited-on"])
    line += nodes.Text("Cited on: ")
    for index, docname in enumerate(docnames):
        if index:
            line += nodes.Text(", ")
        title = env.titles[docname].astext() if docname in env.titles else docname
        uri = app.builder.get_relative_uri(fromdocname, docname)
        line += nodes.reference("", title, refuri=uri, internal=True)
    return [line]


class PublicationListTransform(SphinxPostTransform):
    """Group the rendered list by year and add each entry's links and BibTeX."""

    default_priority = 6  # after sphinxcontrib-bibtex renders the entries (5)

    def run(self, **kwargs: Any) -> None:
        wrappers = list(self.document.findall(publication_list))
        if not wrappers:  # runs on every page: do no O(N) work where there is no list
            return
        domain = cast(BibtexDomain, self.env.get_domain("cite"))
        entries = domain.bibdata.data.entries
        order = {key: index for index, key in enumerate(entries)}
        key_of = {citation.citation_id: citation.key for citation in domain.citations}
        for wrapper in wrappers:
            citations = list(wrapper.findall(nodes.citation))
            for node in citations:
                node["key"] = key_of[node["ids"][0]]
            citations.sort(
                key=lambda node: (-int(entries[node["key"]].fields["year"]), order[node["key"]])
            )
            wrapper.replace_self(self.grouped_by_year(citations, entries))

    def grouped_by_year(self, citations: list[nodes.citation], entries: Any) -> list[nodes.Node]:
        """A section per year, each a list whose items are the entries, anchored at their keys."""
        result: list[nodes.Node] = []
        if any("author+an" in entries[node["key"]].fields for node in citations):
            legend = f"{EQUAL_CONTRIBUTION_MARK} Equal contribution."
            result.append(nodes.paragraph("", legend, classes=["publication-legend"]))
        years: dict[str, nodes.bullet_list] = {}
        for node in citations:
            key = node["key"]
            entry = entries[key]
            year = entry.fields["year"]
            if year not in years:
                section = nodes.section(ids=[f"year-{year}"])
                section += nodes.title(year, year)
                section += years.setdefault(
                    year, nodes.bullet_list(classes=["publication-entries"])
                )
                result.append(section)
            years[year] += self.list_item(node, entry)
        return result

    def list_item(self, citation: nodes.citation, entry: Entry) -> nodes.list_item:
        """The entry as a list item (docutils' citation markup has a deprecated ARIA role)."""
        key, docname = citation["key"], self.env.docname
        label = next(citation.findall(nodes.label)).astext()
        text = next(citation.findall(nodes.paragraph))
        text.insert(0, nodes.inline("", f"[{label}] ", classes=["venue-tag"]))
        item = nodes.list_item("", text, ids=citation["ids"], classes=["citation"])
        self.app.emit("scholarsite-entry-rendered", key, item, docname)
        item += links_row(entry, self.app, docname)
        item += bibtex_box(entry)
        item.extend(cited_on_line(key, self.app, docname))
        return item


class CitedPublicationsTransform(SphinxPostTransform):
    """Fill each page's short list with the entries the page cites, linked to the full list."""

    default_priority = 6

    def run(self, **kwargs: Any) -> None:
        markers = list(self.document.findall(cited_publications))
        if not markers:  # runs on every page: do no O(N) work where there is no list
            return
        domain = cast(BibtexDomain, self.env.get_domain("cite"))
        by_key = {citation.key: citation for citation in domain.citations}
        for marker in markers:
            docname = marker["docname"]
            keys = dict.fromkeys(
                target.key
                for ref in domain.citation_refs
                if ref.docname == docname
                for target in ref.targets
            )
            items = nodes.bullet_list(classes=["cited-publications"])
            for key in keys:
                if (citation := by_key.get(key)) is None:
                    continue
                entry = citation.entry
                uri = self.app.builder.get_relative_uri(docname, citation.bibliography_key.docname)
                tag = f"[{latex_to_text(entry.fields['venuetag'])}] "
                item = nodes.paragraph()
                item += nodes.inline("", tag, classes=["venue-tag"])
                item += nodes.reference(
                    "",
                    latex_to_text(entry.fields["title"]),
                    refuri=f"{uri}#{citation.citation_id}",
                    internal=True,
                )
                items += nodes.list_item("", item)
            marker.replace_self(items)


def add_static_dir(app: Sphinx, config: Config) -> None:
    config.html_static_path.append(str(STATIC_DIR))


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_config_value("scholarsite_owner_names", [], "env", list)
    app.add_config_value("scholarsite_files_dir", "../files", "env", str)
    app.add_config_value("scholarsite_require_files", False, "env", bool)
    register_plugin("pybtex.style.formatting", "homepage", HomepageStyle, force=True)
    register_plugin("pybtex.style.labels", "venuetag", VenueTagLabelStyle, force=True)
    app.add_event("scholarsite-entry-rendered")
    app.add_node(details, html=(visit_details, depart_details))
    app.add_node(publication_list)
    app.add_node(cited_publications)
    app.add_directive("publications", PublicationsDirective)
    app.add_directive("cited-publications", CitedPublicationsDirective)
    app.add_post_transform(PublicationListTransform)
    app.add_post_transform(CitedPublicationsTransform)
    app.add_css_file("scholarsite.css")
    app.connect("config-inited", load_bibliography)
    app.connect("config-inited", add_static_dir)
    app.connect("builder-inited", check_local_files)
    app.connect("builder-inited", init_env_data)
    app.connect("env-get-outdated", docs_to_reread)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_list_docs)
    app.connect("env-updated", docs_to_rewrite)
    app.connect("build-finished", copy_local_files)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
