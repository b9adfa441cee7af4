"""Sphinx extensions that turn Markdown pages and refs.bib into an academic homepage."""

__version__ = "1.0.0"
