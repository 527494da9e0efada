"""Neutralise hostile raw HTML: the book and the web edition carry no scripts.

Markdown lets authors write raw HTML. Anything that could run code or load foreign
content is removed with a warning (an error under ``--strict``), so the outputs stay
safe to publish whatever the manuscript holds. So is styling of the author's own (``style``
attributes and elements): it could load remote resources, cover the page or hide text from
sighted readers only; the book's stylesheets style every page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qz_ebook.convert.rewrites import Locator
from qz_ebook.convert.tree import Element, html_name, remove
from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.messages import Message

ACTIVE_ELEMENTS = frozenset(
    {"script", "iframe", "object", "embed", "applet", "frame", "frameset", "base", "link", "meta", "style",
     "form", "input", "button", "textarea", "select", "noscript", "template"}
)  # fmt: skip
URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "action", "formaction", "poster", "cite", "background"})
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)
# A style attribute in a raw tag or in an attribute list ({: style="…" }), as the source spells it.
STYLE_ATTRIBUTE = r"(?:<[A-Za-z][^<>]*?\s|\{:?\s*(?:[^{}\n]*?\s)?)(style)\s*="
# What Python-Markdown's tables write for an aligned column (|:--|); an author's is as harmless.
ALIGNMENTS = frozenset({"text-align: left;", "text-align: right;", "text-align: center;"})


def remove_active_content(
    elements: Sequence[Element], where: Callable[[str], Location], diagnostics: Diagnostics
) -> bool:
    """Remove the active elements among ``elements``, with their content; whether there were any."""
    active = [element for element in elements if element.tag in ACTIVE_ELEMENTS]
    for element in active:
        if element.tag == "style":
            message = Message("raw <style> removed: the book's stylesheets style it; use a class")
            diagnostics.warning("QZ318", message, where("<style"))
        else:
            message = Message("raw <{element}> removed: the book carries no active content", element=element.tag)
            diagnostics.warning("QZ310", message, where(f"<{element.tag}"))
        remove(element)
    return bool(active)


def neutralise(elements: Sequence[Element], where: Locator, diagnostics: Diagnostics) -> None:
    """Remove event handlers, style attributes and script or data URLs.

    ``elements`` are all the elements of one tree, in document order, once its active elements are gone.
    """
    styled = 0  # style attributes so far
    for element in elements:
        attributes = element.attrib
        if not attributes:
            continue
        tag = element.tag
        for held in list(attributes):
            name = html_name(held)
            value = attributes[held]
            url = SCRIPT_URL.match(value) if name.lower() in URL_ATTRIBUTES else None
            if name.startswith("on"):
                message = Message("event handler '{name}' removed from <{element}>", name=name, element=tag)
                diagnostics.warning("QZ311", message, where(name))
                del attributes[held]
            elif name == "style" and not (tag in ("td", "th") and value in ALIGNMENTS):
                styled += 1
                location = where.matching(STYLE_ATTRIBUTE, styled) or where(name)
                message = Message(
                    "style attribute removed from <{element}>: the book's stylesheets style it; use a class",
                    element=tag,
                )
                diagnostics.warning("QZ317", message, location)
                del attributes[held]
            elif url and not _is_image_data(tag, name, value):
                message = Message(
                    "{scheme}: URL removed from <{element} {name}>",
                    scheme=url.group(1).lower(),
                    element=tag,
                    name=name,
                )
                diagnostics.warning("QZ312", message, where(value))
                del attributes[held]


def _is_image_data(element: str, attribute: str, value: str) -> bool:
    # Images are judged by the image check, which wants files.
    return element == "img" and attribute == "src" and value.strip().lower().startswith("data:image/")
