"""The theme's templates compiled once and kept beside the environment pickle (Jinja's own cache).

Sphinx's template environment compiles every template it renders afresh in each build. Jinja's
bytecode cache keeps the compiled code in files and checks each template's source before using
it, so an edited template is compiled again. The folder is named for the Jinja extensions the
environment has, which the compiled code depends on too (Jinja's version is in every file).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache
from sphinx.application import Sphinx

FOLDER = "scholarsite-templates"


def keep_compiled_templates(app: Sphinx) -> None:
    """At the start of an HTML build: the template environment keeps what it compiles."""
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if not isinstance(environment, Environment) or environment.bytecode_cache is not None:
        return  # another template bridge, or a cache already set (the tests share one)
    extensions = repr(sorted(environment.extensions)).encode()
    folder = Path(app.doctreedir, FOLDER, hashlib.blake2b(extensions, digest_size=8).hexdigest())
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))
