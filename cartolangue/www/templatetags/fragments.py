"""How the pages, the flyers and the orientation sheets print the fragments that are not prose: phones,
e-mails, URLs, addresses, amounts, codes, times, dates and proper names. One place, so that the three kinds of
document cannot disagree.

Left-to-right fragments are *isolated* (`<bdi>`): inside Arabic text the Unicode bidi algorithm would
otherwise lay out "01 48 20 31 68" as "68 31 20 48 01" (numbers separated by neutral spaces take the
paragraph's direction) and "120 chemin Jean Jaurès" as "chemin Jean Jaurès 120". Browsers and WeasyPrint both
honour `<bdi dir="ltr">` (WeasyPrint hands it to Pango/FriBidi as an isolate; checked by the PDF tests).
"""

import datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from django import template
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# Django language code → CLDR locale. Dari first for "fa": the flyer's readers are mostly Afghan, and CLDR's
# fa_AF names the Gregorian months as Dari speakers do (سپتمبر, not the Iranian سپتامبر).
BABEL_LOCALES = {"zh-hans": "zh_Hans", "fa": "fa_AF"}


def babel_locale(language_code: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(language_code.lower(), language_code.replace("-", "_")))


def long_date(value: datetime.date, language_code: str | None = None) -> str:
    """A date with the month in full, as the language writes it (CLDR "long" format, Latin digits): never an
    abbreviation, which is ambiguous ("Jui" is June or July in French) or falls back to English (Django has no
    month names for Pashto or Tigrinya)."""
    return format_date(value, "long", locale=babel_locale(language_code or translation.get_language() or "fr"))


def isolate(value: object, direction: str = "ltr") -> SafeString:
    """`value` escaped and isolated from the text around it. `direction`: "ltr" for what is left to right
    whatever the page's language (phones, e-mails, URLs, French addresses, amounts, codes, times); "auto"
    for proper names, which may be written in any script (the first strong letter decides)."""
    if value is None or value == "":
        return SafeString("")
    if direction == "auto":
        return format_html("<bdi>{}</bdi>", value)
    return format_html('<bdi dir="ltr">{}</bdi>', value)


def one_line_address(place: object) -> str:
    """ "Name, 12 rue X (complement), 95100 Argenteuil": the parts that exist, joined by ", " (no stray space
    before a comma when a part is missing), whitespace inside each part collapsed."""
    street = " ".join(place.address.split())
    complement = " ".join(place.address_complement.split())
    if complement:
        street = f"{street} ({complement})"
    town = " ".join(f"{place.post_code} {place.commune.name}".split())
    return ", ".join(part for part in (" ".join(place.name.split()), street, town) if part)


def euros(amount: Decimal | float | int) -> str:
    """An amount in euros, French-style whatever the language ("1 250,50 €"): the currency sign stays after
    the number, as on every French document the learner will be shown."""
    with translation.override("fr"):
        text = number_format(amount, decimal_pos=0 if amount == int(amount) else 2, use_l10n=True)
    return f"{text}\u00a0€"


@register.filter(name="ltr")
def ltr_filter(value: object) -> SafeString:
    """{{ phone|ltr }}: a left-to-right fragment, isolated."""
    return isolate(value, "ltr")


@register.filter(name="bdi")
def bdi_filter(value: object) -> SafeString:
    """{{ structure.name|bdi }}: a proper name, isolated, its direction taken from its first strong letter."""
    return isolate(value, "auto")


@register.filter(name="long_date")
def long_date_filter(value: datetime.date | None, language_code: str | None = None) -> str:
    """{{ day|long_date }} in the current language, {{ day|long_date:"ar" }} in another."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return long_date(value, language_code)


@register.filter(name="address")
def address_filter(place: object) -> SafeString:
    """{{ place|address }}: the one-line address, isolated (a French address reads left to right)."""
    return isolate(one_line_address(place), "ltr")


def time_range(starts_at: datetime.time, ends_at: datetime.time) -> str:
    return f"{starts_at:%H:%M}–{ends_at:%H:%M}"


@register.filter(name="time_range")
def time_range_filter(slot: object) -> SafeString:
    """{{ slot|time_range }}: "09:30–12:00", isolated (the en dash is neutral: without isolation an Arabic
    line shows "12:00–09:30")."""
    return isolate(time_range(slot.starts_at, slot.ends_at), "ltr")


@register.filter(name="euros")
def euros_filter(amount: Decimal | float | int | None) -> SafeString:
    """{{ course.cost_amount|euros }}: "300 €", isolated."""
    if amount is None or amount == "":
        return SafeString("")
    return isolate(euros(amount), "ltr")
