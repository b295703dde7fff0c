"""``support_group_ensure``: the Support group and its rights, or a clear error when it cannot."""

import pytest
from django.contrib.auth.models import Permission

from accounts.roles import SUPPORT_GROUP_PERMISSIONS, support_group_ensure


@pytest.mark.django_db
@pytest.mark.parametrize(("app_label", "codename"), SUPPORT_GROUP_PERMISSIONS)
def test_a_missing_permission_is_a_lookup_error_naming_it(app_label, codename):
    # Deleted inside the test's transaction: rolled back afterwards.
    deleted, _ = Permission.objects.filter(content_type__app_label=app_label, codename=codename).delete()
    assert deleted

    with pytest.raises(
        LookupError, match=rf"^Permission {app_label}\.{codename} does not exist \(migrate first\)\.$"
    ):
        support_group_ensure()
