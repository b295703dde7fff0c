"""DRF authentication with a Better Auth JWT, in the shape of DRF's ``TokenAuthentication``.

The request's header and its scheme are simplejwt's settings (``AUTH_HEADER_NAME``,
``AUTH_HEADER_TYPES``); ``tokens.token_verify`` checks the token; the user services turn
the identity into the local user.

A view may take the account check into its own query (``user_checked_by_query``): for a
user this process synced from the same claims (``seen``), authentication then costs no
query, and the view calls ``user_check_complete`` when its query finds nothing, which
tells a deactivated user (401) from an empty answer.
"""

import logging

from rest_framework import HTTP_HEADER_ENCODING
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException, AuthenticationFailed, Throttled
from rest_framework_simplejwt.settings import api_settings

from .models import User
from .seen import user_seen_forget, user_seen_recently, user_seen_remember
from .services import user_sync_from_claims
from .tokens import (
    BEARER_CHALLENGE,
    Identity,
    IdentityProviderUnavailable,
    TokenInvalid,
    token_key_id,
    token_verify,
)

# Every refused token, with its code and key id: never the token, its claims or the secret.
logger = logging.getLogger("accounts.auth")


class UserInactive(AuthenticationFailed):
    """The token is good; its user has been deactivated here."""

    default_detail = "This user has been deactivated."
    default_code = "user_inactive"


def _header_types() -> set[bytes]:
    # The scheme is case-insensitive (RFC 7235); simplejwt's own check is not.
    return {name.lower().encode(HTTP_HEADER_ENCODING) for name in api_settings.AUTH_HEADER_TYPES}


class BetterAuthJWTAuthentication(BaseAuthentication):
    """``Authorization: Bearer <Better Auth JWT>`` → ``(user, Identity)``.

    No header, or another scheme (Basic, Token, ...), is not ours: ``None`` lets another
    authenticator try, and the permission check answers 401 ``not_authenticated``.
    """

    def authenticate(self, request) -> tuple[User, Identity] | None:
        header = request.META.get(api_settings.AUTH_HEADER_NAME)
        if header is None:
            return None
        if isinstance(header, str):
            header = header.encode(HTTP_HEADER_ENCODING)
        parts = header.split()
        if not parts or parts[0].lower() not in _header_types():
            return None
        if len(parts) != 2:
            _log_refusal(code=TokenInvalid.default_code, kid="-")
            raise TokenInvalid("The Authorization header must be 'Bearer <token>'.")
        try:
            identity = token_verify(raw_token=parts[1])
        except (AuthenticationFailed, IdentityProviderUnavailable) as exc:
            _log_refusal(code=exc.get_codes(), kid=token_key_id(raw_token=parts[1]))
            raise
        if _view_checks_user(request) and user_seen_recently(
            user_id=identity.id, email=identity.email, name=identity.name
        ):
            return _user_unchecked(identity), identity
        return _user_checked(identity, raw_token=parts[1]), identity

    def authenticate_header(self, request) -> str:
        """The challenge of a 401; without one DRF would answer 403."""
        return BEARER_CHALLENGE


def _log_refusal(*, code: object, kid: str) -> None:
    logger.warning("Authentication refused: %s (kid %s)", code, kid, extra={"code": code, "kid": kid})


def user_check_deferred(user: object) -> bool:
    """Whether ``user`` came without its account check (the view's query must make it)."""
    return getattr(user, "check_deferred", False)


def user_check_complete(request) -> None:
    """The account check a view's query stood in for, once that query found nothing.

    Syncs the user from the token's claims (creating a user seen for the first time) and
    raises ``UserInactive`` for a deactivated one; a user checked already costs nothing.
    """
    if not user_check_deferred(request.user):
        return
    raw_token = request.META[api_settings.AUTH_HEADER_NAME].split()[1]
    request.user = _user_checked(request.auth, raw_token=raw_token)


def user_check_before_refusal(request, exc: Exception) -> Exception:
    """``exc``, or the 401 of a deactivated account whose check the view deferred.

    A request that skipped its user query is refused for its account before any other
    refusal (a bad body, a missing task, another user's path), as one that made it; a view
    calls this from ``handle_exception``, after the request's transaction was rolled back,
    so the account's sync is kept. Not for a 429: a flood of throttled requests stays cheap.
    """
    if not isinstance(exc, APIException) or isinstance(exc, AuthenticationFailed | Throttled):
        return exc
    try:
        user_check_complete(request)
    except AuthenticationFailed as refused:
        return refused
    return exc


def _view_checks_user(request) -> bool:
    view = (getattr(request, "parser_context", None) or {}).get("view")
    checks = getattr(view, "user_checked_by_query", None)
    return bool(checks and checks())


def _user_unchecked(identity: Identity) -> User:
    """The user as a stand-in, built without a query; only its id is known for sure."""
    user = User(id=identity.id)
    user._state.adding = False
    user._state.db = "default"
    user.check_deferred = True
    return user


def _user_checked(identity: Identity, *, raw_token: bytes | str) -> User:
    user = user_sync_from_claims(user_id=identity.id, email=identity.email, name=identity.name)
    if not user.is_active:
        user_seen_forget(user_id=user.pk)
        _log_refusal(code=UserInactive.default_code, kid=token_key_id(raw_token=raw_token))
        raise UserInactive()
    user_seen_remember(user_id=user.pk, email=identity.email, name=identity.name)
    return user
