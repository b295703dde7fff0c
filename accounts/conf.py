"""The effective authentication configuration, derived from settings in one place.

Read at call time (never cached at import), so ``override_settings`` in tests and a
changed setting in a shell are both seen at once.
"""

from dataclasses import dataclass

from django.conf import settings

SHARED_SECRET_ALGORITHM = "HS256"  # noqa: S105 (an algorithm name, not a secret)
JWKS_PATH = "/api/auth/jwks"
# What a public key may verify, by the algorithm family's key type (JWK ``kty``).
ASYMMETRIC_ALGORITHMS = {
    "EdDSA": "OKP",
    "ES256": "EC",
    "ES384": "EC",
    "ES512": "EC",
    "RS256": "RSA",
    "RS384": "RSA",
    "RS512": "RSA",
    "PS256": "RSA",
    "PS384": "RSA",
    "PS512": "RSA",
}


@dataclass(frozen=True)
class AuthConfig:
    """Which verification modes are on, and what each one checks."""

    shared_secret: str
    origin: str
    jwks_url: str
    issuer: str  # explicit BETTER_AUTH_ISSUER: checked in both modes
    audience: str  # explicit BETTER_AUTH_AUDIENCE: checked in both modes
    jwks_algorithms: tuple[str, ...]
    ignored_jwks_algorithms: tuple[str, ...]
    jwks_cache_seconds: float
    jwks_refetch_cooldown: float
    jwks_timeout: float
    leeway: float

    @property
    def shared_secret_enabled(self) -> bool:
        return bool(self.shared_secret)

    @property
    def jwks_enabled(self) -> bool:
        return bool(self.origin)

    @property
    def jwks_issuer(self) -> str:
        """The ``iss`` a JWKS-verified token must carry: the explicit one, else the origin."""
        return self.issuer or self.origin

    @property
    def jwks_audience(self) -> str:
        """The ``aud`` a JWKS-verified token must carry: the explicit one, else the origin."""
        return self.audience or self.origin

    def expected_issuer(self, algorithm: str) -> str:
        """The ``iss`` a token signed with ``algorithm`` must carry, or "" for no check."""
        return self.issuer if algorithm == SHARED_SECRET_ALGORITHM else self.jwks_issuer

    def expected_audience(self, algorithm: str) -> str:
        """The ``aud`` a token signed with ``algorithm`` must carry, or "" for no check."""
        return self.audience if algorithm == SHARED_SECRET_ALGORITHM else self.jwks_audience

    def accepts(self, algorithm: object) -> bool:
        """Whether a token whose header says ``algorithm`` may be verified at all."""
        if algorithm == SHARED_SECRET_ALGORITHM:
            return self.shared_secret_enabled
        return self.jwks_enabled and algorithm in self.jwks_algorithms


def auth_config() -> AuthConfig:
    """The configuration as the settings say it now."""
    # The settings module already read and stripped the environment; what is derived is here.
    origin = settings.BETTER_AUTH_URL.rstrip("/")
    jwks_url = settings.BETTER_AUTH_JWKS_URL or (f"{origin}{JWKS_PATH}" if origin else "")
    configured = settings.BETTER_AUTH_JWKS_ALGORITHMS
    return AuthConfig(
        shared_secret=settings.BETTER_AUTH_SECRET,
        origin=origin,
        jwks_url=jwks_url,
        issuer=settings.BETTER_AUTH_ISSUER,
        audience=settings.BETTER_AUTH_AUDIENCE,
        # Only public-key algorithms: an HS256 token never reaches a public key.
        jwks_algorithms=tuple(alg for alg in configured if alg in ASYMMETRIC_ALGORITHMS),
        ignored_jwks_algorithms=tuple(alg for alg in configured if alg not in ASYMMETRIC_ALGORITHMS),
        jwks_cache_seconds=settings.BETTER_AUTH_JWKS_CACHE_SECONDS,
        jwks_refetch_cooldown=settings.BETTER_AUTH_JWKS_REFETCH_COOLDOWN,
        jwks_timeout=settings.BETTER_AUTH_JWKS_TIMEOUT,
        leeway=settings.JWT_LEEWAY,
    )


def redact_url(url: str) -> str:
    """``url`` as it may be logged or printed: credentials, query and fragment replaced by ``***``.

    ``https://user:pw@host/jwks?token=t`` becomes ``https://***@host/jwks?***``. Deliberately
    cruder than a URL parser: everything up to the *last* ``@`` is hidden, so a password with a
    raw ``/``, ``?`` or ``#`` in it (which would fool ``urlsplit``) is hidden too.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        scheme, rest = "", url
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    cut = min((index for index in (rest.find("?"), rest.find("#")) if index >= 0), default=-1)
    if cut >= 0:
        rest = f"{rest[:cut]}{rest[cut]}***"
    return f"{scheme}{separator}{rest}"
