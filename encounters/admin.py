"""Encounter types are reference data edited here. Pupils and encounters are
managed by schools in the service, not in the admin, so personal data does
not spread into admin lists.

The pupil data access log is read here, and exported as CSV with the
list's filters, by administrators only; nobody adds, changes or deletes
its rows (the retention job removes old ones)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone

from core.csv_export import csv_download

from .models import EncounterType, PupilDataAccess


@admin.register(EncounterType)
class EncounterTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "gatsby_benchmark", "is_meaningful_employer_encounter", "order"]
    list_editable = ["order"]


class RefusedFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return [("answered", "Answered"), ("refused", "Refused (403 or 404)")]

    def queryset(self, request, queryset):
        refused = {"status_code__in": [403, 404]}
        if self.value() == "refused":
            return queryset.filter(**refused)
        if self.value() == "answered":
            return queryset.exclude(**refused)
        return queryset


EXPORT_COLUMNS = [
    ("accessed_at", lambda row: timezone.localtime(row.accessed_at).isoformat()),
    ("user", lambda row: row.user.email),
    ("role", lambda row: row.role),
    ("school_urn", lambda row: row.school.urn if row.school else ""),
    ("school_name", lambda row: row.school.name if row.school else ""),
    ("channel", lambda row: row.channel),
    ("view", lambda row: row.view_name),
    ("method", lambda row: row.method),
    ("path", lambda row: row.path),
    ("object", lambda row: row.object_id),
    ("filters", lambda row: "&".join(f"{k}={v}" for k, v in row.query.items())),
    ("status", lambda row: row.status_code),
    ("pupils_returned", lambda row: "" if row.pupil_count is None else row.pupil_count),
]


@admin.register(PupilDataAccess)
class PupilDataAccessAdmin(admin.ModelAdmin):
    change_list_template = "admin/encounters/pupildataaccess/change_list.html"
    list_display = [
        "accessed_at",
        "user",
        "role",
        "school",
        "channel",
        "view_name",
        "method",
        "object_id",
        "status_code",
        "pupil_count",
    ]
    list_filter = [RefusedFilter, "channel", "role", "view_name", "accessed_at"]
    search_fields = ["user__email", "school__urn", "school__name", "path"]
    date_hierarchy = "accessed_at"
    list_select_related = ["user", "school"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_view),
            name="encounters_pupildataaccess_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The rows the list shows, with its filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        rows = changelist.get_queryset(request).select_related("user", "school")
        return csv_download(
            f"pupil-data-access-{timezone.localdate():%Y-%m-%d}.csv",
            [name for name, _ in EXPORT_COLUMNS],
            ([value(row) for _, value in EXPORT_COLUMNS] for row in rows.iterator()),
        )
