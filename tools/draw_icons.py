"""Draw the client web app's icons (static/icons/*.png) once; the PNGs are committed.

The room's dark background, the target's colour: a glowing dot on its left-right track.
Everything that matters sits in the middle 60%, so a maskable crop (a circle, a squircle)
keeps it. Run: .venv/bin/python tools/draw_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parents[1] / "static" / "icons"
BACKGROUND = (11, 15, 20)  # #0b0f14, the room's background
TRACK = (38, 49, 60)  # #26313c, the dock's border
TARGET = (79, 195, 247)  # #4fc3f7, the default target colour
SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180}
SUPERSAMPLE = 4


def draw(size: int) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGB", (big, big), BACKGROUND)
    pen = ImageDraw.Draw(image)
    middle = big / 2
    track_half = big * 0.30
    track_thick = big * 0.025
    pen.rounded_rectangle(
        (middle - track_half, middle - track_thick, middle + track_half, middle + track_thick),
        radius=track_thick,
        fill=TRACK,
    )
    for side in (-1, 1):  # the two edges the target turns at
        x = middle + side * track_half
        r = big * 0.045
        pen.ellipse((x - r, middle - r, x + r, middle + r), fill=TRACK)
    glow = Image.new("RGB", (big, big), (0, 0, 0))
    r = big * 0.17
    ImageDraw.Draw(glow).ellipse((middle - r, middle - r, middle + r, middle + r), fill=TARGET)
    glow = glow.filter(ImageFilter.GaussianBlur(big * 0.05))
    image = Image.blend(image, Image.composite(glow, image, glow.convert("L")), 0.6)
    pen = ImageDraw.Draw(image)
    r = big * 0.13
    pen.ellipse((middle - r, middle - r, middle + r, middle + r), fill=TARGET)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        draw(size).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
