from django.contrib import admin

from cartolangue.moderation.models import ImportConflict, ImportEvent


@admin.register(ImportEvent)
class ImportEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "source", "format", "file")
    list_filter = ("source", "format")
    search_fields = ("source", "file")
    readonly_fields = ("source", "file", "format", "created_at", "report", "course_ids")


@admin.register(ImportConflict)
class ImportConflictAdmin(admin.ModelAdmin):
    list_display = ("course", "field", "source", "status", "created_at")
    list_filter = ("status", "source")
    search_fields = ("course__name", "field")
    raw_id_fields = ("course", "event", "decided_by")
