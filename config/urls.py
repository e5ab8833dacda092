from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from cartolangue.sources.views import health

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("sante/", health, name="health"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("cartolangue.api.urls")),
]
urlpatterns += i18n_patterns(
    path("imprimer/", include("cartolangue.flyers.urls")),
    path("espace/", include("cartolangue.space.urls")),
    path("", include("cartolangue.upkeep.urls")),
    path("", include("cartolangue.sources.urls")),
    path("", include("cartolangue.actors.urls")),
    path("", include("cartolangue.parcours.urls")),
    path("", include("cartolangue.diagnostic.urls")),
    path("", include("cartolangue.www.urls")),
    prefix_default_language=False,
)
