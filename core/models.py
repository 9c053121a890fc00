from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Role(models.TextChoices):
    SCHOOL_STAFF = "school_staff", "School staff"
    BOARD_MEMBER = "board_member", "Board member"
    AREA_LEAD = "area_lead", "Area lead"
    DFE_STAFF = "dfe_staff", "DfE staff"
    ADMINISTRATOR = "administrator", "Administrator"


AREA_ROLES = frozenset({Role.BOARD_MEMBER, Role.AREA_LEAD})
READ_ONLY_ROLES = frozenset({Role.DFE_STAFF})


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
                    models.Q(role__in=list(AREA_ROLES), area__isnull=False)
                    | (~models.Q(role__in=list(AREA_ROLES)) & models.Q(area__isnull=True))
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
