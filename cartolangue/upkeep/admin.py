from django.contrib import admin

from cartolangue.upkeep.models import ErrorReport, Reminder


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "structure", "course", "status")
    list_filter = ("status",)
    search_fields = ("structure__name", "course__name", "message")
    raw_id_fields = ("structure", "course", "exam_session", "closed_by")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "structure", "recipients", "used_at")
    search_fields = ("structure__name",)
    raw_id_fields = ("structure",)
