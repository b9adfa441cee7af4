"""The publication list: refs.bib checked, grouped by year, each entry with its links and BibTeX."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, ClassVar, NoReturn, cast

from docutils import nodes
from pybtex.plugin import register_plugin
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.config import Config
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinxcontrib.bibtex.directives import BibliographyDirective
from sphinxcontrib.bibtex.domain import BibtexDomain

from . import __version__
from .refs import HOMEPAGE_FIELDS, Refs, load_refs
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


class details(nodes.General, nodes.Element):
    """A disclosure widget: ``<details><summary>...</summary>...</details>``."""


def visit_details(self, node: details) -> None:
    self.body.append(self.starttag(node, "details"))
    self.body.append(f"<summary>{self.encode(node['summary'])}</summary>")


def depart_details(self, node: details) -> None:
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
        wrapper = publication_list()
        wrapper.extend(super().run())
        return [wrapper]


class CitedPublicationsDirective(SphinxDirective):
    """A short list of what this page cites, each linking to its entry on the full list."""

    def run(self) -> list[nodes.Node]:
        return [cited_publications(docname=self.env.docname)]


def load_bibliography(app: Sphinx, config: Config) -> None:
    """Check refs.bib before anything is read, and stop the build on any problem."""
    HomepageStyle.owner_names = tuple(config.scholarsite_owner_names)
    refs_by_path: dict[Path, Refs] = {}
    problems = []
    for name in config.bibtex_bibfiles or []:
        path = (Path(app.confdir) / name).resolve()
        refs = refs_by_path[path] = load_refs(Path(os.path.relpath(path)))
        problems += refs.problems
    if problems:
        fail([str(problem) for problem in problems])
    app.scholarsite_refs = refs_by_path  # type: ignore[attr-defined]


def check_local_files(app: Sphinx) -> None:
    """Note which local PDFs named in refs.bib are present, and say which are missing."""
    files_dir = Path(app.confdir, app.config.scholarsite_files_dir).resolve()
    present = (
        {path.name for path in files_dir.iterdir() if path.is_file()}
        if files_dir.is_dir()
        else set()
    )
    app.scholarsite_files = present  # type: ignore[attr-defined]
    missing = sorted(
        f"{entry.fields['pdf']} ({key})"
        for refs in app.scholarsite_refs.values()  # type: ignore[attr-defined]
        for key, entry in refs.entries.items()
        if "pdf" in entry.fields and entry.fields["pdf"] not in present
    )
    if missing and app.config.scholarsite_require_files:
        fail(
            [
                f"{files_dir}: missing {name}; add the file, or remove its pdf field"
                for name in missing
            ]
        )
    if missing:
        logger.info(
            f"{len(missing)} PDF(s) not in {files_dir.name}/, linked to the "
            f"publisher's copy instead: {', '.join(missing)}"
        )


def copy_local_files(app: Sphinx, exception: Exception | None) -> None:
    """Serve everything in files/ at /files/NAME."""
    files_dir = Path(app.confdir, app.config.scholarsite_files_dir)
    if exception is None and app.builder.format == "html" and files_dir.is_dir():
        target = Path(app.outdir, "files")
        target.mkdir(exist_ok=True)
        for name in sorted(app.scholarsite_files):  # type: ignore[attr-defined]
            shutil.copyfile(files_dir / name, target / name)


def entry_links(entry: Any, app: Sphinx, fromdocname: str) -> list[tuple[str, str]]:
    """The (label, address) pairs an entry links to, each only when the data has it."""
    fields = entry.fields
    doi_url = f"https://doi.org/{fields['doi']}" if "doi" in fields else None
    eprint_type = fields.get("eprinttype", fields.get("archiveprefix", "")).lower()
    arxiv_id = fields["eprint"] if "eprint" in fields and eprint_type == "arxiv" else None
    arxiv_pdf = f"https://arxiv.org/pdf/{arxiv_id}" if arxiv_id else None
    links = []
    if pdf := fields.get("pdf"):
        if pdf in app.scholarsite_files:  # type: ignore[attr-defined]
            links.append(("PDF", relative_file_uri(app.builder, fromdocname, pdf)))
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


def relative_file_uri(builder: Builder, fromdocname: str, name: str) -> str:
    depth = builder.get_target_uri(fromdocname).count("/")
    return "../" * depth + f"files/{name}"


def bibtex_source(entry: Any) -> str:
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


def entry_extras(entry: Any, app: Sphinx, fromdocname: str) -> list[nodes.Node]:
    """The links row and the BibTeX box shown under an entry."""
    row = nodes.paragraph(classes=["publication-links"])
    for label, uri in entry_links(entry, app, fromdocname):
        row += nodes.reference(label, label, refuri=uri, classes=["publication-link"])
    box = details(summary="BibTeX", classes=["publication-bibtex"])
    source = bibtex_source(entry)
    box += nodes.literal_block(source, source, language="bibtex")
    return [row, box]


class PublicationListTransform(SphinxPostTransform):
    """Group the rendered list by year and add each entry's links and BibTeX."""

    default_priority = 6  # after sphinxcontrib-bibtex renders the entries (5)

    def run(self, **kwargs: Any) -> None:
        domain = cast(BibtexDomain, self.env.get_domain("cite"))
        entries = domain.bibdata.data.entries
        order = {key: index for index, key in enumerate(entries)}
        key_of = {citation.citation_id: citation.key for citation in domain.citations}
        for wrapper in list(self.document.findall(publication_list)):
            citations = list(wrapper.findall(nodes.citation))
            for node in citations:
                node["key"] = key_of[node["ids"][0]]
            citations.sort(
                key=lambda node: (-int(entries[node["key"]].fields["year"]), order[node["key"]])
            )
            wrapper.replace_self(self.grouped_by_year(citations, entries))

    def grouped_by_year(self, citations: list[nodes.citation], entries: Any) -> list[nodes.Node]:
        result: list[nodes.Node] = []
        if any("author+an" in entries[node["key"]].fields for node in citations):
            result.append(
                nodes.paragraph(
                    "",
                    f"{EQUAL_CONTRIBUTION_MARK} Equal contribution.",
                    classes=["publication-legend"],
                )
            )
        years: dict[str, nodes.Element] = {}
        for node in citations:
            entry = entries[node["key"]]
            year = entry.fields["year"]
            if year not in years:
                section = years[year] = nodes.section(
                    ids=[f"year-{year}"], classes=["publication-year"]
                )
                section += nodes.title(year, year)
                result.append(section)
            node.extend(entry_extras(entry, self.app, self.env.docname))
            years[year] += node
        return result


class CitedPublicationsTransform(SphinxPostTransform):
    """Fill each page's short list with the entries the page cites, linked to the full list."""

    default_priority = 6

    def run(self, **kwargs: Any) -> None:
        domain = cast(BibtexDomain, self.env.get_domain("cite"))
        for placeholder in list(self.document.findall(cited_publications)):
            docname = placeholder["docname"]
            keys = dict.fromkeys(
                target.key
                for ref in domain.citation_refs
                if ref.docname == docname
                for target in ref.targets
            )
            by_key = {citation.key: citation for citation in domain.citations}
            items = nodes.bullet_list(classes=["cited-publications"])
            for key in keys:
                if (citation := by_key.get(key)) is None:
                    continue
                entry = citation.entry
                uri = self.app.builder.get_relative_uri(docname, citation.bibliography_key.docname)
                item = nodes.paragraph()
                item += nodes.inline(
                    "", f"[{latex_to_text(entry.fields['venuetag'])}] ", classes=["venue-tag"]
                )
                item += nodes.reference(
                    "",
                    latex_to_text(entry.fields["title"]),
                    refuri=f"{uri}#{citation.citation_id}",
                    internal=True,
                )
                items += nodes.list_item("", item)
            placeholder.replace_self(items)


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("sphinxcontrib.bibtex")
    app.add_config_value("scholarsite_owner_names", [], "env", list)
    app.add_config_value("scholarsite_files_dir", "../files", "env", str)
    app.add_config_value("scholarsite_require_files", False, "env", bool)
    register_plugin("pybtex.style.formatting", "homepage", HomepageStyle, force=True)
    register_plugin("pybtex.style.labels", "venuetag", VenueTagLabelStyle, force=True)
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
    app.connect("build-finished", copy_local_files)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}


def add_static_dir(app: Sphinx, config: Config) -> None:
    config.html_static_path.append(str(STATIC_DIR))
