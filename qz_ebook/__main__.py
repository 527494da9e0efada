"""Allow ``python -m qz_ebook``."""

from qz_ebook.cli import main

main(prog_name="qz-ebook")
