from django import template
from django.urls import reverse

from cartolangue.flyers.render import qr_svg

register = template.Library()


@register.simple_tag
def course_qr(course, site_url):
    """QR code of a course's page on the site (its map and directions)."""
    return qr_svg(site_url.rstrip("/") + reverse("www:course", args=[course.pk]))
