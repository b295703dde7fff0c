"""The effective authentication configuration, derived from settings in one place.

Read at call time (never cached at import), so ``override_settings`` in tests and a
changed setting in a shell are both seen at once.
"""

from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

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


def url_problem(url: str, *, name: str, origin_only: bool = False) -> str:
    """Why ``url`` cannot be used (for ``auth_check``), or "" when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{name} must be an http(s) URL, not {redact_url(url)!r}."
    if origin_only and (parts.path not in ("", "/") or parts.query or parts.fragment):
        return (
            f"{name} must be the app's origin (e.g. https://app.example.com) without a path; "
            f"set BETTER_AUTH_JWKS_URL to point elsewhere."
        )
    return ""


# --- Diagnosis (``manage.py auth_check``; the admin or an API could show the same) --------

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass
class CheckReport:
    """What the configuration does, line by line; ``ok`` is False when it cannot work."""

    lines: list[tuple[str, str]]  # (level: "info" | "warning" | "error", text)
    key_ids: list[str]

    @property
    def ok(self) -> bool:
        return not any(level == "error" for level, _ in self.lines)

    def add(self, level: str, text: str) -> None:
        self.lines.append((level, text))


def auth_check(*, fetch: bool = True) -> CheckReport:
    """Describes the active modes (never the secret) and, with ``fetch``, the JWKS's keys."""
    config = auth_config()
    report = CheckReport(lines=[], key_ids=[])
    info, warning, error = (partial(report.add, level) for level in ("info", "warning", "error"))
    if config.shared_secret_enabled:
        size = len(config.shared_secret.encode())
        info(f"Shared-secret mode (HS256): on; BETTER_AUTH_SECRET is set ({size} bytes).")
        minimum = settings.BETTER_AUTH_SECRET_MIN_BYTES
        if size < minimum:
            warning(f"BETTER_AUTH_SECRET is shorter than {minimum} bytes (production refuses it).")
    else:
        info("Shared-secret mode (HS256): off (BETTER_AUTH_SECRET is empty).")
    info(
        "HS256 tokens: iss "
        + (f"must be {config.issuer!r}" if config.issuer else "not checked")
        + ", aud "
        + (f"must be {config.audience!r}" if config.audience else "not checked")
        + "."
    )
    if not config.jwks_enabled:
        info("JWKS mode: off (BETTER_AUTH_URL is empty).")
        if settings.BETTER_AUTH_JWKS_URL.strip():
            error("BETTER_AUTH_JWKS_URL is set but BETTER_AUTH_URL is not: JWKS mode is off.")
        if not config.shared_secret_enabled:
            error("No mode is on: set BETTER_AUTH_SECRET and/or BETTER_AUTH_URL; every token is refused.")
        return report

    info(f"JWKS mode: on; BETTER_AUTH_URL {redact_url(config.origin)!r}.")
    problem = url_problem(config.origin, name="BETTER_AUTH_URL", origin_only=True)
    if problem:
        error(problem)
    info(
        f"JWKS URL: {redact_url(config.jwks_url)}"
        + ("" if settings.BETTER_AUTH_JWKS_URL.strip() else " (from the origin).")
    )
    problem = url_problem(config.jwks_url, name="The JWKS URL")
    if problem:
        error(problem)
    elif (
        urlsplit(config.jwks_url).scheme == "http"
        and urlsplit(config.jwks_url).hostname not in LOOPBACK_HOSTS
    ):
        warning("The JWKS URL is plain http: whoever is on the path could hand out keys. Use https.")
    # The origin stands in for an issuer or audience not set: shown like any other URL.
    issuer, audience = (
        redact_url(value) if value == config.origin else value
        for value in (config.jwks_issuer, config.jwks_audience)
    )
    info(f"JWKS tokens: iss must be {issuer!r}, aud must be {audience!r}.")
    info(f"Algorithms: {', '.join(config.jwks_algorithms) or '(none)'}.")
    if config.ignored_jwks_algorithms:
        warning(
            f"Ignored in BETTER_AUTH_JWKS_ALGORITHMS (not public-key algorithms): "
            f"{', '.join(config.ignored_jwks_algorithms)}."
        )
    if not config.jwks_algorithms:
        error("BETTER_AUTH_JWKS_ALGORITHMS allows no public-key algorithm: every JWKS token is refused.")
    info(
        f"Cache {config.jwks_cache_seconds} s, refetch cooldown {config.jwks_refetch_cooldown} s, "
        f"timeout {config.jwks_timeout} s."
    )
    if config.jwks_timeout <= 0:
        error("BETTER_AUTH_JWKS_TIMEOUT must be more than 0 seconds.")
    if config.jwks_refetch_cooldown <= 0:
        warning("BETTER_AUTH_JWKS_REFETCH_COOLDOWN is 0: tokens with random kids each cause a fetch.")
    if not fetch or not report.ok:
        return report

    from .jwks import JWKSError, fetch_signing_keys  # here: jwks imports this module

    try:
        keys = fetch_signing_keys(config.jwks_url, timeout=config.jwks_timeout)
    except JWKSError as exc:
        error(f"The JWKS cannot be fetched from {redact_url(config.jwks_url)}: {exc}")
        return report
    report.key_ids = sorted(keys)
    for kid in report.key_ids:
        key = keys[kid]
        usable = [alg for alg in config.jwks_algorithms if key.fits(alg)]
        info(
            f"Key {kid!r}: {key.kty}, alg {key.alg or '(not declared)'}; "
            f"verifies {', '.join(usable) or 'nothing allowed'}."
        )
    if not any(key.fits(alg) for key in keys.values() for alg in config.jwks_algorithms):
        error("No published key can verify an allowed algorithm: every JWKS token would be refused.")
    return report
