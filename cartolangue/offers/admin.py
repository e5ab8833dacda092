from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Model
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cartolangue.offers.models import (
    Certification,
    Course,
    CourseAudience,
    CourseFunder,
    CourseSchooling,
    ExamSession,
    Place,
    Session,
    Structure,
    StructureSource,
    TimeSlot,
)

PROVENANCE_FIELDS = ["source", "source_id", "source_url", "updated_at", "created_at"]


class ProvenanceAdmin(SimpleHistoryAdmin):
    readonly_fields = ["created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["source"]

    def get_fieldsets(
        self, request: HttpRequest, obj: Model | None = None
    ) -> list[tuple[str | Promise | None, dict[str, Any]]]:
        fields = [f for f in super().get_fields(request, obj) if f not in PROVENANCE_FIELDS]
        return [(None, {"fields": fields}), (_("Provenance"), {"fields": PROVENANCE_FIELDS})]


class PlaceInline(admin.TabularInline):
    model = Place
    fields = ["name", "address", "post_code", "commune"]
    raw_id_fields = ["commune"]
    extra = 0
    show_change_link = True


class StructureSourceInline(admin.TabularInline):
    """Every source that describes the structure (one row each), as the imports keep them."""

    model = StructureSource
    fields = ("source", "source_id", "source_url", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Structure)
class StructureAdmin(ProvenanceAdmin):
    list_display = ["name", "acronym", "siret", "kind", "source", "updated_at"]
    search_fields = ["name", "acronym", "siret", "source_id", "sources__source_id"]
    list_filter = ["kind", "source"]
    inlines = [StructureSourceInline, PlaceInline]


@admin.register(Place)
class PlaceAdmin(ProvenanceAdmin):
    list_display = ["__str__", "structure", "commune", "location_is_approximate", "source"]
    search_fields = ["name", "address", "post_code", "commune__name", "structure__name"]
    list_filter = ["commune__departement", "location_is_approximate", "step_free_access", "source"]
    list_select_related = ["structure", "commune"]
    raw_id_fields = ["structure", "commune"]


class CourseAudienceInline(admin.TabularInline):
    model = CourseAudience
    extra = 0


class CourseSchoolingInline(admin.TabularInline):
    model = CourseSchooling
    extra = 0


class CourseFunderInline(admin.TabularInline):
    model = CourseFunder
    extra = 0


class TimeSlotInline(admin.TabularInline):
    model = TimeSlot
    extra = 0


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["starts_on", "ends_on", "recruitment_status", "seats", "seats_left"]
    extra = 0


@admin.register(Course)
class CourseAdmin(ProvenanceAdmin):
    list_display = ["name", "structure", "course_type", "cecrl_level_target", "place", "source", "updated_at"]
    search_fields = ["name", "description", "structure__name", "place__commune__name", "source_id"]
    list_filter = [
        "course_type",
        "parcours",
        "cecrl_level_target",
        "is_free",
        "childcare",
        "places_available",
        "modality",
        "place__commune__departement",
        "source",
    ]
    list_select_related = ["structure", "place__commune"]
    raw_id_fields = ["structure", "place"]
    filter_horizontal = ["certifications"]
    inlines = [TimeSlotInline, CourseAudienceInline, CourseSchoolingInline, CourseFunderInline, SessionInline]


@admin.register(Session)
class SessionAdmin(ProvenanceAdmin):
    list_display = ["course", "starts_on", "ends_on", "recruitment_status", "seats_left"]
    search_fields = ["course__name", "source_id"]
    list_filter = ["recruitment_status", "source"]
    list_select_related = ["course"]
    raw_id_fields = ["course"]
    date_hierarchy = "starts_on"


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "family", "level", "rs_code", "cpf_eligible"]
    search_fields = ["name", "code", "rs_code"]
    list_filter = ["family", "cpf_eligible"]


@admin.register(ExamSession)
class ExamSessionAdmin(ProvenanceAdmin):
    list_display = ["certification", "structure", "exam_date", "registration_deadline", "price", "seats_left"]
    search_fields = ["certification__name", "structure__name", "place__commune__name"]
    list_filter = ["certification__family", "source"]
    list_select_related = ["certification", "structure"]
    raw_id_fields = ["structure", "place"]
    date_hierarchy = "exam_date"
