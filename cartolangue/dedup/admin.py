from django.contrib import admin

from cartolangue.dedup.models import CourseLink


@admin.register(CourseLink)
class CourseLinkAdmin(admin.ModelAdmin):
    """The pairs of courses the matcher found; coordinators decide on them in /espace/coordination/doublons/."""

    list_display = ["first", "second", "score", "verdict", "decision", "decided_by", "updated_at"]
    list_filter = ["verdict", "decision"]
    search_fields = ["first__name", "second__name", "first__structure__name", "first__place__commune__name"]
    raw_id_fields = ["first", "second", "decided_by"]
    readonly_fields = ["score", "verdict", "features", "decided_at"]
