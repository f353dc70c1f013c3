"""The session summary as a PDF (fpdf2), set in the bundled DejaVu Sans so accents print."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
FAMILY = "DejaVu"
FONT_FILES = {"": FONTS / "DejaVuSans.ttf", "B": FONTS / "DejaVuSans-Bold.ttf"}
MISSING = "\ufffd"  # what a character the font has no glyph for prints as
GREY = (110, 110, 110)

# style of a block -> (font style: "" or "B", with "S" for struck through; size in pt;
# space before in mm; indent in mm; grey)
LOOKS = {
    "title": ("B", 16, 0, 0, False),
    "heading": ("B", 12, 2, 0, False),
    "text": ("", 10, 0.5, 0, False),
    "struck": ("S", 10, 0.5, 0, True),
    "note": ("", 10, 0, 6, False),
}


@functools.cache
def _glyphs(style: str) -> frozenset[int]:
    """The characters the font of ``style`` can print."""
    with TTFont(FONT_FILES[style], lazy=True) as font:
        return frozenset(font.getBestCmap())


def printable(text: str, style: str = "") -> str:
    """``text`` as the font of ``style`` can print it: a character it lacks, or a control
    character, shows as U+FFFD (fpdf2 would otherwise log the missing characters, clinical
    words in the log, and print nothing in their place); spaces are plain spaces, invisible
    format marks (a soft hyphen, a joiner) are left out."""
    glyphs = _glyphs(style)
    return "".join(_printable_char(c, glyphs) for c in text)


def _printable_char(c: str, glyphs: frozenset[int]) -> str:
    if c == "\n":
        return c
    if c.isspace():
        return " "
    category = unicodedata.category(c)
    if category == "Cf":
        return ""
    return MISSING if category.startswith("C") or ord(c) not in glyphs else c


class _SummaryPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 6, f"{self.title} · page {self.page_no()} of {{nb}}", align="C")


def summary_pdf(lines: list[tuple[str, str]], title: str) -> bytes:
    """A4 pages of ``lines`` ((style, text) pairs as made by summary.blocks)."""
    pdf = _SummaryPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("EMDR Remote")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    for style, path in FONT_FILES.items():
        pdf.add_font(FAMILY, style, str(path))
    pdf.add_page()
    for kind, text in lines:
        if kind == "gap":
            pdf.ln(3)
            continue
        style, size, before, indent, grey = LOOKS[kind]
        pdf.ln(before)
        pdf.set_font(FAMILY, style, size)
        pdf.set_text_color(*(GREY if grey else (0, 0, 0)))
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(
            0,
            size * 0.5,
            printable(text, style.replace("S", "")),
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    return bytes(pdf.output())
