from django import template
from django.urls import reverse
from django.utils.html import format_html

from cartolangue.flyers.render import picto_url, qr_svg

register = template.Library()


@register.simple_tag
def course_qr(course, site_url):
    """QR code of a course's page on the site (its map and directions)."""
    return qr_svg(site_url.rstrip("/") + reverse("www:course", args=[course.pk]))


@register.simple_tag
def picto(name):
    """A pictogram of flyers/_picto.html as an image: the document parses each one once, however often shown."""
    return format_html('<img class="picto" alt="" src="{}">', picto_url(name))
