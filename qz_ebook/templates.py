"""The Jinja2 environment that renders every page of both formats."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined

from qz_ebook.convert import page_marker_id
from qz_ebook.links import page_label


def make_environment(package: str, folder: str = "templates") -> Environment:
    """A Jinja2 environment for the templates in ``package/folder``, with our settings."""
    return Environment(
        loader=PackageLoader(package, folder),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@cache
def environment() -> Environment:
    """One shared environment for the books' pages; templates live in ``qz_ebook/templates``."""
    env = make_environment("qz_ebook")
    env.globals["page_marker_id"] = page_marker_id
    env.globals["page_label"] = page_label
    return env


def render(name: str, **context: object) -> bytes:
    """Render template ``name`` to UTF-8 bytes."""
    return environment().get_template(name).render(**context).encode("utf-8")
