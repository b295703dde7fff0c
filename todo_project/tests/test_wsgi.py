"""The WSGI entry point: what start-up built is frozen out of the cycle collector's full runs."""

from testing.helpers import run_django

PRINT_FROZEN = (
    "import gc; before = gc.get_freeze_count(); import todo_project.wsgi; "
    "print(before, gc.get_freeze_count())"
)


def test_loading_the_application_freezes_what_start_up_built():
    # Debug: a fresh checkout has no collected static files, which the entry point requires otherwise.
    result = run_django(PRINT_FROZEN, "todo_project.settings.local", DJANGO_DEBUG="true")
    assert result.returncode == 0, result.stderr

    before, after = map(int, result.stdout.split())
    assert before == 0
    assert after > 50_000  # modules, settings, URL patterns: about 110,000 objects
