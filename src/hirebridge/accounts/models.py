import hashlib
import secrets
import uuid
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from hirebridge.accounts.roles import Role


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields["role"] = Role.SUPER_ADMIN
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """A person who logs in. Their role alone decides what they may see and do.

    There are no per-user Django permissions: accounts.policy answers every question,
    and Django's admin asks it too (only Super Admins get in).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.INTERVIEWER)
    job_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    deactivated_at = models.DateTimeField(
        null=True, blank=True, help_text="Set to deactivate: a deactivated user cannot log in."
    )
    # Part of what every session of this user is signed with: raising it ends them all.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.deactivated_at is None

    # Django's admin and auth framework ask these; the answer comes from the role.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.role == Role.SUPER_ADMIN

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, which ends sessions when the password changes, with
        the session generation added, which ends them when two-factor sign-in changes. At
        generation 0 it is Django's own, so sessions from before the field existed survive."""
        if not self.session_generation:
            # Django's own method, missing from django-stubs.
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "hirebridge.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def end_sessions(self) -> None:
        """End every session of this user (the caller keeps its own with
        update_session_auth_hash)."""
        User.objects.filter(pk=self.pk).update(session_generation=F("session_generation") + 1)
        self.refresh_from_db(fields=["session_generation"])


API_KEY_PREFIX = "hb_"

# A key's last use is shown to the minute; recording it more often would turn every API read
# into a write as well.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_api_key(plaintext: str) -> str:
    # Keys are 256-bit random strings, so a fast hash cannot be brute-forced; a slow password
    # hash would only slow every API request down.
    return hashlib.sha256(plaintext.encode()).hexdigest()


class ApiKeyManager(models.Manager["ApiKey"]):
    def issue(self, user: User, name: str) -> tuple["ApiKey", str]:
        """Create a key and return it with its plaintext, which is never stored or shown again."""
        plaintext = API_KEY_PREFIX + secrets.token_urlsafe(32)
        key = self.create(
            user=user, name=name, prefix=plaintext[:10], key_hash=hash_api_key(plaintext)
        )
        return key, plaintext

    def authenticate(self, plaintext: str) -> User | None:
        """The active owner of an active key, or None; records when the key was last used, at
        most once a LAST_USED_PRECISION."""
        key = (
            self.select_related("user")
            .filter(key_hash=hash_api_key(plaintext), revoked_at__isnull=True)
            .filter(user__deactivated_at__isnull=True)
            .first()
        )
        if key is None:
            return None
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
            self.filter(pk=key.pk).update(last_used_at=now)
        return key.user


class ApiKey(models.Model):
    """A personal API key: it acts with its owner's role, so it can never do more than they can."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=10, help_text="The first characters, to recognise a key")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


class SignInPolicy(models.Model):
    """How everyone signs in: one row, changed by those who manage users.

    Two-factor sign-in, when required, is required of every role: a Team Member's session reads
    as much candidate data as an Admin's, so a rule for admins alone would leave most of that
    data behind one factor.
    """

    SINGLE_ROW = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLE_ROW, editable=False)
    two_factor_required = models.BooleanField(
        default=False,
        help_text="Everyone signs in with a code from an authenticator app after the password.",
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="%(app_label)s_%(class)s_single_row")
        ]

    def __str__(self) -> str:
        return "Two-factor sign-in required" if self.two_factor_required else "Password sign-in"

    @classmethod
    def current(cls) -> "SignInPolicy":
        """The policy in force; before anyone changed it, the default (nothing required)."""
        return cls.objects.filter(pk=cls.SINGLE_ROW).first() or cls()
