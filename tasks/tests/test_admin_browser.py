"""A support user works a task in the real admin, in headless Chromium (Playwright).

Debian's ``chromium`` package provides the browser (``playwright install`` cannot download
one here); `make test` installs it, and ``CHROMIUM`` names another. A missing browser fails
this test: it is never skipped.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.services import support_user_create
from accounts.tests.factories import UserFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from testing.helpers import STAFF_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EMAIL = "support@example.com"
REPO_ROOT = Path(__file__).resolve().parents[2]


def artifacts_dir() -> Path:
    path = Path(os.environ.get("ARTIFACTS_DIR") or REPO_ROOT / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.browser
def test_support_user_finds_a_task_by_owner_email_and_marks_it_completed(live_server):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does).")
    from playwright.sync_api import expect, sync_playwright

    # The database work happens outside Playwright's context: its sync API runs an event
    # loop in this thread, where Django refuses ORM calls.
    support_user_create(email=EMAIL, password=STAFF_PASSWORD)
    owner = UserFactory(email="carol@example.com", name="Carol")
    task = TaskFactory(user=owner, title="Renew the car insurance")
    TaskFactory.create_batch(3, user=owner, completed=True)
    TaskFactory(title="Someone else's task")
    screenshot = artifacts_dir() / "admin-task-changelist.png"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(live_server.url + reverse("admin:login"))
            page.fill("#id_username", EMAIL)
            page.fill("#id_password", STAFF_PASSWORD)
            page.click("input[type=submit]")
            expect(page.locator("#user-tools")).to_contain_text("support@example.com")

            page.goto(live_server.url + reverse("admin:tasks_task_changelist"))
            page.fill("#searchbar", "carol@example.com")
            page.press("#searchbar", "Enter")
            rows = page.locator("#result_list tbody tr")
            expect(rows).to_have_count(4)
            row = rows.filter(has_text="Renew the car insurance")
            row.locator("input.action-select").check()
            page.select_option("select[name=action]", "mark_completed")
            page.click("button[name=index]")
            expect(page.locator("ul.messagelist")).to_contain_text("1 task marked completed.")
            expect(row.locator("td.field-completed img")).to_have_attribute("alt", "True")
            # The admin's own stylesheet applied: the header has its colour, not the default.
            header = page.locator("#header")
            assert header.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()

    task.refresh_from_db()
    assert task.completed is True
    assert task.completed_at is not None
    assert Task.objects.filter(title="Someone else's task", completed=False).exists()
    assert screenshot.stat().st_size > 10_000
