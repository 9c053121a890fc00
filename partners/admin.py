from django.contrib import admin

from .models import (
    BoardMeeting,
    BoardMembership,
    Decision,
    DeclaredInterest,
    Organisation,
    PartnershipBoard,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sector", "area"]
    list_filter = ["kind", "area"]
    search_fields = ["name", "companies_house_number"]


class BoardMembershipInline(admin.TabularInline):
    model = BoardMembership
    extra = 0
    autocomplete_fields = ["user", "organisation"]


@admin.register(PartnershipBoard)
class PartnershipBoardAdmin(admin.ModelAdmin):
    list_display = ["name", "area"]
    inlines = [BoardMembershipInline]


class DeclaredInterestInline(admin.TabularInline):
    model = DeclaredInterest
    extra = 0


@admin.register(BoardMembership)
class BoardMembershipAdmin(admin.ModelAdmin):
    list_display = ["__str__", "board", "role", "start_date", "end_date"]
    list_filter = ["board__area", "role"]
    autocomplete_fields = ["user", "organisation"]
    inlines = [DeclaredInterestInline]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0


@admin.register(BoardMeeting)
class BoardMeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "date", "board"]
    list_filter = ["board__area"]
    inlines = [DecisionInline]
