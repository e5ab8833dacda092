"""HTML → PDF with WeasyPrint. Documents are self-contained (inline CSS, inline SVG QR code, pictograms as
`data:` images made here): the fetcher serves those pictograms from memory and refuses every other URL, so
nothing in a course's text can make the server fetch anything.

What keeps a render fast (WeasyPrint's parsing and layout are pure Python):
- the fonts: one FontConfiguration for the process (fontconfig is set up once);
- the pictograms: `<img>` of a few `data:` URLs, so that each distinct pictogram is parsed once per document
  (an inline `<svg>` is parsed once per occurrence, and its markup makes the HTML several times longer);
- the whitespace: the template's indentation is collapsed before parsing (see `collapse_whitespace`).
"""

import re
from urllib.parse import quote

import segno
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

_FONT_CONFIG = None
_PICTO_URLS = {}  # pictogram name → data: URL
_PICTO_SVGS = {}  # data: URL → SVG bytes: the only URLs the fetcher serves


def _font_config():
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


class _Fetcher(URLFetcher):
    """Serves the pictograms made by `picto_url`, refuses everything else (the image is then left out)."""

    def fetch(self, url, headers=None):
        svg = _PICTO_SVGS.get(url)
        if svg is None:
            raise URLFetchingError(f"refused: {url[:80]}")
        return URLFetcherResponse(url, svg, headers={"Content-Type": "image/svg+xml"})


_FETCHER = _Fetcher()


def picto_url(name):
    """The `data:` URL of a pictogram of flyers/_picto.html (drawn once per name and process)."""
    url = _PICTO_URLS.get(name)
    if url is None:
        svg = collapse_whitespace(render_to_string("flyers/_picto.html", {"name": name})).strip()
        url = "data:image/svg+xml," + quote(svg)
        _PICTO_SVGS[url] = svg.encode()
        _PICTO_URLS[name] = url
    return url


# Collapsible whitespace in CSS (white-space: normal or nowrap): space, tab, line feed, carriage return. Not
# \s, which would also take no-break and thin spaces (French typography) or the ideographic space.
_WHITESPACE = re.compile(r"[ \t\r\n]+")


def collapse_whitespace(html):
    """Every run of spaces, tabs and line breaks as one space. WeasyPrint collapses them the same way when
    nothing is `white-space: pre*` (true of the flyer), so the PDF does not change; the HTML parser, which is
    pure Python, has a third less to read."""
    return _WHITESPACE.sub(" ", html)


def qr_svg(url):
    """The QR code of a URL as inline SVG (medium error correction: survives a photocopy)."""
    qr = segno.make(url, error="m", micro=False)
    return mark_safe(qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True))


def render_document(template, context, *, collapse=False):
    """The laid-out document (pages known, PDF not yet written). `collapse`: the template has no
    preformatted text, its whitespace can be collapsed (see `collapse_whitespace`)."""
    html = render_to_string(template, context)
    if collapse:
        html = collapse_whitespace(html)
    return HTML(string=html, base_url="about:blank", url_fetcher=_FETCHER).render(font_config=_font_config())


def render_pdf(template, context):
    return render_document(template, context).write_pdf()
