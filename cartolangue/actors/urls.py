from django.urls import path

from cartolangue.actors import views

app_name = "actors"

urlpatterns = [path("acteurs/<int:pk>/", views.actor_detail, name="detail")]
