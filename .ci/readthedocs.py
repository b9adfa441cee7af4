"""Build the site as Read the Docs does, for another project, version, language and domain.

    .venv/bin/python .ci/readthedocs.py [FOLDER]     (default: build/readthedocs)

Follows .readthedocs.yaml the way Read the Docs' builder does: a copy of the repository's files
(its checkout), a fresh virtualenv of the Python in `build.tools.python`, the `build.jobs`
commands in their order (its install step from the lock, then the project, non-editable), and
its own Sphinx command line, run from the folder of `sphinx.configuration`, with the variables
Read the Docs sets. Those name a fork (READTHEDOCS_CANONICAL_URL below), so that any address
still pointing at the owner's site shows. The site lands in FOLDER/checkout/_readthedocs/html;
FOLDER/readthedocs.json records the variables, for tests/test_readthedocs_build.py (which finds
FOLDER through SCHOLARSITE_RTD_BUILD). Needs the package index, as Read the Docs does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from pythons import installed_pythons  # noqa: E402

#: Another project than the owner's, at a tagged version, in another language, on its own domain.
PROJECT = "other-fork"
VERSION = "v2.0"
LANGUAGE = "fr"
CANONICAL_URL = f"https://other-fork.example.org/{LANGUAGE}/{VERSION}/"

#: The jobs Read the Docs runs after making the virtualenv, in its order (`build` is its own).
JOBS_BEFORE_BUILD = [
    "post_create_environment",
    "pre_install",
    "install",
    "post_install",
    "pre_build",
]


def fail(message: str) -> None:
    print(f"readthedocs.py: {message}", file=sys.stderr)
    sys.exit(1)


def find_python(version: str) -> str:
    """An interpreter of the given minor version (build.tools.python), as Read the Docs has."""
    major, minor = (int(part) for part in version.split(".")[:2])
    if python := installed_pythons().get((major, minor)):
        return python
    fail(f"no Python {version} here (build.tools.python in .readthedocs.yaml)")
    raise AssertionError


def copy_checkout(destination: Path) -> str:
    """The repository's files as a clone has them (tracked and new, not ignored); its commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    return head.stdout.strip()


def run(command: str | list[str], cwd: Path, env: dict[str, str]) -> None:
    shown = command if isinstance(command, str) else " ".join(command)
    print(f"[readthedocs] {shown}", flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, shell=isinstance(command, str), check=False)
    if result.returncode:
        fail(f"failed (exit {result.returncode}): {shown}")


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "build" / "readthedocs").resolve()
    config = yaml.safe_load((REPO / ".readthedocs.yaml").read_text(encoding="utf-8"))
    if config.get("version") != 2:
        fail(".readthedocs.yaml: version 2 expected")
    build = config.get("build") or {}
    python_version = str((build.get("tools") or {}).get("python", ""))
    sphinx = config.get("sphinx") or {}
    if not python_version or not sphinx.get("configuration"):
        fail(".readthedocs.yaml: build.tools.python and sphinx.configuration are needed")
    jobs = build.get("jobs") or {}
    if "install" not in jobs:
        fail(".readthedocs.yaml: this reproduction expects build.jobs.install (the lock)")

    shutil.rmtree(folder, ignore_errors=True)
    checkout = folder / "checkout"
    checkout.mkdir(parents=True)
    commit = copy_checkout(checkout)
    venv = folder / "envs" / VERSION
    variables = {
        "READTHEDOCS": "True",
        "READTHEDOCS_PROJECT": PROJECT,
        "READTHEDOCS_LANGUAGE": LANGUAGE,
        "READTHEDOCS_VERSION": VERSION,
        "READTHEDOCS_VERSION_NAME": VERSION,
        "READTHEDOCS_VERSION_TYPE": "tag",
        "READTHEDOCS_CANONICAL_URL": CANONICAL_URL,
        "READTHEDOCS_OUTPUT": f"{checkout}/_readthedocs/",
        "READTHEDOCS_VIRTUALENV_PATH": str(venv),
        "READTHEDOCS_REPOSITORY_PATH": str(checkout),
        "READTHEDOCS_GIT_IDENTIFIER": VERSION,
        "READTHEDOCS_GIT_COMMIT_HASH": commit,
        "READTHEDOCS_PRODUCTION_DOMAIN": "readthedocs.org",
        "NO_COLOR": "1",
    }
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("READTHEDOCS", "VIRTUAL_ENV", "PYTHON"))
    }
    env = {**inherited, **variables, "PATH": f"{venv}/bin:{os.environ.get('PATH', '')}"}

    run([find_python(python_version), "-m", "venv", str(venv)], cwd=folder, env=env)
    for job in JOBS_BEFORE_BUILD:
        for command in jobs.get(job) or []:
            run(command, cwd=checkout, env=env)

    html = checkout / "_readthedocs" / "html"
    conf_dir = (checkout / sphinx["configuration"]).parent
    custom = (jobs.get("build") or {}).get("html")
    if custom:
        for command in custom:
            run(command, cwd=checkout, env=env)
    else:  # Read the Docs' own command line for Sphinx
        command = [f"{venv}/bin/python", "-m", "sphinx", "-T"]
        if sphinx.get("fail_on_warning"):
            command += ["-W", "--keep-going"]
        command += ["-b", "html", "-d", "_build/doctrees", "-D", f"language={LANGUAGE}", "."]
        run([*command, str(html)], cwd=conf_dir, env=env)
    for command in jobs.get("post_build") or []:
        run(command, cwd=checkout, env=env)
    if not (html / "index.html").is_file():
        fail(f"no site in {html}")

    record = {"html": str(html), "commit": commit, "python": python_version, **variables}
    (folder / "readthedocs.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"[readthedocs] the site for {CANONICAL_URL} is in {html}")


if __name__ == "__main__":
    main()
