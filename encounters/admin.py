"""Encounter types are reference data edited here. Pupils and encounters are
managed by schools in the service, not in the admin, so personal data does
not spread into admin lists."""

from django.contrib import admin

from .models import EncounterType


@admin.register(EncounterType)
class EncounterTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "gatsby_benchmark", "is_meaningful_employer_encounter", "order"]
    list_editable = ["order"]
