"""The reader's side: book.toml, the outline, front matter and contact lists become a ``Book``."""
