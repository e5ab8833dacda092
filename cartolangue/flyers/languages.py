"""The languages of the printed documents: more than the site's, because a flyer is read by the learner.

Each has its i18n catalogue in locale/<code>/LC_MESSAGES/django.po; every catalogue but French carries a
`X-Review-Status` header ("à faire relire par un locuteur natif" until a reviewer signs it off; see
docs/translations.md). The flyer does not show that status.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FlyerLanguage:
    code: str  # what `langue=` takes
    django_code: str  # the catalogue's language code
    name: str  # the language's own name, as its readers write it
    french_name: object
    rtl: bool = False


FLYER_LANGUAGES = {
    lang.code: lang
    for lang in (
        FlyerLanguage("fr", "fr", "Français", _("français")),
        FlyerLanguage("en", "en", "English", _("anglais")),
        FlyerLanguage("ar", "ar", "العربية", _("arabe"), rtl=True),
        FlyerLanguage("fa", "fa", "دری / فارسی", _("dari / persan"), rtl=True),
        FlyerLanguage("ps", "ps", "پښتو", _("pachto"), rtl=True),
        FlyerLanguage("ta", "ta", "தமிழ்", _("tamoul")),
        FlyerLanguage("zh", "zh-hans", "中文", _("chinois")),
        FlyerLanguage("ru", "ru", "Русский", _("russe")),
        FlyerLanguage("uk", "uk", "Українська", _("ukrainien")),
        FlyerLanguage("es", "es", "Español", _("espagnol")),
        FlyerLanguage("ti", "ti", "ትግርኛ", _("tigrigna")),
    )
}


def site_language(code):
    """The site's language for a flyer language: the same when the site speaks it, else French."""
    return code if code in {c for c, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE
