"""Helpers the tests share: sites to build, the real site's own facts, a browser."""
