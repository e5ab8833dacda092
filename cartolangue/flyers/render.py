"""HTML → PDF with WeasyPrint. Documents are self-contained (inline CSS, inline SVG pictograms and QR code):
the fetcher refuses every URL, so nothing in a course's text can make the server fetch anything."""

import segno
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetchingError

_FONT_CONFIG = None


def _font_config():
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def _refuse(url, *args, **kwargs):
    raise URLFetchingError(f"refused: {url[:80]}")


def qr_svg(url):
    """The QR code of a URL as inline SVG (medium error correction: survives a photocopy)."""
    qr = segno.make(url, error="m", micro=False)
    return mark_safe(qr.svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True))


def render_document(template, context):
    """The laid-out document (pages known, PDF not yet written)."""
    html = render_to_string(template, context)
    return HTML(string=html, base_url="about:blank", url_fetcher=_refuse).render(font_config=_font_config())


def render_pdf(template, context):
    return render_document(template, context).write_pdf()
