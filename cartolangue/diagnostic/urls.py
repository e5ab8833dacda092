from django.urls import path

from cartolangue.diagnostic import views

app_name = "diagnostic"

urlpatterns = [
    path("territoires/<slug:zoning>/<str:code>/", views.zone, name="zone"),
    path("territoires/<slug:zoning>/<str:code>/fiche.pdf", views.zone_pdf, name="zone-pdf"),
    path(
        "territoires/classement/<slug:zoning>.<str:extension>", views.download, {"table": "classement"}, name="ranking"
    ),
    path("territoires/acces/<slug:zoning>.<str:extension>", views.download, {"table": "acces"}, name="access"),
]
