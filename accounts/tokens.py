"""Verification of a Better Auth JWT: raw token in, a small typed ``Identity`` out.

The token header's ``alg`` picks the mode: HS256 is checked with the shared secret, a
public-key algorithm with Better Auth's JWKS (``jwks``); nothing else. PyJWT checks the
signature, ``exp`` (required), ``nbf``/``iat`` with the configured leeway and ``iss``/``aud``
when expected. The user is not looked up here: ``authentication`` turns the identity into one.

The errors are DRF exceptions that carry their own code, detail, status and headers, so
the exception handler answers them like any other error.
"""

import hashlib
import time
from dataclasses import dataclass

import jwt
from rest_framework import status
from rest_framework.exceptions import APIException, AuthenticationFailed

from .conf import SHARED_SECRET_ALGORITHM, AuthConfig, auth_config
from .jwks import JWKSUnavailable, SigningKeyNotFound, jwks_key_cache
from .models import user_id_is_usable

USER_ID_CLAIMS = ("sub", "id", "user_id")
TIME_CLAIMS = ("exp", "nbf", "iat")
MAX_KID_LENGTH = 256
# The challenge of every 401 (RFC 6750); ``authentication`` answers it for a missing token too.
BEARER_CHALLENGE = 'Bearer realm="api"'
# How long a verified token is taken at its word: a key withdrawn from the JWKS meanwhile
# still verifies it that long (the key set itself is cached longer, BETTER_AUTH_JWKS_CACHE_SECONDS).
VERIFIED_SECONDS = 60.0
# Tokens remembered per process, by their sha256 (the tokens themselves are not kept): about
# 0.4 KB each, so at most 2 MB.
MAX_VERIFIED = 5_000
_verified: dict[bytes, tuple["AuthConfig", "Identity", float]] = {}  # -> (config, identity, valid until)
_configs: list["AuthConfig"] = []  # the last configuration seen, shared by the entries


@dataclass(frozen=True)
class Identity:
    """Who a verified token speaks for: its user id, and its ``email``/``name`` claims as sent.

    ``email`` and ``name`` are the raw claim values (any JSON type, or ``None`` when absent);
    the user services clean them.
    """

    id: str
    email: object = None
    name: object = None


class TokenRejected(AuthenticationFailed):
    """A token was sent and refused: RFC 6750 says so with ``error="invalid_token"``."""

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": f'{BEARER_CHALLENGE}, error="invalid_token"'}


class TokenInvalid(TokenRejected):
    """The token is malformed, badly signed, or does not meet the configured checks."""

    default_detail = "The token is invalid."
    default_code = "token_invalid"


class TokenExpired(TokenRejected):
    """The token was valid once; its ``exp`` has passed."""

    default_detail = "The token has expired."
    default_code = "token_expired"


class IdentityProviderUnavailable(APIException):
    """Better Auth's keys cannot be fetched and none is cached: 503, ``Retry-After``."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The identity provider's keys cannot be fetched; try again shortly."
    default_code = "service_unavailable"

    def __init__(self, *, retry_after: int):
        super().__init__()
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def token_verify(*, raw_token: bytes | str) -> Identity:
    """The identity of ``raw_token`` once its signature and claims check out.

    Raises ``TokenInvalid``, ``TokenExpired`` or ``IdentityProviderUnavailable``. A token that
    checked out is remembered (``VERIFIED_SECONDS``, never past its ``exp`` plus the leeway)
    for the configuration it was checked under: a frontend sends one token with every request
    until it refreshes it, and checking it again cost each request about 50 µs. A refused
    token is checked again every time.
    """
    config = _shared(auth_config())
    key = hashlib.sha256(raw_token if isinstance(raw_token, bytes) else raw_token.encode()).digest()
    remembered = _verified.get(key)
    now = time.time()  # PyJWT's clock for exp
    if remembered is not None and remembered[0] == config and now < remembered[2]:
        return remembered[1]
    identity, expires = _verify(raw_token, config)
    if len(_verified) >= MAX_VERIFIED:
        _forget_expired(now)
    _verified[key] = (config, identity, min(now + VERIFIED_SECONDS, expires + config.leeway))
    return identity


def _shared(config: "AuthConfig") -> "AuthConfig":
    """One object per configuration for every entry (``auth_config()`` builds a new one each call)."""
    if not _configs or _configs[0] != config:
        _configs[:] = [config]
    return _configs[0]


def _forget_expired(now: float) -> None:
    """Drops the entries past their time; when that frees too little, all of them."""
    for key in [key for key, entry in list(_verified.items()) if entry[2] <= now]:
        _verified.pop(key, None)
    if len(_verified) >= MAX_VERIFIED * 0.9:
        _verified.clear()


def token_verified_forget() -> None:
    """Forgets every remembered token: the next request with each is checked in full."""
    _verified.clear()


def _verify(raw_token: bytes | str, config: AuthConfig) -> tuple[Identity, float]:
    """The identity and the ``exp`` of ``raw_token``, checked in full."""
    header = _unverified_header(raw_token)
    algorithm = _algorithm(header, config)
    claims = _decode(
        raw_token,
        key=_verification_key(header, algorithm, config),
        algorithm=algorithm,
        issuer=config.expected_issuer(algorithm),
        audience=config.expected_audience(algorithm),
        leeway=config.leeway,
    )
    identity = Identity(id=_user_id(claims), email=claims.get("email"), name=claims.get("name"))
    return identity, claims["exp"]


def token_key_id(*, raw_token: bytes | str) -> str:
    """The ``kid`` the token's header names, fit for a log line ("-" when there is none).

    Read without trusting anything: only printable characters, cut to 64, never the token.
    """
    try:
        kid = jwt.get_unverified_header(raw_token).get("kid")
    except (jwt.PyJWTError, AttributeError):
        return "-"
    if not isinstance(kid, str) or not kid:
        return "-"
    return "".join(char if char.isprintable() else "?" for char in kid[:64])


def _unverified_header(raw_token: bytes | str) -> dict:
    """The token's JOSE header, read before anything is trusted."""
    try:
        return jwt.get_unverified_header(raw_token)
    except jwt.PyJWTError:
        raise TokenInvalid("The token is not a well-formed JWT.") from None


def _algorithm(header: dict, config: AuthConfig) -> str:
    """The header's ``alg``, if a configured mode accepts it."""
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or not config.accepts(algorithm):
        raise TokenInvalid(f"Tokens signed with {str(algorithm)[:20]!r} are not accepted.")
    return algorithm


def _verification_key(header: dict, algorithm: str, config: AuthConfig) -> object:
    """The shared secret for HS256, else the JWKS key named by the header's ``kid``."""
    if algorithm == SHARED_SECRET_ALGORITHM:
        return config.shared_secret
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
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


def _decode(
    raw_token: bytes | str, *, key: object, algorithm: str, issuer: str, audience: str, leeway: float
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
    for claim in TIME_CLAIMS:
        # JSON numbers (RFC 7519), not strings PyJWT would convert.
        value = claims.get(claim)
        if claim in claims and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise TokenInvalid(f"The token's {claim!r} claim is not a number.")
    return claims


def _user_id(claims: dict) -> str:
    """The Better Auth user id: ``sub``, else ``id``, else ``user_id``."""
    for claim in USER_ID_CLAIMS:
        value = claims.get(claim)
        if isinstance(value, str) and value.strip():
            if not user_id_is_usable(value):
                raise TokenInvalid("The token's user id is not usable.")
            return value
    raise TokenInvalid("The token names no user (sub, id or user_id).")
