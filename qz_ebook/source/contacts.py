"""Read a contact list (YAML) for an appendix: persons, municipalities, addresses.

Empty values mean "not supplied yet" and are left out of the rendered list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qz_ebook import characters
from qz_ebook.characters import Findings
from qz_ebook.diagnostics import Diagnostics, Location
from qz_ebook.messages import Message, Text
from qz_ebook.model import Contact, PostalAddress
from qz_ebook.source import schema, yamlsource
from qz_ebook.source.schema import Field


def _optional_text(value: Any) -> Text | None:
    return None if value is None or isinstance(value, str) else Message("a text")


def _address(value: Any) -> Text | None:
    fields = ("street", "postcode", "city", "country")
    ok = (
        isinstance(value, dict) and set(value) <= set(fields) and all(_optional_text(v) is None for v in value.values())
    )
    return None if ok else Message("a table with street, postcode, city and country")


FIELDS = {
    "person": Field(schema.text, required=True),
    "municipality": Field(_optional_text),
    "address": Field(_address),
    # International format, so that tel: links work from abroad too.
    "phone": Field(
        schema.matches(r"(\+[1-9][0-9 /-]{5,})?", Message("empty or an international number such as '+49 711 216-0'"))
    ),
    "email": Field(schema.matches(r"([^@\s]+@[^@\s]+\.[^@\s]+)?", Message("empty or an e-mail address"))),
}


def read_contacts(path: Path, origin: Location, diagnostics: Diagnostics) -> tuple[Contact, ...]:
    """Read the list at ``path``; ``origin`` is the front-matter key that names it."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        diagnostics.error("QZ209", Message("contact list '{file}' does not exist", file=path.name), origin)
        return ()
    except UnicodeDecodeError as exc:
        message = Message("file is not UTF-8 ({reason} at byte {byte})", reason=exc.reason, byte=exc.start)
        diagnostics.error("QZ207", message, Location(path))
        return ()
    with Findings(diagnostics) as forbidden:
        return _contacts(path, forbidden.text(path, text), forbidden, diagnostics)


def _contacts(path: Path, text: str, forbidden: Findings, diagnostics: Diagnostics) -> tuple[Contact, ...]:
    """The contacts in ``text``; ``forbidden`` takes the characters XML forbids that escapes write."""
    try:
        document = yamlsource.load(text, path)
    except yamlsource.YamlSyntaxError as exc:
        diagnostics.error(
            "QZ209", Message("contact list is not valid YAML: {problem}", problem=exc.problem), exc.location
        )
        return ()
    if not isinstance(document.value, list):
        diagnostics.error("QZ209", Message("a contact list is a YAML list of entries"), document.location)
        return ()
    escapes = forbidden if "\\" in text else None  # none left in the text: only an escape can write one
    contacts = (_contact(item, diagnostics, escapes) for item in document.items)
    return tuple(c for c in contacts if c is not None)


def _contact(item: yamlsource.Located, diagnostics: Diagnostics, escapes: Findings | None) -> Contact | None:
    if not isinstance(item.value, dict):
        diagnostics.error("QZ209", Message("a contact is a table with 'person' and further keys"), item.location)
        return None
    before = len(diagnostics.items)
    if escapes is not None:
        for keys, value in characters.tainted(item.value):
            escapes.string(value, item.keys.get(str(keys[0]), item.location))
    fields = yamlsource.validate_mapping(item, FIELDS, diagnostics, Message("contact key"), Message("a contact"))
    address = _postal_address(fields.get("address") or {}, item.keys.get("address", item.location), diagnostics)
    if len(diagnostics.items) > before:
        return None
    return Contact(
        person=fields["person"],
        municipality=fields.get("municipality") or None,
        address=address,
        phone=fields.get("phone") or None,
        email=fields.get("email") or None,
    )


def _postal_address(values: dict[str, str | None], where: Location, diagnostics: Diagnostics) -> PostalAddress | None:
    given = {key: (value or "").strip() for key, value in values.items()}
    if not any(given.values()):
        return None
    missing = [key for key in ("street", "postcode", "city", "country") if not given.get(key)]
    if missing:
        # A postal address without its country is ambiguous for readers abroad.
        diagnostics.error("QZ204", Message("a postal address needs {keys} as well", keys=", ".join(missing)), where)
        return None
    return PostalAddress(given["street"], given["postcode"], given["city"], given["country"])
