from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import TemplateView

from cartolangue.space import account_views, coordinator_views, duplicate_views, provider_views, token_views

app_name = "space"

_reset = {"success_url": reverse_lazy("space:password-reset-done")}

urlpatterns = [
    path("", provider_views.home, name="home"),
    path("mode-d-emploi/", TemplateView.as_view(template_name="space/guide.html"), name="guide"),
    path("connexion/", account_views.SpaceLoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/",
        auth_views.PasswordResetView.as_view(
            template_name="space/password_reset.html",
            email_template_name="space/password_reset_email.txt",
            subject_template_name="space/password_reset_subject.txt",
            **_reset,
        ),
        name="password-reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="space/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="space/password_reset_confirm.html", success_url=reverse_lazy("space:login")
        ),
        name="password-reset-confirm",
    ),
    path("invitation/<str:token>/", account_views.accept_invitation, name="accept-invitation"),
    path("demande/", account_views.access_request, name="propose-structure"),
    path("demande/<int:structure_pk>/", account_views.access_request, name="access-request"),
    path("structure/<int:pk>/", provider_views.structure, name="structure"),
    path("structure/<int:structure_pk>/cours/nouveau/", provider_views.course_create, name="course-create"),
    path("structure/<int:structure_pk>/lieux/nouveau/", provider_views.place_create, name="place-create"),
    path("structure/<int:structure_pk>/examens/", provider_views.exam_sessions, name="exam-sessions"),
    path("cours/<int:pk>/", provider_views.course_edit, name="course-edit"),
    path("cours/<int:pk>/places/", provider_views.course_seats, name="course-seats"),
    path("cours/<int:pk>/dupliquer/", provider_views.course_duplicate, name="course-duplicate"),
    path("cours/<int:pk>/archiver/", provider_views.course_archive, name="course-archive"),
    path("cours/<int:pk>/confirmer/", provider_views.course_confirm, name="course-confirm"),
    path("lieux/<int:pk>/", provider_views.place_edit, name="place-edit"),
    path("signalements/<int:pk>/", provider_views.close_report, name="close-report"),
    path("cles/", token_views.tokens, name="tokens"),
    path("cles/<int:pk>/revoquer/", token_views.token_revoke, name="token-revoke"),
    path("coordination/", coordinator_views.feed, name="feed"),
    path("coordination/annuler/<str:change_set>/", coordinator_views.revert, name="revert"),
    path("coordination/cours/<int:pk>/", coordinator_views.approve_course, name="approve-course"),
    path("coordination/demandes/<int:pk>/", coordinator_views.decide_request, name="decide-request"),
    path("coordination/structures/<int:pk>/pre-moderation/", coordinator_views.premoderation, name="premoderation"),
    path("coordination/conflits/<int:pk>/", coordinator_views.resolve_conflict, name="resolve-conflict"),
    path("coordination/doublons/", duplicate_views.duplicates, name="duplicates"),
    path("coordination/doublons/<int:pk>/", duplicate_views.decide_duplicate, name="decide-duplicate"),
    path("invitations/", coordinator_views.invite, name="invite"),
]
