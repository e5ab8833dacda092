from django.urls import path

from cartolangue.www import views

app_name = "www"

urlpatterns = [
    path("", views.search, name="search"),
    path("territoires/", views.territories, name="territories"),
    path("donnees/", views.data, name="data"),
    path("confidentialite/", views.privacy, name="privacy"),
    path("cours/<int:pk>/", views.course, name="course"),
    path("structures/<int:pk>/", views.structure, name="structure"),
]
