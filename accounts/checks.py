"""``manage.py check --deploy`` reports a broken authentication configuration.

The same errors and warnings as ``auth_check --no-fetch``: a system check must not reach
the network, so whether the JWKS holds a usable key is ``auth_check``'s alone.
"""

from django.core.checks import Error, Tags, Warning, register

from .diagnostics import auth_check

HINT = "Run 'python manage.py auth_check' for the whole configuration."


@register(Tags.security, deploy=True)
def auth_configuration_check(app_configs=None, **kwargs) -> list[Error | Warning]:
    """Every error (``accounts.E…``) and warning (``accounts.W…``) of the configuration."""
    kinds = {"error": Error, "warning": Warning}
    return [
        kinds[finding.level](finding.text, hint=HINT, id=f"accounts.{finding.id}")
        for finding in auth_check(fetch=False).findings
        if finding.level in kinds
    ]
