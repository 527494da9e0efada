"""A cover for a new book, drawn on the spot with Pillow: the title and the author on a
plain ground, as a PNG every reading system shows (Kindle and old Adobe engines ignore
an SVG cover)."""

from __future__ import annotations

import io
import shutil
import subprocess
import textwrap
from pathlib import Path

WIDTH, HEIGHT = 1600, 2400  # 2:3, the proportion stores ask for
GROUND, INK, RULE = "#0b4f8a", "#ffffff", "#9cc3e6"
# Fonts that cover German and the rest of Latin (Pillow's built-in one has no umlauts).
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


def draw_cover(title: str, author: str) -> tuple[bytes, bool]:
    """The PNG's bytes, and whether the title and author are on it (only with a font that can write them)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (WIDTH, HEIGHT), GROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((160, 560, WIDTH - 160, 572), fill=RULE)
    font_file = _font_file()
    if font_file is not None:
        big, small = ImageFont.truetype(font_file, 120), ImageFont.truetype(font_file, 72)
        y = 700
        for line in textwrap.wrap(title, width=20)[:6]:
            draw.text((160, y), line, font=big, fill=INK)
            y += 150
        draw.text((160, HEIGHT - 400), author, font=small, fill=INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), font_file is not None


def _font_file() -> str | None:
    for candidate in FONT_FILES:
        if Path(candidate).is_file():
            return candidate
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run([fc_match, "-f", "%{file}", "DejaVu Sans:bold"], capture_output=True, text=True)
    path = found.stdout.strip()
    return path if found.returncode == 0 and "DejaVu" in path and Path(path).is_file() else None
