"""Development settings: ``manage.py``'s default.

``make run`` writes a ``.env`` with freshly generated secrets (and ``DJANGO_DEBUG=false``:
errors answer as the contract says; set it to true for Django's debug pages).
Without one, Django still starts, with a signing key that lives only as long as the
process (sessions do not survive a restart; nothing secret is kept in the code).
"""

from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import SECRET_KEY

if not SECRET_KEY:
    SECRET_KEY = get_random_secret_key()
