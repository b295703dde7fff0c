"""Authentication of Better Auth JWTs, built on simplejwt's ``JWTAuthentication`` steps.

``authenticate`` -> ``get_header`` come from simplejwt unchanged (``None`` when there is no
Authorization header); ``get_raw_token`` returns ``None`` when the header is not a Bearer
token; the steps below verify a Better Auth token instead of one simplejwt issued, and
find or create its user. The token header's ``alg`` picks the mode: HS256 is checked
with the shared secret, a public-key algorithm with Better Auth's JWKS; nothing else.
"""

import jwt
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from .conf import SHARED_SECRET_ALGORITHM, AuthConfig, auth_config
from .jwks import JWKSUnavailable, SigningKeyNotFound, jwks_key_cache
from .models import User, user_id_is_usable
from .services import user_sync_from_claims

USER_ID_CLAIMS = ("sub", "id", "user_id")
TIME_CLAIMS = ("exp", "nbf", "iat")
BEARER = b"bearer"


class TokenInvalid(AuthenticationFailed):
    """The token is malformed, badly signed, or does not meet the configured checks."""

    default_detail = "The token is invalid."
    default_code = "token_invalid"


class TokenExpired(AuthenticationFailed):
    """The token was valid once; its ``exp`` has passed."""

    default_detail = "The token has expired."
    default_code = "token_expired"


class UserInactive(AuthenticationFailed):
    """The token is good; its user has been deactivated here."""

    default_detail = "This user has been deactivated."
    default_code = "user_inactive"


class IdentityProviderUnavailable(APIException):
    """Better Auth's keys cannot be fetched and none is cached: 503, ``Retry-After``."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The identity provider's keys cannot be fetched; try again shortly."
    default_code = "service_unavailable"

    def __init__(self, *, retry_after: int):
        super().__init__()
        self.wait = retry_after  # DRF's exception handler turns ``wait`` into Retry-After.


class BetterAuthJWTAuthentication(JWTAuthentication):
    """Verifies a Better Auth JWT and returns ``(user, claims)``."""

    def get_raw_token(self, header: bytes) -> bytes | None:
        """The token of a ``Bearer <token>`` header; ``None`` for another scheme."""
        parts = header.split()
        if not parts or parts[0].lower() != BEARER:
            return None  # Basic, Token, ...: not ours; another authenticator may take it
        if len(parts) != 2:
            raise TokenInvalid("The Authorization header must be 'Bearer <token>'.")
        return parts[1]

    def get_validated_token(self, raw_token: bytes) -> dict:
        """The token's claims, once its signature and registered claims check out."""
        config = auth_config()
        header = self.get_unverified_header(raw_token)
        algorithm = self.get_algorithm(header, config)
        key = self.get_verification_key(header, algorithm, config)
        return self.decode_claims(
            raw_token,
            key=key,
            algorithm=algorithm,
            issuer=config.expected_issuer(algorithm),
            audience=config.expected_audience(algorithm),
            leeway=config.leeway,
        )

    def get_unverified_header(self, raw_token: bytes) -> dict:
        """The token's JOSE header, read before anything is trusted."""
        try:
            return jwt.get_unverified_header(raw_token)
        except jwt.PyJWTError:
            raise TokenInvalid("The token is not a well-formed JWT.") from None

    def get_algorithm(self, header: dict, config: AuthConfig) -> str:
        """The header's ``alg``, if a configured mode accepts it."""
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or not config.accepts(algorithm):
            raise TokenInvalid(f"Tokens signed with {str(algorithm)[:20]!r} are not accepted.")
        return algorithm

    def get_verification_key(self, header: dict, algorithm: str, config: AuthConfig) -> object:
        """The shared secret for HS256, else the JWKS key named by the header's ``kid``."""
        if algorithm == SHARED_SECRET_ALGORITHM:
            return config.shared_secret
        return self.get_jwks_key(header, algorithm, config)

    def get_jwks_key(self, header: dict, algorithm: str, config: AuthConfig) -> object:
        """The public key whose ``kid`` the header names, if it may verify ``algorithm``."""
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > 256:
            raise TokenInvalid("The token's header names no key (kid).")
        try:
            signing_key = jwks_key_cache(config).get_signing_key(kid)
        except JWKSUnavailable as exc:
            raise IdentityProviderUnavailable(retry_after=exc.retry_after) from None
        except SigningKeyNotFound:
            raise TokenInvalid("The token was signed with an unknown key.") from None
        if not signing_key.fits(algorithm):
            raise TokenInvalid(f"The token's key does not sign with {algorithm}.")
        return signing_key.key

    def decode_claims(
        self, raw_token: bytes, *, key: object, algorithm: str, issuer: str, audience: str, leeway: float
    ) -> dict:
        """Checks signature, ``exp`` (required), ``nbf``/``iat``, and ``iss``/``aud`` when expected."""
        try:
            claims = jwt.decode(
                raw_token,
                key=key,
                algorithms=[algorithm],
                issuer=issuer or None,
                audience=audience or None,
                leeway=leeway,
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
        self.check_time_claims(claims)
        return claims

    def check_time_claims(self, claims: dict) -> None:
        """``exp``, ``nbf`` and ``iat`` are JSON numbers (RFC 7519), not strings PyJWT would convert."""
        for claim in TIME_CLAIMS:
            value = claims.get(claim)
            if claim in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise TokenInvalid(f"The token's {claim!r} claim is not a number.")

    def get_user_id(self, claims: dict) -> str:
        """The Better Auth user id: ``sub``, else ``id``, else ``user_id``."""
        for claim in USER_ID_CLAIMS:
            value = claims.get(claim)
            if isinstance(value, str) and value.strip():
                if not user_id_is_usable(value):
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
            raise UserInactive()
        return user
