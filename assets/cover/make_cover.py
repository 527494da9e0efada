"""Render the cover of the brochure "Kommunaler Qualitätszirkel zur Integrationspolitik".

The book is the anniversary brochure "Jubiläumsbroschüre 2009 bis 2014".

The cover is drawn with Pillow only.  It uses Pillow's bundled font
(``ImageFont.load_default(size=...)``, Pillow >= 10.1 with FreeType), so it
does not depend on any system font, and it contains no timestamps or
randomness: the same Pillow version always produces a byte-identical PNG.

The bundled font covers ASCII only, so German umlauts are composed: the
base vowel is drawn and two dots, cut from the font's own "i" dot, are set
above it (see :func:`draw_text`).

Usage::

    python assets/cover/make_cover.py [OUTPUT.png]

Without an argument the cover is written to ``assets/cover.png`` in the
repository root.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

Color = tuple[int, int, int]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "assets" / "cover.png"

WIDTH, HEIGHT = 1600, 2400
MARGIN = 150
BAND_BOTTOM = 1480  # lower edge of the dark title band
SUPERSAMPLE = 4  # anti-aliasing factor for the geometric shapes

TITLE = "Kommunaler Qualitätszirkel zur Integrationspolitik"
SUBTITLE = "Jubiläumsbroschüre"
YEARS = "2009 bis 2014"
TAGLINE = ("Einblicke", "Rückblicke", "Ausblicke")

# Palette: a calm deep blue band on warm paper, with four accent colours.
NAVY: Color = (11, 50, 72)
PAPER: Color = (247, 244, 237)
WHITE: Color = (255, 255, 255)
SAND: Color = (244, 197, 102)  # subtitle on navy
TEAL_DARK: Color = (18, 92, 104)  # tagline on paper
RUST: Color = (168, 66, 40)  # tagline separators on paper
ACCENTS: tuple[Color, ...] = (
    (38, 140, 150),  # teal
    (242, 178, 61),  # amber
    (222, 104, 78),  # coral
    (120, 172, 214),  # sky
)

# (centre x, centre y, radius, accent index) -- overlapping circles that
# straddle the edge of the band, a quiet image of plurality.
CIRCLES: tuple[tuple[int, int, int, int], ...] = (
    (1060, 1400, 200, 3),
    (1290, 1330, 240, 0),
    (1190, 1600, 170, 1),
    (1420, 1560, 150, 2),
)
CIRCLE_OPACITY = 0.82


def relative_luminance(color: Color) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Color, b: Color) -> float:
    """WCAG contrast ratio between two colours (1.0 .. 21.0)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's bundled scalable font at the given pixel size."""
    loaded = ImageFont.load_default(size=size)
    if not isinstance(loaded, ImageFont.FreeTypeFont):
        raise TypeError("Pillow >= 10.1 with FreeType support is required")
    return loaded


# Umlauts missing from the bundled font, mapped to their base letters.
UMLAUT_BASE = str.maketrans("äöüÄÖÜ", "aouAOU")


def plain_text(text: str) -> str:
    """Return the glyphs actually set: "ß" as "ss", umlauts as their base vowels."""
    return text.replace("ß", "ss").translate(UMLAUT_BASE)


def _i_dot(
    face: ImageFont.FreeTypeFont, stroke_width: int
) -> tuple[Image.Image, int, int]:
    """Cut the dot of "i" out of the font.

    Returns the dot as an "L" mask, its top offset from the text origin and
    the vertical gap between the dot and the x-height.
    """
    pad = 4 + stroke_width
    left, _, right, bottom = (
        round(v) for v in face.getbbox("i", stroke_width=stroke_width)
    )
    glyph = Image.new("L", (right - left + 2 * pad, bottom + 2 * pad), 0)
    ImageDraw.Draw(glyph).text(
        (pad - left, pad),
        "i",
        font=face,
        fill=255,
        stroke_width=stroke_width,
        stroke_fill=255,
    )
    rows = [
        glyph.crop((0, y, glyph.width, y + 1)).getbbox() is not None
        for y in range(glyph.height)
    ]
    dot_top = rows.index(True)
    dot_bottom = rows.index(False, dot_top)  # first empty row below the dot
    stem_top = rows.index(True, dot_bottom)
    dot = glyph.crop((0, dot_top, glyph.width, dot_bottom))
    dot = dot.crop(dot.getbbox())
    return dot, dot_top - pad, stem_top - dot_bottom


def draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    face: ImageFont.FreeTypeFont,
    fill: Color,
    stroke_width: int = 0,
) -> None:
    """Draw ``text``, composing umlauts the bundled font lacks.

    ``stroke_width`` in the text colour serves as a faux bold weight.
    """
    text = text.replace("ß", "ss")
    base = plain_text(text)
    x, y = xy
    draw.text(
        (x, y), base, font=face, fill=fill, stroke_width=stroke_width, stroke_fill=fill
    )
    if base == text:
        return
    dot, dot_top, dot_gap = _i_dot(face, stroke_width)
    for index, (char, plain) in enumerate(zip(text, base, strict=True)):
        if char == plain:
            continue
        left, top, right, _ = face.getbbox(plain, stroke_width=stroke_width)
        x0 = x + draw.textlength(base[:index], font=face)
        centre = x0 + (left + right) / 2
        half_spacing = max(0.26 * (right - left), 0.85 * dot.width)
        # Lowercase: dots sit where the i dot sits; capitals: above the cap height.
        top_y = y + (dot_top if plain.islower() else top - dot_gap - dot.height)
        for cx in (centre - half_spacing, centre + half_spacing):
            draw.bitmap((round(cx - dot.width / 2), round(top_y)), dot, fill=fill)


def wrap(
    draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    """Greedy word wrap, measuring each candidate line with ``draw.textlength``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and draw.textlength(plain_text(candidate), font=face) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def draw_circle(
    image: Image.Image, cx: int, cy: int, r: int, color: Color, opacity: float
) -> None:
    """Blend an anti-aliased, translucent disc onto ``image`` (supersampled mask)."""
    box = (cx - r, cy - r, cx + r + 1, cy + r + 1)
    size = (box[2] - box[0], box[3] - box[1])
    big = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 0)
    ImageDraw.Draw(big).ellipse(
        (0, 0, 2 * r * SUPERSAMPLE, 2 * r * SUPERSAMPLE), fill=round(255 * opacity)
    )
    mask = big.resize(size, Image.Resampling.LANCZOS)
    image.paste(Image.new("RGB", size, color), box[:2], mask)


def check_contrast(pairs: list[tuple[str, Color, Color]]) -> None:
    """Fail loudly if any text colour misses WCAG AA (4.5:1) on its background."""
    for name, fg, bg in pairs:
        ratio = contrast_ratio(fg, bg)
        if ratio < 4.5:
            raise ValueError(f"{name}: contrast {ratio:.2f}:1 is below 4.5:1")


def render() -> Image.Image:
    """Draw the complete cover and return it as an RGB image."""
    check_contrast(
        [
            ("title", WHITE, NAVY),
            ("subtitle", SAND, NAVY),
            ("years", NAVY, PAPER),
            ("tagline", TEAL_DARK, PAPER),
            ("separators", RUST, PAPER),
        ]
    )

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN

    # Dark title band.
    draw.rectangle((0, 0, WIDTH, BAND_BOTTOM), fill=NAVY)

    # Overlapping circles across the band edge.
    for cx, cy, r, accent_index in CIRCLES:
        draw_circle(image, cx, cy, r, ACCENTS[accent_index], CIRCLE_OPACITY)

    # Small accent bar: four colours side by side.
    bar_y = 230
    segment = 60
    for i, accent in enumerate(ACCENTS):
        x0 = MARGIN + i * segment
        draw.rectangle((x0, bar_y, x0 + segment - 1, bar_y + 13), fill=accent)

    # Title, wrapped to the text column.
    title_face = font(132)
    y = bar_y + 110
    line_height = 158
    for line in wrap(draw, TITLE, title_face, text_width):
        draw_text(draw, (MARGIN, y), line, title_face, WHITE, stroke_width=2)
        y += line_height

    # Subtitle below the title.
    subtitle_face = font(92)
    draw_text(draw, (MARGIN, y + 70), SUBTITLE, subtitle_face, SAND, stroke_width=1)

    # Anniversary years, large, on paper.
    years_face = font(172)
    years_y = 1800
    draw_text(draw, (MARGIN, years_y), YEARS, years_face, NAVY, stroke_width=3)

    # Tagline with coloured separators.
    tagline_face = font(64)
    x = float(MARGIN)
    tagline_y = years_y + 270
    separator = "  |  "
    for i, word in enumerate(TAGLINE):
        if i:
            draw.text((x, tagline_y), separator, font=tagline_face, fill=RUST)
            x += draw.textlength(separator, font=tagline_face)
        draw_text(draw, (x, tagline_y), word, tagline_face, TEAL_DARK)
        x += draw.textlength(plain_text(word), font=tagline_face)

    # Footer: a thin four-colour stripe across the full width.
    stripe_top = HEIGHT - 36
    stripe_width = WIDTH / len(ACCENTS)
    for i, accent in enumerate(ACCENTS):
        x0 = round(i * stripe_width)
        x1 = round((i + 1) * stripe_width) - 1
        draw.rectangle((x0, stripe_top, x1, HEIGHT), fill=accent)

    return image


def main(argv: list[str] | None = None) -> int:
    """Render the cover to ``argv[0]`` (default: ``assets/cover.png``)."""
    args = sys.argv[1:] if argv is None else argv
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    # No pnginfo/exif/icc: the PNG carries no metadata, so output is reproducible.
    render().save(output, format="PNG", optimize=False)
    print(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
