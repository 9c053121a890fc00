from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "area", "is_active"]
    list_filter = ["role", "area", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    filter_horizontal = ["schools", "groups", "user_permissions"]
    autocomplete_fields = ["area"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["first_name", "last_name"]}),
        ("Role and scope", {"fields": ["role", "area", "schools"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "role", "area", "password1", "password2"]},
        ),
    ]
