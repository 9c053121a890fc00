from django.contrib import admin

from .models import Area, AreaLocalAuthority, AreaRule, School


class AreaRuleInline(admin.TabularInline):
    model = AreaRule
    extra = 1
    fields = ["kind", "value", "valid_from", "valid_to"]


@admin.register(AreaLocalAuthority)
class AreaLocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["la_name", "la_code", "area"]
    inlines = [AreaRuleInline]


class AreaLocalAuthorityInline(admin.TabularInline):
    model = AreaLocalAuthority
    extra = 0
    show_change_link = True


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "wave", "plan_published_year"]
    list_filter = ["wave"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AreaLocalAuthorityInline]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "urn", "la_name", "district", "phase", "status", "area"]
    list_filter = ["area", "phase", "status"]
    search_fields = ["name", "=urn", "postcode"]
    readonly_fields = ["created_at", "updated_at"]
