"""Check refs.bib without building the site: ``python -m scholarsite.check [refs.bib]``."""

from __future__ import annotations

import argparse
import ast
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .refs import Refs, load_refs


def owner_names_from_conf(conf: Path) -> list[str]:
    """``scholarsite_owner_names`` as docs/conf.py sets it (read, not run)."""
    try:
        tree = ast.parse(conf.read_text("utf-8"))
    except (OSError, SyntaxError):
        return []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "scholarsite_owner_names"
            for target in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return []
            return [str(name) for name in value] if isinstance(value, list | tuple) else []
    return []


def report(refs: Refs) -> list[str]:
    """Every problem, every note, and what each key is."""
    lines = [f"error: {problem}" for problem in refs.problems]
    lines += [f"note: {note}" for note in refs.notes]
    listed = refs.listed
    lines.append(f"listed ({len(listed)}): {', '.join(listed)}")
    for key in listed:
        if versions := refs.versions(key):
            lines.append(f"  {key} also shows its versions: {', '.join(versions)}")
    if refs.crossref_targets:
        targets = ", ".join(refs.crossref_targets)
        lines.append(f"crossref targets, not listed ({len(refs.crossref_targets)}): {targets}")
    if refs.containers:
        lines.append(
            f"@set/@xdata, not listed ({len(refs.containers)}): {', '.join(refs.containers)}"
        )
    owner_less = [
        key for key, pub in refs.publications.items() if not any(a.is_owner for a in pub.authors)
    ]
    if refs.owner_names and owner_less:
        lines.append(
            f"entries where no author is the owner ({len(owner_less)}): {', '.join(owner_less)}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scholarsite.check", description=__doc__)
    parser.add_argument("bibfile", nargs="?", default="refs.bib", type=Path)
    parser.add_argument("--conf", default="docs/conf.py", type=Path, help="for the owner's names")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    refs = load_refs(args.bibfile, owner_names=owner_names_from_conf(args.conf))
    for line in report(refs):
        print(line)
    elapsed = time.perf_counter() - started
    print(
        f"{args.bibfile}: {len(refs.problems)} problem(s), {len(refs.notes)} note(s), "
        f"{len(refs.entries)} entries, checked in {elapsed:.1f} s"
    )
    return 1 if refs.problems else 0


if __name__ == "__main__":
    sys.exit(main())
