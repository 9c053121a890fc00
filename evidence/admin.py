from django.contrib import admin

from .models import EvidenceStrand, StrandRating


class StrandRatingInline(admin.TabularInline):
    """Ratings are history: recorded through the strand's page or the
    import, never edited here."""

    model = StrandRating
    extra = 0
    can_delete = False
    readonly_fields = [
        "impact_months",
        "cost",
        "evidence_strength",
        "rated_on",
        "recorded_at",
        "recorded_by",
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EvidenceStrand)
class EvidenceStrandAdmin(admin.ModelAdmin):
    list_display = ["name", "phase"]
    list_filter = ["phase"]
    search_fields = ["name"]
    inlines = [StrandRatingInline]
