"""DRF authentication with a Better Auth JWT, in the shape of DRF's ``TokenAuthentication``.

The request's header and its scheme are simplejwt's settings (``AUTH_HEADER_NAME``,
``AUTH_HEADER_TYPES``); ``tokens.token_verify`` checks the token; the user services turn
the identity into the local user.
"""

import logging

from rest_framework import HTTP_HEADER_ENCODING
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.settings import api_settings

from .models import User
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
        user = user_sync_from_claims(user_id=identity.id, email=identity.email, name=identity.name)
        if not user.is_active:
            _log_refusal(code=UserInactive.default_code, kid=token_key_id(raw_token=parts[1]))
            raise UserInactive()
        return user, identity

    def authenticate_header(self, request) -> str:
        """The challenge of a 401; without one DRF would answer 403."""
        return BEARER_CHALLENGE


def _log_refusal(*, code: object, kid: str) -> None:
    logger.warning("Authentication refused: %s (kid %s)", code, kid, extra={"code": code, "kid": kid})
