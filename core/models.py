from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .roles import AREA_ROLES, READ_ONLY_ROLES, SECOND_FACTOR_ROLES, Role
from .scoping import ScopeRule


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def owner_account_field():
    """The account of the person who owns an item (an action, an indicator, a
    board decision): the one its reminders go to. Optional: the owner may be a
    named person without an account."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The owner's account, for reminders.",
    )


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password", "schools"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    """A person who signs in. One role each; the role decides the scope.

    Board members and area leads belong to one area; school staff to one or
    more schools; DfE staff and administrators see every area.
    """

    username = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text="Board members and area leads only.",
    )
    schools = models.ManyToManyField(
        "areas.School", blank=True, related_name="staff", help_text="School staff only."
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                name="user_area_iff_area_role",
                condition=(
                    models.Q(role__in=sorted(AREA_ROLES), area__isnull=False)
                    | (~models.Q(role__in=sorted(AREA_ROLES)) & models.Q(area__isnull=True))
                ),
            ),
            models.CheckConstraint(
                name="user_staff_flag_only_for_administrators",
                condition=models.Q(is_staff=False) | models.Q(role=Role.ADMINISTRATOR),
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        if self.role in AREA_ROLES and self.area_id is None:
            raise ValidationError({"area": "Choose the area this board member or lead belongs to."})
        if self.role not in AREA_ROLES and self.area_id is not None:
            raise ValidationError({"area": "Only board members and area leads belong to an area."})
        if self.is_staff and self.role != Role.ADMINISTRATOR:
            raise ValidationError({"is_staff": "Only administrators can use the admin site."})

    @property
    def is_read_only(self):
        return self.role in READ_ONLY_ROLES

    @property
    def second_factor_required(self):
        return self.role in SECOND_FACTOR_ROLES


class ChangeAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"


class ChangeRecord(models.Model):
    """Who changed what, when, with the values before and after.

    Written by services (core.history.change_record), never by signals. The
    area and school copy the changed object's scope so the history is scoped
    like the object itself.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    changes = models.JSONField(default=dict, help_text="{field: {before, after}}")
    changed_by = models.ForeignKey(
        "core.User", on_delete=models.PROTECT, null=True, related_name="changes_made"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    school = models.ForeignKey(
        "areas.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope_rule = ScopeRule(area="area", school="school")

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-changed_at"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr} at {self.changed_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A personal API token for an integration (a school's MIS, a council's
    data warehouse) to call the API as its owner.

    The token is shown once when it is created and never stored: the row
    holds its SHA-256 hash and a short random prefix, which is not secret and
    is how the row is found and how the owner recognises the token in a list.
    Revoking keeps the row so the owner can see when it was revoked. Tokens
    have no scope_rule: only their owner ever sees them (core.api_token_views).
    """

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(
        "SHA-256 of the token", max_length=64, unique=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                name="apitoken_hash_is_sha256_hex",
                # A hash of a token, not a password (ruff's S106 goes by the name).
                condition=models.Q(token_hash__regex=r"^[0-9a-f]{64}$"),  # noqa: S106
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.display_prefix}…)"

    @property
    def display_prefix(self):
        return f"oat_{self.prefix}"

    def is_expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def is_usable(self, now=None):
        return self.revoked_at is None and not self.is_expired(now)


class UploadPreviewStatus(models.TextChoices):
    PREVIEWED = "previewed", "Waiting to be confirmed"
    APPLIED = "applied", "Imported"


class UploadPreview(TimeStampedModel):
    """An uploaded file, checked and waiting for its uploader to confirm it:
    the one store of every import's preview-and-confirm step (ADR 0014).

    `content` is what the import needs to apply it (the checked rows, or the
    file's text to check again), kept server-side so a confirmation never
    trusts data sent back by the browser; `digest` names that content, so a
    page showing an older preview cannot confirm a newer one. Confirming
    claims the row once (`claim`), so a double submit imports once. A row
    lives `UPLOAD_PREVIEW_LIFETIME` at most, and its content is emptied when
    it is applied.

    Like ApiToken it has no scope_rule: only its uploader ever sees it, on
    the page of the school or area it was uploaded for (core.imports).
    """

    kind = models.CharField(max_length=30, help_text="Which import, such as roster.")
    uploaded_by = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="+")
    area = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school = models.ForeignKey(
        "areas.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    options = models.JSONField(default=dict, blank=True, help_text="Choices made on upload.")
    content = models.JSONField(default=dict, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    digest = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10,
        choices=UploadPreviewStatus.choices,
        default=UploadPreviewStatus.PREVIEWED,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["uploaded_by", "kind", "status"])]
        constraints = [
            models.CheckConstraint(
                name="uploadpreview_for_an_area_or_a_school",
                condition=models.Q(area__isnull=False) | models.Q(school__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.file_name} ({self.get_status_display()})"

    def claim(self) -> bool:
        """Mark the preview applied if nobody has yet: a conditional UPDATE,
        so of two confirmations only one gets True."""
        claimed = UploadPreview.objects.filter(
            pk=self.pk, status=UploadPreviewStatus.PREVIEWED
        ).update(status=UploadPreviewStatus.APPLIED, updated_at=timezone.now())
        if claimed:
            self.status = UploadPreviewStatus.APPLIED
        return bool(claimed)
