"""qz-ebook: a Markdown manuscript becomes an EPUB 3 and an accessible HTML edition."""

__version__ = "0.1.0"
