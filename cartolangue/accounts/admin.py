from django.contrib import admin

from cartolangue.accounts.models import AccessRequest, ApiToken, Coordinator, Invitation, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "structure", "is_admin", "created_at")
    list_filter = ("is_admin",)
    search_fields = ("user__username", "structure__name")
    raw_id_fields = ("user", "structure")


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation")
    search_fields = ("user__username", "organisation")
    filter_horizontal = ("departements",)
    raw_id_fields = ("user",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "structure", "is_admin", "invited_by", "created_at", "accepted_at")
    search_fields = ("email", "structure__name")
    raw_id_fields = ("structure", "invited_by")


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "structure", "proposed_name", "status", "created_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("user__username", "structure__name", "proposed_name")
    raw_id_fields = ("user", "structure", "decided_by")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "prefix", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "owner__username", "prefix")
    readonly_fields = ("digest", "prefix", "last_used_at")
    raw_id_fields = ("owner",)
    filter_horizontal = ("structures",)
