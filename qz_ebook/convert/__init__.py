"""Markdown → XHTML fragments: the converter, its typography and sanitising, links, the batch."""
