from django.contrib import admin

from cartolangue.geo.models import (
    Commune,
    CommuneAlias,
    Departement,
    Epci,
    NeedSource,
    PostCode,
    Qpv,
    Zone,
    ZoneMembership,
    Zoning,
)


@admin.register(Departement)
class DepartementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region_code"]
    search_fields = ["code", "name"]
    list_filter = ["region_code"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind"]
    search_fields = ["code", "name"]
    list_filter = ["kind"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "code_insee", "departement", "population", "epci"]
    search_fields = ["code_insee", "name"]
    list_filter = ["departement"]
    list_select_related = ["departement", "epci"]
    readonly_fields = ["latitude", "longitude", "min_latitude", "max_latitude", "min_longitude", "max_longitude"]
    raw_id_fields = ["epci"]


@admin.register(CommuneAlias)
class CommuneAliasAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "commune"]
    search_fields = ["code", "name", "commune__name"]
    raw_id_fields = ["commune"]


class ZoneInline(admin.TabularInline):
    model = Zone
    fields = ["code", "name"]
    extra = 0


@admin.register(Zoning)
class ZoningAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "loaded_at"]
    search_fields = ["name", "slug"]
    inlines = [ZoneInline]


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "zoning"]
    search_fields = ["code", "name"]
    list_filter = ["zoning"]


@admin.register(ZoneMembership)
class ZoneMembershipAdmin(admin.ModelAdmin):
    list_display = ["commune", "zone", "zoning", "resolution"]
    search_fields = ["commune__name", "commune__code_insee", "zone__name"]
    list_filter = ["zoning", "resolution"]
    list_select_related = ["commune", "zone", "zoning"]
    raw_id_fields = ["commune", "zone"]


@admin.register(PostCode)
class PostCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "commune"]
    search_fields = ["code", "commune__name"]
    list_select_related = ["commune"]
    raw_id_fields = ["commune"]


@admin.register(Qpv)
class QpvAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "commune_name"]
    search_fields = ["code", "name", "commune_name"]


@admin.register(NeedSource)
class NeedSourceAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "source", "year", "licence", "loaded_at"]
    search_fields = ["key", "label", "source"]
