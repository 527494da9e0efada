"""Messages as templates with named parameters, shown in the reader's language.

A ``Message`` keeps its English template and its parameters; ``str()`` is the English
text, ``render(language)`` the text from ``catalogues/messages.<language>.toml`` (English
template → translated template, the same ``{names}``). A template missing there, or a
language without a catalogue, gives the English text. A parameter that is itself a
``Message`` is rendered in the same language, a tuple as its items joined by commas; any
other (a file name, a tool's output, the author's words) is shown as it is.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, NoReturn

ENGLISH = "en"  # the templates' own language, and the fallback
PREFIX = "messages."  # catalogues/messages.<language>.toml
DECIMAL_COMMA = frozenset({"de"})  # languages that write 0,145 s


class Message:
    """An English ``template`` (``str.format`` syntax) with named ``params``; frozen, picklable, hashable."""

    __slots__ = ("params", "template")
    template: str
    params: tuple[tuple[str, object], ...]

    def __init__(self, template: str, /, **params: object) -> None:
        object.__setattr__(self, "template", template)
        object.__setattr__(self, "params", tuple(params.items()))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"a Message is frozen: cannot set {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (self.template, self.params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.template, self.params) == (other.template, other.params)

    def __hash__(self) -> int:
        return hash((self.template, self.params))

    def __repr__(self) -> str:
        given = "".join(f", {name}={value!r}" for name, value in self.params)
        return f"Message({self.template!r}{given})"

    def __str__(self) -> str:
        return self.render(ENGLISH)

    def render(self, language: str) -> str:
        """The text in ``language`` (a primary subtag); English where the catalogue lacks the template."""
        values = {name: _value(value, language) for name, value in self.params}
        translated = catalogue(language).get(self.template)
        if translated is not None:
            try:
                return translated.format_map(values)
            except (KeyError, IndexError, ValueError):
                pass  # a broken translation: the English text rather than none
        return self.template.format_map(values)


Text = str | Message  # what may be shown: a fixed text or a message to translate


def _rebuilt(template: str, params: tuple[tuple[str, object], ...]) -> Message:
    return Message(template, **dict(params))


class _Comma(float):
    """A number written with a decimal comma, whatever its format."""

    def __format__(self, spec: str) -> str:
        return format(float(self), spec).replace(".", ",")


def _value(value: object, language: str) -> object:
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, tuple):  # a list: its items, each rendered, joined by commas
        return ", ".join(render(item, language) for item in value)
    if isinstance(value, float) and language in DECIMAL_COMMA:
        return _Comma(value)
    return value


def render(text: object, language: str) -> str:
    """``text`` in ``language``: a ``Message`` translated, anything else as ``str()`` gives it."""
    return text.render(language) if isinstance(text, Message) else str(text)


def joined(items: Iterable[Text]) -> Text:
    """``EPUB and HTML``, ``EPUB and Kepub and HTML``: the items joined by the language's 'and'."""
    return functools.reduce(lambda first, second: Message("{first} and {second}", first=first, second=second), items)


def placeholders(template: str) -> frozenset[str]:
    """The names in ``template``'s ``{…}`` (format specs left out); ValueError when its braces do not pair."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


@functools.cache
def catalogue(language: str) -> Mapping[str, str]:
    """The translated templates of ``language``; empty for English and for a language without a catalogue."""
    import tomllib

    if language == ENGLISH or not language.isalpha():
        return {}
    found = resources.files("qz_ebook").joinpath("catalogues", f"{PREFIX}{language}.toml")
    if not found.is_file():
        return {}
    return tomllib.loads(found.read_text(encoding="utf-8"))


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages messages can be shown in: English and each with a catalogue."""
    entries = resources.files("qz_ebook").joinpath("catalogues").iterdir()
    names = (e.name.removeprefix(PREFIX).removesuffix(".toml") for e in entries if e.name.startswith(PREFIX))
    return tuple(sorted({ENGLISH, *names}))


def supported(language: str | None) -> str | None:
    """The primary subtag of ``language`` (``de-CH``, ``de_DE.UTF-8`` → ``de``) when messages can be shown in it."""
    if not language:
        return None
    primary = language.replace("_", "-").split("-")[0].split(".")[0].lower()
    return primary if primary in languages() else None
