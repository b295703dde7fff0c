"""Rules about users: keeping the local record in step with the identity provider."""

import logging
from datetime import timedelta

import jwt
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import User

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 255


def user_sync_from_claims(*, user_id: str, email: object = None, name: object = None) -> User:
    """The user a token speaks for: created on first sight, its email and name kept current.

    ``last_seen`` moves at most once per ``USER_LAST_SEEN_INTERVAL``, so a busy client
    does not write on every request. Two first requests at once create one user.
    """
    email = _clean_email(email)
    name = _clean_name(name)
    now = timezone.now()
    user = User.objects.filter(pk=user_id).first()
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
    if not isinstance(value, str) or not value.strip() or len(value) > EMAIL_MAX_LENGTH:
        return None
    return value.strip().lower()


def _clean_name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:NAME_MAX_LENGTH]


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
