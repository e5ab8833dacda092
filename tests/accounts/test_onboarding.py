"""Coming in: invitation links (valid once, expired, tampered), login by e-mail with django-axes' lockout, the
"je gère cette structure" and "nouvelle structure" requests, password reset, and the demo accounts of make run."""

import datetime
import io
import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.management import CommandError, call_command

from cartolangue.accounts import invitations
from cartolangue.accounts.models import AccessRequest, Coordinator, Invitation, Membership
from cartolangue.geo.models import Departement
from cartolangue.offers.models import Structure
from tests.factories import PlaceFactory, StructureFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Cours-de-francais-2026!"


def _logs_in(client, email, password):
    """Through the space's login form, as a person would (django-axes sees the request)."""
    response = client.post("/espace/connexion/", {"username": email, "password": password})
    return response.status_code == 302 and response["Location"] == "/espace/"


@pytest.fixture
def coordinator():
    user = get_user_model().objects.create_user("coord@test.test", "coord@test.test", PASSWORD)
    Coordinator.objects.create(user=user, organisation="Ofii").departements.add(Departement.objects.get(code="95"))
    return user


@pytest.fixture
def invitation(coordinator):
    structure = PlaceFactory().structure
    return Invitation.objects.create(email="new@asso.test", structure=structure, invited_by=coordinator)


def test_an_invitation_link_works_once(client, invitation):
    url = f"/espace/invitation/{invitations.invitation_token(invitation)}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302
    assert Membership.objects.filter(user__username="new@asso.test", structure=invitation.structure).exists()
    client.logout()
    response = client.get(url)
    assert response.status_code == 400 and "déjà été utilisée" in response.content.decode()


def test_an_expired_or_tampered_invitation_link_is_refused(client, invitation, settings, monkeypatch):
    token = invitations.invitation_token(invitation)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(f"/espace/invitation/{tampered}/")
    assert response.status_code == 400 and "pas valide" in response.content.decode()
    later = time.time() + (settings.INVITATION_VALID_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(f"/espace/invitation/{token}/")
    assert response.status_code == 400 and "expiré" in response.content.decode()
    assert not Membership.objects.exists()


def test_a_weak_password_is_refused_next_to_its_field(client, invitation):
    url = f"/espace/invitation/{invitations.invitation_token(invitation)}/"
    response = client.post(url, {"password1": "123", "password2": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert not Membership.objects.exists()


def test_the_space_login_is_by_email_and_locked_after_repeated_failures(client, coordinator, settings):
    assert _logs_in(client, "COORD@test.test", PASSWORD)  # by e-mail, in any case
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/espace/connexion/", {"username": "coord@test.test", "password": "faux"})
        assert response.status_code == 200
    response = client.post("/espace/connexion/", {"username": "coord@test.test", "password": "faux"})
    assert response.status_code == 429
    # Locked out: even the right password is refused for the cool-off time.
    response = client.post("/espace/connexion/", {"username": "Coord@Test.test", "password": PASSWORD})
    assert response.status_code == 429 and response["Retry-After"]


def test_a_structure_request_and_a_new_structure_wait_for_a_coordinator(client, coordinator):
    structure = PlaceFactory().structure  # a place in Cergy (95)
    response = client.post(
        f"/espace/demande/{structure.pk}/",
        {"email": "Anne@Asso.test", "password1": PASSWORD, "password2": PASSWORD, "message": "Je suis la présidente."},
    )
    assert response.status_code == 200 and "attend la décision" in response.content.decode()
    response = client.post(
        "/espace/demande/",
        {
            "email": "karim@nouvelle.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "proposed_name": "Alpha Sarcelles",
            "proposed_kind": "association",
            "proposed_departement": Departement.objects.get(code="95").pk,
        },
    )
    assert response.status_code == 200
    assert not Membership.objects.exists() and not Structure.objects.filter(name="Alpha Sarcelles").exists()

    client.force_login(coordinator)
    requests = list(client.get("/espace/coordination/").context["requests"])
    assert [r.user.username for r in requests] == ["anne@asso.test", "karim@nouvelle.test"]
    for request in requests:
        client.post(f"/espace/coordination/demandes/{request.pk}/", {"decision": "accepter"})
    created = Structure.objects.get(name="Alpha Sarcelles")
    assert created.premoderated and structure.__class__.objects.get(pk=structure.pk).premoderated
    assert set(Membership.objects.values_list("user__username", "structure__name")) == {
        ("anne@asso.test", structure.name),
        ("karim@nouvelle.test", "Alpha Sarcelles"),
    }
    assert set(AccessRequest.objects.values_list("status", flat=True)) == {"acceptee"}


def test_a_request_for_a_structure_out_of_scope_is_not_shown_nor_decidable(client, coordinator):
    paris = StructureFactory()
    PlaceFactory(structure=paris, commune=Departement.objects.get(code="75").communes.first(), post_code="75001")
    client.post(f"/espace/demande/{paris.pk}/", {"email": "x@y.test", "password1": PASSWORD, "password2": PASSWORD})
    request = AccessRequest.objects.get()
    client.force_login(coordinator)
    assert list(client.get("/espace/coordination/").context["requests"]) == []
    assert client.post(f"/espace/coordination/demandes/{request.pk}/", {"decision": "accepter"}).status_code == 404
    assert not Membership.objects.exists()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, coordinator):
    client.post("/espace/mot-de-passe/", {"email": "coord@test.test"})
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/espace/mot-de-passe/\S+/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    new = "Un-autre-mot-de-passe-2026"
    response = client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert _logs_in(client, "coord@test.test", new)


def test_demo_accounts_are_printed_and_work_but_only_in_debug(client, settings):
    from cartolangue.offers.demo import demo_generate

    demo_generate(courses=60, seed=1, reference_date=datetime.date(2026, 12, 1))
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_demo_accounts", stdout=io.StringIO())
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    credentials = re.findall(r"(\S+@carto-langue\.invalid) / (\S+)", out.getvalue())
    assert len(credentials) == 2
    for email, password in credentials:
        assert _logs_in(client, email, password)
        client.logout()
    coordinator_email, provider_email = (email for email, _password in credentials)
    assert get_user_model().objects.get(username=coordinator_email).coordinator
    assert Membership.objects.get(user__username=provider_email).structure.source == "demo"
