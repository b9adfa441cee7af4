"""refs.bib and files/ at the start of a build: checked, handed to sphinxcontrib-bibtex, served."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from .cite_storage import RefsBibliography
from .collector import making_long_lived_data
from .config import fail
from .refs import CachedRefs, Refs, load_refs_cached
from .state import BuildState, state
from .upstream import BibData, BibFile, cite_domain, get_mtime, is_bibdata_outdated

logger = logging.getLogger(__name__)


def bibfile_paths(app: Sphinx) -> list[Path]:
    return [(Path(app.confdir) / name).resolve() for name in app.config.bibtex_bibfiles or []]


def load_bibliography(app: Sphinx) -> None:
    """Check refs.bib before anything is read, and stop the build on any problem.

    Each file's mtime is noted first, so that a change made while it is checked is never
    mistaken for what was checked.
    """
    build = state(app.env).build
    build.bibfile_mtimes = {path: get_mtime(path) for path in bibfile_paths(app)}
    checked: list[Refs | CachedRefs] = []
    problems = []
    digest = hashlib.sha256()
    for name in app.config.bibtex_bibfiles or []:
        path = Path(os.path.relpath(Path(app.confdir, name).resolve()))
        with making_long_lived_data():
            refs = load_refs_cached(
                path, Path(app.doctreedir), app.config.scholarsite_owner_names or ()
            )
        problems += [str(problem) for problem in refs.problems]
        # Data-quality notes never fail a build (make check lists them too): info, not warnings.
        for note in refs.notes:
            logger.info(f"note: {note}")
        checked.append(refs)
        digest.update(path.read_bytes() if path.is_file() else b"")
    if problems:
        fail(problems)
    build.refs = checked
    build.refs_digest = digest.hexdigest()


def check_local_files(app: Sphinx) -> None:
    """Note which local PDFs named in refs.bib are present, and say which are missing."""
    build = state(app.env).build
    files_dir = Path(app.confdir, app.config.scholarsite_files_dir).resolve()
    present: set[str] = set()
    if files_dir.is_dir():
        present = {path.name for path in files_dir.iterdir() if path.is_file()}
    build.files = frozenset(present)
    missing = sorted(
        f"{pdf} ({key})" for key, pdf in build.local_pdfs.items() if pdf not in present
    )
    if missing and app.config.scholarsite_require_files:
        fail([f"{files_dir}: missing {name}; add it, or remove its pdf field" for name in missing])
    if missing:
        logger.info(
            f"{len(missing)} PDF(s) not in {files_dir.name}/, linked to the arXiv copy "
            f"where there is one, else not linked: {', '.join(missing)}"
        )


def copy_local_files(app: Sphinx, exception: Exception | None) -> None:
    """Serve everything in files/ at /files/NAME, and nothing that has left files/."""
    if exception is not None or app.builder.format != "html":
        return
    files_dir = Path(app.confdir, app.config.scholarsite_files_dir)
    target = Path(app.outdir, "files")
    present = state(app.env).build.files
    for path in target.iterdir() if target.is_dir() else ():
        if path.name not in present:  # an incremental build's output folder keeps files
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    if present:
        target.mkdir(exist_ok=True)
    for name in sorted(present):
        serve_file(files_dir / name, target / name)


def serve_file(source: Path, served: Path) -> None:
    """*source* at *served*: a hard link where the file system allows one, else a copy, both
    keeping its time; left alone when it is there already (same size, same time).

    An owner's PDFs run to tens of megabytes, which every build would copy again.
    """
    kept = source.stat()
    try:
        there = served.stat()
    except FileNotFoundError:
        pass
    else:
        if (there.st_size, there.st_mtime_ns) == (kept.st_size, kept.st_mtime_ns):
            return
        served.unlink()
    try:
        os.link(source, served)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, served)


def bibliography_from_refs(build: BuildState) -> RefsBibliography:
    """refs.bib's entries as the site checked them, as sphinxcontrib-bibtex's parse has them:
    crossref targets too, so that a citation of one lands on the first entry it fills in."""
    data = RefsBibliography()
    for key, entry in build.entries.items():
        data.add_entry(key, entry)
    for refs in build.checked:
        for key, entry in refs.crossref_targets.items():
            if key not in data.entries:
                data.add_entry(key, entry)
    return data


def reuse_parsed_bibliography(app: Sphinx) -> None:
    """Hand sphinxcontrib-bibtex the entries checked above instead of its parsing them again.

    It parses refs.bib again at builder-inited whenever the file's mtime changed. When there is
    one bib file and it has not changed since it was checked, it gets the same entries (the same
    pybtex Parser, entry for entry) and the mtime from before the check.
    """
    build = state(app.env).build
    paths = bibfile_paths(app)
    encoding = app.config.bibtex_encoding
    if (
        len(paths) != 1
        or list(build.bibfile_mtimes) != paths
        or encoding.lower().replace("_", "-") != "utf-8-sig"  # what refs.py decodes
        or get_mtime(paths[0]) != build.bibfile_mtimes[paths[0]]  # changed since: its turn
    ):
        return
    domain = cite_domain(app.env)
    if not is_bibdata_outdated(domain.bibdata, paths, encoding):
        return
    data = bibliography_from_refs(build)
    domain.data["bibdata"] = BibData(
        encoding=encoding,
        bibfiles={
            paths[0]: BibFile(
                mtime=build.bibfile_mtimes[paths[0]], keys=dict.fromkeys(data.entries)
            )
        },
        data=data,
    )
    logger.verbose(f"scholarsite: {len(data.entries)} entries of {paths[0].name} reused")
