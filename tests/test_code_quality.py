"""The code is ruff clean and type-checks with mypy (configured in pyproject.toml), and every
test stands on its own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.site import REPO

BIN = Path(sys.executable).parent
PYTHON_FOLDERS = ["src", "tests", "docs/conf.py", "benchmarks", "scripts", ".ci"]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", *PYTHON_FOLDERS],
        ["ruff", "format", "--check", *PYTHON_FOLDERS],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_code_passes(command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_test_imports_another_test_module_or_the_benchmark() -> None:
    """Shared test code lives in tests/helpers/; a test module is never another's library."""
    modules = sorted((REPO / "tests").glob("test_*.py"))
    imported: list[str] = []
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported += [f"{path.name}: {alias.name}" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.append(f"{path.name}: {node.module}")
    offending = [
        line
        for line in imported
        if line.split(": ")[1].split(".")[0].startswith(("test_", "benchmarks", "conftest"))
    ]
    assert len(modules) >= 10 and len(imported) >= 10 * len(modules) // 2
    assert offending == []
