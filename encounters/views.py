"""Pages for rosters, encounters and coverage. Thin: forms validate,
services write, selectors read (and scope)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, TemplateView, View

from areas.models import Area
from core.csv_export import csv_download
from core.ees import DataSetDownloadMixin
from core.history import history_for
from core.imports import CsvFileError
from core.roles import AREA_AGGREGATE_ROLES, PUPIL_LEVEL_ROLES
from core.views import AreaPageMixin, DashboardPageMixin, PublicViewMixin, SchoolPageMixin
from plans.permissions import can_edit_plan
from releases import selectors as release_selectors

from . import gatsby, method, publication, selectors, services
from .academic_years import AcademicYear
from .access_log import PupilDataAccessMixin
from .attendance_files import ATTENDANCE_TEMPLATE
from .forms import (
    AttendanceUploadForm,
    EmployerContributionForm,
    EncounterForm,
    PupilFilterForm,
    RosterUploadForm,
)
from .models import (
    AccessChannel,
    AttendanceUpload,
    Encounter,
    Pupil,
    YearGroup,
)
from .roster_files import ROSTER_IMPORT

FIRST_YEAR_SHOWN = 2016
ROSTER_PREVIEW_SHOWN = 200  # pupils of each kind roster_preview.html lists


def _year_from(request) -> AcademicYear:
    current = AcademicYear.current()
    raw = request.GET.get("year", "")
    if raw.isdigit() and FIRST_YEAR_SHOWN <= int(raw) <= current.start_year:
        return AcademicYear(int(raw))
    return current


def _year_choices():
    current = AcademicYear.current().start_year
    return [AcademicYear(y) for y in range(current, FIRST_YEAR_SHOWN - 1, -1)]


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode() + "&" if query else ""


class PupilPageMixin(PupilDataAccessMixin, SchoolPageMixin):
    """A school's pages with pupil-level data: the school's own staff and
    administrators only; anyone else gets 404. Every request is recorded in
    the access log."""

    school_roles = PUPIL_LEVEL_ROLES

    @cached_property
    def year(self):
        return _year_from(self.request)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            school=self.school,
            year=self.year,
            years=_year_choices(),
            query=_query_without_page(self.request),
            **kwargs,
        )


# --- Roster ----------------------------------------------------------------


class PupilListView(PupilPageMixin, TemplateView):
    template_name = "encounters/pupil_list.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        groups = selectors.tutor_groups(user=self.request.user, school=self.school, year=self.year)
        filter_form = PupilFilterForm(self.request.GET or None, groups=groups)
        pupils = selectors.pupil_list(
            user=self.request.user,
            school=self.school,
            year=self.year,
            chosen=filter_form.pupil_filter(),
        )
        page = Paginator(pupils, self.paginate_by).get_page(self.request.GET.get("page"))
        self.pupils_returned = len(page.object_list)
        return super().get_context_data(
            filter_form=filter_form, page_obj=page, pupils=page.object_list, **kwargs
        )


class PupilDetailView(PupilPageMixin, DetailView):
    model = Pupil
    template_name = "encounters/pupil_detail.html"
    context_object_name = "pupil"
    pupils_returned = 1

    def get_object(self, queryset=None):
        return selectors.pupil_detail(
            user=self.request.user, school=self.school, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        year = AcademicYear.current()
        counted = selectors.with_encounter_counts(
            Pupil.objects.filter(pk=self.object.pk), year
        ).values("encounters_this_year", "encounters_since_year_7")[0]
        return super().get_context_data(
            encounters=selectors.pupil_encounters(user=self.request.user, pupil=self.object),
            counts=counted,
            year_group_now=self.object.year_group_label_in(year),
            **kwargs,
        )


class ImportTemplateView(PupilPageMixin, View):
    """An import's template file: its header and an example row, no data."""

    access_channel = AccessChannel.EXPORT
    spec = None

    def get(self, request, *args, **kwargs):
        self.school  # noqa: B018 - the school's page: 404 outside the user's schools
        return csv_download(self.spec.template_file_name, *self.spec.template_rows())


class RosterTemplateView(ImportTemplateView):
    spec = ROSTER_IMPORT


class AttendanceTemplateView(ImportTemplateView):
    spec = ATTENDANCE_TEMPLATE


class RosterUploadView(PupilPageMixin, FormView):
    template_name = "encounters/roster_upload.html"
    form_class = RosterUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            import_columns=ROSTER_IMPORT.columns,
            template_url=reverse("encounters:roster-template", kwargs={"urn": self.school.urn}),
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            preview = services.roster_import_preview(
                school=self.school,
                user=self.request.user,
                file_name=upload.name,
                data=upload.read(),
                full_roster=form.cleaned_data["full_roster"],
            )
        except CsvFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        except services.RosterFileInvalid as error:
            form.add_error("file", f"The selected file has {len(error.errors)} rows with errors")
            return self.render_to_response(self.get_context_data(form=form, errors=error.errors))
        return redirect("encounters:roster-preview", urn=self.school.urn, pk=preview.pk)


class RosterPreviewView(PupilPageMixin, TemplateView):
    """GET shows what the import would do; POST applies it."""

    template_name = "encounters/roster_preview.html"

    @cached_property
    def preview(self):
        return selectors.roster_import_for(
            user=self.request.user, school=self.school, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        summary = self.preview.summary
        self.pupils_returned = sum(
            min(len(summary.get(kind, [])), ROSTER_PREVIEW_SHOWN)
            for kind in ("creates", "updates", "leavers")
        )
        return super().get_context_data(
            preview=self.preview,
            can_confirm=True,
            digest=self.preview.digest,
            upload_url=reverse("encounters:roster-upload", kwargs={"urn": self.school.urn}),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            plan = services.roster_import_confirm(preview=self.preview, user=request.user)
        except (ValidationError, services.RosterFileInvalid):
            messages.error(request, "The roster changed since the preview: upload the file again")
            return redirect("encounters:roster-upload", urn=self.school.urn)
        messages.success(
            request,
            f"Roster updated: {len(plan.creates)} added, {len(plan.updates)} updated, "
            f"{len(plan.leavers)} marked as off roll",
        )
        return redirect("encounters:pupils", urn=self.school.urn)


# --- Encounters --------------------------------------------------------------


class EncounterListView(PupilPageMixin, TemplateView):
    template_name = "encounters/encounter_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        encounters = selectors.encounter_list(
            user=self.request.user, school=self.school, year=self.year
        )
        page = Paginator(encounters, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, encounters=page.object_list, **kwargs)


class EncounterListCsvView(PupilPageMixin, View):
    """The year's encounters in full, as the list pages them: no pupil
    named, only how many took part."""

    access_channel = AccessChannel.EXPORT

    def get(self, request, *args, **kwargs):
        encounters = selectors.encounter_list(user=request.user, school=self.school, year=self.year)
        header = [
            "date",
            "title",
            "type",
            "employers",
            "delivered_through",
            "duration_minutes",
            "pupils",
        ]
        rows = (
            [
                encounter.date.isoformat(),
                encounter.title,
                encounter.encounter_type.name,
                "; ".join(employer.name for employer in encounter.employers.all()),
                encounter.get_delivered_through_display(),
                encounter.duration_minutes,
                encounter.pupil_count,
            ]
            for encounter in encounters
        )
        return csv_download(
            f"encounters-{self.school.urn}-{self.year.time_period}.csv", header, rows
        )


class EncounterDetailView(PupilPageMixin, DetailView):
    model = Encounter
    template_name = "encounters/encounter_detail.html"
    context_object_name = "encounter"

    def get_object(self, queryset=None):
        return selectors.encounter_detail(
            user=self.request.user, school=self.school, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        pupils = list(selectors.encounter_pupils(user=self.request.user, encounter=self.object))
        self.pupils_returned = len(pupils)
        return super().get_context_data(pupils=pupils, records=history_for(self.object), **kwargs)


class EncounterFormMixin(PupilPageMixin):
    """The encounter form with its pupil chooser: a GET filter (year group,
    tutor or class group, name) lists the pupils it shows as checkboxes, and
    the form posts back to the same address, so the server knows which
    pupils "everyone shown" means without JavaScript."""

    template_name = "encounters/encounter_form.html"
    form_class = EncounterForm
    chooser_limit = 200  # pupils listed with no filter chosen
    encounter = None

    @cached_property
    def filter_form(self):
        groups = selectors.tutor_groups(
            user=self.request.user, school=self.school, year=AcademicYear.current()
        )
        return PupilFilterForm(self.request.GET or None, groups=groups)

    @cached_property
    def shown_pupils(self):
        chosen = self.filter_form.pupil_filter()
        shown = selectors.pupils_for_encounter_form(
            user=self.request.user,
            school=self.school,
            year=AcademicYear.current(),
            chosen=chosen,
            encounter=self.encounter,
        )
        if chosen.is_empty and shown.count() > self.chooser_limit:
            return None
        return list(shown)

    def get_form_kwargs(self):
        accepted = selectors.pupils_for_encounter_form(
            user=self.request.user,
            school=self.school,
            year=AcademicYear.current(),
            on_roll=False,
        )
        return {
            **super().get_form_kwargs(),
            "school": self.school,
            "pupils": accepted,
            "shown": self.shown_pupils,
            "description": self.filter_form.description(),
        }

    def get_context_data(self, **kwargs):
        form = kwargs.get("form") or self.get_form()
        kwargs["form"] = form
        return super().get_context_data(
            filter_form=self.filter_form,
            chooser_limit=self.chooser_limit,
            kept_pupil_ids=form.kept_pupil_ids(),
            **kwargs,
        )


class EncounterCreateView(EncounterFormMixin, FormView):
    def get_initial(self):
        pupil = self.request.GET.get("pupil", "")
        return {"pupils": [int(pupil)]} if pupil.isdigit() else {}

    def form_valid(self, form):
        try:
            encounter = services.encounter_record(
                school=self.school, user=self.request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Encounter recorded for {encounter.attendances.count()} pupils"
        )
        return redirect(encounter.get_absolute_url())


class EncounterUpdateView(EncounterFormMixin, FormView):
    @cached_property
    def encounter(self):
        return selectors.encounter_detail(
            user=self.request.user, school=self.school, pk=self.kwargs["pk"]
        )

    def get_initial(self):
        encounter = self.encounter
        return {
            "date": encounter.date,
            "encounter_type": encounter.encounter_type,
            "title": encounter.title,
            "employers": list(encounter.employers.all()),
            "delivered_through": encounter.delivered_through,
            "duration_minutes": encounter.duration_minutes,
            "meaningful_criteria": encounter.meaningful_criteria,
            "pupils": list(encounter.attendances.values_list("pupil_id", flat=True)),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(encounter=self.encounter, **kwargs)

    def form_valid(self, form):
        try:
            encounter = services.encounter_update(
                encounter=self.encounter, user=self.request.user, **form.service_kwargs()
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, "Encounter updated")
        return redirect(encounter.get_absolute_url())


class EncounterDeleteView(PupilPageMixin, DetailView):
    model = Encounter
    template_name = "encounters/encounter_delete.html"
    context_object_name = "encounter"

    def get_object(self, queryset=None):
        return selectors.encounter_detail(
            user=self.request.user, school=self.school, pk=self.kwargs["pk"]
        )

    def post(self, request, *args, **kwargs):
        encounter = self.get_object()
        services.encounter_delete(encounter=encounter, user=request.user)
        messages.success(request, f"Encounter deleted: {encounter.title}")
        return redirect("encounters:list", urn=self.school.urn)


class AttendanceUploadView(PupilPageMixin, FormView):
    template_name = "encounters/attendance_upload.html"
    form_class = AttendanceUploadForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            import_columns=ATTENDANCE_TEMPLATE.columns,
            template_url=reverse("encounters:upload-template", kwargs={"urn": self.school.urn}),
            **kwargs,
        )

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            created = services.attendance_upload_create(
                school=self.school,
                user=self.request.user,
                file_name=upload.name,
                data=upload.read(),
            )
        except CsvFileError as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        return redirect("encounters:upload-status", urn=self.school.urn, pk=created.pk)


class AttendanceUploadStatusView(PupilPageMixin, DetailView):
    model = AttendanceUpload
    template_name = "encounters/attendance_upload_status.html"
    context_object_name = "upload"

    def get_object(self, queryset=None):
        return selectors.attendance_upload_for(
            user=self.request.user, school=self.school, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        from django.core.cache import cache

        checked = cache.get(services.upload_progress_key(self.object.pk), 0)
        return super().get_context_data(rows_checked=checked, **kwargs)


# --- Coverage ----------------------------------------------------------------


class SchoolCoverageView(PupilPageMixin, TemplateView):
    template_name = "encounters/school_coverage.html"
    below_pledge_per_page = 50

    def get_context_data(self, **kwargs):
        coverage = selectors.school_coverage(
            user=self.request.user, school=self.school, year=self.year
        )
        below = selectors.pupils_below_pledge(
            user=self.request.user, school=self.school, year=self.year
        )
        page = Paginator(below, self.below_pledge_per_page).get_page(self.request.GET.get("page"))
        self.pupils_returned = len(page.object_list)
        return super().get_context_data(
            coverage=coverage,
            chart=publication.school_coverage_chart(coverage, school=self.school, year=self.year),
            year_query=f"?year={self.year.start_year}",
            page_obj=page,
            below_pledge=page.object_list,
            **kwargs,
        )


class SchoolCoverageDataView(PupilPageMixin, DataSetDownloadMixin, View):
    access_channel = AccessChannel.EXPORT

    def get_data_sets(self):
        coverage = selectors.school_coverage(
            user=self.request.user, school=self.school, year=self.year
        )
        return [publication.school_coverage_data_set(coverage, school=self.school, year=self.year)]


class PupilsBelowPledgeCsvView(PupilPageMixin, TemplateView):
    access_channel = AccessChannel.EXPORT

    def get(self, request, *args, **kwargs):
        pupils = list(
            selectors.pupils_below_pledge(user=request.user, school=self.school, year=self.year)
        )
        self.pupils_returned = len(pupils)
        header = [
            "pupil_identifier",
            "name",
            "year_group",
            "disadvantaged",
            "encounters_since_year_7",
        ]
        rows = (
            [
                p.pupil_identifier,
                p.display_name,
                YearGroup(p.year_group_then).label,
                p.disadvantaged,
                p.encounters_since_year_7,
            ]
            for p in pupils
        )
        return csv_download(
            f"below-pledge-{self.school.urn}-{self.year.time_period}.csv", header, rows
        )


# --- Gatsby Benchmarks 5 and 6 (ADR 0025) ----------------------------------------


class SchoolGatsbyView(PupilPageMixin, TemplateView):
    """The school's draft Compass answers and the pupils still without."""

    template_name = "encounters/school_gatsby.html"

    def get_context_data(self, **kwargs):
        user, school, year = self.request.user, self.school, self.year
        without_5 = list(
            gatsby.pupils_without_benchmark_5(user=user, school=school, year=year)[
                : gatsby.LISTED + 1
            ]
        )
        without_6 = list(
            gatsby.pupils_without_benchmark_6(user=user, school=school, year=year)[
                : gatsby.LISTED + 1
            ]
        )
        self.pupils_returned = len(without_5[: gatsby.LISTED]) + len(without_6[: gatsby.LISTED])
        return super().get_context_data(
            draft=gatsby.school_draft(user=user, school=school, year=year),
            without_5=without_5[: gatsby.LISTED],
            without_5_more=len(without_5) > gatsby.LISTED,
            without_6=without_6[: gatsby.LISTED],
            without_6_more=len(without_6) > gatsby.LISTED,
            listed=gatsby.LISTED,
            **kwargs,
        )


class AreaGatsbyView(AreaPageMixin, TemplateView):
    """An area's Benchmark 5 and 6 figures by school, suppressed: the
    area's board and lead, DfE staff and administrators."""

    template_name = "encounters/area_gatsby.html"
    area_roles = AREA_AGGREGATE_ROLES

    def get_context_data(self, **kwargs):
        year = _year_from(self.request)
        # Not yet part of the area's releases: shown only while the area's
        # figures for the year are published afresh (ADR 0011, 0025).
        in_series = self.area.pk in release_selectors.areas_in_series(year=year)
        return super().get_context_data(
            year=year,
            years=_year_choices(),
            in_series=in_series,
            figures=None
            if in_series
            else gatsby.area_benchmarks(user=self.request.user, area=self.area, year=year),
            **kwargs,
        )


class ProgrammeGatsbyView(DashboardPageMixin, TemplateView):
    """The same by area across the programme (an area role sees its own
    area's row only)."""

    template_name = "encounters/programme_gatsby.html"

    def get_context_data(self, **kwargs):
        year = _year_from(self.request)
        return super().get_context_data(
            year=year,
            years=_year_choices(),
            figures=gatsby.programme_benchmarks(
                user=self.request.user,
                year=year,
                leave_out=release_selectors.areas_in_series(year=year),
            ),
            **kwargs,
        )


# --- Area aggregates -------------------------------------------------------------


class AreaAggregatesMixin(AreaPageMixin):
    """Area aggregates: board members and area leads of the area, DfE staff
    and administrators. School staff have their own school's pages (404)."""

    area_roles = AREA_AGGREGATE_ROLES

    @cached_property
    def year(self):
        return _year_from(self.request)


class AreaEncountersView(AreaAggregatesMixin, DetailView):
    model = Area
    template_name = "encounters/area_encounters.html"
    context_object_name = "area"

    def get_object(self, queryset=None):
        return self.area

    def get_context_data(self, **kwargs):
        # The live page is one more publication in the year's series: the
        # cells the area's releases hid stay hidden (ADR 0011).
        pattern = release_selectors.series_pattern(area=self.area, year=self.year)
        published = publication.area_coverage(
            user=self.request.user, area=self.area, year=self.year, pattern=pattern
        )
        breakdown = publication.area_breakdown(
            user=self.request.user, area=self.area, year=self.year, pattern=pattern
        )
        return super().get_context_data(
            year=self.year,
            years=_year_choices(),
            year_query=f"?year={self.year.start_year}",
            coverage=published,
            breakdown=breakdown,
            latest_releases=[
                release
                for release in [release_selectors.latest_published(area=self.area, year=self.year)]
                if release
            ],
            **kwargs,
        )


class AreaCoverageDataView(AreaAggregatesMixin, DataSetDownloadMixin, View):
    def get_data_sets(self):
        return [
            publication.area_coverage_data_set(
                user=self.request.user,
                area=self.area,
                year=self.year,
                pattern=release_selectors.series_pattern(area=self.area, year=self.year),
            )
        ]


class HowWeCountEncountersView(PublicViewMixin, TemplateView):
    """Public, like the methodology of official statistics: what the
    encounter figures count and how small numbers are protected."""

    template_name = "encounters/how_we_count_encounters.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, **method.encounter_method())


# --- Employer contribution ---------------------------------------------------


class AreaEmployersMixin(AreaAggregatesMixin):
    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=selectors.CONTRIBUTION_COLUMNS,
            can_record=can_edit_plan(self.request.user, self.area),
            **kwargs,
        )


class AreaEmployersView(AreaEmployersMixin, TemplateView):
    """The area's employers in a year: what each gave and the encounters
    its schools recorded with them."""

    template_name = "encounters/area_employers.html"

    def get_context_data(self, **kwargs):
        rows = selectors.employer_contributions(
            user=self.request.user, area=self.area, year=self.year
        )
        return super().get_context_data(
            year=self.year,
            years=_year_choices(),
            rows=rows,
            total=selectors.employer_contribution_total(rows),
            **kwargs,
        )


class AreaEmployersCsvView(AreaEmployersMixin, View):
    def get(self, request, *args, **kwargs):
        rows = selectors.employer_contributions(user=request.user, area=self.area, year=self.year)
        columns = selectors.CONTRIBUTION_COLUMNS
        return csv_download(
            f"employers-{self.area.slug}-{self.year.time_period}.csv",
            ["time_period", "employer", "cornerstone_employer", *(name for name, _ in columns)],
            (
                [
                    self.year.time_period,
                    row.organisation.name,
                    row.organisation.is_cornerstone,
                    *row.figures,
                ]
                for row in rows
            ),
        )


class EmployerView(AreaEmployersMixin, TemplateView):
    template_name = "encounters/employer_detail.html"

    def get_context_data(self, **kwargs):
        employer = selectors.area_employer(
            user=self.request.user, area=self.area, pk=self.kwargs["pk"]
        )
        return super().get_context_data(
            employer=employer,
            rows=selectors.employer_years(
                user=self.request.user, area=self.area, organisation=employer
            ),
            **kwargs,
        )


class EmployerContributionView(AreaEmployersMixin, FormView):
    """Record or correct an employer's contribution (the area lead and
    administrators); ?employer= and ?year= choose the row to correct."""

    template_name = "encounters/employer_contribution_form.html"
    form_class = EmployerContributionForm
    write_refusal = "Only the area lead can record employers' contributions."

    def write_allowed(self, user, area) -> bool:
        return can_edit_plan(user, area)

    @cached_property
    def employers(self):
        return selectors.area_employers(user=self.request.user, area=self.area)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "employers": self.employers, "years": _year_choices()}

    def get_initial(self):
        raw = self.request.GET.get("employer", "")
        employer = self.employers.filter(pk=int(raw)).first() if raw.isdigit() else None
        initial = {"academic_year": self.year.start_year}
        if employer is None:
            return initial
        initial["organisation"] = employer
        found = selectors.employer_contribution_for(
            user=self.request.user,
            area=self.area,
            organisation=employer,
            academic_year=self.year.start_year,
        )
        for name in services.CONTRIBUTION_FIGURES:
            initial[name] = getattr(found, name) if found else 0
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            contribution = services.employer_contribution_record(
                area=self.area,
                organisation=data["organisation"],
                academic_year=data["academic_year"],
                user=self.request.user,
                **{name: data[name] for name in services.CONTRIBUTION_FIGURES},
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Contribution recorded: {contribution.organisation.name}, "
            f"{AcademicYear(contribution.academic_year).label}",
        )
        return redirect("encounters:employer", slug=self.area.slug, pk=contribution.organisation_id)
