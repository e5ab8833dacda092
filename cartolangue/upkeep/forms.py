from django import forms
from django.utils.translation import gettext_lazy as _


class ErrorReportForm(forms.Form):
    """What is wrong, and an optional address to be told when it is closed. `site_web` is a honeypot: hidden from
    people (and from assistive technologies), filled by robots; a filled one is dropped silently."""

    message = forms.CharField(
        label=_("Qu'est-ce qui est faux ?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text=_("Par exemple : le cours n'a plus lieu le mardi, le numéro de téléphone a changé."),
    )
    email = forms.EmailField(
        label=_("Votre courriel (facultatif)"),
        required=False,
        help_text=_("Seulement pour vous prévenir quand le signalement est traité ; effacé ensuite."),
    )
    site_web = forms.CharField(required=False, label=_("Ne pas remplir"))
