from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .models import User

# django-otp's own pages would let an administrator read another user's
# secret key or delete a device without a record; the reset action below is
# the one way to change someone's second factor.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@login_not_required
def _sign_in_instead(request, extra_context=None):
    """The admin's own sign-in form would skip the sign-in throttle and the
    second factor, so the admin signs in through the service's sign-in."""
    if request.user.is_authenticated:
        raise PermissionDenied("Your account cannot use the admin site.")
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = _sign_in_instead


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "role",
        "area",
        "is_active",
        "has_second_factor",
    ]
    list_filter = ["role", "area", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    filter_horizontal = ["schools", "groups", "user_permissions"]
    autocomplete_fields = ["area"]
    actions = ["reset_second_factor"]
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

    def get_queryset(self, request):
        apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_authenticator=Exists(apps))

    @admin.display(boolean=True, description="Second factor", ordering="has_authenticator")
    def has_second_factor(self, user):
        return user.has_authenticator

    @admin.action(
        description="Reset the second factor of the selected users", permissions=["change"]
    )
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            services.second_factor_reset(user=user, reset_by=request.user)
            self.log_change(request, user, "Reset the second factor.")
        self.message_user(
            request,
            f"Second factor reset for {len(queryset)} user(s). They set up a new "
            "authenticator app the next time they sign in.",
            messages.SUCCESS,
        )
