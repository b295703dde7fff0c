"""``make test`` provisions the browser test's Chromium: as root on Debian it installs it, else it fails.

``scripts/ensure-browser`` runs for real, with ``apt-get`` and ``id`` replaced by recording
fakes at the front of ``PATH``: the fake ``apt-get install`` "installs" by creating the
browser file, so the script's own check after installing is exercised too.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from testing.helpers import ROOT

SCRIPT = ROOT / "scripts" / "ensure-browser"
FAKE_APT_GET = """#!/bin/sh
echo "$DEBIAN_FRONTEND $*" >> "$FAKE_APT_LOG"
if [ "$1" = install ] && [ -n "$FAKE_INSTALLS" ]; then
    mkdir -p "$(dirname "$FAKE_INSTALLS")"
    printf '#!/bin/sh\\n' > "$FAKE_INSTALLS" && chmod +x "$FAKE_INSTALLS"
fi
exit "${FAKE_APT_EXIT:-0}"
"""
FAKE_ID = '#!/bin/sh\n[ "$1" = -u ] && echo "$FAKE_UID"\n'
INSTALLED = ["noninteractive update -qq", "noninteractive install -y -qq chromium"]


class Machine:
    """A machine state for the script: who runs it, whether it is Debian, what apt-get does."""

    def __init__(self, tmp_path: Path):
        fakes = tmp_path / "bin"
        fakes.mkdir()
        for name, text in {"apt-get": FAKE_APT_GET, "id": FAKE_ID}.items():
            (fakes / name).write_text(text)
            (fakes / name).chmod(0o755)
        self.apt_log = tmp_path / "apt.log"
        self.browser = tmp_path / "not-yet" / "chromium"
        self.debian_marker = tmp_path / "debian_version"
        self.debian_marker.write_text("12.0\n")
        self.env = {
            "PATH": f"{fakes}:/usr/bin:/bin",
            "FAKE_APT_LOG": str(self.apt_log),
            "FAKE_INSTALLS": str(self.browser),
            "FAKE_UID": "0",
            "ENSURE_BROWSER_DEBIAN_MARKER": str(self.debian_marker),
        }
        # Never the real apt-get: these tests must not install anything.
        assert shutil.which("apt-get", path=self.env["PATH"]) == str(fakes / "apt-get")

    def run(self, *command: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            command, cwd=ROOT, env={**self.env, **env}, capture_output=True, text=True, timeout=60
        )

    def apt_calls(self) -> list[str]:
        return self.apt_log.read_text().splitlines() if self.apt_log.exists() else []


@pytest.fixture
def machine(tmp_path):
    return Machine(tmp_path)


def assert_one_line_failure(result, *phrases: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for phrase in phrases:
        assert phrase in lines[0]


def test_a_present_browser_is_left_alone(machine, tmp_path):
    present = tmp_path / "chromium"
    present.write_text("#!/bin/sh\n")
    present.chmod(0o755)
    result = machine.run(str(SCRIPT), str(present))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert machine.apt_calls() == []


def test_as_root_on_debian_a_missing_browser_is_installed_without_questions(machine):
    result = machine.run(str(SCRIPT), str(machine.browser))
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == INSTALLED
    assert machine.browser.exists()


def test_not_root_it_says_in_one_line_what_to_install_and_fails(machine):
    result = machine.run(str(SCRIPT), str(machine.browser), FAKE_UID="1000")
    assert_one_line_failure(result, str(machine.browser), "install Debian's chromium package")
    assert machine.apt_calls() == []


def test_root_on_another_system_it_says_what_to_install_and_fails(machine):
    machine.debian_marker.unlink()
    result = machine.run(str(SCRIPT), str(machine.browser))
    assert_one_line_failure(result, "install Debian's chromium package")
    assert machine.apt_calls() == []


def test_a_failing_apt_get_fails_the_run(machine):
    result = machine.run(str(SCRIPT), str(machine.browser), FAKE_APT_EXIT="100")
    assert result.returncode != 0
    assert machine.apt_calls() == INSTALLED[:1]


def test_an_install_that_does_not_provide_the_path_fails_in_one_line(machine):
    result = machine.run(str(SCRIPT), str(machine.browser), FAKE_INSTALLS="")
    assert machine.apt_calls() == INSTALLED
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert lines[-1].endswith(
        f"chromium is installed but {machine.browser} is still missing; set CHROMIUM to its path."
    )


def test_make_browser_installs_the_browser_chromium_names(machine):
    result = machine.run("make", "--no-print-directory", "browser", f"CHROMIUM={machine.browser}")
    assert result.returncode == 0, result.stderr
    assert machine.apt_calls() == INSTALLED
    assert machine.browser.exists()


def test_make_browser_fails_for_a_user_who_cannot_install(machine):
    result = machine.run(
        "make", "--no-print-directory", "browser", f"CHROMIUM={machine.browser}", FAKE_UID="1000"
    )
    assert result.returncode != 0
    assert "install Debian's chromium package" in result.stderr
    assert machine.apt_calls() == []


def test_make_test_provisions_the_browser_before_pytest_and_passes_its_path(machine):
    plan = machine.run("make", "-n", "--no-print-directory", "test", "CHROMIUM=/nonexistent/chromium")
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    ensure = lines.index("scripts/ensure-browser '/nonexistent/chromium'")
    pytest_run = lines.index("CHROMIUM='/nonexistent/chromium' .venv/bin/pytest")
    assert ensure < pytest_run
