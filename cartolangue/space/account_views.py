"""Coming in: log in by e-mail (django-axes counts the failures), accept an invitation, ask to manage a
structure or propose a new one. Password reset is Django's own (space/urls.py)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cartolangue.accounts import invitations
from cartolangue.accounts.models import AccessRequest
from cartolangue.accounts.people import create_person, person_by_email
from cartolangue.offers.models import Structure
from cartolangue.space.forms import AccessRequestForm, LoginForm, NewPasswordForm


class SpaceLoginView(LoginView):
    template_name = "space/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitations.invitation_from_token(token)
    except invitations.InvitationError as error:
        return render(request, "space/message.html", {"title": _("Invitation"), "message": str(error)}, status=400)
    existing = person_by_email(invitation.email)
    form = NewPasswordForm(request.POST or None) if existing is None else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            person = invitations.accept(invitation, form.cleaned_data["password1"] if form else None)
        except invitations.InvitationError as error:
            return render(request, "space/message.html", {"title": _("Invitation"), "message": str(error)}, status=400)
        if existing is None:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Bienvenue : vous gérez maintenant l'offre de %(s)s.") % {"s": invitation.structure.name}
            )
            return redirect("space:home")
        messages.success(
            request, _("Invitation acceptée : connectez-vous pour gérer %(s)s.") % {"s": invitation.structure.name}
        )
        return redirect("space:login")
    return render(
        request, "space/accept.html", {"invitation": invitation, "form": form, "has_account": existing is not None}
    )


def access_request(request: HttpRequest, structure_pk: int | None = None) -> HttpResponse:
    """ "Je gère cette structure" (with a structure) or "proposer une structure" (without). Like every form, its
    posts are limited per client (security/limits.py)."""
    structure = get_object_or_404(Structure, pk=structure_pk) if structure_pk else None
    form = AccessRequestForm(request.POST or None, structure=structure)
    if request.method == "POST" and form.is_valid():
        person = person_by_email(form.cleaned_data["email"])
        if person is not None and not person.check_password(form.cleaned_data["password1"]):
            form.add_error(
                "email", _("Un compte existe pour ce courriel : donnez son mot de passe, ou réinitialisez-le.")
            )
        else:
            person = person or create_person(form.cleaned_data["email"], form.cleaned_data["password1"])
            AccessRequest.objects.create(
                user=person,
                structure=structure,
                proposed_name=form.cleaned_data.get("proposed_name", ""),
                proposed_siret=form.cleaned_data.get("proposed_siret", ""),
                proposed_kind=form.cleaned_data.get("proposed_kind", ""),
                proposed_departement=form.cleaned_data.get("proposed_departement"),
                message=form.cleaned_data["message"],
            )
            return render(
                request,
                "space/message.html",
                {
                    "title": _("Demande envoyée"),
                    "message": _(
                        "Votre demande attend la décision d'un coordinateur. Vous pourrez ensuite vous connecter "
                        "avec votre courriel et votre mot de passe."
                    ),
                },
            )
    return render(request, "space/request.html", {"form": form, "structure": structure})
