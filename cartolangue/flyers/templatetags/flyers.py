import datetime

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from cartolangue.flyers.render import picto_url, qr_svg
from cartolangue.www.templatetags.fragments import long_date

register = template.Library()


@register.simple_tag
def course_qr(course, site_url):
    """QR code of a course's page on the site (its map and directions)."""
    return qr_svg(site_url.rstrip("/") + reverse("www:course", args=[course.pk]))


@register.simple_tag
def picto(name):
    """A pictogram of flyers/_picto.html as an image: the document parses each one once, however often shown."""
    return format_html('<img class="picto" alt="" src="{}">', picto_url(name))


def _in(language_code, text, values):
    with translation.override(language_code):
        filled = {k: long_date(v, language_code) if isinstance(v, datetime.date) else v for k, v in values.items()}
        return str(text % filled) if filled else str(text)


@register.simple_tag(takes_context=True)
def both(context, text, **values):
    """`text` (a lazy string) in French, then in the person's language (`lang` in the context: a FlyerLanguage)
    in its own span, with its direction and its script's fonts; once only when the sheet is French or the two
    are the same. `values` fill the placeholders; a date is written as each language writes it."""
    french = _in("fr", text, values)
    language = context.get("lang")
    if language is None or language.code == "fr":
        return french
    other = _in(language.django_code, text, values)
    if other == french:
        return french
    return format_html(
        '{} / <span class="tr" lang="{}" dir="{}">{}</span>', french, language.code, language.direction, other
    )


@register.filter
def choice(obj, field_name):
    """The label of a choice field's value, lazy: `{% both course|choice:"course_type" %}` prints it in both
    languages."""
    value = getattr(obj, field_name)
    return dict(obj._meta.get_field(field_name).flatchoices).get(value, value)
