"""The Jinja2 environment that renders every page of both formats."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from qz_ebook.convert.hyphenation import hyphenate
from qz_ebook.convert.rewrites import page_marker_id
from qz_ebook.edition.pages import Assembled
from qz_ebook.model import hidden_fields
from qz_ebook.writers.tocmarkup import toc_list


class PageEnvironment(Environment):
    """Refuses the fields the model marks hidden (``model.HIDDEN``).

    Page fingerprints leave hidden fields out: a template that read one could show
    something the render cache does not key on. This makes such a template fail at
    once instead of serving stale pages.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        _refuse_hidden(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _refuse_hidden(obj, argument)
        return super().getitem(obj, argument)


def _refuse_hidden(obj: object, name: object) -> None:
    why = hidden_fields(type(obj)).get(name) if isinstance(name, str) else None
    if why is not None:
        raise TypeError(f"templates may not read {type(obj).__name__}.{name}: {why}")


def make_environment(package: str, folder: str = "templates", kind: type[Environment] = Environment) -> Environment:
    """A Jinja2 environment for the templates in ``package/folder``, with our settings."""
    return kind(
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
    env = make_environment("qz_ebook", kind=PageEnvironment)
    env.globals["page_marker_id"] = page_marker_id
    env.globals["toc_list"] = toc_list
    env.filters["hyphenate"] = hyphenate
    return env


def render(name: str, **context: object) -> bytes:
    """Render template ``name`` to UTF-8 bytes, with the parts of an ``Assembled`` in its hole."""
    page = environment().get_template(name).render(**context).encode("utf-8")
    for value in context.values():
        if isinstance(value, Assembled):
            return fill(page, value.HOLE, value.parts)
    return page


def fill(page: bytes, hole: str, parts: Iterable[bytes]) -> bytes:
    """``page`` with the ``hole`` its template left in it replaced by ``parts``.

    A template leaves a hole by showing a value whose markup is the hole, spelt between
    NULs: they never reach a page (XML forbids them), so a hole is never mistaken for text.
    """
    mark = hole.encode("utf-8")
    head, found, tail = page.partition(mark)
    if not found or mark in tail:
        raise ValueError(f"a template shows {hole.strip(chr(0))} once, as {{{{ name }}}}")
    return b"".join((head, *parts, tail))
