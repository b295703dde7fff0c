"""Authentication of Better Auth JWTs, built on simplejwt's ``JWTAuthentication`` steps.

``authenticate`` -> ``get_header`` -> ``get_raw_token`` come from simplejwt unchanged
(``None`` when the header is not a Bearer token); the steps below verify a Better Auth
token instead of one simplejwt issued, and find or create its user.
"""

import jwt
from django.conf import settings
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from .models import USER_ID_MAX_LENGTH, User
from .services import user_sync_from_claims

SHARED_SECRET_ALGORITHM = "HS256"  # noqa: S105 (an algorithm name, not a secret)
USER_ID_CLAIMS = ("sub", "id", "user_id")


class TokenInvalid(AuthenticationFailed):
    """The token is malformed, badly signed, or does not meet the configured checks."""

    default_detail = "The token is invalid."
    default_code = "token_invalid"


class TokenExpired(AuthenticationFailed):
    """The token was valid once; its ``exp`` has passed."""

    default_detail = "The token has expired."
    default_code = "token_expired"


class BetterAuthJWTAuthentication(JWTAuthentication):
    """Verifies a Better Auth JWT and returns ``(user, claims)``."""

    def get_validated_token(self, raw_token: bytes) -> dict:
        """The token's claims, once its signature and registered claims check out."""
        header = self.get_unverified_header(raw_token)
        key, algorithms = self.get_verification_key(header)
        return self.decode_claims(raw_token, key=key, algorithms=algorithms)

    def get_unverified_header(self, raw_token: bytes) -> dict:
        """The token's JOSE header, read before anything is trusted."""
        try:
            return jwt.get_unverified_header(raw_token)
        except jwt.PyJWTError:
            raise TokenInvalid("The token is not a well-formed JWT.") from None

    def get_verification_key(self, header: dict) -> tuple[object, list[str]]:
        """The key and the one algorithm the header's ``alg`` is allowed to use."""
        alg = header.get("alg")
        if alg == SHARED_SECRET_ALGORITHM and settings.BETTER_AUTH_SECRET:
            return settings.BETTER_AUTH_SECRET, [SHARED_SECRET_ALGORITHM]
        raise TokenInvalid(f"Tokens signed with {alg!r} are not accepted.")

    def decode_claims(self, raw_token: bytes, *, key: object, algorithms: list[str]) -> dict:
        """Checks signature, ``exp`` (required), ``nbf``/``iat``, and ``iss``/``aud`` when set."""
        issuer, audience = self.get_expected_issuer(), self.get_expected_audience()
        try:
            return jwt.decode(
                raw_token,
                key=key,
                algorithms=algorithms,
                issuer=issuer or None,
                audience=audience or None,
                leeway=settings.JWT_LEEWAY,
                options={"require": ["exp"], "verify_aud": bool(audience)},
            )
        except jwt.ExpiredSignatureError:
            raise TokenExpired() from None
        except jwt.ImmatureSignatureError:
            raise TokenInvalid("The token is not valid yet.") from None
        except jwt.InvalidIssuerError:
            raise TokenInvalid("The token was issued by someone else.") from None
        except jwt.InvalidAudienceError:
            raise TokenInvalid("The token is meant for another audience.") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenInvalid(f"The token has no {exc.claim!r} claim.") from None
        except jwt.InvalidSignatureError:
            raise TokenInvalid("The token's signature does not match.") from None
        except jwt.PyJWTError:
            raise TokenInvalid() from None

    def get_expected_issuer(self) -> str:
        """The ``iss`` a token must carry, or "" for no check."""
        return settings.BETTER_AUTH_ISSUER

    def get_expected_audience(self) -> str:
        """The ``aud`` a token must carry, or "" for no check."""
        return settings.BETTER_AUTH_AUDIENCE

    def get_user_id(self, claims: dict) -> str:
        """The Better Auth user id: ``sub``, else ``id``, else ``user_id``."""
        for claim in USER_ID_CLAIMS:
            value = claims.get(claim)
            if isinstance(value, str) and value.strip():
                if len(value) > USER_ID_MAX_LENGTH or "/" in value:
                    raise TokenInvalid("The token's user id is not usable.")
                return value
        raise TokenInvalid("The token names no user (sub, id or user_id).")

    def get_user(self, validated_token: dict) -> User:
        """The local user, created or brought up to date from the claims."""
        user = user_sync_from_claims(
            user_id=self.get_user_id(validated_token),
            email=validated_token.get("email"),
            name=validated_token.get("name"),
        )
        if not user.is_active:
            raise AuthenticationFailed("This user has been deactivated.", code="user_inactive")
        return user
