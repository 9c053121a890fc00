from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models

from .roles import AREA_ROLES, READ_ONLY_ROLES, Role
from .scoping import ScopeRule


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


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
