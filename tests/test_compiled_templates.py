"""The theme's templates are compiled once, kept between builds and compiled again when edited."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import DictLoader
from jinja2.sandbox import SandboxedEnvironment

from scholarsite import compiled_templates


def build_with(tmp_path: Path, source: str, compiled: list[str]) -> str:
    """What one build renders of a template with *source*, in an environment of its own (as
    each build's process has), noting in *compiled* each template Jinja compiles."""
    environment = SandboxedEnvironment(
        loader=DictLoader({"page.html": source}), extensions=["jinja2.ext.i18n"]
    )
    templates = SimpleNamespace(environment=environment)
    app: Any = SimpleNamespace(builder=SimpleNamespace(templates=templates), doctreedir=tmp_path)
    compiled_templates.keep_compiled_templates(app)
    original = environment.compile

    def compile_noted(source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return original(source, name, *args, **kwargs)

    environment.compile = compile_noted  # type: ignore[method-assign]
    return environment.get_template("page.html").render(title="Home")


def test_a_template_is_compiled_once_and_again_when_edited(tmp_path: Path) -> None:
    compiled: list[str] = []
    assert build_with(tmp_path, "<h1>{{ title }}</h1>", compiled) == "<h1>Home</h1>"
    assert compiled == ["page.html"]
    kept = list((tmp_path / compiled_templates.FOLDER).rglob("*.cache"))
    assert len(kept) == 1

    assert build_with(tmp_path, "<h1>{{ title }}</h1>", compiled) == "<h1>Home</h1>"
    assert compiled == ["page.html"]  # the next build used what the first compiled

    assert build_with(tmp_path, "<h2>{{ title }}</h2>", compiled) == "<h2>Home</h2>"
    assert compiled == ["page.html", "page.html"]  # the edited template, compiled again


def test_a_template_environment_with_a_cache_of_its_own_keeps_it(tmp_path: Path) -> None:
    environment = SandboxedEnvironment(loader=DictLoader({}))
    own = environment.bytecode_cache = object()  # type: ignore[assignment]
    app: Any = SimpleNamespace(
        builder=SimpleNamespace(templates=SimpleNamespace(environment=environment)),
        doctreedir=tmp_path,
    )
    compiled_templates.keep_compiled_templates(app)
    assert environment.bytecode_cache is own
    assert not (tmp_path / compiled_templates.FOLDER).exists()


def test_a_builder_without_templates_is_left_alone(tmp_path: Path) -> None:
    app: Any = SimpleNamespace(builder=SimpleNamespace(), doctreedir=tmp_path)
    compiled_templates.keep_compiled_templates(app)
    assert not (tmp_path / compiled_templates.FOLDER).exists()
