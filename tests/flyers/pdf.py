"""Reading PDFs back with Debian's tools: poppler-utils (pdfinfo, pdftotext, pdffonts, pdftoppm), zbar-tools
(zbarimg) and fontconfig (fc-match), as a reader would, not through our own code."""

import functools
import html
import re
import shutil
import subprocess
import unicodedata
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
        # Every lam ligature the fonts have: lam-alef (لا), with hamza above or below (لأ, لإ) or madda (لآ),
        # and lam-alef maksura (لى, Noto Sans Arabic).
        text = re.sub("ل([اأإآى])", r"\1ل", text.replace("\u200c", ""))
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


# Fonts a reader must never see: a fallback means the page's fonts lacked a glyph and something else drew it.
FALLBACK_FONTS = re.compile(r"symbol|lastresort|last-resort|unifont|dingbat|fallback", re.I)


def font_names(path):
    """{subset prefix or PostScript name: PostScript name} of the fonts in the PDF (pdffonts)."""
    names = {}
    for line in run("pdffonts", str(path)).splitlines()[2:]:
        if line.strip():
            full = line.split()[0]
            names[full.split("+", 1)[0] if "+" in full else full] = full.split("+", 1)[-1]
    return names


def drawn_runs(path):
    """[(PostScript name, text)] for every run of text, with the font that draws it (pdftohtml -xml: each
    <text> has one font; its family keeps the subset prefix, which pdffonts maps to the full name)."""
    fonts = font_names(path)
    out = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", "-q", str(path)], capture_output=True, text=True, check=True
    ).stdout
    specs = {}
    for spec_id, family in re.findall(r'<fontspec id="(\d+)" size="[^"]*" family="([^"]*)"', out):
        key = family.split("+", 1)[0] if "+" in family else family
        specs[spec_id] = fonts.get(key, family)
    runs = []
    for spec_id, inner in re.findall(r'<text [^>]*font="(\d+)"[^>]*>(.*?)</text>', out):
        content = html.unescape(re.sub(r"<[^>]+>", "", inner))
        runs.append((specs[spec_id], content))
    return runs


def misdrawn(path):
    """(font, character) pairs where a font drew a character its own character map lacks: the glyph printed
    is then whatever that font has at the glyph id, i.e. garbage or a box. Checked per font, not against the
    union of the fonts (a font that draws Arabic elsewhere on the page does not make another font draw it)."""
    bad = set()
    for font, content in drawn_runs(path):
        cmap = font_codepoints(font)
        for ch in content:
            if ch.isspace() or ord(ch) in cmap or unicodedata.category(ch) == "Cf":
                continue
            # A ligature or presentation form is mapped back to letters the font must have.
            if all(ord(c) in cmap for c in unicodedata.normalize("NFKC", ch)):
                continue
            bad.add((font, ch))
    return sorted(bad)


def fallback_fonts(path):
    return [name for name in embedded_fonts(path) if FALLBACK_FONTS.search(name)]


def render_png(path, tmp_path, dpi=60):
    """The first page as PNG (pdftoppm); poppler's complaints about a font or a glyph fail the check."""
    image = tmp_path / path.stem
    result = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", "1", str(path), str(image)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == "", result.stderr
    png = image.with_suffix(".png")
    assert png.read_bytes().startswith(b"\x89PNG")
    return png


# Bidi and joining controls: no glyph, so never in the extracted text.
_CONTROLS = dict.fromkeys(
    map(ord, "\u200c\u200d\u200e\u200f\u061c\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e")
)


def words(text):
    """The words of a text as a reader compares them: shaping undone (NFKC turns Arabic presentation forms
    back into letters), controls and punctuation dropped, case kept."""
    text = unicodedata.normalize("NFKC", text).translate(_CONTROLS)
    return "".join(" " if unicodedata.category(c)[0] in "PSZ" else c for c in text).split()


def skeleton(text):
    """The text without its combining marks (vowel signs, viramas, Arabic hamza above). pdftotext places a
    mark drawn as a glyph of its own where it is drawn: Tamil's pre-base vowel signs (ெ ே ை) before the
    consonant or even in the neighbouring word, Dari's hamza above (شمارهٔ) before its letter, although the
    PDF draws them right (the page's PNG shows it). For those scripts the letters are compared in order,
    without their marks."""
    return "".join(c for c in text if unicodedata.category(c)[0] != "M")


def missing_words(expected, extracted, rtl, reorders_marks=False):
    """Words of `expected` absent from `extracted`. Bidi reordering is ignored on purpose: pdftotext keeps the
    letters of a word in logical order but may move words, neutral punctuation and wrapped lines of a
    right-to-left run; a missing, untranslated or garbled word still fails. `as_extracted` applies
    poppler's known lam-alef swap; `reorders_marks` compares letters only (see `skeleton`)."""
    haystack = unicodedata.normalize("NFKC", "".join(words(extracted)))
    strip = skeleton if reorders_marks else str
    # Whether poppler swaps a lam ligature depends on the font having that ligature: either order passes.
    return [
        w for w in words(expected) if not any(strip(form) in strip(haystack) for form in {w, as_extracted(w, rtl)})
    ]


def word_boxes(path):
    """[(word, x_min, y_min)] of the first page as drawn (pdftotext -bbox): a right-to-left word comes out with
    its letters in visual order, i.e. reversed, and its position says where it is drawn."""
    out = run("pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-")
    return [
        (html.unescape(word), float(x), float(y))
        for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</word>', out)
    ]


def drawn_at(path, word):
    """(x, y) where `word` is drawn, matched in logical or visual (reversed) order after shaping is undone."""
    wanted = unicodedata.normalize("NFKC", word)
    for text, x, y in word_boxes(path):
        text = unicodedata.normalize("NFKC", text)
        if wanted in (text, text[::-1]):
            return x, y
    raise AssertionError(f"{word!r} is not drawn on the page")
