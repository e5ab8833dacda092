from django.urls import path

from cartolangue.upkeep import views

app_name = "upkeep"

urlpatterns = [
    path("signaler/", views.report, name="report"),
    path("toujours-a-jour/<str:token>/", views.confirm, name="confirm"),
]
