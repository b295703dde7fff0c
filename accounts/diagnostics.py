"""What the authentication configuration does, and whether it can work.

``manage.py auth_check`` prints the report; the ``accounts.E…``/``accounts.W…`` system
checks (``checks``) report its errors and warnings without fetching anything. Never the
secret, and URLs only as ``redact_url`` shows them.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

from .conf import AuthConfig, auth_config, redact_url
from .jwks import JWKSError, fetch_signing_keys

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Finding:
    """One line of the report; warnings and errors have an id (``E001``, ``W001``, ...)."""

    level: str  # "info" | "warning" | "error"
    text: str
    id: str = ""


@dataclass
class CheckReport:
    """What the configuration does, line by line; ``ok`` is False when it cannot work."""

    findings: list[Finding] = field(default_factory=list)
    key_ids: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[tuple[str, str]]:
        """``(level, text)`` of every finding, in order."""
        return [(finding.level, finding.text) for finding in self.findings]

    @property
    def ok(self) -> bool:
        return not any(finding.level == "error" for finding in self.findings)

    def info(self, text: str) -> None:
        self.findings.append(Finding("info", text))

    def warning(self, id: str, text: str) -> None:
        self.findings.append(Finding("warning", text, id))

    def error(self, id: str, text: str) -> None:
        self.findings.append(Finding("error", text, id))


def url_problem(url: str, *, name: str, origin_only: bool = False) -> str:
    """Why ``url`` cannot be used, or "" when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{name} must be an http(s) URL, not {redact_url(url)!r}."
    if origin_only and (parts.path not in ("", "/") or parts.query or parts.fragment):
        return (
            f"{name} must be the app's origin (e.g. https://app.example.com) without a path; "
            f"set BETTER_AUTH_JWKS_URL to point elsewhere."
        )
    return ""


def auth_check(*, fetch: bool = True) -> CheckReport:
    """Describes the active modes (never the secret) and, with ``fetch``, the JWKS's keys."""
    config = auth_config()
    report = CheckReport()
    _shared_secret_mode(report, config)
    if not config.jwks_enabled:
        report.info("JWKS mode: off (BETTER_AUTH_URL is empty).")
        if settings.BETTER_AUTH_JWKS_URL.strip():
            report.error("E002", "BETTER_AUTH_JWKS_URL is set but BETTER_AUTH_URL is not: JWKS mode is off.")
        if not config.shared_secret_enabled:
            report.error(
                "E001",
                "No mode is on: set BETTER_AUTH_SECRET and/or BETTER_AUTH_URL; every token is refused.",
            )
        return report
    _jwks_mode(report, config)
    if fetch and report.ok:
        _published_keys(report, config)
    return report


def _shared_secret_mode(report: CheckReport, config: AuthConfig) -> None:
    if config.shared_secret_enabled:
        size = len(config.shared_secret.encode())
        report.info(f"Shared-secret mode (HS256): on; BETTER_AUTH_SECRET is set ({size} bytes).")
        minimum = settings.BETTER_AUTH_SECRET_MIN_BYTES
        if size < minimum:
            report.warning(
                "W001", f"BETTER_AUTH_SECRET is shorter than {minimum} bytes (production refuses it)."
            )
    else:
        report.info("Shared-secret mode (HS256): off (BETTER_AUTH_SECRET is empty).")
    report.info(
        "HS256 tokens: iss "
        + (f"must be {config.issuer!r}" if config.issuer else "not checked")
        + ", aud "
        + (f"must be {config.audience!r}" if config.audience else "not checked")
        + "."
    )


def _jwks_mode(report: CheckReport, config: AuthConfig) -> None:
    report.info(f"JWKS mode: on; BETTER_AUTH_URL {redact_url(config.origin)!r}.")
    problem = url_problem(config.origin, name="BETTER_AUTH_URL", origin_only=True)
    if problem:
        report.error("E003", problem)
    report.info(
        f"JWKS URL: {redact_url(config.jwks_url)}"
        + ("" if settings.BETTER_AUTH_JWKS_URL.strip() else " (from the origin).")
    )
    problem = url_problem(config.jwks_url, name="The JWKS URL")
    if problem:
        report.error("E004", problem)
    elif (
        urlsplit(config.jwks_url).scheme == "http"
        and urlsplit(config.jwks_url).hostname not in LOOPBACK_HOSTS
    ):
        report.warning(
            "W002", "The JWKS URL is plain http: whoever is on the path could hand out keys. Use https."
        )
    # The origin stands in for an issuer or audience not set: shown like any other URL.
    issuer, audience = (
        redact_url(value) if value == config.origin else value
        for value in (config.jwks_issuer, config.jwks_audience)
    )
    report.info(f"JWKS tokens: iss must be {issuer!r}, aud must be {audience!r}.")
    report.info(f"Algorithms: {', '.join(config.jwks_algorithms) or '(none)'}.")
    if config.ignored_jwks_algorithms:
        report.warning(
            "W003",
            f"Ignored in BETTER_AUTH_JWKS_ALGORITHMS (not public-key algorithms): "
            f"{', '.join(config.ignored_jwks_algorithms)}.",
        )
    if not config.jwks_algorithms:
        report.error(
            "E005", "BETTER_AUTH_JWKS_ALGORITHMS allows no public-key algorithm: every JWKS token is refused."
        )
    report.info(
        f"Cache {config.jwks_cache_seconds} s, refetch cooldown {config.jwks_refetch_cooldown} s, "
        f"timeout {config.jwks_timeout} s."
    )
    if config.jwks_timeout <= 0:
        report.error("E006", "BETTER_AUTH_JWKS_TIMEOUT must be more than 0 seconds.")
    if config.jwks_refetch_cooldown <= 0:
        report.warning(
            "W004", "BETTER_AUTH_JWKS_REFETCH_COOLDOWN is 0: tokens with random kids each cause a fetch."
        )


def _published_keys(report: CheckReport, config: AuthConfig) -> None:
    try:
        keys = fetch_signing_keys(config.jwks_url, timeout=config.jwks_timeout)
    except JWKSError as exc:
        report.error("E007", f"The JWKS cannot be fetched from {redact_url(config.jwks_url)}: {exc}")
        return
    report.key_ids = sorted(keys)
    for kid in report.key_ids:
        key = keys[kid]
        usable = [alg for alg in config.jwks_algorithms if key.fits(alg)]
        report.info(
            f"Key {kid!r}: {key.kty}, alg {key.alg or '(not declared)'}; "
            f"verifies {', '.join(usable) or 'nothing allowed'}."
        )
    if not any(key.fits(alg) for key in keys.values() for alg in config.jwks_algorithms):
        report.error(
            "E008", "No published key can verify an allowed algorithm: every JWKS token would be refused."
        )
