"""Start-up refuses to serve without the manifest the static files storage reads.

With ``DEBUG`` off, a manifest storage (whitenoise's, in every settings module but the
tests') looks each ``{% static %}`` name up in ``STATIC_ROOT/staticfiles.json``; without
that file every admin page answers 500. ``wsgi``/``asgi`` call this once the application
is built, so the reason is one line at start-up. It is not a settings check: settings
must load for ``manage.py collectstatic`` to write the manifest in the first place.
"""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured


def static_manifest_require() -> None:
    """ImproperlyConfigured when the static files storage needs a manifest that is missing."""
    storage = staticfiles_storage
    needs_manifest = isinstance(storage, ManifestFilesMixin) and storage.manifest_strict
    if settings.DEBUG or not needs_manifest or storage.exists(storage.manifest_name):
        return
    raise ImproperlyConfigured(
        f"No static files manifest at {storage.path(storage.manifest_name)}: "
        "run manage.py collectstatic --no-input before starting the server."
    )
