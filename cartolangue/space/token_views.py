"""Write-API keys in the provider space: a member names a key, scopes it to structures they keep, sees it once,
sees when it was last used, revokes it."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cartolangue.accounts.models import ApiToken
from cartolangue.accounts.permissions import Verb, can, member_structures
from cartolangue.accounts.tokens import create_token, revoke


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom de la clé"), max_length=100)
    structures = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Structures"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, structures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structures"].queryset = structures.order_by("name")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    structures = member_structures(request.user)
    form = TokenForm(request.POST or None, structures=structures)
    key = None
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["structures"]
        if not all(can(request.user, Verb.EDIT, s) for s in chosen):  # the form's choices already are; say it twice
            raise Http404
        _token, key = create_token(request.user, form.cleaned_data["name"], chosen)
        form = TokenForm(structures=structures)
    return render(
        request,
        "space/tokens.html",
        {
            "form": form,
            "key": key,
            "tokens": ApiToken.objects.filter(owner=request.user).prefetch_related("structures"),
            "has_structures": structures.exists(),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, owner=request.user)
    revoke(token)
    messages.success(request, _("Clé « %(name)s » révoquée.") % {"name": token.name})
    return redirect("space:tokens")
