from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _

from cartolangue.sources.models import Absence, Source, SyncRun, Withdrawal
from cartolangue.sources.withdrawals import restore


class SyncRunInline(admin.TabularInline):
    model = SyncRun
    extra = 0
    can_delete = False
    fields = ("started_at", "finished_at", "outcome", "http_status", "bytes_read", "withdrawn", "restored", "error")
    readonly_fields = fields
    ordering = ("-started_at",)
    max_num = 0
    show_change_link = True


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "label", "format", "every_hours", "complete", "enabled")
    list_filter = ("format", "enabled", "complete")
    search_fields = ("name", "label")
    readonly_fields = ("etag", "last_modified", "file_hash")
    inlines = [SyncRunInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ("source", "started_at", "outcome", "http_status", "withdrawn", "restored")
    list_filter = ("outcome", "source")
    search_fields = ("source__name", "error")
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Withdrawal)
class WithdrawalAdmin(admin.ModelAdmin):
    list_display = ("course", "source", "withdrawn_at", "restored_at")
    list_filter = ("source", ("restored_at", admin.EmptyFieldListFilter))
    search_fields = ("course__name", "course__source_id")
    readonly_fields = ("course", "source", "run", "previous_status", "withdrawn_at", "restored_at", "restored_by")
    actions = ["restore_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Rétablir les cours choisis"))
    def restore_selected(self, request, queryset):
        open_ones = list(queryset.filter(restored_at__isnull=True))
        for withdrawal in open_ones:
            restore(withdrawal, user=request.user)
        self.message_user(request, _("%(n)d cours rétablis.") % {"n": len(open_ones)}, messages.SUCCESS)


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    """The courses a complete feed's last versions no longer list, not yet withdrawn: read only."""

    list_display = ("course", "source", "runs")
    list_filter = ("source",)
    search_fields = ("course__name", "course__source_id")
    readonly_fields = ("course", "source", "runs", "first_missing_run")

    def has_add_permission(self, request):
        return False
