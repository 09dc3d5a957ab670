#!/usr/bin/env python3
"""Renders the OCR-B glyph atlas used by `epassport_mrz::scan` (feature `image`).

Input: OCRB.otf from the Debian package `fonts-ocr-b` (public domain; version 0.3~dfsg1-1 was used).
Output: ocrb-atlas.png, one 8-bit grayscale strip of 37 cells (0-9, A-Z, '<' in that order), each
72 x 96 px: white (255) ink on black (0), font size 100 px (em), glyph origin at the cell's left edge,
rendered 8 px above the cell top so that capitals span rows ~15..86 and digits ~9..86.
The OCR-B character advance is 0.723 em, so one cell width is one MRZ character pitch.

    sudo apt-get install fonts-ocr-b python3-pil
    python3 make_ocrb_atlas.py [/usr/share/fonts/opentype/ocr-b/OCRB.otf]
"""
import sys
from PIL import Image, ImageDraw, ImageFont

CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
CELL_W, CELL_H, EM, TOP = 72, 96, 100, 8

font_path = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
font = ImageFont.truetype(font_path, EM)
atlas = Image.new("L", (CELL_W * len(CHARS), CELL_H), 0)
for i, c in enumerate(CHARS):
    cell = Image.new("L", (CELL_W, CELL_H + TOP), 0)
    ImageDraw.Draw(cell).text((0, 0), c, font=font, fill=255)
    atlas.paste(cell.crop((0, TOP, CELL_W, CELL_H + TOP)), (i * CELL_W, 0))
atlas.save("ocrb-atlas.png", optimize=True)
