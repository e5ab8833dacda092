from django.urls import path

from cartolangue.sources import views

app_name = "sources"

urlpatterns = [
    path("donnees/sources/", views.sources_page, name="list"),
]
