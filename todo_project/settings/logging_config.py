"""The ``LOGGING`` dict: one line per record to stderr, with the request id, plain or JSON."""


def logging_config(*, level: str, log_format: str) -> dict:
    """Records at ``level`` and above, formatted ``plain`` or ``json`` (python-json-logger)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "todo_project.request_id.RequestIDLogFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "todo_project.log_format.ApiJsonFormatter",
                "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s",
                "timestamp": True,
            },
        },
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]},
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Django logs every 4xx as a warning; the API answers those on purpose.
            "django.request": {"level": "ERROR"},
            # "accounts.auth" logs each refused authentication with its code and key id (never
            # the token); "todo_project.request_log" the line per request. Both go to the root.
        },
    }
