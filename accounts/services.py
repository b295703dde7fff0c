"""Rules about users: keeping the local record in step with the identity provider."""

import logging
from datetime import timedelta

import jwt
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.utils import timezone

from todo_project.prepared import PreparedQuery, text_stand_in

from .models import User, email_normalized
from .roles import support_group_ensure

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length
NAME_MAX_LENGTH = User._meta.get_field("name").max_length


def user_sync_from_claims(*, user_id: str, email: object = None, name: object = None) -> User:
    """The user a token speaks for: created on first sight, its email and name kept current.

    ``last_seen`` moves at most once per ``USER_LAST_SEEN_INTERVAL``, so a busy client
    does not write on every request. Two first requests at once create one user.
    """
    email = _clean_email(email)
    name = _clean_name(name)
    now = timezone.now()
    user = _user_by_id(user_id)
    if user is None:
        return _user_create_first_seen(user_id=user_id, email=email, name=name, now=now)

    changes = {}
    if name is not None and name != user.name:
        changes["name"] = name
    interval = timedelta(seconds=settings.USER_LAST_SEEN_INTERVAL)
    if user.last_seen is None or now - user.last_seen >= interval:
        changes["last_seen"] = now
    if email is not None and email != user.email:
        changes["email"] = email
    if changes:
        _user_apply_changes(user=user, changes=changes)
    return user


_USER_COLUMNS = tuple(field.attname for field in User._meta.concrete_fields)
# Every request that is not about a row reads its user: compiled once (todo_project.prepared).
_USER = PreparedQuery(
    lambda *, variant, pk: User.objects.filter(pk=pk).order_by().values(*_USER_COLUMNS),
    pk=text_stand_in("user id"),
)


def _user_by_id(user_id: str) -> User | None:
    found = _USER.rows(pk=user_id)
    if not found:
        return None
    return User.from_db(DEFAULT_DB_ALIAS, _USER_COLUMNS, [found[0][column] for column in _USER_COLUMNS])


def _user_create_first_seen(*, user_id: str, email: str | None, name: str | None, now) -> User:
    defaults = {"email": email, "name": name or "", "last_seen": now, "password": make_password(None)}
    try:
        with transaction.atomic():
            user, _ = User.objects.get_or_create(pk=user_id, defaults=defaults)
        return user
    except IntegrityError:
        # get_or_create already handles a concurrent insert of the same id; what is left
        # is an email held by another local record (a staff account, or a Better Auth
        # user re-created under a new id). The user still gets in, without the email.
        logger.warning("Email of new user %s belongs to another user; not stored.", user_id)
        defaults["email"] = None
        user, _ = User.objects.get_or_create(pk=user_id, defaults=defaults)
        return user


def _user_apply_changes(*, user: User, changes: dict) -> None:
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(**changes)
    except IntegrityError:
        logger.warning("New email of user %s belongs to another user; kept the old one.", user.pk)
        changes.pop("email")
        if not changes:
            return
        User.objects.filter(pk=user.pk).update(**changes)
    for field, value in changes.items():
        setattr(user, field, value)


def _clean_email(value: object) -> str | None:
    """A valid address, lower-cased; anything else (not a string, malformed, NUL) is no email."""
    if not isinstance(value, str) or not value.strip() or len(value) > EMAIL_MAX_LENGTH:
        return None
    email = email_normalized(value)
    try:
        validate_email(email)  # also refuses NUL, which PostgreSQL cannot store
    except ValidationError:
        return None
    return email


def _clean_name(value: object) -> str | None:
    """The name without control characters (PostgreSQL cannot store NUL), trimmed to fit."""
    if not isinstance(value, str):
        return None
    printable = "".join(char for char in value if char.isprintable() or char.isspace())
    return printable.strip()[:NAME_MAX_LENGTH]


def dev_token_issue(*, user_id: str, email: str = "", name: str = "", minutes: int = 60) -> str:
    """An HS256 token signed with ``BETTER_AUTH_SECRET``, as a frontend bridge would sign it."""
    if not settings.BETTER_AUTH_SECRET:
        raise ValueError("BETTER_AUTH_SECRET is not set, so there is nothing to sign with.")
    now = timezone.now()
    claims = {"sub": user_id, "iat": now, "exp": now + timedelta(minutes=minutes)}
    if email:
        claims["email"] = email
    if name:
        claims["name"] = name
    if settings.BETTER_AUTH_ISSUER:
        claims["iss"] = settings.BETTER_AUTH_ISSUER
    if settings.BETTER_AUTH_AUDIENCE:
        claims["aud"] = settings.BETTER_AUTH_AUDIENCE
    return jwt.encode(claims, settings.BETTER_AUTH_SECRET, algorithm="HS256")


# --- Support staff and operators: the admin and the management commands ----------------------


def support_user_create(*, email: str, password: str) -> User:
    """A staff user in the Support group, who signs into the admin with ``email``.

    Raises ``ValidationError`` for a bad or taken email or a password the validators refuse.
    """
    email = support_email_clean(email=email)
    if not password:
        raise ValidationError("The password must not be empty.", code="password_empty")
    user = User(email=email, is_staff=True)
    password_validation.validate_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            user.groups.add(support_group_ensure())
    except IntegrityError:
        # Someone took the email between the check and the insert.
        raise ValidationError(f"A user with the email {email} already exists.", code="email_taken") from None
    return user


def support_email_clean(*, email: str) -> str:
    """The email, normalised, if it is valid and free for a new staff user; else ``ValidationError``."""
    email = email_normalized(email or "")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(f"{email!r} is not a valid email address.", code="invalid_email") from None
    if User.objects.filter(email=email).exists():
        raise ValidationError(f"A user with the email {email} already exists.", code="email_taken")
    return email
