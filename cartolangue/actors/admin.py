from django.contrib import admin
from django.db import models

from cartolangue.actors.models import Actor


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "commune", "source", "source_date")
    list_filter = ("kind", "source")
    search_fields = ("name", "commune__name", "post_code", "siret")
    raw_id_fields = ("commune",)
    filter_horizontal = ("covered_communes",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
