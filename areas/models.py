from django.db import models
from django.db.models.functions import Lower

from core.models import TimeStampedModel
from core.scoping import ScopeRule

OPEN_STATUSES = ("Open", "Open, but proposed to close", "Proposed to open")


class Area(TimeStampedModel):
    """One of the 12 Opportunity Areas. Membership of schools is data:
    see AreaLocalAuthority and AreaDistrict."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    # The location code in open data (ADR 0010): stable whatever happens to
    # the name or the slug, and at most the 30 characters EES allows.
    code = models.CharField("location code", max_length=30, unique=True)
    wave = models.PositiveSmallIntegerField(choices=[(1, "Wave 1"), (2, "Wave 2")])
    plan_published_year = models.PositiveSmallIntegerField()

    scope_rule = ScopeRule(area="pk", school=None)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("areas:detail", kwargs={"slug": self.slug})


class AreaLocalAuthority(models.Model):
    """A local authority whose schools belong to an area: all of them, or
    only those in the listed districts when the LA has districts."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="local_authorities")
    la_code = models.PositiveSmallIntegerField("LA code", unique=True)
    la_name = models.CharField("LA name", max_length=100)

    class Meta:
        ordering = ["la_code"]
        verbose_name = "local authority"
        verbose_name_plural = "local authorities"

    def __str__(self):
        return f"{self.la_name} ({self.la_code})"


class AreaDistrict(models.Model):
    local_authority = models.ForeignKey(
        AreaLocalAuthority, on_delete=models.CASCADE, related_name="districts"
    )
    name = models.CharField(
        max_length=100, help_text="As GIAS names it in DistrictAdministrative (name)."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "local_authority", name="areadistrict_unique_name_per_la"
            )
        ]

    def __str__(self):
        return self.name


class SchoolQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class School(TimeStampedModel):
    """A school or college as GIAS describes it, with its Opportunity Area."""

    urn = models.PositiveIntegerField("URN", unique=True)
    name = models.CharField(max_length=200)
    la_code = models.PositiveSmallIntegerField("LA code")
    la_name = models.CharField("LA name", max_length=100)
    new_la_code = models.CharField(
        "new LA code",
        max_length=9,
        blank=True,
        help_text="The LA's 9-character GSS code (GIAS 'GSSLACode (name)'); blank if GIAS "
        "gave none.",
    )
    establishment_number = models.PositiveIntegerField(null=True, blank=True)
    establishment_type = models.CharField("type", max_length=100, blank=True)
    phase = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=60)
    statutory_low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    statutory_high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    number_of_pupils = models.PositiveIntegerField(null=True, blank=True)
    percentage_fsm = models.DecimalField(
        "% FSM", max_digits=4, decimal_places=1, null=True, blank=True
    )
    trust_name = models.CharField("trust", max_length=200, blank=True)
    district = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="schools"
    )

    scope_rule = ScopeRule(area="area", school="pk")

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["area", "name"])]
        constraints = [
            models.CheckConstraint(
                name="school_percentage_fsm_0_to_100",
                condition=models.Q(percentage_fsm__gte=0, percentage_fsm__lte=100)
                | models.Q(percentage_fsm__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.urn})"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def laestab(self) -> str:
        """DfE's seven-digit number: LA code and establishment number; ``x``
        (not available) for a school whose GIAS record has no number."""
        if self.establishment_number is None:
            return "x"
        return f"{self.la_code}{self.establishment_number:04d}"

    def profile(self):
        """The school's profile as (label, value) pairs, blanks said plainly."""
        ages = (
            f"{self.statutory_low_age} to {self.statutory_high_age}"
            if self.statutory_low_age is not None and self.statutory_high_age is not None
            else None
        )
        rows = [
            ("Opportunity Area", self.area.name if self.area else "Not in an Opportunity Area"),
            ("Phase", self.phase),
            ("Type", self.establishment_type),
            ("Status", self.status),
            ("Trust", self.trust_name),
            ("Statutory ages", ages),
            ("Pupils", self.number_of_pupils),
            ("Pupils eligible for free school meals", _percent_text(self.percentage_fsm)),
            ("Local authority", f"{self.la_name} ({self.la_code})"),
            ("District", self.district),
            ("Postcode", self.postcode),
        ]
        return [(label, "Not recorded" if value in (None, "") else value) for label, value in rows]

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("areas:school", kwargs={"urn": self.urn})


def _percent_text(value):
    return None if value is None else f"{value}%"
