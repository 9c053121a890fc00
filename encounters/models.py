"""Pupil rosters and world-of-work encounters.

Pupils are personal data: every model here that names a pupil is
pupil-level (only the school's own staff see it). UPNs exist only as keyed
hashes (see pseudonymisation.py).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.utils import timezone

from core.background import new_task_id
from core.models import TimeStampedModel
from core.roles import Role
from core.scoping import ScopeRule
from partners.models import EMPLOYER_KINDS

from .academic_years import AcademicYear

PLEDGE_ENCOUNTERS = 4
FIRST_SECONDARY_YEAR = 7
# The Pupil fields a roster row sets, in the order of the model's columns.
ROSTER_FIELDS = (
    "upn_hash",
    "display_name",
    "year_group",
    "year_group_on",
    "reception_year",
    "disadvantaged",
    "send",
)


class YearGroup(models.IntegerChoices):
    RECEPTION = 0, "Reception"
    YEAR_1 = 1, "Year 1"
    YEAR_2 = 2, "Year 2"
    YEAR_3 = 3, "Year 3"
    YEAR_4 = 4, "Year 4"
    YEAR_5 = 5, "Year 5"
    YEAR_6 = 6, "Year 6"
    YEAR_7 = 7, "Year 7"
    YEAR_8 = 8, "Year 8"
    YEAR_9 = 9, "Year 9"
    YEAR_10 = 10, "Year 10"
    YEAR_11 = 11, "Year 11"
    YEAR_12 = 12, "Year 12"
    YEAR_13 = 13, "Year 13"


def year_group_label(value: int) -> str:
    try:
        return YearGroup(value).label
    except ValueError:
        return f"Year {value}"


class SendProvision(models.TextChoices):
    """As the school census codes it: N, K (SEN support), E (EHC plan)."""

    NONE = "none", "None"
    SEN_SUPPORT = "sen_support", "SEN support"
    EHC_PLAN = "ehc_plan", "EHC plan"


class PupilQuerySet(models.QuerySet):
    def on_roll(self, on: date):
        return self.filter(on_roll_from__lte=on).filter(
            Q(on_roll_until__isnull=True) | Q(on_roll_until__gte=on)
        )

    def in_year_group(self, year_group: int, academic_year: AcademicYear):
        return self.filter(reception_year=academic_year.start_year - year_group)

    def with_year_group(self, academic_year: AcademicYear):
        """Annotate `year_group_then`: the year group in that academic year."""
        return self.annotate(year_group_then=Value(academic_year.start_year) - F("reception_year"))


class Pupil(TimeStampedModel):
    """A pupil on (or once on) a school's roll.

    The year group is recorded as at a reference date; the year group in any
    academic year is derived from it (see `reception_year`), never stored
    per year.
    """

    school = models.ForeignKey("areas.School", on_delete=models.PROTECT, related_name="pupils")
    pupil_identifier = models.CharField(
        max_length=30, help_text="The school's own identifier, such as the MIS admission number."
    )
    upn_hash = models.CharField(
        "UPN (keyed hash)",
        max_length=64,
        editable=False,
        db_index=True,
        help_text="HMAC-SHA256 of the UPN; the UPN itself is never stored.",
    )
    display_name = models.CharField(
        max_length=100, blank=True, help_text="Shown only to the school's own staff."
    )
    year_group = models.PositiveSmallIntegerField(choices=YearGroup.choices)
    year_group_on = models.DateField(
        "year group as at", help_text="The date the year group was true on."
    )
    reception_year = models.SmallIntegerField(
        editable=False,
        help_text="Derived: start year of the academic year the pupil was in Reception.",
    )
    disadvantaged = models.BooleanField(
        default=False, help_text="Eligible for free school meals or the pupil premium."
    )
    send = models.CharField(
        "SEND", max_length=12, choices=SendProvision.choices, default=SendProvision.NONE
    )
    tutor_group = models.CharField(
        "tutor or class group",
        max_length=40,
        blank=True,
        help_text="As the roster file names it (registration, tutor or form group, or class).",
    )
    on_roll_from = models.DateField()
    on_roll_until = models.DateField(
        null=True, blank=True, help_text="Last day on roll; empty while on roll."
    )

    scope_rule = ScopeRule(area="school__area", school="school", pupil_level=True)

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["pupil_identifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "pupil_identifier"], name="pupil_unique_identifier_per_school"
            ),
            models.UniqueConstraint(
                fields=["school", "upn_hash"], name="pupil_unique_upn_per_school"
            ),
            models.CheckConstraint(
                name="pupil_year_group_reception_to_13", condition=Q(year_group__lte=13)
            ),
            models.CheckConstraint(
                name="pupil_leaves_after_joining",
                condition=Q(on_roll_until__isnull=True) | Q(on_roll_until__gte=F("on_roll_from")),
            ),
        ]
        indexes = [
            models.Index(fields=["school", "reception_year"]),
            models.Index(fields=["school", "tutor_group"], name="pupil_school_tutor_group"),
        ]

    def __str__(self):
        return self.pupil_identifier

    @staticmethod
    def derive_reception_year(year_group: int, on: date) -> int:
        return AcademicYear.of(on).start_year - year_group

    def save(self, *args, **kwargs):
        self.reception_year = self.derive_reception_year(self.year_group, self.year_group_on)
        super().save(*args, **kwargs)

    def clean(self):
        if self.on_roll_until and self.on_roll_from and self.on_roll_until < self.on_roll_from:
            raise ValidationError({"on_roll_until": "Date off roll must be on or after joining"})

    @property
    def label(self):
        """How the school's own staff see the pupil."""
        if self.display_name:
            return f"{self.display_name} ({self.pupil_identifier})"
        return self.pupil_identifier

    @property
    def year_group_then_label(self) -> str:
        """For pupils annotated by PupilQuerySet.with_year_group."""
        return year_group_label(self.year_group_then)

    def year_group_in(self, academic_year: AcademicYear) -> int:
        return academic_year.start_year - self.reception_year

    def year_group_label_in(self, academic_year: AcademicYear) -> str:
        return year_group_label(self.year_group_in(academic_year))

    def is_on_roll(self, on: date) -> bool:
        return self.on_roll_from <= on and (self.on_roll_until is None or on <= self.on_roll_until)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("encounters:pupil", kwargs={"urn": self.school.urn, "pk": self.pk})


class GatsbyBenchmark(models.IntegerChoices):
    EMPLOYERS = 5, "5: Encounters with employers and employees"
    WORKPLACES = 6, "6: Experiences of workplaces"
    FURTHER_HIGHER = 7, "7: Encounters with further and higher education"


# The benchmarks whose Compass answers are drafted from encounter records.
GATSBY_BENCHMARKS_FROM_RECORDS = (GatsbyBenchmark.EMPLOYERS, GatsbyBenchmark.WORKPLACES)


class EncounterType(models.Model):
    """Reference data, seeded by a data migration and edited in the admin."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    gatsby_benchmark = models.PositiveSmallIntegerField(choices=GatsbyBenchmark.choices)
    is_meaningful_employer_encounter = models.BooleanField(
        "counts as a meaningful employer encounter", default=True
    )
    order = models.PositiveSmallIntegerField(default=0)

    scope_rule = ScopeRule(area=None, school=None, shared=True)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class MeaningfulCriterion(models.TextChoices):
    """The Careers & Enterprise Company's criteria for a meaningful encounter
    or experience (Gatsby Benchmarks 5 and 6, ADR 0025): the school ticks
    each one its encounter met."""

    PURPOSE_SHARED = "purpose", "It had a clear purpose, shared with the employer and the pupils"
    LEARNING_OUTCOMES = (
        "outcomes",
        "It was planned around learning outcomes suited to the pupils' needs",
    )
    TWO_WAY = "two_way", "Pupils could ask questions and talk with the employer or employees"
    REFLECTION = "reflection", "Pupils had time afterwards to reflect on what they learnt"


MEANINGFUL_CRITERIA = tuple(MeaningfulCriterion.values)


class Programme(models.TextChoices):
    CEC = "cec", "Careers & Enterprise Company"
    ESSENTIAL_LIFE_SKILLS = "els", "Essential Life Skills"
    NCS = "ncs", "National Citizen Service"
    SCHOOL = "school", "School's own"
    OTHER = "other", "Other"


def employer_choices():
    from partners.models import Organisation

    return Organisation.objects.filter(kind__in=list(EMPLOYER_KINDS))


class Encounter(TimeStampedModel):
    """A world-of-work activity at a school and the pupils who took part."""

    school = models.ForeignKey("areas.School", on_delete=models.PROTECT, related_name="encounters")
    date = models.DateField()
    academic_year = models.PositiveSmallIntegerField(
        editable=False, help_text="Derived from the date: the start year of its academic year."
    )
    encounter_type = models.ForeignKey(
        EncounterType, on_delete=models.PROTECT, related_name="encounters", verbose_name="type"
    )
    title = models.CharField(max_length=200)
    employers = models.ManyToManyField(
        "partners.Organisation",
        blank=True,
        related_name="encounters",
        limit_choices_to={"kind__in": sorted(EMPLOYER_KINDS)},
    )
    delivered_through = models.CharField(
        max_length=10, choices=Programme.choices, default=Programme.SCHOOL
    )
    duration_minutes = models.PositiveIntegerField("duration (minutes)", null=True, blank=True)
    source_key = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Set by attendance uploads, so re-uploading a file finds the same encounter.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Gatsby Benchmarks 5 and 6 (ADR 0025): what the school recorded of the
    # meaningful-encounter criteria; the encounter counts toward its type's
    # benchmark only when every one is met.
    meaningful_criteria = models.JSONField(
        default=list,
        blank=True,
        help_text="The meaningful-encounter criteria the encounter met (MeaningfulCriterion).",
    )
    meets_meaningful_criteria = models.BooleanField(
        default=False,
        editable=False,
        help_text="Derived: every meaningful-encounter criterion is met.",
    )

    scope_rule = ScopeRule(area="school__area", school="school", pupil_level=True)

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["school", "-date"]),
            models.Index(fields=["school", "academic_year"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "source_key"],
                condition=~Q(source_key=""),
                name="encounter_unique_source_key_per_school",
            ),
            models.CheckConstraint(
                name="encounter_duration_positive",
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gt=0),
            ),
        ]

    def __str__(self):
        return f"{self.title}, {self.date:%-d %B %Y}"

    def save(self, *args, **kwargs):
        self.academic_year = AcademicYear.of(self.date).start_year
        self.meets_meaningful_criteria = set(MEANINGFUL_CRITERIA) <= set(self.meaningful_criteria)
        super().save(*args, **kwargs)

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": "Date of the encounter must be today or in the past"})
        unknown = sorted(set(self.meaningful_criteria) - set(MEANINGFUL_CRITERIA))
        if unknown:
            message = f"Unknown meaningful-encounter criteria: {', '.join(unknown)}"
            raise ValidationError({"meaningful_criteria": message})

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("encounters:encounter", kwargs={"urn": self.school.urn, "pk": self.pk})

    @property
    def gatsby_benchmark_counted(self) -> int | None:
        """The Gatsby benchmark (5 or 6) the encounter counts toward, if any
        (ADR 0025): its type's, when the type can be a meaningful encounter
        and the school recorded every criterion as met."""
        kind = self.encounter_type
        if (
            self.meets_meaningful_criteria
            and kind.is_meaningful_employer_encounter
            and kind.gatsby_benchmark in GATSBY_BENCHMARKS_FROM_RECORDS
        ):
            return kind.gatsby_benchmark
        return None

    def get_meaningful_criteria_display(self) -> list[str]:
        met = set(self.meaningful_criteria)
        return [MeaningfulCriterion(c).label for c in MEANINGFUL_CRITERIA if c in met]


class Attendance(models.Model):
    """A pupil took part in an encounter.

    The bulk import writes millions of these rows with COPY and one INSERT
    ... ON CONFLICT, so the table stays narrow and its foreign keys are not
    database constraints: per-row referential-integrity triggers cost more
    than the rest of the import together. Instead every write path checks
    the ids itself (the pupils are the school's, the encounters were just
    created or found) and takes FOR KEY SHARE locks on them for the
    transaction, which is what the triggers would have done. Deletes still
    cascade (Django's on_delete).
    """

    encounter = models.ForeignKey(
        Encounter, on_delete=models.CASCADE, related_name="attendances", db_constraint=False
    )
    pupil = models.ForeignKey(
        Pupil,
        on_delete=models.CASCADE,
        related_name="attendances",
        db_index=False,
        db_constraint=False,
    )

    scope_rule = ScopeRule(
        area="encounter__school__area", school="encounter__school", pupil_level=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "encounter"], name="attendance_unique_pupil_per_encounter"
            )
        ]

    def __str__(self):
        return f"{self.pupil_id} at {self.encounter_id}"


class UploadStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    PROCESSING = "processing", "Processing"
    DONE = "done", "Imported"
    FAILED = "failed", "Not imported"


class AttendanceUpload(TimeStampedModel):
    """An attendance file: imported at once when small, by a Celery task when
    large. `payload` is the file with UPNs already replaced by their hashes,
    cleared once the import has run."""

    school = models.ForeignKey("areas.School", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=UploadStatus.choices, default=UploadStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(default=0)
    payload = models.BinaryField(default=b"", editable=False)
    errors = models.JSONField(default=list, help_text="[[line, message], ...]")
    encounters_created = models.PositiveIntegerField(default=0)
    attendances_created = models.PositiveIntegerField(default=0)
    task_id = models.CharField(
        max_length=64,
        default=new_task_id,
        help_text="The task that holds the upload (or will, once it starts).",
    )
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker has claimed the upload."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error_message = models.TextField(blank=True)

    scope_rule = ScopeRule(area="school__area", school="school", pupil_level=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (UploadStatus.DONE, UploadStatus.FAILED)


class AccessChannel(models.TextChoices):
    PAGE = "page", "Page"
    EXPORT = "export", "Export"
    API = "api", "API"


class PupilDataAccess(models.Model):
    """One request to a pupil-level page, export or API endpoint: who, when,
    which school, what (ADR 0013).

    Written by encounters.access_log, one INSERT per request; read and
    exported by administrators in the admin only, so it has no scope_rule
    (visible_to refuses it: no page or API call can show it). It names
    objects by their database id and never holds a UPN, its hash, a
    pupil's identifier or name. A refused request (403 or 404) is recorded
    with no school and no pupils.
    """

    accessed_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices, help_text="At the time.")
    school = models.ForeignKey(
        "areas.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the request was refused or the rows came from several schools.",
    )
    channel = models.CharField(max_length=6, choices=AccessChannel.choices)
    view_name = models.CharField(
        "page or endpoint", max_length=100, help_text="The URL name, such as encounters:pupils."
    )
    method = models.CharField(max_length=7)
    path = models.CharField(max_length=300)
    object_id = models.CharField(
        "object", max_length=40, blank=True, help_text="The id (or URN) in the address, if any."
    )
    query = models.JSONField(
        "filters", default=dict, blank=True, help_text="The query string, such as the year."
    )
    status_code = models.PositiveSmallIntegerField("response status")
    pupil_count = models.PositiveIntegerField(
        "pupils returned",
        null=True,
        blank=True,
        help_text="Pupils named in the response; empty when it held only counts or a form.",
    )

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        verbose_name = "pupil data access"
        verbose_name_plural = "pupil data access log"

    def __str__(self):
        return f"{self.user} {self.method} {self.path} at {self.accessed_at:%Y-%m-%d %H:%M}"

    @property
    def refused(self) -> bool:
        return self.status_code in (403, 404)


class EmployerContribution(TimeStampedModel):
    """What one employer gave an area in one academic year, as the area
    records it. Encounters delivered are not stored: they are counted from
    the encounter records (selectors.employer_contributions)."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        on_delete=models.PROTECT,
        related_name="contributions",
        limit_choices_to={"kind__in": sorted(EMPLOYER_KINDS)},
        verbose_name="employer",
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    academic_year = models.PositiveSmallIntegerField(
        help_text="The start year of the academic year (2017 for 2017/18)."
    )
    volunteers = models.PositiveIntegerField(default=0)
    volunteer_hours = models.PositiveIntegerField(default=0)
    placements_offered = models.PositiveIntegerField(default=0)
    placements_taken = models.PositiveIntegerField(default=0)
    schools_reached = models.PositiveIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_rule = ScopeRule(area="area", school=None)

    class Meta:
        ordering = ["-academic_year", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "area", "academic_year"],
                name="employer_contribution_once_per_area_year",
            ),
            models.CheckConstraint(
                name="employer_contribution_taken_within_offered",
                condition=Q(placements_taken__lte=F("placements_offered")),
            ),
        ]

    def __str__(self):
        return f"{self.organisation.name}, {AcademicYear(self.academic_year).label}"

    def clean(self):
        if self.placements_taken > self.placements_offered:
            raise ValidationError(
                {"placements_taken": "Placements taken must not be more than placements offered"}
            )
