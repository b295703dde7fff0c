"""The local record of a Better Auth user (and of support staff)."""

import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

USER_ID_MAX_LENGTH = 255


def user_id_is_usable(value: str) -> bool:
    """Whether ``value`` may be a user's id: what a token may name and a dev token may carry.

    Not blank, at most ``USER_ID_MAX_LENGTH`` characters, no "/", and printable only (no NUL,
    which PostgreSQL cannot store, nor any other control character).
    """
    return (
        bool(value.strip()) and len(value) <= USER_ID_MAX_LENGTH and "/" not in value and value.isprintable()
    )


def new_local_user_id() -> str:
    """An id for a user made here (support staff), unlike any Better Auth id."""
    return f"local_{secrets.token_urlsafe(18)}"


def email_normalized(value: str) -> str:
    """An email as it is stored and looked up: stripped and lower-cased.

    Lookups compare it exactly. ``iexact`` would compare under the database's case rules,
    and PostgreSQL's UPPER() turns the long s (U+017F) into "S": a Better Auth user could then
    sign up as "\u017fupport@…" and make a staff member's "support@…" match two accounts.
    """
    return value.strip().lower()


class UserManager(BaseUserManager):
    """Creates staff with a password; Better Auth users come from tokens (``services``)."""

    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Staff sign into the admin with their email, in any letter case.
        return self.get(email=email_normalized(username))

    def create_user(self, email=None, password=None, **fields):
        user = self.model(email=email or None, **fields)  # save() normalises it
        user.set_password(password)  # None makes the password unusable.
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: the primary key is the Better Auth user id (a string).

    Better Auth users are created on first sight from their token's claims and have no
    usable password; support staff are created here and sign into the admin by email.
    """

    id = models.CharField(
        primary_key=True, max_length=USER_ID_MAX_LENGTH, default=new_local_user_id, editable=False
    )
    # NULL, not "", when a token carries no email: NULLs never collide in a unique index.
    email = models.EmailField(unique=True, null=True, blank=True)
    name = models.CharField(max_length=255, blank=True, default="")
    is_staff = models.BooleanField(
        default=False, help_text="Designates whether the user can log into the admin site."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(
        null=True, blank=True, help_text="Last authenticated API request (to the minute)."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["-date_joined"]

    def __str__(self) -> str:
        return self.email or self.id

    def save(self, *args, **kwargs):
        # Emails compare case-insensitively everywhere; store them one way.
        self.email = email_normalized(self.email) if self.email else None
        super().save(*args, **kwargs)
