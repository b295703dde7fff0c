"""How the settings read the environment: the ``.env`` file, and typed, checked values.

Only ``base`` calls these; they are here so it stays a list of settings.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Real environment variables win over the file, so a deployment is never surprised by a
# stray .env; the file is a development convenience. DJANGO_ENV_FILE="" reads no file.
ENV_FILE = os.environ.get("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE:
    load_dotenv(ENV_FILE, override=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """A string from the environment, stripped."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean from the environment; anything but a clear yes/no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    """A non-negative integer from the environment."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must not be negative.")
    return value


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices`` (any case) from the environment, lower-cased."""
    value = env_str(name, default).lower() or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list from the environment, without empty items."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]
