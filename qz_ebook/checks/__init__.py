"""Validators for the built outputs: EPUBCheck, Ace by DAISY, axe-core and the Nu Html Checker.

Each tool has its own module that runs it and turns its report into
:class:`~qz_ebook.checks.model.Finding` objects; :mod:`qz_ebook.checks.runner`
runs them all and :mod:`qz_ebook.checks.report` writes the HTML report for
reviewers. Like the rest of the library, nothing here prints or exits.
"""
