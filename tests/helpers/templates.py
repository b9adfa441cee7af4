"""Sphinx's template loader with the theme's compiled templates shared by the in-process builds of
one test process (``template_bridge``, set by ``Site.build_in_process``).

Jinja compiles every template afresh for each new Sphinx application: a quarter of a fixture
site's build. Its bytecode cache checks a template's source before using what was compiled, so
a changed template is compiled again; the pages come out the same.
"""

from __future__ import annotations

from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from sphinx.jinja2glue import BuiltinTemplateLoader


class SharedBytecode(BytecodeCache):
    """Compiled templates in memory, by template, source checksum and Jinja extensions."""

    def __init__(self) -> None:
        self.compiled: dict[tuple[tuple[str, ...], str], bytes] = {}

    @staticmethod
    def slot(bucket: Bucket) -> tuple[tuple[str, ...], str]:
        return (tuple(sorted(bucket.environment.extensions)), bucket.key)

    def load_bytecode(self, bucket: Bucket) -> None:
        if (compiled := self.compiled.get(self.slot(bucket))) is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[self.slot(bucket)] = bucket.bytecode_to_string()


SHARED = SharedBytecode()


class SharedTemplateLoader(BuiltinTemplateLoader):
    def init(self, *args: Any, **kwargs: Any) -> None:
        super().init(*args, **kwargs)
        self.environment.bytecode_cache = SHARED
