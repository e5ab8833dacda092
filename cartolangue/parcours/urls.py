from django.urls import path

from cartolangue.parcours import views

app_name = "parcours"

urlpatterns = [
    path("parcours/", views.guide, name="guide"),
    path("parcours/fiche.pdf", views.sheet_pdf, name="sheet"),
]
