import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.models import TimeStampedModel
from core.scoping import ScopeRule

OPEN_STATUSES = ("Open", "Open, but proposed to close", "Proposed to open")


class Area(TimeStampedModel):
    """One of the 12 Opportunity Areas. Membership of schools is data:
    see AreaLocalAuthority and AreaRule."""

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
    """A local authority whose schools belong to an area: all of them when it
    has no rules, otherwise those that meet one of its rules valid on the
    extract's date."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="local_authorities")
    la_code = models.PositiveSmallIntegerField("LA code", unique=True)
    la_name = models.CharField("LA name", max_length=100)

    class Meta:
        ordering = ["la_code"]
        verbose_name = "local authority"
        verbose_name_plural = "local authorities"

    def __str__(self):
        return f"{self.la_name} ({self.la_code})"

    def membership_text(self, day) -> str:
        """Which of the LA's schools its rules put in the area on `day`."""
        rules = list(self.rules.all())
        if not rules:
            return "all schools"
        valid = [rule for rule in rules if rule.is_valid_on(day)]
        if not valid:
            return "no schools (no rule applies on this date)"
        parts = []
        for kind, singular, plural in (
            (AreaRule.Kind.DISTRICT, "district", "districts"),
            (AreaRule.Kind.POSTCODE, "postcode", "postcodes"),
        ):
            values = [rule.value for rule in valid if rule.kind == kind]
            if values:
                noun = singular if len(values) == 1 else plural
                parts.append(f"{noun} {', '.join(values)}")
        return f"{' or '.join(parts)} only"

    @property
    def membership_today(self) -> str:
        return self.membership_text(timezone.localdate())


class AreaRule(models.Model):
    """One sub-LA key that puts an LA's schools in its area, valid between two
    dates (ADR 0017). A rule names a GIAS district (`DistrictAdministrative
    (name)`) or a postcode district or sector (`Postcode`: "YO11", "TA4 4").
    An LA with no rules at all belongs to its area whole."""

    class Kind(models.TextChoices):
        DISTRICT = "district", "District (DistrictAdministrative (name))"
        POSTCODE = "postcode", "Postcode district or sector (Postcode)"

    local_authority = models.ForeignKey(
        AreaLocalAuthority, on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DISTRICT)
    value = models.CharField(
        max_length=100,
        help_text='A district as GIAS names it, or a postcode district ("YO11") or sector '
        '("TA4 4").',
    )
    valid_from = models.DateField(
        null=True, blank=True, help_text="The first day the rule applies; blank: always has."
    )
    valid_to = models.DateField(
        null=True, blank=True, help_text="The last day the rule applies; blank: still does."
    )

    class Meta:
        ordering = ["kind", "value", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                Lower("value"), "kind", "local_authority", name="arearule_unique_value_per_la"
            ),
            models.CheckConstraint(
                name="arearule_valid_from_before_valid_to",
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_from__lte=models.F("valid_to")),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value} ({self.validity_text()})"

    def clean(self):
        errors = {}
        if self.kind == self.Kind.POSTCODE:
            prefix = postcode_prefix(self.value)
            if prefix is None:
                errors["value"] = (
                    'Enter a postcode district like "YO11" or a postcode sector like "TA4 4"'
                )
            else:
                self.value = prefix
        else:
            self.value = " ".join(self.value.split())
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            errors["valid_to"] = "The last day must be the same as or after the first day"
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def validity_text(self) -> str:
        if self.valid_from and self.valid_to:
            return f"from {self.valid_from:%-d %B %Y} to {self.valid_to:%-d %B %Y}"
        if self.valid_from:
            return f"from {self.valid_from:%-d %B %Y}"
        if self.valid_to:
            return f"until {self.valid_to:%-d %B %Y}"
        return "always"

    def matches(self, *, district: str, postcode: str) -> bool:
        """Whether a school with this GIAS district and postcode meets the rule."""
        if self.kind == self.Kind.DISTRICT:
            return normalised_name(district) == normalised_name(self.value)
        outward, sector = postcode_parts(postcode)
        return self.value in (outward, sector)


_POSTCODE_PREFIX = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)(?: ([0-9]))?$")
_FULL_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?) ?([0-9])[A-Z]{2}$")


def normalised_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def postcode_prefix(value: str) -> str | None:
    """A postcode district ("YO11") or sector ("TA4 4") in its usual form, or
    None when the value is neither."""
    match = _POSTCODE_PREFIX.match(" ".join(value.upper().split()))
    if match is None:
        return None
    outward, sector = match.groups()
    return outward if sector is None else f"{outward} {sector}"


def postcode_parts(postcode: str) -> tuple[str | None, str | None]:
    """A full postcode's district and sector ("TA4 4AB": "TA4", "TA4 4");
    (None, None) for a blank or malformed postcode."""
    match = _FULL_POSTCODE.match(" ".join(postcode.upper().split()))
    if match is None:
        return None, None
    outward, sector_digit = match.groups()
    return outward, f"{outward} {sector_digit}"


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
