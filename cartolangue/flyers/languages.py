"""The languages of the printed documents: more than the site's, because a flyer is read by the learner.

Each has its i18n catalogue in locale/<code>/LC_MESSAGES/django.po; every catalogue but French carries a
`X-Review-Status` header ("à faire relire par un locuteur natif" until a reviewer signs it off; see
docs/translations.md). The flyer does not show that status.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

# The fonts that draw each script, first choice first (Debian: fonts-dejavu-core, fonts-noto-core,
# fonts-wqy-microhei). The reader's text is set in its script's font, never in a Latin-first stack: DejaVu
# Sans has Arabic letters in its regular and bold faces but none in its oblique face, and an italic line of
# Arabic in the Latin-first stack prints that face's unrelated glyphs (issue #16). The scripts below have no
# italic (Arabic, Tamil, Chinese and Ethiopic typography does not slant): their text is always upright.
LATIN_FONTS = ("DejaVu Sans",)
ARABIC_FONTS = ("Noto Sans Arabic", "DejaVu Sans")
TAMIL_FONTS = ("Noto Sans Tamil", "DejaVu Sans")
CHINESE_FONTS = ("WenQuanYi Micro Hei", "DejaVu Sans")
ETHIOPIC_FONTS = ("Noto Sans Ethiopic", "DejaVu Sans")


@dataclass(frozen=True)
class FlyerLanguage:
    code: str  # what `langue=` takes
    django_code: str  # the catalogue's language code
    name: str  # the language's own name, as its readers write it
    french_name: object
    rtl: bool = False
    fonts: tuple = LATIN_FONTS
    has_italic: bool = True

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def css_font_family(self) -> SafeString:
        """The `font-family` value for this language's text (quoted family names)."""
        return format_html_join(", ", '"{}"', ((font,) for font in self.fonts))


FLYER_LANGUAGES = {
    lang.code: lang
    for lang in (
        FlyerLanguage("fr", "fr", "Français", _("français")),
        FlyerLanguage("en", "en", "English", _("anglais")),
        FlyerLanguage("ar", "ar", "العربية", _("arabe"), rtl=True, fonts=ARABIC_FONTS, has_italic=False),
        FlyerLanguage("fa", "fa", "دری / فارسی", _("dari / persan"), rtl=True, fonts=ARABIC_FONTS, has_italic=False),
        FlyerLanguage("ps", "ps", "پښتو", _("pachto"), rtl=True, fonts=ARABIC_FONTS, has_italic=False),
        FlyerLanguage("ta", "ta", "தமிழ்", _("tamoul"), fonts=TAMIL_FONTS, has_italic=False),
        FlyerLanguage("zh", "zh-hans", "中文", _("chinois"), fonts=CHINESE_FONTS, has_italic=False),
        FlyerLanguage("ru", "ru", "Русский", _("russe")),
        FlyerLanguage("uk", "uk", "Українська", _("ukrainien")),
        FlyerLanguage("es", "es", "Español", _("espagnol")),
        FlyerLanguage("ti", "ti", "ትግርኛ", _("tigrigna"), fonts=ETHIOPIC_FONTS, has_italic=False),
    )
}


# The orientation sheet's languages: the site's. Its texts are the site's own (same msgids), which only the
# site's catalogues translate in full; a flyer-only language would print a sheet half in French. A language
# joins by translating them (tests/flyers/test_selection_languages.py checks the catalogues).
SHEET_LANGUAGES = {code: FLYER_LANGUAGES[code] for code, _name in settings.LANGUAGES}


def site_language(code):
    """The site's language for a flyer language: the same when the site speaks it, else French."""
    return code if code in {c for c, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE
