"""Reading PDFs back with Debian's tools: poppler-utils (pdfinfo, pdftotext, pdffonts, pdftoppm), zbar-tools
(zbarimg) and fontconfig (fc-match), as a reader would, not through our own code."""

import functools
import re
import shutil
import subprocess
import zlib

import pytest
from fontTools.ttLib import TTFont

TOOLS = ("pdfinfo", "pdftotext", "pdffonts", "pdftoppm", "zbarimg", "fc-match")


def require_tools():
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        pytest.fail(f"missing system tools {missing}: install poppler-utils, zbar-tools and fontconfig (see README)")


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def pages(path):
    for line in run("pdfinfo", str(path)).splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise AssertionError("pdfinfo gave no page count")


def text(path, layout=False):
    return run("pdftotext", *(["-layout"] if layout else []), str(path), "-")


def qr_codes(path, tmp_path):
    """Every QR code on the first page, decoded from a 200 dpi rendering."""
    image = tmp_path / "page"
    run("pdftoppm", "-r", "200", "-png", "-singlefile", "-f", "1", str(path), str(image))
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f"{image}.png"],
        capture_output=True,
        text=True,
    )
    return out.stdout.splitlines()


def embedded_fonts(path):
    """PostScript names of the fonts embedded in the PDF (subset prefixes removed)."""
    lines = run("pdffonts", str(path)).splitlines()[2:]
    return sorted({line.split()[0].split("+", 1)[-1] for line in lines if line.strip()})


@functools.lru_cache(maxsize=64)
def font_codepoints(postscript_name):
    path = run("fc-match", "-f", "%{file}", f":postscriptname={postscript_name}").strip()
    with TTFont(path, fontNumber=0) as font:
        return frozenset(font.getBestCmap())


def uncovered(path, texts):
    """Characters of `texts` that no font embedded in the PDF can draw (they would print as tofu boxes)."""
    covered = set()
    for name in embedded_fonts(path):
        covered |= font_codepoints(name)
    return sorted({ch for t in texts for ch in t if not ch.isspace() and ord(ch) not in covered})


def as_extracted(text, rtl):
    """What pdftotext gives back for a correct PDF: without spaces (it splits some Tamil clusters), and for
    right-to-left text without the zero-width non-joiner (no glyph) and with each lam-alef ligature's two
    letters swapped (poppler reverses multi-letter ligature mappings in RTL runs; the PDF's own ToUnicode
    map is in logical order, see `to_unicode_maps`)."""
    text = "".join(text.split())
    if rtl:
        text = text.replace("\u200c", "").replace("لا", "ال")
    return text


def to_unicode_maps(path):
    """The text of every ToUnicode CMap in the PDF (decompressed)."""
    maps = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", path.read_bytes(), re.S):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        if b"beginbfchar" in data or b"beginbfrange" in data:
            maps.append(data.decode("latin-1"))
    return "\n".join(maps)
