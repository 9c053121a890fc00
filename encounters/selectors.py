"""Reads for rosters, encounters and coverage. Every page and export reads
these, so scoping is applied once.

Coverage counts meaningful employer encounters (the encounter type says
which). "Since Year 7" follows the pupil by UPN hash, so encounters at a
previous school in the service count; only the count crosses schools.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from areas.models import School
from core.disclosure import percentage, percentage_gap
from core.models import UploadPreview
from core.replica import reads_from_replica
from core.scoping import visible_to
from core.upload_previews import upload_preview_for

from .academic_years import AcademicYear
from .models import (
    FIRST_SECONDARY_YEAR,
    PLEDGE_ENCOUNTERS,
    Attendance,
    AttendanceUpload,
    Encounter,
    EncounterType,
    Pupil,
    year_group_label,
)
from .roster_files import ROSTER_IMPORT

# --- Per-pupil counts ----------------------------------------------------


def _count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("pupil__upn_hash").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _meaningful_attendance(year: AcademicYear):
    return Attendance.objects.filter(
        pupil__upn_hash=OuterRef("upn_hash"),
        encounter__encounter_type__is_meaningful_employer_encounter=True,
        encounter__academic_year__lte=year.start_year,
    )


def with_encounter_counts(pupils, year: AcademicYear, *, alias=False):
    """Annotate `encounters_this_year` and `encounters_since_year_7`."""
    attendance = _meaningful_attendance(year)
    counts = {
        "encounters_this_year": _count(attendance.filter(encounter__academic_year=year.start_year)),
        "encounters_since_year_7": _count(
            attendance.filter(
                encounter__academic_year__gte=OuterRef("reception_year") + FIRST_SECONDARY_YEAR
            )
        ),
    }
    return pupils.alias(**counts) if alias else pupils.annotate(**counts)


# --- Roster and encounters -----------------------------------------------


@dataclass(frozen=True)
class PupilFilter:
    """What the pupil chooser and the pupil list narrow by: year group, tutor
    or class group (exactly as the roster names it) and part of a name or
    identifier. Empty filters everything in."""

    year_group: int | None = None
    group: str = ""
    name: str = ""

    @property
    def is_empty(self) -> bool:
        return self.year_group is None and not self.group and not self.name

    def apply(self, pupils, year: AcademicYear):
        if self.year_group is not None:
            pupils = pupils.in_year_group(self.year_group, year)
        if self.group:
            pupils = pupils.filter(tutor_group=self.group)
        if self.name:
            pupils = pupils.filter(
                Q(display_name__icontains=self.name) | Q(pupil_identifier__icontains=self.name)
            )
        return pupils


def pupil_list(
    *,
    user,
    school,
    year: AcademicYear,
    year_group: int | None = None,
    on: date | None = None,
    chosen: PupilFilter | None = None,
):
    """Pupils on roll (on `on`, default the year's census date), with their
    year group that year and their encounter counts."""
    pupils = visible_to(Pupil.objects.filter(school=school), user)
    pupils = pupils.on_roll(on or year.census_date()).with_year_group(year)
    chosen = chosen or PupilFilter(year_group=year_group)
    pupils = chosen.apply(pupils, year)
    return with_encounter_counts(pupils, year).order_by("-reception_year", "pupil_identifier")


def tutor_groups(*, user, school, year: AcademicYear, year_group: int | None = None) -> list[str]:
    """The tutor or class groups of the school's pupils on roll (in the year
    group, if given), in order, for the chooser's group list."""
    pupils = visible_to(Pupil.objects.filter(school=school), user).on_roll(year.census_date())
    if year_group is not None:
        pupils = pupils.in_year_group(year_group, year)
    return list(
        pupils.exclude(tutor_group="")
        .order_by("tutor_group")
        .values_list("tutor_group", flat=True)
        .distinct()
    )


def pupil_detail(*, user, school, pk: int):
    pupil = visible_to(Pupil.objects.filter(school=school), user).filter(pk=pk).first()
    if pupil is None:
        raise Http404("No such pupil")
    return pupil


def pupil_encounters(*, user, pupil):
    return (
        visible_to(Encounter.objects.all(), user)
        .filter(attendances__pupil=pupil)
        .select_related("encounter_type")
        .order_by("-date", "-pk")
    )


def encounter_list(*, user, school, year: AcademicYear | None = None):
    encounters = visible_to(Encounter.objects.filter(school=school), user)
    if year is not None:
        encounters = encounters.filter(academic_year=year.start_year)
    return (
        encounters.select_related("encounter_type")
        .prefetch_related("employers")
        .annotate(pupil_count=Count("attendances"))
        .order_by("-date", "-pk")
    )


def encounters_with_pupil_ids(encounters) -> list[Encounter]:
    """The encounters, each given ``pupil_ids`` (its pupils' ids in order),
    read in one query of (encounter, pupil) pairs rather than an attendance
    object per pupil."""
    encounters = list(encounters)
    by_encounter = {encounter.pk: [] for encounter in encounters}
    pairs = (
        Attendance.objects.filter(encounter_id__in=list(by_encounter))
        .order_by("encounter_id", "pupil_id")
        .values_list("encounter_id", "pupil_id")
    )
    for encounter_id, pupil_id in pairs:
        by_encounter[encounter_id].append(pupil_id)
    for encounter in encounters:
        encounter.pupil_ids = by_encounter[encounter.pk]
    return encounters


def encounter_detail(*, user, school, pk: int) -> Encounter:
    encounter = (
        visible_to(Encounter.objects.filter(school=school), user)
        .select_related("encounter_type", "school", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if encounter is None:
        raise Http404("No such encounter")
    return encounter


def encounter_pupils(*, user, encounter):
    return (
        visible_to(Pupil.objects.filter(school=encounter.school_id), user)
        .filter(attendances__encounter=encounter)
        .with_year_group(AcademicYear(encounter.academic_year))
        .order_by("-reception_year", "pupil_identifier")
    )


def encounter_types(*, user):
    return visible_to(EncounterType.objects.all(), user)


def encounter_type_reference():
    """Every type of encounter, for the public methodology page: reference
    data that holds nothing about a school or a pupil."""
    return EncounterType.objects.order_by("order", "name")


def roster_import_for(*, user, school, pk: int) -> UploadPreview:
    """The user's own roster file for the school, checked and waiting to be
    confirmed, or 404 (someone else's, confirmed already, or expired)."""
    found = upload_preview_for(kind=ROSTER_IMPORT.name, user=user, school=school, pk=pk)
    if found is None:
        raise Http404("No such import")
    return found


def attendance_upload_for(*, user, school, pk: int) -> AttendanceUpload:
    found = (
        visible_to(AttendanceUpload.objects.filter(school=school), user)
        .defer("payload")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("No such upload")
    return found


# --- Coverage ------------------------------------------------------------


@dataclass
class CoverageCounts:
    on_roll: int = 0
    with_one: int = 0
    with_four: int = 0

    @property
    def one_rate(self):
        return percentage(self.with_one, self.on_roll)

    @property
    def four_rate(self):
        return percentage(self.with_four, self.on_roll)

    def add(self, other):
        self.on_roll += other.on_roll
        self.with_one += other.with_one
        self.with_four += other.with_four


@dataclass
class CoverageRow:
    """One year group (or a total): all pupils, disadvantaged and others."""

    year_group: int | None
    label: str
    all: CoverageCounts = field(default_factory=CoverageCounts)
    disadvantaged: CoverageCounts = field(default_factory=CoverageCounts)
    others: CoverageCounts = field(default_factory=CoverageCounts)

    @property
    def pledge_applies(self) -> bool:
        return self.year_group is None or self.year_group >= FIRST_SECONDARY_YEAR

    @property
    def one_gap(self):
        return percentage_gap(self.disadvantaged.one_rate, self.others.one_rate)

    @property
    def four_gap(self):
        return percentage_gap(self.disadvantaged.four_rate, self.others.four_rate)

    def add(self, disadvantaged: bool, counts: CoverageCounts):
        self.all.add(counts)
        (self.disadvantaged if disadvantaged else self.others).add(counts)


def _coverage_groups(pupils, year: AcademicYear):
    """One query: counts grouped by year group and disadvantage."""
    keys = ["year_group_then", "disadvantaged"]
    rows = (
        with_encounter_counts(pupils.with_year_group(year), year, alias=True)
        .order_by()
        .values(*keys)
        .annotate(
            on_roll=Count("pk"),
            with_one=Count("pk", filter=Q(encounters_this_year__gte=1)),
            with_four=Count("pk", filter=Q(encounters_since_year_7__gte=PLEDGE_ENCOUNTERS)),
        )
    )
    for row in rows:
        counts = CoverageCounts(row["on_roll"], row["with_one"], row["with_four"])
        yield row["year_group_then"], row["disadvantaged"], counts


def _rows_from_groups(groups) -> tuple[list[CoverageRow], CoverageRow]:
    by_year: dict[int, CoverageRow] = {}
    total = CoverageRow(year_group=None, label="All year groups")
    for year_group, disadvantaged, counts in groups:
        row = by_year.setdefault(
            year_group, CoverageRow(year_group=year_group, label=year_group_label(year_group))
        )
        row.add(disadvantaged, counts)
        total.add(disadvantaged, counts)
    return [by_year[y] for y in sorted(by_year)], total


@reads_from_replica
def school_coverage(*, user, school, year: AcademicYear):
    """Coverage by year group for one school (school staff and admins)."""
    pupils = visible_to(Pupil.objects.filter(school=school), user).on_roll(year.census_date())
    rows, total = _rows_from_groups(_coverage_groups(pupils, year))
    return {"rows": rows, "total": total}


def pupils_below_pledge(*, user, school, year: AcademicYear):
    """Secondary pupils on roll with fewer than four encounters since Year 7."""
    return (
        pupil_list(user=user, school=school, year=year)
        .filter(reception_year__lte=year.start_year - FIRST_SECONDARY_YEAR)
        .filter(encounters_since_year_7__lt=PLEDGE_ENCOUNTERS)
    )


def pupils_for_encounter_form(
    *,
    user,
    school,
    year: AcademicYear,
    chosen: PupilFilter | None = None,
    on_roll=True,
    encounter=None,
):
    """Pupils offered on the encounter form: those the chooser's filter
    shows, on roll now (plus those already recorded at the encounter being
    edited), or any of the school's pupils when checking a submitted form
    (the service checks the roll on the day)."""
    pupils = visible_to(Pupil.objects.filter(school=school), user).with_year_group(year)
    if chosen is not None:
        pupils = chosen.apply(pupils, year)
    if on_roll:
        census = year.census_date()
        current = Q(on_roll_from__lte=census) & (
            Q(on_roll_until__isnull=True) | Q(on_roll_until__gte=census)
        )
        if encounter is not None:
            current |= Q(pk__in=encounter.attendances.values("pupil_id"))
        pupils = pupils.filter(current)
    return pupils.order_by("-reception_year", "pupil_identifier")


def area_schools(*, user, area):
    return visible_to(School.objects.filter(area=area), user).order_by("name", "pk")


# --- Employer contribution ---------------------------------------------------


@dataclass
class EmployerYear:
    """One employer's contribution to an area in one academic year: the
    figures the area recorded, and the encounters its schools recorded with
    the employer (counted, never entered)."""

    organisation: object
    academic_year: int
    volunteers: int = 0
    volunteer_hours: int = 0
    placements_offered: int = 0
    placements_taken: int = 0
    schools_reached: int = 0
    encounters_delivered: int = 0
    recorded: bool = False

    @property
    def year(self) -> AcademicYear:
        return AcademicYear(self.academic_year)

    @property
    def figures(self) -> list[int]:
        """The figures in the order of CONTRIBUTION_COLUMNS."""
        return [getattr(self, name) for name, _ in CONTRIBUTION_COLUMNS]


CONTRIBUTION_COLUMNS = (
    ("volunteers", "Volunteers"),
    ("volunteer_hours", "Volunteer hours"),
    ("placements_offered", "Placements offered"),
    ("placements_taken", "Placements taken"),
    ("schools_reached", "Schools reached"),
    ("encounters_delivered", "Encounters delivered"),
)


def area_employers(*, user, area):
    """The employers an area can record: national ones and the area's own."""
    from partners.models import EMPLOYER_KINDS, Organisation

    return (
        visible_to(Organisation.objects.filter(kind__in=list(EMPLOYER_KINDS)), user)
        .filter(Q(area__isnull=True) | Q(area=area))
        .order_by("name")
    )


def _encounters_by_employer(area, *, organisation=None, academic_year=None) -> dict:
    """{(employer id, academic year): encounters} at the area's schools. A
    count of encounters, not of pupils: no disclosure control is needed."""
    links = Encounter.employers.through.objects.filter(encounter__school__area=area)
    if organisation is not None:
        links = links.filter(organisation=organisation)
    if academic_year is not None:
        links = links.filter(encounter__academic_year=academic_year)
    rows = (
        links.order_by()
        .values("organisation_id", "encounter__academic_year")
        .annotate(n=Count("encounter_id", distinct=True))
    )
    return {(r["organisation_id"], r["encounter__academic_year"]): r["n"] for r in rows}


def _contributions(user, area):
    from .models import EmployerContribution

    return visible_to(EmployerContribution.objects.filter(area=area), user).select_related(
        "organisation"
    )


def _employer_year(organisation, academic_year, contribution, delivered) -> EmployerYear:
    row = EmployerYear(
        organisation=organisation,
        academic_year=academic_year,
        encounters_delivered=delivered,
        recorded=contribution is not None,
    )
    if contribution is not None:
        for name, _ in CONTRIBUTION_COLUMNS[:-1]:
            setattr(row, name, getattr(contribution, name))
    return row


def employer_contributions(*, user, area, year: AcademicYear) -> list[EmployerYear]:
    """Every employer that recorded a contribution to the area in the year
    or delivered an encounter at one of its schools, by name."""
    recorded = {
        c.organisation_id: c
        for c in _contributions(user, area).filter(academic_year=year.start_year)
    }
    delivered = _encounters_by_employer(area, academic_year=year.start_year)
    ids = set(recorded) | {employer_id for employer_id, _ in delivered}
    employers = area_employers(user=user, area=area).filter(pk__in=ids)
    return [
        _employer_year(
            employer,
            year.start_year,
            recorded.get(employer.pk),
            delivered.get((employer.pk, year.start_year), 0),
        )
        for employer in employers
    ]


def employer_contribution_total(rows: list[EmployerYear]) -> list[int]:
    """Each figure summed over the employers, in the order of the columns."""
    return [sum(column) for column in zip(*(row.figures for row in rows), strict=True)]


def area_employer(*, user, area, pk: int):
    employer = area_employers(user=user, area=area).filter(pk=pk).first()
    if employer is None:
        raise Http404("No such employer")
    return employer


def employer_years(*, user, area, organisation) -> list[EmployerYear]:
    """One employer's contribution to the area, year by year, newest first."""
    recorded = {
        c.academic_year: c for c in _contributions(user, area).filter(organisation=organisation)
    }
    delivered = _encounters_by_employer(area, organisation=organisation)
    years = set(recorded) | {year for _, year in delivered}
    return [
        _employer_year(
            organisation, year, recorded.get(year), delivered.get((organisation.pk, year), 0)
        )
        for year in sorted(years, reverse=True)
    ]


def employer_contribution_for(*, user, area, organisation, academic_year: int):
    return (
        _contributions(user, area)
        .filter(organisation=organisation, academic_year=academic_year)
        .first()
    )
