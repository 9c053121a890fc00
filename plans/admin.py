"""Reference data for plans. Plan content itself is edited in the service
(drafts, publishing, history), so the admin shows plans read-only."""

from django.contrib import admin

from .models import (
    AreaPhase,
    ComparatorGroup,
    ComparatorGroupMember,
    ComparatorSeries,
    ComparatorValue,
    DeliveryPlan,
    FundingAllocation,
    FundingStream,
    ProgrammePhase,
)


class ComparatorValueInline(admin.TabularInline):
    model = ComparatorValue
    extra = 1


@admin.register(ComparatorSeries)
class ComparatorSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "geography", "unit", "measure", "la_code"]
    list_filter = ["measure"]
    inlines = [ComparatorValueInline]


class ComparatorGroupMemberInline(admin.TabularInline):
    model = ComparatorGroupMember
    extra = 1


@admin.register(ComparatorGroup)
class ComparatorGroupAdmin(admin.ModelAdmin):
    """Groups are also imported from CSV (the comparator groups page)."""

    list_display = ["name"]
    inlines = [ComparatorGroupMemberInline]


@admin.register(FundingStream)
class FundingStreamAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(FundingAllocation)
class FundingAllocationAdmin(admin.ModelAdmin):
    list_display = ["area", "stream", "financial_year", "amount"]
    list_filter = ["area", "stream", "financial_year"]


@admin.register(DeliveryPlan)
class DeliveryPlanAdmin(admin.ModelAdmin):
    list_display = ["area", "version", "status", "published_at"]
    list_filter = ["area", "status"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(ProgrammePhase)
class ProgrammePhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    filter_horizontal = ["funding_streams"]


@admin.register(AreaPhase)
class AreaPhaseAdmin(admin.ModelAdmin):
    """Phase dates are reference data; the model's clean() refuses overlaps."""

    list_display = ["area", "phase", "start_date", "end_date"]
    list_filter = ["phase", "area"]
