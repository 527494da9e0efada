"""The Jinja2 environment that renders every page of both formats."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    """One shared environment; templates live in ``qz_ebook/templates``."""
    return Environment(
        loader=PackageLoader("qz_ebook", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, **context: object) -> bytes:
    """Render template ``name`` to UTF-8 bytes."""
    return environment().get_template(name).render(**context).encode("utf-8")
