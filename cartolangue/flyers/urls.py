from django.urls import path

from cartolangue.flyers import views

app_name = "flyers"

urlpatterns = [
    path("flyer.pdf", views.flyer_pdf, name="flyer"),
    path("selection.pdf", views.selection_pdf, name="selection"),
]
