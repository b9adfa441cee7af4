"""Build the site outside the lock: with every dependency at its floor, or at its newest release.

    python scripts/dependency_check.py lowest --uv build/uv/bin/uv
    python scripts/dependency_check.py newest --uv build/uv/bin/uv --tests

`lowest` installs the oldest releases pyproject.toml allows for its direct dependencies (uv's
lowest-direct resolution), `newest` the newest releases with pyproject.toml's upper bounds
removed; both into a fresh venv under build/, then build the site strictly (`-W --keep-going
-n`) and, with --tests, run the test suite with that venv's Python. It prints which versions
differ from the lock and every deprecation warning the build raised, and exits non-zero when
the install, the build or the tests fail. It needs the package index: `make lowest-check` and
`make upgrade-check` run it, and so does .ci/run; the test suite never does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from pythons import installed_pythons  # noqa: E402

STRICT = ["-W", "--keep-going", "-n"]
#: How Python prints a deprecation warning: `path:line: RemovedInSphinx90Warning: ...`.
DEPRECATION = re.compile(r":\d+: \w*(Deprecation|Removed\w*|PendingDeprecation)Warning: ")
#: A requirement's name and extras, before its version clauses.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?")


def requirements(extras: list[str]) -> list[str]:
    """pyproject.toml's dependencies and the given extras, as written."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = list(project["dependencies"])
    for extra in extras:
        found += project["optional-dependencies"][extra]
    return found


def without_upper_bound(requirement: str) -> str:
    """`sphinx>=8.1,<10` -> `sphinx>=8.1`: what the newest release would be held back by."""
    spec, _, marker = requirement.partition(";")
    name = NAME.match(spec.strip())
    assert name, requirement
    clauses = [clause.strip() for clause in spec.strip()[name.end() :].split(",")]
    kept = ",".join(clause for clause in clauses if clause and not clause.startswith("<"))
    return name.group() + kept + (f";{marker}" if marker else "")


def newest_python() -> str:
    """The newest Python 3 on PATH or under pyenv: newer releases may need it (Sphinx 9.1 does)."""
    found = installed_pythons()
    return found[max(found)] if found else sys.executable


def run(command: list[str | Path], **options: object) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(str(part) for part in command), flush=True)
    return subprocess.run([str(part) for part in command], text=True, check=False, **options)  # type: ignore[call-overload]


def locked_versions(python: Path) -> dict[str, str]:
    """The versions requirements/test.txt pins for this Python (markers evaluated)."""
    script = (
        "import json, sys\n"
        "from packaging.requirements import Requirement\n"
        "pins = {}\n"
        "for line in open(sys.argv[1], encoding='utf-8'):\n"
        "    line = line.strip().rstrip('\\\\').strip()\n"
        "    if not line or line.startswith(('#', '--')):\n"
        "        continue\n"
        "    req = Requirement(line)\n"
        "    if req.marker is None or req.marker.evaluate():\n"
        "        pins[req.name.lower()] = str(req.specifier).removeprefix('==')\n"
        "print(json.dumps(pins))\n"
    )
    result = subprocess.run(
        [str(python), "-c", script, str(REPO / "requirements" / "test.txt")],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))


def installed_versions(uv: Path, python: Path) -> dict[str, str]:
    result = subprocess.run(
        [str(uv), "pip", "list", "--python", str(python), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {item["name"].lower(): item["version"] for item in json.loads(result.stdout)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["lowest", "newest"])
    parser.add_argument("--uv", type=Path, required=True, help="the uv executable")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the venv's interpreter; `newest`: the newest Python 3 found here",
    )
    parser.add_argument("--tests", action="store_true", help="also run the test suite")
    args = parser.parse_args()

    if args.python == "newest":
        args.python = newest_python()
    work = REPO / "build" / f"deps-{args.mode}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    venv = work / "venv"
    python = venv / "bin" / "python"
    if run([args.uv, "venv", "--quiet", "--python", args.python, venv]).returncode:
        return 1

    extras = ["test"] if args.tests else []
    wanted = requirements(extras)
    install = [args.uv, "pip", "install", "--quiet", "--python", python]
    if args.mode == "lowest":
        install += ["--resolution", "lowest-direct"]
    else:
        wanted = [without_upper_bound(requirement) for requirement in wanted]
    requirements_in = work / "requirements.in"
    requirements_in.write_text("\n".join(wanted) + "\n", encoding="utf-8")
    if run([*install, "-r", requirements_in]).returncode:
        print(f"{args.mode}: the requirements in {requirements_in} do not install together.")
        return 1
    if run([*install, "--no-deps", REPO]).returncode:
        return 1

    locked = locked_versions(python)
    installed = installed_versions(args.uv, python)
    names = {requirement.split(";")[0].strip() for requirement in wanted}
    direct = {re.split(r"[\s<>=!~\[]", name, maxsplit=1)[0].lower() for name in names}
    changed = [
        f"{name} {locked.get(name, '(not locked)')} -> {installed[name]}"
        for name in sorted(installed)
        if name in direct and installed[name] != locked.get(name)
    ]
    print(f"\n{args.mode}: direct dependencies that differ from the lock ({len(changed)}):")
    for line in changed or ["(none)"]:
        print("  " + line)

    environment = dict(
        os.environ, PYTHONWARNINGS="always::DeprecationWarning,always::PendingDeprecationWarning"
    )
    build = run(
        [
            python,
            "-m",
            "sphinx",
            *STRICT,
            "-q",
            "-b",
            "html",
            "-d",
            work / "doctrees",
            REPO / "docs",
            work / "html",
        ],
        cwd=REPO,
        env=environment,
        capture_output=True,
    )
    messages = build.stderr.splitlines()
    warned = [number for number, line in enumerate(messages) if DEPRECATION.search(line)]
    deprecations = Counter(
        messages[number].strip().split("site-packages/")[-1] for number in warned
    )
    print(f"\n{args.mode}: deprecation warnings raised in the build ({len(warned)}):")
    for line, count in deprecations.most_common() or [("(none)", 0)]:
        print(f"  {count:4d} x {line}" if count else f"  {line}")
    # Each warning is followed by the line of source that raised it.
    quoted = {number + offset for number in warned for offset in (0, 1)}
    problems = [
        line for number, line in enumerate(messages) if number not in quoted and line.strip()
    ]
    if build.returncode:
        print(f"\n{args.mode}: the strict build FAILED (exit {build.returncode}):")
        print("\n".join(problems[-60:]))
        return 1
    print(f"\n{args.mode}: the strict build succeeded: {work / 'html'}")

    if args.tests:
        # The Read the Docs build is the lock's, not these versions': its tests are left out.
        pytest: list[str | Path] = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        tests = run([*pytest, "--ignore", "tests/test_readthedocs_build.py"], cwd=REPO)
        if tests.returncode:
            print(f"\n{args.mode}: the test suite FAILED with these versions.")
            return 1
        print(f"\n{args.mode}: the test suite passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
