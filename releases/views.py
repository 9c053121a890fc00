"""Release pages. Every view is scoped (core.views.ScopedViewMixin) and reads
releases through releases.selectors, which decides who sees what: anyone
signed in once a release is published, only its pre-release list and its
managers before then (404 for everyone else, as for a page that does not
exist)."""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from areas.models import Area
from core.models import User
from core.scoping import visible_to
from core.views import ScopedViewMixin

from . import selectors, services
from .forms import PreReleaseGrantForm, ReleaseCorrectForm, ReleasePrepareForm
from .models import PreReleaseAccess, PublishedReleaseError, ReleaseStage
from .permissions import can_manage_releases


class ReleaseListView(ScopedViewMixin, TemplateView):
    template_name = "releases/release_list.html"

    def get_context_data(self, **kwargs):
        now = timezone.now()
        releases = list(
            selectors.releases_visible_to(user=self.request.user, now=now).order_by(
                "area__name", "-period_end", "-version"
            )
        )
        latest = {}
        for release in releases:
            latest.setdefault((release.area_id, release.period_slug), release)
        return super().get_context_data(
            **kwargs,
            releases=[
                {"release": release, "published": release.is_published(now)}
                for release in latest.values()
            ],
            areas=[
                area
                for area in visible_to(Area.objects.order_by("name"), self.request.user)
                if can_manage_releases(self.request.user, area)
            ],
        )


class ReleaseMixin(ScopedViewMixin):
    """One release (all its versions the user may see) from the URL."""

    @cached_property
    def now(self):
        return timezone.now()

    @cached_property
    def versions(self):
        return selectors.release_versions(
            user=self.request.user,
            area_slug=self.kwargs["slug"],
            period=self.kwargs["period"],
            now=self.now,
        )

    @cached_property
    def release(self):
        if "version" not in self.kwargs:
            published = [v for v in self.versions if v.is_published(self.now)]
            return (published or self.versions)[0]
        for version in self.versions:
            if version.version == self.kwargs["version"]:
                return version
        raise Http404("No such version")

    @property
    def can_manage(self):
        return can_manage_releases(self.request.user, self.release.area)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            release=self.release,
            stage=selectors.release_stage(self.release, self.versions, self.now),
            can_manage=self.can_manage,
        )


class ReleaseView(ReleaseMixin, TemplateView):
    """The release's page: its stage, figures, files and version history.
    Without a version in the URL, the latest published version (the stable
    address of the release)."""

    template_name = "releases/release.html"

    def get_context_data(self, **kwargs):
        release = self.release
        return super().get_context_data(
            **kwargs,
            files=release.files.defer("content"),
            versions=[
                {"release": v, "stage": selectors.release_stage(v, self.versions, self.now)}
                for v in self.versions
            ],
            pre_release=release.pre_release.select_related("user") if self.can_manage else None,
            figures=selectors.dashboard_figures(release),
            Stage=ReleaseStage,
        )


class ReleaseFileView(ReleaseMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        file = self.release.files.filter(name=self.kwargs["name"]).first()
        if file is None:
            raise Http404("No such file")
        response = HttpResponse(bytes(file.content), content_type=file.content_type)
        disposition = "inline" if file.name.endswith(".html") else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{file.name}"'
        return response


class ManageMixin:
    # Preparing a release, correcting it and naming its pre-release list are
    # DfE staff's part in publishing statistics; they change no area data.
    read_only_roles_may_post = True

    def check_manager(self, area):
        if not can_manage_releases(self.request.user, area):
            raise PermissionDenied("You cannot manage this area's releases.")


class ReleasePrepareView(ManageMixin, ScopedViewMixin, FormView):
    template_name = "releases/release_form.html"
    form_class = ReleasePrepareForm

    @cached_property
    def area(self):
        area = visible_to(Area.objects.all(), self.request.user).filter(slug=self.kwargs["slug"])
        area = area.first()
        if area is None:
            raise Http404("No such area")
        self.check_manager(area)
        return area

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"today": timezone.localdate()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            area=self.area,
            heading="Prepare a release",
            caption=self.area.name,
            button="Prepare release",
        )

    def form_valid(self, form):
        start, end = form.period_dates()
        try:
            release = services.release_prepare(
                area=self.area,
                period_start=start,
                period_end=end,
                publish_at=form.publish_at(),
                user=self.request.user,
            )
        except services.ReleaseError as error:
            form.add_error(_form_field(form, error.field), error.message)
            return self.form_invalid(form)
        messages.success(self.request, "Release prepared: add the people on its pre-release list")
        return redirect(_version_url(release))


class ReleaseCorrectView(ManageMixin, ReleaseMixin, FormView):
    template_name = "releases/release_form.html"
    form_class = ReleaseCorrectForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.check_manager(self.release.area)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            area=self.release.area,
            heading=f"Correct version {self.release.version}",
            caption=f"{self.release.area.name}, {self.release.period_label}",
            button="Prepare corrected version",
        )

    def form_valid(self, form):
        try:
            correction = services.release_correct(
                release=self.release,
                publish_at=form.publish_at(),
                user=self.request.user,
                what_changed=form.cleaned_data["what_changed"],
                why_changed=form.cleaned_data["why_changed"],
                effect=form.cleaned_data["effect_of_change"],
            )
        except services.ReleaseError as error:
            form.add_error(_form_field(form, error.field), error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Version {correction.version} prepared")
        return redirect(_version_url(correction))


class PreReleaseGrantView(ManageMixin, ReleaseMixin, FormView):
    template_name = "releases/pre_release_form.html"
    form_class = PreReleaseGrantForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.check_manager(self.release.area)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if person is None:
            form.add_error("email", "No one with that email address can sign in to this service")
            return self.form_invalid(form)
        try:
            services.pre_release_grant(release=self.release, person=person, user=self.request.user)
        except services.ReleaseError as error:
            form.add_error("email", error.message)
            return self.form_invalid(form)
        except PublishedReleaseError:
            form.add_error(None, "This release has been published: its list cannot change")
            return self.form_invalid(form)
        messages.success(self.request, f"{person.email} added to the pre-release list")
        return redirect(_version_url(self.release))


class PreReleaseRevokeView(ManageMixin, ReleaseMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.check_manager(self.release.area)
        access = (
            PreReleaseAccess.objects.filter(release=self.release, pk=self.kwargs["pk"])
            .select_related("user", "release")
            .first()
        )
        if access is None:
            raise Http404("No such person on the list")
        try:
            services.pre_release_revoke(access=access, user=request.user)
        except PublishedReleaseError:
            messages.error(request, "This release has been published: its list cannot change")
        else:
            messages.success(request, f"{access.user.email} removed from the pre-release list")
        return redirect(_version_url(self.release))


def _form_field(form, field):
    return field if field in form.fields else None


def _version_url(release):
    from django.urls import reverse

    return reverse(
        "releases:version",
        kwargs={
            "slug": release.area.slug,
            "period": release.period_slug,
            "version": release.version,
        },
    )
