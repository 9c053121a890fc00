from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from core.models import TimeStampedModel, owner_account_field
from core.scoping import ScopeRule


class OrganisationKind(models.TextChoices):
    SCHOOL_OR_COLLEGE = "school_or_college", "School or college"
    TRUST = "trust", "Multi-academy trust"
    EMPLOYER = "employer", "Employer"
    CORNERSTONE_EMPLOYER = "cornerstone_employer", "Cornerstone employer"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    CHARITY = "charity", "Charity or voluntary body"
    UNIVERSITY = "university", "University"
    RESEARCH_SCHOOL = "research_school", "Research school"
    NCS_PROVIDER = "ncs_provider", "NCS provider"
    OTHER = "other", "Other"


EMPLOYER_KINDS = frozenset({OrganisationKind.EMPLOYER, OrganisationKind.CORNERSTONE_EMPLOYER})


class Organisation(TimeStampedModel):
    """A partner: an employer, trust, charity, university and so on.

    Organisations are shared reference data: national ones (area empty, such
    as cornerstone employers) and local ones alike are readable by every
    signed-in user; who may add or change them is decided by the view.
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    sector = models.CharField(
        max_length=100, blank=True, help_text="For example, energy or finance."
    )
    companies_house_number = models.CharField(
        max_length=8,
        blank=True,
        validators=[
            RegexValidator(
                r"^([0-9]{8}|[A-Z]{2}[0-9]{6})$",
                "Enter a Companies House number of 8 characters, like 01234567 or SC123456",
            )
        ],
    )
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text="Leave empty for a national organisation.",
    )

    scope_rule = ScopeRule(area="area", school=None, shared=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("name"), "kind", name="organisation_unique_name_per_kind"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_cornerstone(self):
        return self.kind == OrganisationKind.CORNERSTONE_EMPLOYER


class PartnershipBoard(TimeStampedModel):
    """The independent local board that writes and oversees an area's plan."""

    area = models.OneToOneField("areas.Area", on_delete=models.PROTECT, related_name="board")
    name = models.CharField(max_length=200)

    scope_rule = ScopeRule(area="area", school=None)

    def __str__(self):
        return self.name

    @property
    def chair(self):
        return next(
            (m for m in self.memberships.all() if m.role == MembershipRole.CHAIR and m.is_current),
            None,
        )


class MembershipRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    MEMBER = "member", "Member"
    OBSERVER = "observer", "Observer"


class BoardMembership(TimeStampedModel):
    """A seat on a board: a user of the service or a named contact."""

    board = models.ForeignKey(
        PartnershipBoard, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_memberships",
    )
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="board_memberships"
    )
    role = models.CharField(
        max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    sector_represented = models.CharField(
        max_length=100, help_text="For example, early years, secondary schools, employers."
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    scope_rule = ScopeRule(area="board__area", school=None)

    class Meta:
        ordering = ["role", "contact_name"]
        constraints = [
            models.CheckConstraint(
                name="membership_user_or_contact",
                condition=models.Q(user__isnull=False) | ~models.Q(contact_name=""),
            ),
            models.CheckConstraint(
                name="membership_ends_after_it_starts",
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.get_role_display()}, {self.organisation})"

    @property
    def display_name(self):
        if self.user_id:
            return self.user.get_full_name() or self.user.email
        return self.contact_name

    @property
    def is_current(self):
        from django.utils import timezone

        return self.end_date is None or self.end_date >= timezone.localdate()

    def clean(self):
        if not self.user_id and not self.contact_name:
            raise ValidationError({"contact_name": "Enter the member's name, or choose a user"})
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError(
                {"end_date": "End date must be the same as or after the start date"}
            )


class BoardMeeting(TimeStampedModel):
    board = models.ForeignKey(PartnershipBoard, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField()
    title = models.CharField(max_length=200, default="Partnership board meeting")
    minutes_url = models.URLField("link to the minutes", blank=True)
    papers_url = models.URLField("link to the papers", blank=True)
    minutes = models.TextField(blank=True, help_text="A summary of the minutes.")
    attendees = models.ManyToManyField(
        BoardMembership, blank=True, related_name="meetings_attended"
    )

    scope_rule = ScopeRule(area="board__area", school=None)

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"{self.title}, {self.date:%-d %B %Y}"


class DecisionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Decision(TimeStampedModel):
    meeting = models.ForeignKey(BoardMeeting, on_delete=models.CASCADE, related_name="decisions")
    decision = models.TextField()
    owner = models.CharField(max_length=200, help_text="The person accountable for it.")
    owner_user = owner_account_field()
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )

    scope_rule = ScopeRule(area="meeting__board__area", school=None)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.decision[:80]

    def is_overdue_on(self, day) -> bool:
        """Still open after its due date."""
        return (
            self.status == DecisionStatus.OPEN and self.due_date is not None and self.due_date < day
        )

    def days_overdue_on(self, day) -> int:
        return (day - self.due_date).days if self.is_overdue_on(day) else 0


class DeclaredInterest(TimeStampedModel):
    """The board's register of declared interests."""

    membership = models.ForeignKey(
        BoardMembership, on_delete=models.CASCADE, related_name="interests"
    )
    description = models.TextField()
    declared_on = models.DateField()
    meeting = models.ForeignKey(
        BoardMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="declarations",
        help_text="The meeting at which it was declared.",
    )

    scope_rule = ScopeRule(area="membership__board__area", school=None)

    class Meta:
        ordering = ["-declared_on"]

    def __str__(self):
        return self.description[:80]
